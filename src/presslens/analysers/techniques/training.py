"""Fine-tuning the techniques model on PTC: both heads at once (multi-task), dev scores after every epoch.

Used by ``presslens train techniques``; needs torch and transformers only (no parse), so it also runs on a
machine with an accelerator (``device="cuda"``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from presslens.analysers.techniques.analyser import TechniquesConfig
from presslens.analysers.techniques.encoder import (
    BASE_MODEL,
    FEATURES,
    SETTINGS_FILE,
    Decoding,
    Encoded,
    TechniquesModel,
    classify_spans,
    encode,
    load_model,
    load_tokenizer,
    native_precision,
    new_model,
    pool,
    read_settings,
    run_article,
    run_articles,
    save_model,
    span_features,
    span_inputs,
    windows_at_once,
)
from presslens.analysers.techniques.ptc import TECHNIQUES, LabelledSpan, PTCArticle
from presslens.analysers.techniques.scoring import TCCounts, gold_span_groups, si_score, top_labels
from presslens.eval.metrics import PRF, ZERO, merge_intervals

#: L2 strength (as scikit-learn's C) of the refitted linear TC head, and its share of the TC probabilities.
REFIT_C = 0.1
REFIT_SHARE = 0.5

#: SI decodings tried on the dev split (threshold, low threshold, max gap, edge trim: see
#: :func:`~presslens.analysers.techniques.encoder.decode_spans`); the best is stored with the model.
DECODINGS = tuple(
    Decoding(high, round(high * share, 3), gap, trim)
    for high in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
    for share in (1.0, 0.75, 0.5)
    for gap in (1, 3)
    for trim in (0.0, 0.4, 0.5, 0.6)
)


@dataclass(frozen=True)
class TrainingSettings:
    """How ``presslens train techniques`` fine-tunes the model (the defaults made the shipped one)."""

    # 10 epochs at 1.5e-4 beat 6 at 8e-5 by 0.015 of dev SI, averaged over seeds (a GPU sweep, docs/techniques.md)
    epochs: int = 10
    learning_rate: float = 1.5e-4
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.1
    batch_size: int = 16
    window: int = 256
    layers: int = 3  # the first 3 of MiniLM-L6's layers: half the cost of 6 and as good on dev (docs/techniques.md)
    tc_weight: float = 1.0
    positive_weight: float = 1.0
    # in the SI loss, a wordpiece of a gold span weighs (mean span length / its span's length) ** span_weight: the SI
    # metric counts spans, not wordpieces, and most spans are short (0: every wordpiece alike; docs/techniques.md)
    span_weight: float = 0.5
    seed: int = 13
    threads: int = 1
    device: str = "cpu"


@dataclass
class _Window:
    """One training window: its wordpieces, SI labels and their loss weights, and the gold spans it holds (TC)."""

    ids: list[int]
    inside: list[float]
    weights: list[float]
    spans: list[tuple[int, int, list[float], int]] = field(default_factory=list)  # first, last, features, label


def gold_pieces(encoded: Encoded, article: PTCArticle) -> list[tuple[int, int]]:
    """The article's gold spans, merged where they overlap (as SI scores them), as wordpiece ranges."""
    merged = merge_intervals((span.start, span.end) for span in article.spans)
    ranges = (encoded.token_range(start, end) for start, end in merged)
    return [(first, last) for first, last in ranges if last > first]


def training_windows(
    encoded: Encoded, article: PTCArticle, mean_length: float = 1.0, span_weight: float = 0.0
) -> list[_Window]:
    """Windows of one article with per-wordpiece labels (inside any gold span), their SI loss weights
    (``(mean_length / span length) ** span_weight`` inside a span, 1 outside) and TC targets."""
    inside = [0.0] * len(encoded.ids)
    weights = [1.0] * len(encoded.ids)
    for first, last in gold_pieces(encoded, article):
        for index in range(first, last):
            inside[index] = 1.0
            weights[index] = (mean_length / (last - first)) ** span_weight
    result = [_Window(list(encoded.ids[a:b]), inside[a:b], weights[a:b]) for a, b in encoded.windows]
    starts = [a for a, _ in encoded.windows]
    for span in article.spans:
        first, last = encoded.token_range(span.start, span.end)
        if last <= first:
            continue
        number = max(index for index, start in enumerate(starts) if start <= first)
        window_start, window_end = encoded.windows[number]
        result[number].spans.append(
            (
                first - window_start,
                min(last, window_end) - window_start,
                span_features(article.text, span.start, span.end),
                TECHNIQUES.index(span.technique),
            )
        )
    return result


def _batches(windows: Sequence[_Window], size: int, rng: random.Random) -> list[list[_Window]]:
    order = list(windows)
    rng.shuffle(order)
    return [order[index : index + size] for index in range(0, len(order), size)]


def _loss(
    model: TechniquesModel, batch: Sequence[_Window], settings: TrainingSettings, cls_id: int, sep_id: int
) -> torch.Tensor:
    length = max(len(window.ids) for window in batch) + 2
    ids = torch.zeros((len(batch), length), dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    targets = torch.zeros((len(batch), length))
    weights = torch.ones((len(batch), length))
    tagged = torch.zeros((len(batch), length), dtype=torch.bool)
    for row, window in enumerate(batch):
        count = len(window.ids)
        ids[row, : count + 2] = torch.tensor([cls_id, *window.ids, sep_id])
        mask[row, : count + 2] = 1
        targets[row, 1 : count + 1] = torch.tensor(window.inside)
        weights[row, 1 : count + 1] = torch.tensor(window.weights)
        tagged[row, 1 : count + 1] = True
    device = settings.device
    hidden = model.hidden_states(ids.to(device), mask.to(device))
    logits = model.tag_logits(hidden)
    weight = torch.tensor(settings.positive_weight, device=device)
    on = tagged.to(device)
    loss = nn.functional.binary_cross_entropy_with_logits(
        logits[on], targets.to(device)[on], weight=weights.to(device)[on], pos_weight=weight
    )
    pooled, features, labels = [], [], []
    for row, window in enumerate(batch):
        for first, last, span_feature, label in window.spans:
            pooled.append(pool(hidden[row], first + 1, last + 1))
            features.append(span_feature)
            labels.append(label)
    if pooled:
        span_logits = model.classify(torch.stack(pooled), torch.tensor(features, device=device))
        loss = loss + settings.tc_weight * nn.functional.cross_entropy(
            span_logits, torch.tensor(labels, device=device)
        )
    return loss


def train_model(
    train: Sequence[PTCArticle],
    dev: Sequence[PTCArticle],
    settings: TrainingSettings,
    progress: Callable[[str], None] = print,
    after_epoch: Callable[[TechniquesModel, dict[str, Any]], None] | None = None,
) -> tuple[TechniquesModel, dict[str, Any]]:
    """Fine-tune on ``train``; score ``dev`` after each epoch. Returns the model and its summary for model.json.

    ``after_epoch(model, summary)`` is called after every epoch (to save a checkpoint, say).
    """
    torch.manual_seed(settings.seed)
    if settings.device == "cpu":
        torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)
    tokenizer = load_tokenizer()
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    train_encoded = [encode(tokenizer, article.text, settings.window) for article in train]
    lengths = [
        last - first
        for article_encoded, article in zip(train_encoded, train, strict=True)
        for first, last in gold_pieces(article_encoded, article)
    ]
    mean_length = sum(lengths) / max(1, len(lengths))
    windows = [
        window
        for article_encoded, article in zip(train_encoded, train, strict=True)
        for window in training_windows(article_encoded, article, mean_length, settings.span_weight)
    ]
    dev_encoded = [encode(tokenizer, article.text, settings.window) for article in dev]
    model = new_model(settings.layers).to(settings.device)
    heads = [p for name, p in model.named_parameters() if not name.startswith("encoder.") and p.requires_grad]
    encoder = [p for name, p in model.named_parameters() if name.startswith("encoder.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": settings.learning_rate}, {"params": heads, "lr": settings.head_learning_rate}],
        weight_decay=settings.weight_decay,
    )
    steps = settings.epochs * ((len(windows) + settings.batch_size - 1) // settings.batch_size)
    warmup = max(1, int(settings.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
    )
    progress(
        f"{len(train)} training articles ({len(windows)} windows, {sum(len(w.ids) for w in windows)} wordpieces), "
        f"{len(dev)} dev articles; {steps} steps"
    )
    history = []
    started = time.perf_counter()
    for epoch in range(1, settings.epochs + 1):
        model.train()
        total_loss = 0.0
        batches = _batches(windows, settings.batch_size, rng)
        for batch in batches:
            loss = _loss(model, batch, settings, cls_id, sep_id)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total_loss += float(loss.detach())
        model.eval()
        scores = dev_scores(model, dev_encoded, dev, cls_id, sep_id, settings.device)
        scores.update(epoch=epoch, loss=round(total_loss / len(batches), 4),
                      seconds=round(time.perf_counter() - started, 1))
        history.append(scores)
        progress(
            f"epoch {epoch}: loss {scores['loss']}, dev SI F1 {scores['si_f1']} at threshold {scores['threshold']}/"
            f"{scores['low_threshold']}, gap {scores['max_gap']}, trim {scores['trim']} "
            f"(P {scores['si_precision']}, R {scores['si_recall']}), dev TC micro-F1 {scores['tc_micro_f1']}, "
            f"{scores['seconds']} s"
        )
        summary = _summary(settings, train, dev, history, time.perf_counter() - started)
        if after_epoch is not None:
            after_epoch(model, summary)
    return model, summary


def _summary(
    settings: TrainingSettings,
    train: Sequence[PTCArticle],
    dev: Sequence[PTCArticle],
    history: list[dict[str, Any]],
    seconds: float,
) -> dict[str, Any]:
    """What model.json records: base, labels, decoding settings, training settings and the dev scores."""
    return {
        "base_model": BASE_MODEL,
        "techniques": list(TECHNIQUES),
        "features": list(FEATURES),
        "threshold": history[-1]["threshold"],
        "low_threshold": history[-1]["low_threshold"],
        "max_gap": history[-1]["max_gap"],
        "trim": history[-1]["trim"],
        "window": settings.window,
        "layers": settings.layers,
        "training": asdict(settings),
        "train_articles": len(train),
        "dev_articles": len(dev),
        "dev_split": "article ids whose sha256 is 0 modulo 5",
        "history": history,
        "training_seconds": round(seconds, 1),
    }


def dev_scores(
    model: TechniquesModel,
    encoded: Sequence[Encoded],
    articles: Sequence[PTCArticle],
    cls_id: int,
    sep_id: int,
    device: str = "cpu",
    window_batch: int = 1,
) -> dict[str, Any]:
    """SI P/R/F1 at the best of :data:`DECODINGS` (and that decoding) and TC micro-F1 on gold spans, the model run
    over the dev articles ``window_batch`` windows at a time (:func:`run_articles`)."""
    tc = TCCounts()
    probabilities = []
    runs = run_articles(model, encoded, cls_id, sep_id, window_batch=window_batch, device=device)
    for article_encoded, article, (hidden, article_probabilities) in zip(encoded, articles, runs, strict=True):
        probabilities.append(article_probabilities)
        score_gold_spans(tc, model, article_encoded, hidden.to(device), article.spans)
    decoding, si = best_decoding(encoded, probabilities, articles)
    return {
        "threshold": decoding.threshold,
        "low_threshold": decoding.low,
        "max_gap": decoding.max_gap,
        "trim": decoding.trim,
        "si_precision": round(si.precision, 4),
        "si_recall": round(si.recall, 4),
        "si_f1": round(si.f1, 4),
        "tc_micro_f1": round(tc.micro().f1, 4),
    }


def score_gold_spans(
    tc: TCCounts, model: TechniquesModel, encoded: Encoded, hidden: torch.Tensor, gold: Sequence[LabelledSpan]
) -> None:
    """Add one article to ``tc``: each gold span labelled with k techniques gets the model's k most probable."""
    groups = gold_span_groups(gold)
    rows = classify_spans(model, encoded, hidden, list(groups)).tolist()
    for labels, row in zip(groups.values(), rows, strict=True):
        tc.add(top_labels(row, len(labels)), labels)


def best_decoding(
    encoded: Sequence[Encoded], probabilities: Sequence[torch.Tensor], articles: Sequence[PTCArticle]
) -> tuple[Decoding, PRF]:
    """The decoding of :data:`DECODINGS` with the best SI F1 on these articles, and its score."""
    scores = {}
    for decoding in DECODINGS:
        total = ZERO
        for article_encoded, article_probabilities, article in zip(encoded, probabilities, articles, strict=True):
            spans = decoding.spans(article_encoded, article_probabilities)
            total += si_score([(span.start, span.end) for span in spans], article.spans)
        scores[decoding] = total
    best = max(scores, key=lambda decoding: scores[decoding].f1)
    return best, scores[best]


def refit_classifier(
    folder: Path, train: Sequence[PTCArticle], window: int = 256, progress: Callable[[str], None] = print
) -> None:
    """Fit the linear TC head on the int8 encoder's training-span vectors and average it with the MLP (in place).

    Multinomial logistic regression (L-BFGS, L2 with C = :data:`REFIT_C`, chosen on the dev split) over the same
    inputs as the MLP, read from the model as the analyser runs it; the two heads' probabilities are averaged.
    """
    int8 = load_model(folder, "int8")
    tokenizer = load_tokenizer()
    inputs, labels = [], []
    for article in train:
        encoded = encode(tokenizer, article.text, window)
        hidden, _ = run_article(int8, encoded, tokenizer.cls_token_id, tokenizer.sep_token_id)
        groups = gold_span_groups(article.spans)
        if not groups:
            continue
        pooled, features = span_inputs(encoded, hidden, list(groups))
        rows = torch.cat([pooled, features], dim=-1)
        for row, techniques in zip(rows, groups.values(), strict=True):
            for technique in techniques:
                inputs.append(row)
                labels.append(TECHNIQUES.index(technique))
    x, y = torch.stack(inputs), torch.tensor(labels)
    head = nn.Linear(x.shape[1], len(TECHNIQUES))
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=500, line_search_fn="strong_wolfe")

    def objective() -> torch.Tensor:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(head(x), y) + head.weight.pow(2).sum() / (2 * REFIT_C * len(y))
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(objective)
    model = load_model(folder, "fp32")
    model.refit.load_state_dict(head.state_dict())
    model.get_buffer("refit_share").fill_(REFIT_SHARE)
    settings = read_settings(folder)
    settings["refit"] = {"C": REFIT_C, "share": REFIT_SHARE, "spans": len(y), "window": window}
    save_model(model, folder, settings)
    progress(f"linear TC head fitted on {len(y)} training spans (int8 encoder, windows of {window})")


def tune_decoding(
    folder: Path, dev: Sequence[PTCArticle], window: int = 256, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """Choose the SI decoding on the dev split with the model in this CPU's native precision (bf16 where it
    multiplies bf16 natively, else int8) and its windows batched, the way the analyser runs it here, into
    model.json.

    ``window`` is the run-time window (wordpieces), recorded for the analyser: 128 costs about a fifth less than
    256 with int8 and loses about 0.01 of TC on the dev split (docs/techniques.md).
    """
    precision = native_precision()
    model = load_model(folder, precision)
    settings = read_settings(folder)
    tokenizer = load_tokenizer()
    encoded = [encode(tokenizer, article.text, window) for article in dev]
    window_batch = windows_at_once(precision, TechniquesConfig().window_batch)  # as the analyser runs the model
    scores = dev_scores(
        model, encoded, dev, tokenizer.cls_token_id, tokenizer.sep_token_id, window_batch=window_batch
    )
    settings.pop("dev_int8", None)  # what tunings before this one, in int8 only, wrote
    settings.update(
        window=window,
        threshold=scores["threshold"],
        low_threshold=scores["low_threshold"],
        max_gap=scores["max_gap"],
        trim=scores["trim"],
        dev_tuned={
            "precision": precision,
            **{name: scores[name] for name in ("si_precision", "si_recall", "si_f1", "tc_micro_f1")},
        },
    )
    (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    progress(
        f"decoding tuned on the dev split ({precision}, windows of {window}): threshold {scores['threshold']}, "
        f"low {scores['low_threshold']}, max gap {scores['max_gap']}, trim {scores['trim']}: "
        f"SI P {scores['si_precision']:.4f} R {scores['si_recall']:.4f} F1 {scores['si_f1']:.4f}; "
        f"TC micro-F1 {scores['tc_micro_f1']:.4f}"
    )
    return settings

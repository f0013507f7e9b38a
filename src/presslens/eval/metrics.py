"""Precision, recall and F1 over spans: exact match, token overlap, and SemEval-2020 Task 11 partial credit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[int, int]
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class PRF:
    """Counts behind precision/recall/F1. ``tp_p``/``tp_r`` differ only for partial-credit metrics."""

    tp_p: float
    predicted: float
    tp_r: float
    gold: float

    @classmethod
    def from_counts(cls, tp: float, predicted: float, gold: float) -> PRF:
        return cls(tp, predicted, tp, gold)

    @property
    def precision(self) -> float:
        return self.tp_p / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_r / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp_p + other.tp_p, self.predicted + other.predicted, self.tp_r + other.tp_r,
                   self.gold + other.gold)


ZERO = PRF(0, 0, 0, 0)


def total(scores: Iterable[PRF]) -> PRF:
    """Micro-average: the sum of the counts."""
    return sum(scores, ZERO)


def exact_prf(predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> PRF:
    """Exact match of items (e.g. ``(start, end)`` or ``(start, end, label)``), counted as multisets."""
    pred, ref = Counter(predicted), Counter(gold)
    matched = sum((pred & ref).values())
    return PRF.from_counts(matched, sum(pred.values()), sum(ref.values()))


def tokens_of(text: str, spans: Iterable[Interval]) -> set[int]:
    """Start offsets of the word/punctuation tokens of ``text`` that lie inside any of ``spans``."""
    covered: set[int] = set()
    for start, end in spans:
        for match in _TOKEN.finditer(text, start, end):
            covered.add(match.start())
    return covered


def overlap_prf(
    text: str, predicted: Iterable[Interval], gold: Iterable[Interval],
    tokenize: Callable[[str, Iterable[Interval]], set[int]] = tokens_of,
) -> PRF:
    """Token overlap: precision = shared tokens / predicted tokens, recall = shared tokens / gold tokens."""
    pred, ref = tokenize(text, predicted), tokenize(text, gold)
    shared = len(pred & ref)
    return PRF(shared, len(pred), shared, len(ref))


def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged, sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def partial_credit_prf(predicted: Sequence[Interval], gold: Sequence[Interval]) -> PRF:
    """SemEval-2020 Task 11 SI score of one article: C(s,t,h) = |s∩t|/h, gold spans merged first.

    Returns sums so that articles add up: P = tp_p / |S|, R = tp_r / |T|.
    """
    merged_gold = merge_intervals(gold)
    tp_p = tp_r = 0.0
    for s_start, s_end in predicted:
        for t_start, t_end in merged_gold:
            inter = min(s_end, t_end) - max(s_start, t_start)
            if inter > 0:
                tp_p += inter / (s_end - s_start)
                tp_r += inter / (t_end - t_start)
    return PRF(tp_p, len(predicted), tp_r, len(merged_gold))

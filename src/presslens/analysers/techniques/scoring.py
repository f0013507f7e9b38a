"""The task's own two scores (SemEval-2020 Task 11): SI with partial-overlap credit, TC micro-F1 given gold spans."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from presslens.analysers.techniques.ptc import TECHNIQUES, LabelledSpan
from presslens.eval.metrics import PRF, partial_credit_prf


def si_score(predicted: Sequence[tuple[int, int]], gold: Sequence[LabelledSpan]) -> PRF:
    """One article's SI sums: predicted spans against the gold spans (merged where they overlap)."""
    return partial_credit_prf(list(predicted), [(span.start, span.end) for span in gold])


def gold_span_groups(gold: Sequence[LabelledSpan]) -> dict[tuple[int, int], list[str]]:
    """Gold techniques by span: a span labelled with k techniques gets k predictions (the task's convention)."""
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for span in gold:
        groups[(span.start, span.end)].append(span.technique)
    return dict(groups)


def top_labels(probabilities: Sequence[float], k: int) -> list[str]:
    """The ``k`` most probable techniques."""
    ranked = sorted(range(len(TECHNIQUES)), key=lambda index: -probabilities[index])
    return [TECHNIQUES[index] for index in ranked[:k]]


class TCCounts:
    """TC counts per technique: predicted, gold and correct (micro-F1 = accuracy when every span gets labels)."""

    def __init__(self) -> None:
        self.predicted: Counter[str] = Counter()
        self.gold: Counter[str] = Counter()
        self.correct: Counter[str] = Counter()

    def add(self, predicted: Sequence[str], gold: Sequence[str]) -> None:
        self.predicted.update(predicted)
        self.gold.update(gold)
        self.correct.update(Counter(predicted) & Counter(gold))

    def micro(self) -> PRF:
        return PRF.from_counts(sum(self.correct.values()), sum(self.predicted.values()), sum(self.gold.values()))

    def per_technique(self) -> dict[str, PRF]:
        return {
            technique: PRF.from_counts(self.correct[technique], self.predicted[technique], self.gold[technique])
            for technique in TECHNIQUES
        }

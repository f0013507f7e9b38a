"""Span metrics, checked against hand-computed values."""

from __future__ import annotations

import pytest

from presslens.eval.metrics import PRF, exact_prf, merge_intervals, overlap_prf, partial_credit_prf, total


def test_exact_match_counts_multisets():
    score = exact_prf([(0, 5), (10, 20), (10, 20)], [(0, 5), (10, 20), (30, 40)])
    assert (score.tp_p, score.predicted, score.gold) == (2, 3, 3)
    assert score.precision == pytest.approx(2 / 3) and score.f1 == pytest.approx(2 / 3)


def test_token_overlap_counts_shared_tokens():
    text = "Our society will feel tired, he told the AP."
    # predicted covers "Our society will feel tired," (6 tokens); gold covers "society will feel tired" (4)
    score = overlap_prf(text, [(0, 29)], [(4, 27)])
    assert (score.tp_p, score.predicted, score.gold) == (4, 6, 4)
    assert score.precision == pytest.approx(4 / 6) and score.recall == 1.0


def test_partial_credit_follows_semeval_task_11():
    # gold spans (0,10) and (5,20) merge into (0,20); prediction (10,30) shares 10 characters
    score = partial_credit_prf([(10, 30)], [(0, 10), (5, 20)])
    assert score.precision == pytest.approx(10 / 20)
    assert score.recall == pytest.approx(10 / 20)
    assert merge_intervals([(5, 20), (0, 10), (30, 31)]) == [(0, 20), (30, 31)]


def test_empty_predictions_score_zero_not_an_error():
    score = total([exact_prf([], [(0, 1)]), PRF.from_counts(0, 0, 0)])
    assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)

"""Evaluation: span metrics, the report every task prints, and the ``presslens eval TASK`` registry."""

from presslens.eval.metrics import PRF, exact_prf, overlap_prf, partial_credit_prf
from presslens.eval.report import EvalReport, Table
from presslens.eval.tasks import eval_task, eval_tasks, run_eval_task

__all__ = [
    "PRF",
    "EvalReport",
    "Table",
    "eval_task",
    "eval_tasks",
    "exact_prf",
    "overlap_prf",
    "partial_credit_prf",
    "run_eval_task",
]

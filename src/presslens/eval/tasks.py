"""The ``presslens eval TASK --data PATH`` registry.

An analyser module registers the tasks that score it next to its own ``score(examples)``::

    @eval_task("quotes", help="PolNeAR BRAT folder or a folder of article.txt + gold.json")
    def evaluate_quotes(data: Path, options: Mapping[str, str]) -> EvalReport: ...

Task modules are found by importing the analysers (and :mod:`presslens.eval` itself for ingest-level tasks).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from presslens.eval.report import EvalReport

EvalFunction = Callable[[Path, Mapping[str, str]], EvalReport]


@dataclass(frozen=True)
class EvalTask:
    name: str
    run: EvalFunction
    help: str


_TASKS: dict[str, EvalTask] = {}

#: Modules outside the analysers package that register eval tasks.
_TASK_MODULES = ("presslens.ingest.evaluate", "presslens.corpus.evaluate")


def eval_task(name: str, *, help: str) -> Callable[[EvalFunction], EvalFunction]:
    """Register ``function(data, options) -> EvalReport`` as ``presslens eval NAME``."""

    def register(function: EvalFunction) -> EvalFunction:
        _TASKS[name] = EvalTask(name, function, help)
        return function

    return register


def eval_tasks() -> dict[str, EvalTask]:
    """Every registered eval task by name."""
    from presslens.analysers.registry import discover

    discover()
    for module in _TASK_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return dict(_TASKS)


def run_eval_task(name: str, data: Path, options: Mapping[str, str] | None = None) -> EvalReport:
    tasks = eval_tasks()
    if name not in tasks:
        raise KeyError(f"unknown eval task {name!r}; known: {', '.join(sorted(tasks))}")
    return tasks[name].run(data, options or {})

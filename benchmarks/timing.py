"""An analyser wrapper that times each analyser inside a pipeline, for the benchmarks (``throughput.py``,
``corpus.py``): ``pipeline.analysers = timed(pipeline, spent, clock)``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from presslens.analysers.registry import Analyser, AnalyserOutput, AnalyserSpec, AnalysisContext, run_many
from presslens.pipeline import Pipeline


class TimedAnalyser:
    """Adds the ``clock`` seconds its analyser takes to ``spent[name]``, one article at a time or several at once
    (through the analyser's own ``pipe`` where it has one, as the pipeline runs it)."""

    def __init__(self, analyser: Analyser, name: str, spent: dict[str, float], clock: Callable[[], float]) -> None:
        self.analyser, self.name, self.spent, self.clock = analyser, name, spent, clock

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        return self.pipe([context])[0]

    def pipe(self, contexts: Sequence[AnalysisContext]) -> list[AnalyserOutput]:
        before = self.clock()
        try:
            return run_many(self.analyser, contexts)
        finally:
            self.spent[self.name] = self.spent.get(self.name, 0.0) + self.clock() - before


def timed(
    pipeline: Pipeline, spent: dict[str, float], clock: Callable[[], float] = time.perf_counter
) -> list[tuple[AnalyserSpec, Analyser]]:
    """The pipeline's analysers, each wrapped in a :class:`TimedAnalyser` adding to ``spent``."""
    return [(spec, TimedAnalyser(analyser, spec.name, spent, clock)) for spec, analyser in pipeline.analysers]

"""The pipeline: ingest -> one shared spaCy parse -> analysers in declared order -> Analysis."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from types import MappingProxyType
from typing import Any

from spacy.tokens import Doc

from presslens.analysers.registry import Analyser, AnalyserOutput, AnalysisContext, resolve, run_many
from presslens.analysis import AnalysisBase, analysis_model, iter_spans
from presslens.parse import DEFAULT_MODEL, load_nlp
from presslens.records import AnalysisError, Article, Record


class OffsetError(AssertionError):
    """An analyser produced a span whose text does not match the article text: a bug in that analyser."""


_models_frozen = False


def freeze_loaded_models() -> None:
    """Leave every object alive now out of the cyclic garbage collector's passes, once per process.

    Called after a pipeline's first article, when every model (spaCy, the CRF, torch and transformers, some
    loaded on first use) is in memory: they live as long as the process, yet each full collection walked all
    their objects again (``benchmarks/throughput.py`` on the sample: quotes cost 25% on top of the parse, 21%
    frozen; techniques 62% and 60%).
    """
    global _models_frozen
    if not _models_frozen:
        _models_frozen = True
        gc.collect()
        gc.freeze()


class Pipeline:
    """Runs the selected analysers over one shared parse per article.

    >>> pipeline = Pipeline(only=["entities"])
    >>> analysis = pipeline.analyze(article)
    """

    def __init__(
        self,
        only: Iterable[str] | None = None,
        skip: Iterable[str] = (),
        config: Mapping[str, Mapping[str, Any]] | None = None,
        model: str = DEFAULT_MODEL,
    ) -> None:
        config = config or {}
        self.specs = resolve(only, skip)
        self.analysers = [(spec, spec.create(config.get(spec.name))) for spec in self.specs]
        self.nlp = load_nlp(model)
        self.model = analysis_model()

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    def analyze(self, article: Article) -> AnalysisBase:
        """Analyse one article."""
        return self.run(article, self.nlp(article.text))

    def analyze_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[AnalysisBase]:
        """Analyse a stream of articles, in the order given, ``batch_size`` at a time (see :meth:`run_batch`)."""
        parsed = self.nlp.pipe(((article.text, article) for article in articles), as_tuples=True, batch_size=batch_size)
        while batch := list(islice(parsed, batch_size)):
            yield from self.run_batch([(article, doc) for doc, article in batch])

    def run(self, article: Article, doc: Doc) -> AnalysisBase:
        """Run the analysers over one already parsed article (see :meth:`run_batch`)."""
        return self.run_batch([(article, doc)])[0]

    def run_batch(self, parsed: Sequence[tuple[Article, Doc]]) -> list[AnalysisBase]:
        """Run the analysers over already parsed articles, one analyser over all of them before the next.

        Each analyser's model stays in the CPU's caches across the batch instead of being evicted by the others
        between articles, and an analyser with a ``pipe`` batches its own work (:func:`run_many`). An analyser
        that raises on an article is recorded in that article's ``errors`` and its section is absent there; the
        others still run unless they require it. When a ``pipe`` raises, the batch's articles are run one at a
        time, so that the failure is recorded on its own article only.
        """
        runs = [_ArticleRun(article, doc) for article, doc in parsed]
        for spec, run_analyser in self.analysers:
            ready: list[_ArticleRun] = []
            for run in runs:
                missing = [section for section in spec.requires if section in run.failed]
                if missing:
                    run.fail(spec.name, spec.assigns, f"skipped: {', '.join(missing)} failed")
                else:
                    ready.append(run)
            outcomes = _outcomes(run_analyser, [run.context(spec.requires) for run in ready])
            for run, outcome in zip(ready, outcomes, strict=True):
                if not isinstance(outcome, Exception):
                    try:
                        check_offsets(spec.name, outcome.records, run.article.text)
                    except Exception as exc:
                        outcome = exc
                if isinstance(outcome, Exception):  # one analyser's bug must not lose the article's other findings
                    run.fail(spec.name, spec.assigns, f"{type(outcome).__name__}: {outcome}")
                    continue
                run.sections[spec.assigns] = outcome.records
                if spec.profile is not None and outcome.profile is not None:
                    run.profiles[spec.profile[0]] = outcome.profile
        freeze_loaded_models()
        return [
            self.model.model_validate(
                {"article": run.article, "errors": tuple(run.errors), "profiles": run.profiles, **run.sections}
            )
            for run in runs
        ]


@dataclass
class _ArticleRun:
    """One article's state while the analysers run over its batch."""

    article: Article
    doc: Doc
    sections: dict[str, tuple[Record, ...]] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    errors: list[AnalysisError] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    def context(self, requires: Iterable[str]) -> AnalysisContext:
        return AnalysisContext(
            article=self.article, doc=self.doc, sections=MappingProxyType(self.sections), allowed=frozenset(requires)
        )

    def fail(self, analyser: str, section: str, message: str) -> None:
        self.errors.append(AnalysisError(analyser=analyser, message=message))
        self.failed.add(section)


def _outcomes(run_analyser: Analyser, contexts: Sequence[AnalysisContext]) -> list[AnalyserOutput | Exception]:
    """Each article's output, or the exception the analyser raised on it.

    Several articles go through the analyser's ``pipe`` when it has one; if that raises, they are run one at a time,
    so that the failure is recorded on its own article only. One call per article otherwise.
    """
    if len(contexts) > 1 and hasattr(run_analyser, "pipe"):
        try:
            return list(run_many(run_analyser, contexts))
        except Exception:  # one article's failure must not lose the batch: find it below
            pass
    outcomes: list[AnalyserOutput | Exception] = []
    for context in contexts:
        try:
            outcomes.append(run_analyser(context))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def check_offsets(analyser: str, records: Iterable[Record], text: str) -> None:
    """Raise :class:`OffsetError` unless every span of every record is exact: ``text[start:end] == text``."""
    for record in records:
        for span in iter_spans(record):
            if text[span.start:span.end] != span.text:
                raise OffsetError(
                    f"{analyser}: span {span.start}:{span.end} is {text[span.start:span.end]!r}, "
                    f"the record says {span.text!r}"
                )

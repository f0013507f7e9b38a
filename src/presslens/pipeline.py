"""The pipeline: ingest -> one shared spaCy parse -> analysers in declared order -> Analysis."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from spacy.tokens import Doc

from presslens.analysers.registry import AnalysisContext, resolve
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
        """Analyse a stream of articles, parsing them in batches (in the order given)."""
        pairs = ((article.text, article) for article in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self.run(article, doc)

    def run(self, article: Article, doc: Doc) -> AnalysisBase:
        """Run the analysers over an already parsed article.

        An analyser that raises is recorded in ``errors`` and its section is absent; the others still run
        unless they require it.
        """
        sections: dict[str, tuple[Record, ...]] = {}
        profiles: dict[str, Any] = {}
        errors: list[AnalysisError] = []
        failed: set[str] = set()
        for spec, run_analyser in self.analysers:
            missing = [section for section in spec.requires if section in failed]
            if missing:
                errors.append(AnalysisError(analyser=spec.name, message=f"skipped: {', '.join(missing)} failed"))
                failed.add(spec.assigns)
                continue
            context = AnalysisContext(
                article=article, doc=doc, sections=MappingProxyType(sections), allowed=frozenset(spec.requires)
            )
            try:
                output = run_analyser(context)
                check_offsets(spec.name, output.records, article.text)
            except Exception as exc:  # one analyser's bug must not lose the article's other findings
                errors.append(AnalysisError(analyser=spec.name, message=f"{type(exc).__name__}: {exc}"))
                failed.add(spec.assigns)
                continue
            sections[spec.assigns] = output.records
            if spec.profile is not None and output.profile is not None:
                profiles[spec.profile[0]] = output.profile
        freeze_loaded_models()
        return self.model.model_validate(
            {"article": article, "errors": tuple(errors), "profiles": profiles, **sections}
        )


def check_offsets(analyser: str, records: Iterable[Record], text: str) -> None:
    """Raise :class:`OffsetError` unless every span of every record is exact: ``text[start:end] == text``."""
    for record in records:
        for span in iter_spans(record):
            if text[span.start:span.end] != span.text:
                raise OffsetError(
                    f"{analyser}: span {span.start}:{span.end} is {text[span.start:span.end]!r}, "
                    f"the record says {span.text!r}"
                )

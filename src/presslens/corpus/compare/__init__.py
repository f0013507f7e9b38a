"""Side-by-side comparison of articles covering the same story (``presslens compare``).

Reads each article's analysis JSON (the contract's object) and reports, with offsets on both sides: whether the
articles are the same story; the passages they share (identical, renamed, edited, reworded) and those only one
has; the quotes both report (verbatim, trimmed, paraphrased) and those only one reports; how shared quotes are
attributed differently; naming differences for the same entities; sourcing differences::

    from presslens.corpus.compare import compare
    comparison = compare([analysis_a, analysis_b])        # analysis JSON dicts
    comparison.pairs[0].quotes_only                      # QuoteOnly records, side "a" or "b"

A section an analyser did not produce is left out of the comparison with a note; the embedding model
(:mod:`presslens.corpus.embeddings`, the ``compare`` extra) is required.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.naming import Mention, mentions, naming_differences, renamings
from presslens.corpus.compare.passages import AlignedText, align_passages
from presslens.corpus.compare.quotes import QuoteUnit, align_quotes, attribution_changes, quote_units
from presslens.corpus.compare.records import ArticleRef, Comparison, PairComparison
from presslens.corpus.compare.sourcing import sourcing_changes, sourcing_profile
from presslens.corpus.compare.story import StorySignature, same_story, signatures
from presslens.corpus.compare.text import Sentence, sentences
from presslens.corpus.embeddings import SentenceEmbedder, load_embedder

__all__ = ["CompareConfig", "CompareError", "Comparison", "PairComparison", "compare", "compare_pair"]


class CompareError(ValueError):
    """The inputs cannot be compared (fewer than two, or not analysis JSON objects)."""


@dataclass(frozen=True)
class _Prepared:
    """One article ready to be compared with any other."""

    ref: ArticleRef
    analysis: dict[str, Any]
    mentions: list[Mention]
    aligned: AlignedText
    units: list[QuoteUnit]
    signature: StorySignature
    notes: tuple[str, ...]

    @property
    def sentences(self) -> list[Sentence]:
        return self.aligned.sentences


def _check(analysis: Any, index: int) -> dict[str, Any]:
    article = analysis.get("article") if isinstance(analysis, dict) else None
    if not isinstance(article, dict) or not isinstance(article.get("text"), str):
        raise CompareError(f"input {index + 1} is not an analysis JSON object (it has no article text)")
    return analysis


def _prepare(analyses: Sequence[dict[str, Any]], embedder: SentenceEmbedder,
             config: CompareConfig) -> list[_Prepared]:
    prepared = []
    for index, (analysis, signature) in enumerate(
        zip(analyses, signatures(list(analyses), embedder, config), strict=True)
    ):
        article = analysis["article"]
        text = article["text"]
        found, naming_note = mentions(analysis)
        renamed = renamings(found)
        split = sentences(text, renamed)
        units = quote_units(analysis, renamed)
        notes = [naming_note] if naming_note else []
        for section in ("quotes", "sourcing"):
            if not isinstance(analysis.get(section), list):
                notes.append(f"no {section} section in {article.get('id')}: {section} were not compared")
        sections = tuple(key for key, value in analysis.items() if isinstance(value, list) and key != "errors")
        ref = ArticleRef(
            index=index, id=str(article.get("id")), content_hash=article.get("content_hash"),
            outlet=article.get("outlet"), title=article.get("title"), published=article.get("published"),
            source=article.get("source"), sections=sections,
        )
        prepared.append(_Prepared(
            ref=ref, analysis=analysis, mentions=found,
            aligned=AlignedText(text, split, renamed), units=units, signature=signature, notes=tuple(notes),
        ))
    return prepared


def _pair(a: _Prepared, b: _Prepared, embedder: SentenceEmbedder, config: CompareConfig) -> PairComparison:
    passages, passages_only = align_passages(a.aligned, b.aligned, embedder.encode, config)
    quotes, quotes_only = align_quotes(a.units, b.units, embedder.encode, config)
    return PairComparison(
        a=a.ref.index,
        b=b.ref.index,
        same_story=same_story(a.signature, b.signature, config),
        passages=tuple(passages),
        passages_only=tuple(passages_only),
        quotes=tuple(quotes),
        quotes_only=tuple(quotes_only),
        attribution_changes=tuple(attribution_changes(quotes, a.units, b.units)),
        naming=tuple(naming_differences(a.mentions, a.aligned.text, b.mentions, b.aligned.text)),
        sourcing_profile=tuple(sourcing_profile(a.analysis, b.analysis)),
        sourcing_changes=tuple(sourcing_changes(a.analysis, a.sentences, b.analysis, b.sentences, passages)),
        notes=tuple(dict.fromkeys((*a.notes, *b.notes))),
    )


def compare(
    analyses: Sequence[dict[str, Any]],
    *,
    embedder: SentenceEmbedder | None = None,
    config: CompareConfig | None = None,
) -> Comparison:
    """Compare two or more analyses (the contract's JSON objects): every pair, in input order."""
    if len(analyses) < 2:
        raise CompareError(f"compare needs at least two articles, got {len(analyses)}")
    checked = [_check(analysis, index) for index, analysis in enumerate(analyses)]
    config = config or CompareConfig()
    embedder = embedder or load_embedder()
    prepared = _prepare(checked, embedder, config)
    return Comparison(
        articles=tuple(item.ref for item in prepared),
        pairs=tuple(_pair(a, b, embedder, config) for a, b in combinations(prepared, 2)),
    )


def compare_pair(
    a: dict[str, Any], b: dict[str, Any], *, embedder: SentenceEmbedder | None = None,
    config: CompareConfig | None = None,
) -> PairComparison:
    """Compare two analyses: the one pair of :func:`compare`."""
    return compare([a, b], embedder=embedder, config=config).pairs[0]

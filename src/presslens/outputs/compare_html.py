"""The HTML view of a comparison: for each pair, the two articles in two columns, every aligned passage linked
to its counterpart (click the ↔ marker), passages only one article has, quotes shared or not, and renamed words
marked; the differences listed below the columns with their offsets.

Self-contained like the analysis report (its stylesheet ``report.css`` is reused, ``compare.css`` adds the
columns); no script, no network request. Everything from the articles is escaped by Jinja's autoescaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import jinja2

from presslens import __version__
from presslens.corpus.compare.records import ArticleRef, Comparison, PairComparison, Side
from presslens.outputs import template_asset, template_environment
from presslens.records import Span


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    role: str  # "passage", "quote", "edit"
    css: str
    anchor: str | None = None
    link: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Piece:
    text: str
    classes: str
    anchor: str | None
    link: str | None
    title: str | None


def _anchor(pair: int, side: Side, span: Span) -> str:
    return f"p{pair}-{side}-{span.start}"


def _marks(number: int, pair: PairComparison, side: Side) -> list[_Mark]:
    other: Side = "b" if side == "a" else "a"
    marks: list[_Mark] = []
    linked: set[int] = set()
    for match in pair.passages:
        own, partner = (match.a, match.b) if side == "a" else (match.b, match.a)
        first = own.start not in linked
        linked.add(own.start)
        marks.append(_Mark(own.start, own.end, "passage", f"st-{match.status.replace(' ', '-')}",
                           anchor=_anchor(number, side, own) if first else None,
                           link=f"#{_anchor(number, other, partner)}" if first else None,
                           title=f"{match.status} (similarity {match.similarity:.2f}) in {other}"))
        for edit in match.edits:
            span = edit.a if side == "a" else edit.b
            if span is not None:
                marks.append(_Mark(span.start, span.end, "edit", "renamed" if edit.naming else "changed",
                                   title="named differently" if edit.naming else "edited"))
    for only in pair.passages_only:
        if only.side == side:
            marks.append(_Mark(only.span.start, only.span.end, "passage", "st-only",
                               anchor=_anchor(number, side, only.span), title=f"only in {side}"))
    for quote in pair.quotes:
        ref = quote.a if side == "a" else quote.b
        marks.append(_Mark(ref.content.start, ref.content.end, "quote", "q-shared",
                           title=f"quote in both ({quote.status}), speaker {ref.speaker or 'unknown'}"))
    for only_quote in pair.quotes_only:
        if only_quote.side == side:
            ref = only_quote.quote
            marks.append(_Mark(ref.content.start, ref.content.end, "quote", "q-only",
                               title=f"quote only in {side}, speaker {ref.speaker or 'unknown'}"))
    return marks


def _paragraphs(text: str, marks: Sequence[_Mark]) -> list[list[Piece]]:
    """The text cut at every mark boundary and line break, each piece with the classes of the marks over it."""
    cuts = {0, len(text)}
    for mark in marks:
        cuts.update((mark.start, mark.end))
    cuts.update(index for index, char in enumerate(text) if char == "\n")
    cuts.update(index + 1 for index, char in enumerate(text) if char == "\n")
    points = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    paragraphs: list[list[Piece]] = [[]]
    for start, end in pairwise(points):
        chunk = text[start:end]
        if chunk == "\n":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        over = [mark for mark in marks if mark.start <= start and end <= mark.end]
        opening = next((mark for mark in over if mark.anchor and mark.start == start), None)
        titles = [mark.title for mark in over if mark.title]
        paragraphs[-1].append(Piece(
            text=chunk,
            classes=" ".join(sorted({mark.css for mark in over})),
            anchor=opening.anchor if opening else None,
            link=opening.link if opening else None,
            title="; ".join(titles) or None,
        ))
    return [paragraph for paragraph in paragraphs if paragraph]


def _column(number: int, pair: PairComparison, side: Side, article: ArticleRef, text: str) -> dict[str, Any]:
    return {"side": side, "article": article, "paragraphs": _paragraphs(text, _marks(number, pair, side))}


def _passage_href(number: int, pair: PairComparison, side: Side, offset: int) -> str | None:
    """The link to the passage of ``side`` holding character ``offset`` (where a listed quote starts)."""
    for match in pair.passages:
        span = match.a if side == "a" else match.b
        if span.start <= offset < span.end:
            return f"#{_anchor(number, side, span)}"
    for only in pair.passages_only:
        if only.side == side and only.span.start <= offset < only.span.end:
            return f"#{_anchor(number, side, only.span)}"
    return None


def _pair_view(comparison: Comparison, number: int, pair: PairComparison, texts: Sequence[str]) -> dict[str, Any]:
    articles = comparison.articles
    return {
        "quotes_only": [(only, _passage_href(number, pair, only.side, only.quote.content.start))
                        for only in pair.quotes_only],
        "number": number,
        "a": articles[pair.a],
        "b": articles[pair.b],
        "pair": pair,
        "columns": [_column(number, pair, "a", articles[pair.a], texts[pair.a]),
                    _column(number, pair, "b", articles[pair.b], texts[pair.b])],
        "statuses": {status: sum(1 for m in pair.passages if m.status == status)
                     for status in ("identical", "naming", "edited", "shared fact")},
    }


@cache
def _template() -> jinja2.Template:
    environment = template_environment()
    return environment.get_template("compare.html.j2")


def render_comparison_html(comparison: Comparison, texts: Sequence[str]) -> str:
    """The comparison as one HTML page; ``texts`` are the articles' ``article.text`` in input order."""
    if len(texts) != len(comparison.articles):
        raise ValueError(f"{len(texts)} texts for {len(comparison.articles)} compared articles")
    return _template().render(
        pairs=[_pair_view(comparison, number, pair, texts) for number, pair in enumerate(comparison.pairs)],
        articles=comparison.articles,
        version=__version__,
        css=template_asset("report.css") + "\n" + template_asset("compare.css"),
    )

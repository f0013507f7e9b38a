"""Corpus profiles per outlet (and per month or year): how an outlet quotes, sources and names things.

Computed in SQL over the store's ``facets`` table, so a profile of a million articles never loads an analysis.
Sections that did not run leave their figures ``None`` (not 0): "no quotes found" and "quotes not analysed" are
different statements.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from presslens.records import Record

if TYPE_CHECKING:
    from presslens.corpus.store import Store

Period = Literal["month", "year"]

#: The sourcing label of a claim the outlet makes in its own voice, with no source (see the output contract).
UNSOURCED_LABEL = "outlet assertion"
#: How many of an outlet's most quoted speakers a profile lists.
TOP_SPEAKERS = 5

_PERIOD_SQL = {None: "''", "month": "substr(a.published, 1, 7)", "year": "substr(a.published, 1, 4)"}
_PROFILE_FACETS = ("section", "sourcing", "convention", "speaker", "technique")


class OutletProfile(Record):
    """One outlet's corpus profile (over one period of publication, or over everything)."""

    outlet: str | None = Field(description="the outlet; None gathers articles of unknown outlet")
    period: str | None = Field(description="'2023-05' (month), '2023' (year), None for all time or unknown date")
    articles: int
    quotes_per_article: float | None = Field(description="over the articles the quotes analyser ran on")
    unsourced_share: float | None = Field(
        description=f"share of sourcing findings labelled '{UNSOURCED_LABEL}' (claims with no source)"
    )
    sourcing_shares: dict[str, float] = Field(description="sourcing label -> share of sourcing findings")
    naming_shares: dict[str, float] = Field(description="naming convention -> share of naming findings")
    techniques_per_article: float | None
    technique_shares: dict[str, float] = Field(description="persuasion technique -> share of technique findings")
    top_speakers: tuple[tuple[str, int], ...] = Field(description="most quoted speakers with their quote counts")


def outlet_profiles(store: Store, *, outlet: str | None = None, period: Period | None = None) -> list[OutletProfile]:
    """Profiles of every outlet (or one), per ``period`` of publication or over all time; largest outlets first,
    periods oldest first."""
    period_sql = _PERIOD_SQL[period]
    only, params = (" AND a.outlet = ?", [outlet]) if outlet is not None else ("", [])
    articles: dict[tuple[Any, Any], int] = {
        (name, when or None): int(n)
        for name, when, n in store.execute(
            f"SELECT a.outlet, {period_sql}, count(*) FROM articles a WHERE 1 = 1{only} GROUP BY 1, 2", params
        )
    }
    # (outlet, period) -> facet -> value -> (articles with it, total count)
    found: dict[tuple[Any, Any], dict[str, dict[str, tuple[int, int]]]] = defaultdict(lambda: defaultdict(dict))
    facet_filter = "f.facet IN (" + ", ".join("?" * len(_PROFILE_FACETS)) + ")"
    for name, when, facet, value, with_it, total in store.execute(
        f"SELECT a.outlet, {period_sql}, f.facet, f.value, count(*), sum(f.n) "
        f"FROM facets f JOIN articles a ON a.key = f.key WHERE {facet_filter}{only} GROUP BY 1, 2, 3, 4",
        [*_PROFILE_FACETS, *params],
    ):
        found[name, when or None][facet][value] = (int(with_it), int(total))
    profiles = [_profile(name, when, n, found[name, when]) for (name, when), n in articles.items()]
    size: dict[str | None, int] = defaultdict(int)
    for profile in profiles:
        size[profile.outlet] += profile.articles
    return sorted(profiles, key=lambda p: (-size[p.outlet], p.outlet or "", p.period or ""))


def _per_article(sections: dict[str, tuple[int, int]], section: str) -> float | None:
    if section not in sections:
        return None
    ran_on, records = sections[section]
    return records / ran_on


def _shares(counts: dict[str, tuple[int, int]]) -> dict[str, float]:
    total = sum(n for _, n in counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1][1], item[0]))
    return {value: n / total for value, (_, n) in ordered} if total else {}


def _profile(outlet: str | None, period: str | None, articles: int,
             facets: dict[str, dict[str, tuple[int, int]]]) -> OutletProfile:
    sections = facets.get("section", {})
    sourcing = _shares(facets.get("sourcing", {}))
    speakers = sorted(((name, n) for name, (_, n) in facets.get("speaker", {}).items()), key=lambda s: (-s[1], s[0]))
    return OutletProfile(
        outlet=outlet,
        period=period,
        articles=articles,
        quotes_per_article=_per_article(sections, "quotes"),
        unsourced_share=sourcing.get(UNSOURCED_LABEL, 0.0) if sourcing else None,
        sourcing_shares=sourcing,
        naming_shares=_shares(facets.get("convention", {})),
        techniques_per_article=_per_article(sections, "techniques"),
        technique_shares=_shares(facets.get("technique", {})),
        top_speakers=tuple(speakers[:TOP_SPEAKERS]),
    )

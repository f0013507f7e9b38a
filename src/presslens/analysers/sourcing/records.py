"""Records of the ``sourcing`` section and of the ``sourcing`` profile (see docs/sourcing-guideline.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from presslens.records import Finding, Record, Span

SourcingLabel = Literal["named source", "anonymous source", "vague source", "outlet assertion", "quote"]
SourceType = Literal["named", "anonymous", "vague"]
HedgeOwner = Literal["outlet", "quoted"]

#: The labels in the guideline's order of precedence.
LABELS: tuple[SourcingLabel, ...] = ("quote", "named source", "anonymous source", "vague source", "outlet assertion")
#: The label of a claim attributed to a source of each type.
LABEL_OF_SOURCE: dict[SourceType, SourcingLabel] = {
    "named": "named source",
    "anonymous": "anonymous source",
    "vague": "vague source",
}


class Hedge(Record):
    """A hedge word ("reportedly", "is said to", "alleged") and whose words it is."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    owner: HedgeOwner = Field(description="outlet: the outlet's own words; quoted: inside quotation marks")
    rule: str = Field(description="adverb | raising verb | appearance verb | adjective")


class SourcedClaim(Finding):
    """One claim (a sentence of the article) with how it is sourced: one label, the hedged flag, the evidence."""

    label: SourcingLabel
    hedged: bool = Field(description="the outlet hedges the claim or its attribution in its own words")
    cue: Span | None = Field(description="the words the label rests on: 'said', 'according to', 'reportedly'")
    source: Span | None = Field(description="the source mention as written: 'Western officials', 'he'")
    source_type: SourceType | None = Field(
        default=None, description="named/anonymous/vague; also set for a quote whose speaker is known"
    )
    speaker: str | None = Field(default=None, description="the resolved source: a name, or the mention itself")
    hedges: tuple[Hedge, ...] = Field(default=(), description="every hedge in the claim, with its owner")
    quotes: tuple[int, ...] = Field(default=(), description="indices into the quotes section of quotes in the claim")
    in_standfirst: bool = Field(default=False, description="the claim is (in) the standfirst, not the body")


class SourceUse(Record):
    """A source and how many body claims rest on it."""

    source: str = Field(description="the resolved name, else the mention as written")
    source_type: SourceType
    claims: int
    mentions: tuple[Span, ...] = Field(description="where the source is cited")


class CheckFirst(Record):
    """An unsourced assertion a fact-checker should check first, and what put it on the list."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    hedged: bool
    reasons: tuple[str, ...] = Field(description="number | date | casualties | loaded language")
    cues: tuple[Span, ...] = Field(description="the words behind each reason")


class SourcingProfile(Record):
    """How the article's body claims are sourced, and the unsourced claims to check first."""

    claims: int = Field(description="body claims (the standfirst left out)")
    shares: dict[SourcingLabel, float] = Field(description="share of body claims by label (0 when none)")
    hedged_share: float = Field(description="share of body claims the outlet hedges")
    named_sources: tuple[SourceUse, ...] = Field(description="named sources, most used first")
    anonymous_sources: tuple[SourceUse, ...]
    vague_sources: tuple[SourceUse, ...]
    check_first: tuple[CheckFirst, ...]

"""The article's sourcing profile: shares by label, the sources cited, the unsourced claims to check first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span as TokenSpan

from presslens.analysers.sourcing.records import (
    LABELS,
    CheckFirst,
    SourcedClaim,
    SourceType,
    SourceUse,
    SourcingProfile,
)
from presslens.analysers.sourcing.rules import Attribution
from presslens.records import Span

_ARTICLES = ("the ", "The ")


@dataclass(frozen=True)
class ClaimFacts:
    """What the profile needs of one claim: the record, its tokens, its attributions, its check-first cues."""

    claim: SourcedClaim
    unit: TokenSpan
    attributions: Sequence[Attribution]
    check_first: Sequence[tuple[str, int, int]]


def sourcing_profile(facts: Sequence[ClaimFacts], check_first_limit: int) -> SourcingProfile:
    """The profile over the body claims (the standfirst left out)."""
    body = [fact for fact in facts if not fact.claim.in_standfirst]
    total = len(body)
    counts = Counter(fact.claim.label for fact in body)
    sources: dict[tuple[SourceType, str], tuple[set[int], list[Span]]] = {}
    for number, fact in enumerate(body):
        doc = fact.unit.doc
        for attribution in fact.attributions:
            if attribution.source is None:
                continue
            tokens = doc[attribution.source[0]:attribution.source[1]]
            name = _display_name(attribution.speaker or tokens.text)
            claims, mentions = sources.setdefault((attribution.source_type, name), (set(), []))
            claims.add(number)
            mention = Span(start=tokens.start_char, end=tokens.end_char, text=tokens.text)
            if mention not in mentions:
                mentions.append(mention)
    uses = sorted(
        (SourceUse(source=name, source_type=source_type, claims=len(claims), mentions=tuple(mentions))
         for (source_type, name), (claims, mentions) in sources.items()),
        key=lambda use: (-use.claims, use.mentions[0].start),
    )
    check_first = sorted(
        (_check_first(fact) for fact in body if fact.check_first),
        key=lambda item: (-len(item.reasons), item.start),
    )[:check_first_limit]
    return SourcingProfile(
        claims=total,
        shares={label: counts[label] / total if total else 0.0 for label in LABELS},
        hedged_share=sum(fact.claim.hedged for fact in body) / total if total else 0.0,
        named_sources=tuple(use for use in uses if use.source_type == "named"),
        anonymous_sources=tuple(use for use in uses if use.source_type == "anonymous"),
        vague_sources=tuple(use for use in uses if use.source_type == "vague"),
        check_first=tuple(sorted(check_first, key=lambda item: item.start)),
    )


def _check_first(fact: ClaimFacts) -> CheckFirst:
    doc = fact.unit.doc
    cues = []
    for _, start, end in sorted(fact.check_first, key=lambda cue: cue[1]):
        tokens = doc[start:end]
        span = Span(start=tokens.start_char, end=tokens.end_char, text=tokens.text)
        if span not in cues:
            cues.append(span)
    reasons = tuple(sorted({reason for reason, _, _ in fact.check_first}))
    claim = fact.claim
    return CheckFirst(start=claim.start, end=claim.end, text=claim.text, hedged=claim.hedged, reasons=reasons,
                      cues=tuple(cues))


def _display_name(name: str) -> str:
    for article in _ARTICLES:
        if name.startswith(article) and name[len(article):][:1].isupper():
            return name[len(article):]
    return name

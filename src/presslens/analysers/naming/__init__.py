"""The ``naming`` analyser: whose names an article uses for contested places, people, entities and events.

Every mention of a contested knowledge-base entity is linked to its canonical entity with the convention its
surface form follows ("Artyomovsk" -> Bakhmut, ``soviet-era``; "Kiev" -> Kyiv, ``russian-transliteration``;
"Russia sent troops into Ukraine" -> the Russian invasion, ``euphemism``), with the evidence a reader can check:
the knowledge-base entry and its source, the qualifier that distances the outlet from a term, the verb that makes
a capital stand for its government (metonym), the other name the article gives alongside (acknowledgement), the
quotation the mention sits in. The article's naming profile counts conventions and perspectives and says it in
one line: "follows Russian-state naming in 8 of 9 contested names".

Mentions whose convention takes no side (``neutral-english``: "Zelensky", "Chernobyl"; ``historical``) give no
record, so an article that names no contested entity has no naming finding.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field
from spacy.vocab import Vocab

from presslens import knowledge
from presslens.analysers.naming.context import (
    Quotations,
    Side,
    agent_side,
    distancing_cue,
    metonym_cue,
    names_a_region,
    vetoed,
)
from presslens.analysers.naming.matcher import Candidate, NameMatcher
from presslens.analysers.naming.records import NamingMention, NamingProfile
from presslens.analysers.registry import AnalyserOutput, AnalysisContext, analyser
from presslens.records import Evidence, Span

#: Conventions of a party's own term, which a distancing qualifier turns into ``distanced``.
DISTANCEABLE = frozenset({
    "self-designation", "euphemism", "russian-state-term", "ukrainian-state-term", "greek-usage", "arab-usage",
    "argentine-usage", "israeli-government-usage", "former-name",
})
_SIDES: dict[str, Side] = {"Russian-state": "russian", "Ukrainian": "ukrainian"}
#: Entity kinds whose phrases may contain names that are reported in their own right ("Kiev regime" -> Kiev).
_TERM_KINDS = frozenset({"entity", "event", "term"})
_NAME_KINDS = frozenset({"place", "person"})


class NamingConfig(BaseModel):
    """Configuration of the ``naming`` analyser."""

    model_config = ConfigDict(extra="forbid")

    domains: tuple[str, ...] | None = Field(
        default=None, description="knowledge-base domains to use (default: all), e.g. ['russia-ukraine']"
    )
    acknowledgement_chars: int = Field(
        default=60, ge=0, description="most characters between two names of one entity read as one acknowledgement"
    )
    majority: float = Field(
        default=0.6, gt=0.5, le=1.0, description="share of name choices a perspective needs to be called dominant"
    )


@dataclass
class _Found:
    """A candidate that survived the guards, with its decided convention and evidence cues."""

    candidate: Candidate
    convention: str
    cues: list[Span]
    notes: list[str]
    metonym: str | None = None
    quoted: bool = False


@analyser("naming", assigns="naming", record=NamingMention, config=NamingConfig,
          profile=("naming", NamingProfile), order=30)
class NamingAnalyser:
    """Contested names (Kiev/Kyiv, Artyomovsk/Bakhmut, DPR, "special military operation") and whose they are."""

    def __init__(self, config: NamingConfig) -> None:
        self.config = config
        selected = knowledge.domains()
        if config.domains is not None:
            unknown = set(config.domains) - {domain.domain for domain in selected}
            if unknown:
                raise ValueError(f"unknown knowledge-base domain(s): {', '.join(sorted(unknown))}")
            selected = tuple(domain for domain in selected if domain.domain in config.domains)
        self.domains = selected
        self.conventions = knowledge.conventions()
        self.anchors = {
            domain.domain: re.compile(r"\b(?:" + "|".join(map(re.escape, domain.anchors)) + r")\b")
            for domain in selected if domain.anchors
        }
        self._matchers: dict[int, NameMatcher] = {}
        # "Kharkiv" -> (Kharkiv Oblast, its "Kharkiv Oblast" variant): a city name that stands for its region
        self.regions: dict[str, tuple[knowledge.Entity, knowledge.Variant]] = {
            variant.name.removesuffix(" Oblast"): (entity, variant)
            for domain in selected for entity in domain.entities
            if entity.id.endswith("-oblast")
            for variant in entity.variants if variant.name.endswith(" Oblast")
        }

    def matcher(self, vocab: Vocab) -> NameMatcher:
        """The matcher for this vocabulary (built on first use: the pipeline's vocab is known only then)."""
        if id(vocab) not in self._matchers:
            self._matchers[id(vocab)] = NameMatcher(vocab, self.domains)
        return self._matchers[id(vocab)]

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        doc, text = context.doc, context.article.text  # the doc is the parse of the article text
        found_names = list(self.matcher(doc.vocab)(doc))
        # a domain is anchored by one of its anchor words or by any unambiguous name of it ("Kherson")
        anchored = {name for name, pattern in self.anchors.items() if pattern.search(text)}
        anchored |= {candidate.domain.domain for candidate in found_names if not candidate.variant.guarded}
        candidates = [
            candidate for candidate in found_names
            if not vetoed(candidate.span, candidate.variant)
            and (not candidate.variant.anchor or candidate.domain.domain in anchored)
        ]
        kept = [self._as_region(candidate) for candidate in _resolve_overlaps(candidates)]
        quotations = Quotations(text)
        place_sides = _place_sides(kept)
        article_side = _article_side(kept)
        found = [
            item for item in (self._decide(candidate, text, place_sides, article_side, quotations)
                              for candidate in kept)
            if item
        ]
        _inherit_in_parentheses(found)
        records = self._records(text, found, context.article.published)
        return AnalyserOutput(records=tuple(records), profile=self._profile(records))

    def _as_region(self, candidate: Candidate) -> Candidate:
        """The oblast for a city name that stands for its region ("the Kherson and Zaporizhzhia regions")."""
        if candidate.entity.kind != "place" or candidate.variant.name not in self.regions:
            return candidate
        word = names_a_region(candidate.span)
        if word is None:
            return candidate
        oblast, variant = self.regions[candidate.variant.name]
        return Candidate(candidate.span, oblast, variant, candidate.domain, region_cue=word)

    def _decide(self, candidate: Candidate, text: str, place_sides: dict[int, Side], article_side: Side | None,
                quotations: Quotations) -> _Found | None:
        span, variant = candidate.span, candidate.variant
        cues: list[Span] = []
        notes: list[str] = []
        convention = variant.convention
        if candidate.region_cue is not None:
            word = candidate.region_cue
            cues.append(Span.of(text, word.idx, word.idx + len(word)))
            notes.append(f"names the region: {word.text}")
        if variant.by_agent is not None:
            decided = agent_side(span, place_sides, article_side)
            if decided is None:
                return None  # the text does not say who did it: no evidence for a convention
            side, (start, end) = decided
            convention = variant.by_agent[side]
            cues.append(Span.of(text, start, end))
            notes.append(f"done by the {side} side")
        assert convention is not None
        if not self.conventions[convention].finding:
            return None
        if convention in DISTANCEABLE:
            distance = distancing_cue(span, text)
            if distance is not None:
                notes.append(f"{convention} at a distance")
                convention = "distanced"
                cues.append(Span.of(text, *distance))
        quoted = quotations.around(span.start_char, span.end_char) is not None
        metonym = None
        if candidate.entity.metonym and not candidate.nested and not span.text.isupper():
            verb = metonym_cue(span)
            if verb is not None:
                metonym = candidate.entity.metonym
                cues.append(Span.of(text, verb.idx, verb.idx + len(verb)))
                notes.append(f"stands for the {metonym}")
        return _Found(candidate, convention, cues, notes, metonym, quoted)

    def _records(self, text: str, found: list[_Found], published: str | None) -> list[NamingMention]:
        partners = _acknowledgements(text, found, self.config.acknowledgement_chars)
        year = _year(published)
        records = []
        for index, item in enumerate(found):
            candidate, variant, entity = item.candidate, item.candidate.variant, item.candidate.entity
            span = candidate.span
            notes = list(item.notes)
            partner = partners.get(index)
            acknowledges = None
            if partner is not None:
                other = found[partner].candidate.span
                acknowledges = Span.of(text, other.start_char, other.end_char)
                notes.append(f"names both: {span.text} / {other.text}")
            if variant.official and year is not None and _official_in(variant.official, year):
                notes.append(f"the official name when the article was published ({variant.official})")
            notes.append(f"source: {variant.source or entity.sources[0]}")
            records.append(NamingMention(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                canonical=entity.canonical,
                entity_id=entity.id,
                convention=item.convention,
                perspective=candidate.domain.perspective(item.convention),
                domain=candidate.domain.domain,
                variant=variant.name,
                official=variant.official,
                metonym=item.metonym,
                acknowledges=acknowledges,
                quoted=item.quoted,
                evidence=Evidence(
                    rule=f"knowledge base: {entity.id} / {variant.name} ({variant.origin})",
                    cues=tuple(item.cues),
                    note="; ".join(notes),
                ),
            ))
        return records

    def _profile(self, records: list[NamingMention]) -> NamingProfile:
        own = [record for record in records if not record.quoted]
        choices: dict[tuple[str, str], NamingMention] = {}
        for record in own:
            choices.setdefault((record.entity_id, record.convention), record)
        perspectives = Counter(record.perspective for record in choices.values())
        acknowledged = []
        for record in records:
            if record.acknowledges is not None and record.start < record.acknowledges.start:
                acknowledged.append(f"{record.text} / {record.acknowledges.text}")
        dominant = None
        if perspectives:
            top, count = perspectives.most_common(1)[0]
            if count / len(choices) >= self.config.majority:
                dominant = top
        return NamingProfile(
            mentions=len(own),
            names=len(choices),
            conventions=dict(Counter(record.convention for record in own).most_common()),
            perspectives=dict(perspectives.most_common()),
            dominant=dominant,
            quoted=len(records) - len(own),
            acknowledgements=tuple(acknowledged),
            metonyms=sum(record.metonym is not None for record in records),
            finding=_finding(choices, perspectives, dominant, acknowledged, len(records) - len(own)),
        )


def _resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Longest matches win; names inside a kept term phrase are kept too ("Kiev regime" also reports "Kiev")."""
    ordered = sorted(candidates, key=lambda c: (-c.length, c.span.start, c.entity.id))
    taken: set[int] = set()
    kept: list[Candidate] = []
    outer_terms: list[Candidate] = []
    for candidate in ordered:
        tokens = set(range(candidate.span.start, candidate.span.end))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(candidate)
        if candidate.entity.kind in _TERM_KINDS:
            outer_terms.append(candidate)
    nested: dict[tuple[int, int], Candidate] = {}
    for candidate in ordered:
        if candidate.entity.kind not in _NAME_KINDS or candidate in kept:
            continue
        for outer in outer_terms:
            inside = outer.span.start <= candidate.span.start and candidate.span.end <= outer.span.end
            if inside and outer.entity.id != candidate.entity.id:
                key = (candidate.span.start, candidate.span.end)
                if not any(s <= key[0] and key[1] <= e for s, e in nested if (s, e) != key):
                    nested.setdefault(key, replace(candidate, nested=True))
    kept += nested.values()
    return sorted(kept, key=lambda c: (c.span.start, -c.length))


def _place_sides(candidates: list[Candidate]) -> dict[int, Side]:
    """Token index -> side for place names whose spelling marks a side (Artyomovsk: Russian, Bakhmut: Ukrainian)."""
    sides: dict[int, Side] = {}
    for candidate in candidates:
        convention = candidate.variant.convention
        if candidate.entity.kind != "place" or convention is None:
            continue
        perspective = candidate.domain.perspective(convention)
        side = _SIDES.get(perspective)
        if side is not None:
            for index in range(candidate.span.start, candidate.span.end):
                sides[index] = side
    return sides


_ACK_BETWEEN = re.compile(
    r"(?i)^\W{0,3}(?:\(|/|,|or\b|aka\b|a\.k\.a\.|i\.e\.|referring\s+to\b|"
    r"(?:also\s+|now\s+|formerly\s+|previously\s+|officially\s+)?"
    r"(?:known|called|named|renamed|spelled|spelt)\b|(?:formerly|previously|now|officially)\b)"
)


def _article_side(candidates: list[Candidate]) -> Side | None:
    """The side whose terms the article's other names follow, when one side clearly dominates (2 to 1)."""
    counts: Counter[Side] = Counter()
    for candidate in candidates:
        convention = candidate.variant.convention
        if convention is not None:
            side = _SIDES.get(candidate.domain.perspective(convention))
            if side is not None:
                counts[side] += 1
    if not counts:
        return None
    (top, count), *rest = counts.most_common()
    return top if not rest or count >= 2 * rest[0][1] else None


def _inherit_in_parentheses(found: list[_Found]) -> None:
    """An abbreviation in parentheses shares the qualifier of the name it abbreviates: in "the self-proclaimed
    Donetsk People's Republic (DPR)" the DPR is at a distance too."""
    for previous, item in itertools.pairwise(found):
        span, before = item.candidate.span, previous.candidate.span
        doc = span.doc
        if (previous.convention == "distanced" and item.convention in DISTANCEABLE
                and item.candidate.entity.id == previous.candidate.entity.id
                and span.start >= 2 and doc[span.start - 1].text == "(" and before.end == span.start - 1):
            item.convention = "distanced"
            item.cues.extend(previous.cues)
            item.notes.append(f"abbreviates {before.text!r}, which is at a distance")


def _acknowledgements(text: str, found: list[_Found], window: int) -> dict[int, int]:
    """Pairs of names of one entity with different conventions given together ("Artyomovsk, known as Bakhmut")."""
    partners: dict[int, int] = {}
    for index, item in enumerate(found):
        for later in range(index + 1, len(found)):
            other = found[later]
            first, second = item.candidate.span, other.candidate.span
            if second.start_char - first.end_char > window:
                break
            same_entity = item.candidate.entity.id == other.candidate.entity.id
            if not same_entity or item.convention == other.convention or first.sent != second.sent:
                continue
            between = text[first.end_char:second.start_char]
            if _ACK_BETWEEN.search(between):
                partners.setdefault(index, later)
                partners.setdefault(later, index)
    return partners


def _year(published: str | None) -> int | None:
    match = re.match(r"\s*(\d{4})", published or "")
    return int(match.group(1)) if match else None


def _official_in(period: str, year: int) -> bool:
    """True when ``year`` falls in an official period such as "1924-2016" or "1935-1958, 1970-1990" or "2016-"."""
    for part in period.split(","):
        start, _, end = part.strip().partition("-")
        if start.isdigit() and int(start) <= year and (not end or (end.isdigit() and year < int(end))):
            return True
    return False


def _finding(choices: dict[tuple[str, str], NamingMention], perspectives: Counter[str], dominant: str | None,
             acknowledged: list[str], quoted: int) -> str:
    if not choices:
        return "no contested names" + (f" outside quotations ({quoted} quoted)" if quoted else "")
    total = len(choices)
    if dominant is not None:
        count = perspectives[dominant]
        line = f"follows {dominant} naming in {count} of {total} contested name{'s' if total > 1 else ''}"
        examples = [record.text for record in choices.values() if record.perspective == dominant][:4]
        line += f" ({', '.join(examples)})"
    else:
        parts = ", ".join(f"{perspective} {count}" for perspective, count in perspectives.most_common())
        line = f"mixed naming in {total} contested names: {parts}"
    if acknowledged:
        line += f"; names both {len(acknowledged)}x ({acknowledged[0]})"
    return line


__all__ = ["NamingAnalyser", "NamingConfig", "NamingMention", "NamingProfile"]

from presslens.analysers.naming import evaluate as evaluate  # noqa: E402  (registers `presslens eval naming`)

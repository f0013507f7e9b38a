"""The ``sourcing`` analyser: how each claim of the article is sourced, and the article's sourcing profile.

Each claim (a sentence of the body) gets one label of docs/sourcing-guideline.md: ``quote`` when most of its
words are quoted (the direct and mixed quotes of the ``quotes`` section), else the type of its source when
attributions cover most of its words (found by parse rules here, plus the ``quotes`` section's attributions),
else ``outlet assertion``. Hedges are found separately and owned by the outlet unless they are quoted words.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from presslens.analysers.quotes import Quote
from presslens.analysers.registry import AnalyserOutput, AnalysisContext, analyser
from presslens.analysers.sourcing.lexicon import load_lexicon
from presslens.analysers.sourcing.profile import ClaimFacts, sourcing_profile
from presslens.analysers.sourcing.records import (
    LABEL_OF_SOURCE,
    Hedge,
    SourcedClaim,
    SourceType,
    SourcingLabel,
    SourcingProfile,
)
from presslens.analysers.sourcing.rules import (
    Attribution,
    AttributionFinder,
    CheckFirstFinder,
    HedgeFinder,
    SourceMemory,
    claim_units,
    is_claim,
    words,
)
from presslens.records import Evidence, Span

_SPEAKER_TYPES: dict[str, SourceType] = {
    "person": "named",
    "organisation": "named",
    "anonymous": "anonymous",
    "vague": "vague",
}
_PRECEDENCE: dict[SourceType, int] = {"named": 0, "anonymous": 1, "vague": 2}


class SourcingConfig(BaseModel):
    """Configuration of the ``sourcing`` analyser (thresholds of docs/sourcing-guideline.md)."""

    model_config = ConfigDict(extra="forbid")

    attributed_share: float = Field(
        default=0.5, ge=0, le=1,
        description="a claim is attributed when its attributions (source, cue, content) cover more than this "
        "share of its words (§2: 'most of the sentence')",
    )
    quoted_share: float = Field(
        default=0.5, ge=0, le=1,
        description="a claim is a quote when at least this share of its words are quoted words (§3)",
    )
    deciding_share: float = Field(
        default=0.2, ge=0, le=1,
        description="an attribution can decide the source label only when it alone covers at least this share "
        "of the claim's words (a small embedded report does not)",
    )
    check_first_limit: int = Field(default=25, ge=0, description="most check-first claims the profile lists")


@analyser(
    "sourcing",
    assigns="sourcing",
    record=SourcedClaim,
    requires=("quotes",),
    config=SourcingConfig,
    profile=("sourcing", SourcingProfile),
    order=40,
)
class SourcingAnalyser:
    """How each claim is sourced (named, anonymous or vague source, quote, outlet assertion) and hedged."""

    def __init__(self, config: SourcingConfig) -> None:
        self.config = config
        self.lexicon = load_lexicon()
        self.attributions = AttributionFinder(self.lexicon)
        self.hedges = HedgeFinder(self.lexicon)
        self.check_first = CheckFirstFinder(self.lexicon)

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        doc = context.doc
        quotes = [record for record in context.section("quotes") if isinstance(record, Quote)]
        quoted = quoted_tokens(doc, quotes)
        quote_parts = [_parts(quote) for quote in quotes]
        standfirst = context.article.standfirst
        memory = SourceMemory()
        entities = self.check_first.entities(doc)
        facts: list[ClaimFacts] = []
        for unit in claim_units(doc):
            mark_edge_quotation(unit, quoted)
            if not is_claim(unit, quoted):
                continue
            nearby = _quotes_in(unit, quote_parts)
            found = self.attributions.find(unit, quoted, memory, first_line=unit.start == 0)
            merged = merge_quote_speakers(found, unit, quotes, nearby)
            found += quote_attributions(unit, quotes, nearby, self.attributions, memory, skip=merged)
            claim = self.claim(unit, found, quotes, nearby, quoted)
            in_standfirst = standfirst is not None and unit.start_char < standfirst.end and (
                unit.end_char > standfirst.start
            )
            if in_standfirst:
                claim = claim.model_copy(update={"in_standfirst": True})
            cues = self.check_first.find(unit, entities) if claim.label == "outlet assertion" else []
            facts.append(ClaimFacts(claim, unit, found, cues))
        profile = sourcing_profile(facts, self.config.check_first_limit)
        return AnalyserOutput(records=tuple(fact.claim for fact in facts), profile=profile)

    def claim(
        self, unit: TokenSpan, found: list[Attribution], quotes: Sequence[Quote], nearby: Sequence[int],
        quoted: Sequence[bool],
    ) -> SourcedClaim:
        """The labelled claim of one unit, given the attributions found in it and the quotes it holds."""
        doc = unit.doc
        unit_words = words(unit)
        total = len(unit_words) or 1
        hedges = tuple(
            Hedge.model_validate({**_span(doc, match.start, match.end).model_dump(), "owner": match.owner,
                                  "rule": match.rule})
            for match in self.hedges.find(unit, quoted)
        )
        outlet_hedges = [hedge for hedge in hedges if hedge.owner == "outlet"]
        quoted_share = sum(quoted[i] for i in unit_words) / total
        word_set = set(unit_words)
        covered = set().union(*(attribution.coverage for attribution in found)) & word_set
        label: SourcingLabel
        deciding: Attribution | None = None
        if quoted_share >= self.config.quoted_share:
            label = "quote"
            deciding = max(found, key=lambda a: len(a.coverage & word_set), default=None)
            note = f"{quoted_share:.0%} of the words are quoted"
        elif len(covered) / total > self.config.attributed_share:
            minimum = self.config.deciding_share * total
            candidates = [a for a in found if len(a.coverage & word_set) >= minimum] or found
            deciding = min(candidates, key=lambda a: (_PRECEDENCE[a.source_type], -len(a.coverage & word_set)))
            label = LABEL_OF_SOURCE[deciding.source_type]
            note = f"attributions cover {len(covered) / total:.0%} of the words"
        else:
            label = "outlet assertion"
            note = f"attributions cover {len(covered) / total:.0%} of the words" if found else "no attribution"
        speaker = source_type = None
        if label == "quote" and deciding is None:  # a quote running on: its speaker is the quote's
            running = next((quotes[index] for index in nearby if quotes[index].kind != "indirect"
                            and quotes[index].speaker_type in _SPEAKER_TYPES), None)
            if running is not None:
                speaker, source_type = running.speaker, _SPEAKER_TYPES[running.speaker_type or ""]
        cue = source = None
        if deciding is not None:
            cue = _span(doc, *deciding.cue) if deciding.cue else None
            source = _span(doc, *deciding.source) if deciding.source else None
        elif outlet_hedges:
            cue = Span(start=outlet_hedges[0].start, end=outlet_hedges[0].end, text=outlet_hedges[0].text)
        rule = deciding.rule if deciding is not None else ("quoted words" if label == "quote" else "no source")
        evidence_cues = tuple(span for span in (cue, source) if span is not None) + tuple(
            Span(start=hedge.start, end=hedge.end, text=hedge.text) for hedge in outlet_hedges if hedge != cue
        )
        linked = tuple(sorted({index for attribution in found for index in attribution.quotes} | set(nearby)))
        return SourcedClaim(
            start=unit.start_char,
            end=unit.end_char,
            text=unit.text,
            label=label,
            hedged=bool(outlet_hedges),
            cue=cue,
            source=source,
            source_type=deciding.source_type if deciding is not None else source_type,
            speaker=deciding.speaker if deciding is not None else speaker,
            hedges=hedges,
            quotes=linked,
            evidence=Evidence(rule=rule, cues=_unique(evidence_cues), note=note),
        )


def quoted_tokens(doc: Doc, quotes: Sequence[Quote]) -> list[bool]:
    """Per token: is it a quoted word (inside the content of a direct or mixed quote)?"""
    flags = [False] * len(doc)
    for quote in quotes:
        if quote.kind != "indirect":
            tokens = doc.char_span(quote.content.start, quote.content.end, alignment_mode="expand")
            if tokens is not None:
                flags[tokens.start:tokens.end] = [True] * len(tokens)
    return flags


_OPENING = frozenset({"“", "``", '"', "''", "‘"})
_CLOSING = frozenset({"”", "''", '"', "’"})


def mark_edge_quotation(unit: TokenSpan, quoted: list[bool]) -> None:
    """A sentence that opens or closes a quotation the quotes section missed: its words are quoted words.

    Only when no word of the unit is quoted yet: a unit that starts with an opening mark is quoted up to its
    closing mark (or to its end: the quote runs on); one that ends with a closing mark and holds no other mark
    is quoted throughout (it ends a quote that began in an earlier sentence).
    """
    tokens = [token for token in unit if not token.is_space]
    if len(tokens) < 3 or any(quoted[token.i] for token in tokens):
        return
    marks = [token for token in tokens if token.text in _OPENING | _CLOSING]
    if tokens[0].text in _OPENING:
        closing = next((token.i for token in tokens[1:] if token.text in _CLOSING), unit.end)
        quoted[unit.start:closing] = [True] * (closing - unit.start)
    elif tokens[-1].text in _CLOSING and len(marks) == 1 and tokens[-2].text in (".", "?", "!", ",", "…"):
        quoted[unit.start:tokens[-1].i] = [True] * (tokens[-1].i - unit.start)


def quote_attributions(
    unit: TokenSpan, quotes: Sequence[Quote], nearby: Sequence[int], finder: AttributionFinder,
    memory: SourceMemory, skip: frozenset[int] = frozenset(),
) -> list[Attribution]:
    """The quotes section's attributions that reach into the unit, as attributions of the unit.

    A quote with no cue or source counts as quoted words only; one whose cue does not report by the sourcing
    lexicon ("maintained the policy", "recognizing the republics") is left out when the quote is indirect.
    """
    doc = unit.doc
    found = []
    for index in nearby:
        quote = quotes[index]
        if index in skip or (quote.cue is None and quote.source is None):
            continue
        cue_range = _token_range(doc, quote.cue) if quote.cue is not None else None
        source_range = _token_range(doc, quote.source) if quote.source is not None else None
        if cue_range is None and source_range is None:
            continue  # spans that do not align with the parse (whitespace only): nothing to cite
        if quote.kind == "indirect" and cue_range is not None:
            cue = doc[cue_range[0]:cue_range[1]].root
            if not finder.is_cue(cue) or (quote.source is None and cue.tag_ == "VBG"):
                continue  # not a report by the lexicon, or a participle with nobody behind it ("assuming that")
        coverage = _covered_by(unit, quote)
        source_type = _SPEAKER_TYPES.get(quote.speaker_type or "")
        rule = f"quotes section: {quote.evidence.rule}"
        if source_type is None:
            if source_range is None:
                source_type = "vague"
            else:
                source_type, _, rule = finder.classifier.classify(doc[source_range[0]:source_range[1]].root, memory)
        found.append(Attribution(cue_range, source_range, source_type, coverage, rule, quote.speaker, (index,)))
    return found


def merge_quote_speakers(
    found: list[Attribution], unit: TokenSpan, quotes: Sequence[Quote], nearby: Sequence[int]
) -> frozenset[int]:
    """Merge the quotes section's attributions that share a cue or source mention with ours; their indices.

    Ours keeps its source type (the guideline's rules) unless its source is a pronoun, which the quotes
    section resolves; it takes the quotes section's resolved speaker name.
    """
    doc = unit.doc
    merged: set[int] = set()
    for attribution in found:
        parts = [part for part in (attribution.head, attribution.source) if part is not None]
        for index in nearby:
            quote = quotes[index]
            theirs = [part for part in (quote.cue, quote.source) if part is not None]
            if not any(_overlaps(doc, part, span) for part in parts for span in theirs):
                continue
            merged.add(index)
            attribution.quotes = (*attribution.quotes, index)
            attribution.coverage |= _covered_by(unit, quote)
            if quote.speaker:
                attribution.speaker = quote.speaker
            source = attribution.source
            pronoun = source is not None and doc[source[0]:source[1]].root.pos_ == "PRON"
            if pronoun and quote.speaker_type in _SPEAKER_TYPES:
                attribution.source_type = _SPEAKER_TYPES[quote.speaker_type]
    return frozenset(merged)


def _overlaps(doc: Doc, tokens: tuple[int, int], span: Span) -> bool:
    start, end = doc[tokens[0]].idx, doc[tokens[1] - 1].idx + len(doc[tokens[1] - 1])
    return span.start < end and span.end > start


def _covered_by(unit: TokenSpan, quote: Quote) -> frozenset[int]:
    """The unit's tokens inside a quote's reported clause (or content), cue and source."""
    parts = [part for part in (quote.clause or quote.content, quote.cue, quote.source) if part is not None]
    return frozenset(token.i for token in unit if any(part.start <= token.idx < part.end for part in parts))


def _parts(quote: Quote) -> tuple[tuple[int, int], ...]:
    return tuple((part.start, part.end) for part in (quote.content, quote.cue, quote.source) if part is not None)


def _quotes_in(unit: TokenSpan, quote_parts: Sequence[tuple[tuple[int, int], ...]]) -> list[int]:
    """Indices of the quotes with a part (content, cue, source) in the unit."""
    start, end = unit.start_char, unit.end_char
    return [index for index, parts in enumerate(quote_parts)
            if any(part_start < end and part_end > start for part_start, part_end in parts)]


def _token_range(doc: Doc, span: Span) -> tuple[int, int] | None:
    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    return (tokens.start, tokens.end) if tokens is not None and len(tokens) else None


def _span(doc: Doc, start: int, end: int) -> Span:
    tokens = doc[start:end]
    return Span(start=tokens.start_char, end=tokens.end_char, text=tokens.text)


def _unique(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for span in spans:
        if (span.start, span.end) not in seen:
            seen.add((span.start, span.end))
            kept.append(span)
    return tuple(kept)

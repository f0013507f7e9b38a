"""The ``quotes`` analyser: the tagger's spans linked into attributions, shaped into quotes, speakers resolved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from presslens.analysers.entities import Entity
from presslens.analysers.quotes.assemble import (
    Group,
    group_spans,
    shape_content,
    sourceless,
    take_purpose_clauses,
    verb_group_start,
)
from presslens.analysers.quotes.features import CUE_LIKE
from presslens.analysers.quotes.marks import DASH_TOKENS, QuotedStretch, quotations
from presslens.analysers.quotes.records import Quote, SpeakerCount, SpeakersProfile
from presslens.analysers.quotes.rules import (
    adjacent_speech_groups,
    introduced_quotations,
    missed_reporting_verbs,
    poll_findings,
    rule_groups,
    verb_subject,
)
from presslens.analysers.quotes.speakers import (
    TIME_ENTITIES,
    UNRESOLVED,
    Resolution,
    Said,
    SpeakerResolver,
    noun_phrase,
    strip_punctuation,
)
from presslens.analysers.quotes.tagger import AttributionTagger, TaggedSpan
from presslens.analysers.registry import AnalyserOutput, AnalysisContext, analyser
from presslens.records import Evidence, Span


class QuotesConfig(BaseModel):
    """Configuration of the ``quotes`` analyser."""

    model_config = ConfigDict(extra="forbid")

    model_dir: str | None = Field(
        default=None,
        description="folder of a tagger model from `presslens train quotes`, instead of the shipped one",
    )
    keep_uncued: bool = Field(
        default=True,
        description="report a quotation the tagger found even when no cue or speaker goes with it (speaker null)",
    )
    extend_cue: bool = Field(
        default=True,
        description="widen the cue over the auxiliaries, negation and hedges of its verb ('have reportedly urged')",
    )
    doubt_cues: tuple[str, ...] = Field(
        default=("claim", "allege", "insist", "purport", "contend", "profess"),
        description="lemmas of cue verbs that cast doubt on the speaker (sets casts_doubt)",
    )
    hedges: tuple[str, ...] = Field(
        default=("reportedly", "allegedly", "apparently", "purportedly", "supposedly", "seemingly", "reputedly",
                 "ostensibly", "rumoredly"),
        description="adverbs that hedge an attribution when they modify its cue (sets hedged)",
    )


@analyser(
    "quotes",
    assigns="quotes",
    record=Quote,
    requires=("entities",),
    config=QuotesConfig,
    profile=("speakers", SpeakersProfile),
    order=20,
)
class QuotesAnalyser:
    """Who said what: direct, indirect and mixed quotes with cue, source and resolved speaker."""

    def __init__(self, config: QuotesConfig) -> None:
        self.config = config
        self.tagger = AttributionTagger(Path(config.model_dir) if config.model_dir else None)
        self.doubt_cues = frozenset(config.doubt_cues)
        self.hedges = frozenset(config.hedges)

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        doc = context.doc
        names = [
            (entity.start, entity.end, entity.label, entity.canonical)
            for entity in context.section("entities")
            if isinstance(entity, Entity)
        ]
        quotes = self.quotes(doc, names)
        return AnalyserOutput(records=tuple(quotes), profile=speakers_profile(quotes))

    def quotes(self, doc: Doc, names: Sequence[tuple[int, int, str, str]]) -> list[Quote]:
        """The quotes of a parsed document, given its named-entity mentions (start, end, label, canonical)."""
        text = doc.text
        stretches = quotations(text)
        ruled = rule_groups(doc)
        taken = _tokens_of(ruled)
        for group in adjacent_speech_groups(doc, stretches, self.tagger.extractor.cue_scores):
            if not taken.intersection(_tokens_of([group])):
                ruled.append(group)
        taken = _tokens_of(ruled)
        tagged = [span for span in self.tagger.tag(doc) if not taken.intersection(range(span.start, span.end))]
        groups = group_spans(doc, tagged, ruled)
        groups += missed_reporting_verbs(doc, self.tagger.extractor.cue_scores, _tokens_of(groups))
        groups += poll_findings(doc, _tokens_of(groups))
        groups = introduced_quotations(doc, groups, _tokens_of(groups), self.tagger.extractor.cue_scores)
        take_purpose_clauses(doc, groups, _tokens_of(groups))
        groups.sort(key=lambda group: group.contents[0].start)
        resolver = SpeakerResolver(doc, names)
        earlier: list[Said] = []
        quotes: list[Quote] = []
        for group in groups:
            if group.cue is None and not self.config.keep_uncued:
                continue
            source, source_rule = self._source(doc, group)
            if source is not None:
                source = _without_closing_mark(
                    _mention_only(_without_reporting_clause(source, self.tagger.extractor.cue_scores))
                )
            excluded = [(content.start, content.end) for content in group.contents]
            resolution = resolver.resolve(source, excluded, earlier) if source is not None else UNRESOLVED
            if source is not None:
                earlier.append(Said(source.start, resolution))
            quotes.extend(self._records(doc, text, group, source, source_rule, resolution, stretches))
        return quotes

    def _source(self, doc: Doc, group: Group) -> tuple[TokenSpan | None, str]:
        """The source mention and how it was found: linked to the cue, else the cue verb's subject (none for a
        passive or raising cue), else the agent of a passive cue or the object of "according to", else a subject
        the parser hung on the phrase before the cue."""
        if group.source is not None:
            return doc[group.source.start : group.source.end], group.source_rule
        if group.cue is None:
            return None, ""
        root = doc[group.cue.start : group.cue.end].root
        has_subject = not sourceless(root)
        found, rule = (verb_subject(root) if has_subject else None), "subject of the cue"
        if found is None:
            found, rule = _agent(root), "agent of the cue"
        inside = {index for content in group.contents for index in range(content.start, content.end)}
        if found is None and has_subject:
            absorbed = _absorbed_subject(root)
            if absorbed is not None and not inside.intersection(range(absorbed.start, absorbed.end)):
                return absorbed, "subject of the cue, parsed as an apposition before it"
        if found is None or found.i in inside or found.is_punct:
            return None, ""
        mention = doc[found.i : found.i + 1] if found.pos_ == "PRON" else noun_phrase(found)
        return (None, "") if _no_speaker(mention) else (mention, rule)

    def _cue(self, doc: Doc, group: Group) -> tuple[TokenSpan, list[TokenSpan], list[TaggedSpan]]:
        """The cue as an analyst cites it, its hedging words, and the contents adjusted to it.

        The cue takes in its verb's auxiliaries, negation and hedges ("have reportedly urged"); a preposition
        ending it whose object is the content goes to the content ("complained | about his lack of …").
        """
        assert group.cue is not None
        start, end = group.cue.start, group.cue.end
        root = doc[start:end].root
        contents = list(group.contents)
        if self.config.extend_cue:
            start = verb_group_start(doc, start, root, lambda token: token.lower_ in self.hedges)
            last = doc[end - 1]
            following = [c for c in contents if c.start == end]
            if end - start > 1 and last.pos_ == "ADP" and following and any(
                child.i >= end for child in last.children
            ):
                end -= 1
                contents = [
                    TaggedSpan("content", end, c.end, c.score) if c is following[0] else c for c in contents
                ]
        widened = doc[start:end]
        hedges = [doc[token.i : token.i + 1] for token in widened if token.lower_ in self.hedges]
        return widened, hedges, contents

    def _records(
        self, doc: Doc, text: str, group: Group, source: TokenSpan | None, source_rule: str,
        resolution: Resolution, stretches: Sequence[QuotedStretch],
    ) -> list[Quote]:
        cue_span: Span | None = None
        cues: list[Span] = []
        casts_doubt = hedged = False
        contents = group.contents
        if group.cue is not None:
            widened, hedge_words, contents = self._cue(doc, group)
            cue_span = _char_span(text, widened)
            cues = [cue_span, *(_char_span(text, word) for word in hedge_words)]
            casts_doubt = widened.root.lemma_.lower() in self.doubt_cues
            hedged = bool(hedge_words)
        source_span = _char_span(text, source) if source is not None else None
        records: list[Quote] = []
        for content in contents:
            start_char = doc[content.start].idx
            end_char = doc[content.end - 1].idx + len(doc[content.end - 1])
            shaped = shape_content(doc, text, start_char, end_char, stretches)
            if shaped is None or (group.cue is None and shaped.kind == "indirect"):
                continue  # nothing left, or reported speech without any cue
            first = not records
            scores = [content.score] + ([group.cue.score] if group.cue is not None and first else [])
            note = f"speaker: {resolution.rule}" + (f"; source: {source_rule}" if source_rule != "tagger" else "")
            records.append(
                Quote(
                    kind=shaped.kind,
                    start=shaped.start,
                    end=shaped.end,
                    text=text[shaped.start : shaped.end],
                    content=Span.of(text, shaped.start, shaped.end),
                    cue=cue_span if first else None,
                    source=source_span,
                    speaker=resolution.speaker,
                    speaker_type=resolution.speaker_type,
                    casts_doubt=casts_doubt,
                    hedged=hedged,
                    continues=not first,
                    clause=Span.of(text, *shaped.clause) if shaped.clause else None,
                    evidence=Evidence(
                        rule=group.rule if first else f"{group.rule}: continues the quote before",
                        score=round(sum(scores) / len(scores), 4),
                        cues=tuple(cues) if first else (),
                        note=note,
                    ),
                )
            )
        return records


def _without_reporting_clause(source: TokenSpan, cue_scores: Mapping[str, float]) -> TokenSpan:
    """The source without a relative clause set off by a comma whose verb reports ("McCaskill | , who has
    endorsed Clinton,"): PolNeAR makes that clause an attribution of its own, with "who" its source."""
    for token in source:
        start = token.left_edge.i
        if (
            token.dep_ == "relcl" and start > source.start and source.doc[start - 1].text == ","
            and cue_scores.get(token.lemma_.lower(), 0.0) >= CUE_LIKE
        ):
            clipped = strip_punctuation(source.doc[source.start : start])
            return clipped if len(clipped) else source
    return source


def _mention_only(source: TokenSpan) -> TokenSpan:
    """The source mention without what surrounds it in the sentence: a dateline or lead-in before a spaced dash
    ("RANGOON, Burma - | Aung San Suu Kyi's allies"); what follows the object of "according to" ("a CNN poll
    released Monday | , 31% of Republicans"); and a trailing time ("Trump | on Sunday", "Trump | at the time"),
    participle set off by a comma ("Nate Cohn | , writing in the Times,") or "when" clause ("| when asked")."""
    doc = source.doc
    start, end = source.start, source.end
    for token in source[:-1]:
        if token.text not in DASH_TOKENS or not (token.i == 0 or doc[token.i - 1].whitespace_):
            continue
        lead_in = doc[start : token.i]
        dateline = len(lead_in) > 0 and lead_in[0].is_upper and len(lead_in[0]) > 1
        # not a name with its description ("Kall -- co-editor of …")
        if dateline or (source.root.i > token.i and not any(word.ent_type_ == "PERSON" for word in lead_in)):
            start = token.i + 1
    for token in doc[start:end]:
        if _is_according_to_object(token) and token.left_edge.i <= start and token.right_edge.i + 1 < end:
            end = token.right_edge.i + 1  # the tagger ran on into the clause's own subject
            break
    last = end - 1
    while last > start and doc[last].is_punct:
        last -= 1  # a comma closing what trails ("Powell's office, when contacted by Reuters,")
    for token in doc[start:end]:
        trailing = token.right_edge.i >= last and token.left_edge.i > start
        if trailing and (
            _is_time(token, doc[start:end]) or _is_comma_participle(token) or _is_when_clause(token)
        ):
            end = token.left_edge.i
            break
    if (start, end) == (source.start, source.end):
        return source
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space) and end < source.end:
        end -= 1  # the comma or dash left before what was cut, not a closing bracket the mention ends with
    trimmed = doc[start:end]
    return trimmed if len(trimmed) and trimmed.root.pos_ in ("NOUN", "PROPN", "PRON") else source


def _without_closing_mark(source: TokenSpan) -> TokenSpan:
    """The mention without the comma or dash closing an apposition or aside it holds ("Sanders, a Vermont
    senator | ,", "they – along with Zelensky’s own military leadership | –"), as the sample's gold reads it.
    PolNeAR's annotators keep that mark (the comma 921 times to 106 in train, the dash 47 to 2), and the eval puts
    it back."""
    closing = source[-1].text
    if len(source) > 2 and (closing == "," or closing in DASH_TOKENS):
        opening = {","} if closing == "," else DASH_TOKENS
        if any(token.text in opening for token in source[1:-1]):
            return source[:-1]
    return source


def _is_time(token: Token, span: TokenSpan) -> bool:
    """A time said of a named source itself ("Trump | on Sunday"), not of a word inside it ("a strategist on
    McCain's campaign in 2008") nor of a poll or report (PolNeAR keeps "a WBUR poll last week" whole)."""
    root = span.root
    said_of_root = token.head == root or (not span.start <= token.head.i < span.end and token.left_edge.i == root.i + 1)
    if root.pos_ != "PROPN" or not said_of_root:
        return False
    if token.dep_ == "npadvmod":
        return token.ent_type_ in TIME_ENTITIES
    if token.dep_ == "prep":
        objects = [child for child in token.children if child.dep_ == "pobj"]
        return bool(objects) and all(
            o.ent_type_ in TIME_ENTITIES or (o.lower_ == "time" and o.right_edge.i == o.i) for o in objects
        )
    return False


def _is_comma_participle(token: Token) -> bool:
    return token.dep_ == "acl" and token.tag_ in ("VBG", "VBN") and token.doc[token.left_edge.i - 1].text == ","


def _is_when_clause(token: Token) -> bool:
    """The circumstance of the saying, not part of who said it: "Powell's office, | when contacted by Reuters,"."""
    return token.dep_ in ("relcl", "advcl", "acl") and token.doc[token.left_edge.i].lower_ in ("when", "while")


def _is_according_to_object(token: Token) -> bool:
    return token.dep_ == "pobj" and token.head.lower_ == "to" and token.head.head.lower_ == "according"


def _agent(cue: Token) -> Token | None:
    """Who a cue without a subject names: "was described | by a reporter", "according to | Sperry"."""
    for child in cue.children:
        if child.dep_ == "agent" or (cue.lower_ == "according" and child.lower_ == "to"):
            objects = [grandchild for grandchild in child.children if grandchild.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _no_speaker(mention: TokenSpan) -> bool:
    """A cue's subject that said nothing: "it" or "that" (an expletive or a thing: "it is unclear whether …"), or a
    dateline the parser took for one ("BEDFORD, N.H. — Marco Rubio's uneven debate performance has …"). Only for
    subjects the parse gives: a pronoun the tagger links is PolNeAR's source more often than not ("it said")."""
    if mention.text.lower() in ("it", "that", "this"):
        return True
    doc = mention.doc
    starts_paragraph = mention.start == 0 or "\n" in doc[mention.start - 1].text
    following = [token.text for token in doc[mention.end : mention.end + 4]]
    # "LOS ANGELES —", "WASHINGTON (AP)", "BEDFORD, N.H. —"; not "NATO, the alliance of 32 states, said"
    dateline_end = following[:1] == ["("] or any(text in DASH_TOKENS for text in following)
    return starts_paragraph and dateline_end and mention.text.isupper() and len(mention.text) > 2


def _absorbed_subject(verb: Token) -> TokenSpan | None:
    """The subject of a verb without one that the parser hung, as an apposition, on the phrase before it: "In a
    statement to the Observer, | her senior policy adviser, Jake Sullivan, | said"."""
    if verb.pos_ != "VERB" or any(child.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for child in verb.children):
        return None
    doc = verb.doc
    for phrase in verb.lefts:
        if phrase.dep_ != "prep" or phrase.right_edge.i + 2 < verb.i:
            continue
        for token in doc[phrase.i + 1 : phrase.right_edge.i + 1]:
            if token.dep_ == "appos" and doc[token.left_edge.i - 1].text == "," and token.right_edge.i + 2 >= verb.i:
                mention = strip_punctuation(doc[token.left_edge.i : token.right_edge.i + 1])
                return mention if len(mention) else None
    return None


def _tokens_of(groups: Sequence[Group]) -> set[int]:
    return {
        index
        for group in groups
        for span in (group.cue, group.source, *group.contents)
        if span is not None
        for index in range(span.start, span.end)
    }


def _char_span(text: str, span: TokenSpan) -> Span:
    return Span.of(text, span.start_char, span.end_char)


def speakers_profile(quotes: Sequence[Quote]) -> SpeakersProfile:
    """Speakers by number of quotes, with the direct/indirect/mixed split."""
    counts: dict[tuple[str, str | None], Counter[str]] = {}
    for quote in quotes:
        if quote.speaker is None:
            continue
        counts.setdefault((quote.speaker, quote.speaker_type), Counter())[quote.kind] += 1
    speakers = [
        SpeakerCount(
            speaker=speaker,
            speaker_type=speaker_type,  # type: ignore[arg-type]
            quotes=sum(kinds.values()),
            direct=kinds["direct"],
            indirect=kinds["indirect"],
            mixed=kinds["mixed"],
        )
        for (speaker, speaker_type), kinds in counts.items()
    ]
    speakers.sort(key=lambda count: (-count.quotes, count.speaker))
    direct = sum(1 for quote in quotes if quote.kind != "indirect")
    return SpeakersProfile(
        speakers=tuple(speakers),
        quotes=len(quotes),
        unattributed=sum(1 for quote in quotes if quote.speaker is None),
        direct_share=round(direct / len(quotes), 4) if quotes else 0.0,
    )

"""From tagged spans to attributions: which content and source go with which cue, and what kind of quote
each content is.

Linking is by the parse first (the content is the cue's clausal complement, or the cue hangs off the content
as in "“…,” he said"; the source is the cue's subject), then by distance within the sentence. A content with
no cue in its sentences takes a cue of its paragraph that has none yet ("Caddell continued:" / a quote in the
next paragraph), or continues the previous attribution when it is a direct quote (the second sentence of a
quote that runs on). "According to X," with no content tagged takes the rest of its sentence; content pieces of
one sentence the tagger broke around an aside are rejoined; reported speech left without any cue is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from presslens.analysers.quotes.features import paragraph_token_ranges, sentence_bounds
from presslens.analysers.quotes.marks import QuotedStretch
from presslens.analysers.quotes.records import QuoteKind
from presslens.analysers.quotes.speakers import lexicons, names_a_time, strip_punctuation
from presslens.analysers.quotes.tagger import TaggedSpan

#: A quoted stretch with fewer words inside a reported clause is a scare quote, not a mixed quote.
MIXED_MIN_WORDS = 2
_TRAILING = ".,;:–—-"


@dataclass
class Group:
    """One attribution being assembled: a cue (or none), its source, and its content spans in text order."""

    cue: TaggedSpan | None
    source: TaggedSpan | None = None
    contents: list[TaggedSpan] = field(default_factory=list)
    source_rule: str = "tagger"
    rule: str = "attribution CRF + parse links"

    @property
    def anchor(self) -> int:
        """A token index standing for the attribution (its cue, else its first content)."""
        if self.cue is not None:
            return self.cue.start
        return self.contents[0].start


@dataclass(frozen=True)
class Shaped:
    """A content span as reported: its kind, the content characters, and for a mixed quote the clause."""

    kind: QuoteKind
    start: int
    end: int
    clause: tuple[int, int] | None = None


def group_spans(doc: Doc, spans: Sequence[TaggedSpan], fixed: Sequence[Group] = ()) -> list[Group]:
    """Link tagged cue, source and content spans into attributions (see the module docstring).

    ``fixed`` are attributions found by rules: kept as they are, and open to the contents that continue them.
    """
    sentence_of = sentence_ids(doc)
    paragraph_of = _paragraph_ids(doc)
    groups = [Group(cue=span) for span in spans if span.role == "cue"]
    _link_sources(doc, [span for span in spans if span.role == "source"], groups, sentence_of)
    groups.extend(fixed)
    _share_sources(doc, groups, sentence_of)
    orphans: list[Group] = []
    for content in (span for span in spans if span.role == "content"):
        group = _cue_for_content(doc, content, groups, sentence_of, paragraph_of)
        if group is None:
            group = _continued(content, groups + orphans, paragraph_of, doc)
        if group is None:
            group = Group(cue=None)
            orphans.append(group)
        group.contents.append(content)
    taken = {index for span in spans for index in range(span.start, span.end)}
    taken.update(
        index
        for group in fixed
        for span in (group.cue, group.source, *group.contents)
        if span is not None
        for index in range(span.start, span.end)
    )
    for group in groups:
        if not group.contents and group.cue is not None:
            group.contents.extend(_untagged_content(doc, group, sentence_of, taken))
    linked = []
    for group in groups + orphans:
        if not group.contents or (group.cue is None and not _starts_quoted(doc, group.contents[0])):
            continue  # reported speech with no cue at all is no attribution
        group.contents = _join_split_contents(group.contents, sentence_of, taken)
        linked.append(group)
    return sorted(linked, key=lambda group: group.contents[0].start)


#: Content pieces of one sentence this close, with nothing tagged between them, are one content.
JOIN_GAP = 8


def _join_split_contents(contents: list[TaggedSpan], sentence_of: list[int], taken: set[int]) -> list[TaggedSpan]:
    """Rejoin a content the tagger broke around an aside ("… Artyomovsk, known as Bakhmut in Ukraine, his …")."""
    joined: list[TaggedSpan] = []
    for content in sorted(contents, key=lambda span: span.start):
        if joined:
            last = joined[-1]
            gap = range(last.end, content.start)
            if (
                len(gap) <= JOIN_GAP
                and sentence_of[last.end - 1] == sentence_of[content.start]
                and not taken.intersection(gap)
            ):
                joined[-1] = TaggedSpan("content", last.start, content.end, min(last.score, content.score))
                continue
        joined.append(content)
    return joined


def _untagged_content(doc: Doc, group: Group, sentence_of: list[int], taken: set[int]) -> list[TaggedSpan]:
    """The content of a cue the tagger gave none: the rest of an "according to" sentence, else what the cue
    verb reports by the parse (:func:`reported_clauses`) or, for a cue with a source, its object (PolNeAR counts
    "X endorsed | Y"), where nothing else is tagged."""
    assert group.cue is not None
    according = _according_to_content(doc, group, sentence_of)
    if according is not None:
        return [according]
    verb = doc[group.cue.start : group.cue.end].root
    clauses = reported_clauses(doc, verb)
    if not clauses and group.source is not None:  # a cue with a source is an attribution: "X endorsed | Y"
        clauses = _object(doc, verb)
    if any(taken.intersection(range(start, end)) for start, end in clauses):
        return []
    return [TaggedSpan("content", start, end, group.cue.score) for start, end in clauses]


_OBJECTS = ("dobj", "prep", "attr", "acomp", "dative", "oprd")
#: Prepositions that introduce what is said ("complained about", "asked for"), not where ("writing in the Times").
_TOPIC_PREPOSITIONS = frozenset(("about", "of", "for", "against", "on", "over", "to", "with", "into", "from"))
#: Verbs whose object is whom they address or a pro-form, not what is said: their content is a clause.
_CLAUSE_ONLY_VERBS = frozenset(("say", "tell"))


def _object(doc: Doc, verb: Token) -> list[tuple[int, int]]:
    """What a verb with a source but no reported clause is about: its object ("endorsed | her", "complained |
    about …")."""
    if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() in _CLAUSE_ONLY_VERBS:  # "said | so in December"
        return []
    first = next((child for child in verb.rights if child.dep_ in _OBJECTS and not names_a_time(child)
                  and (child.dep_ != "prep" or child.lower_ in _TOPIC_PREPOSITIONS)), None)
    if first is None:  # the first object only: "criticized | the plan | in an interview"
        return []
    span = strip_punctuation(doc[first.left_edge.i : first.right_edge.i + 1])
    return [(span.start, span.end)] if len(span) else []


def _according_to_content(doc: Doc, group: Group, sentence_of: list[int]) -> TaggedSpan | None:
    """"According to X, Y." / "Y, according to X.": the content is the rest of the sentence, after the phrase or,
    when nothing follows it, before it (the tagger often leaves it out)."""
    assert group.cue is not None
    cue = doc[group.cue.start : group.cue.end]
    if cue[0].lower_ != "according":
        return None
    sentence = sentence_of[group.cue.start]
    start = max((group.source or group.cue).end, cue.root.right_edge.i + 1)  # past "to X" when X is untagged
    end = start
    while end < len(doc) and sentence_of[end] == sentence:
        end += 1
    after = strip_punctuation(doc[start:end])
    if len(after) >= 2 and after.start >= group.cue.start:
        return TaggedSpan("content", after.start, after.end, group.cue.score)
    first = group.cue.start
    while first > 0 and sentence_of[first - 1] == sentence:
        first -= 1
    before = strip_punctuation(doc[first : group.cue.start])
    if len(before) > 1 and before[-1].lemma_ == "be":  # "That | ’s according to …"
        before = before[:-1]
    if len(after) or not len(before):
        return None
    return TaggedSpan("content", before.start, before.end, group.cue.score)


_VERB_GROUP = ("aux", "auxpass", "neg")


def verb_group_start(doc: Doc, start: int, verb: Token, adverb: Callable[[Token], bool] = lambda token: True) -> int:
    """Where the verb group before token ``start`` begins: the auxiliaries and negation of ``verb`` right before it,
    and its adverbs that ``adverb`` accepts ("has also said", "have reportedly urged")."""
    while start > 0:
        token = doc[start - 1]
        if token.head.i != verb.i or not (token.dep_ in _VERB_GROUP or (token.dep_ == "advmod" and adverb(token))):
            break
        start -= 1
    return start


_COMPLEMENTS = ("ccomp", "xcomp")


def reported_clauses(doc: Doc, verb: Token) -> list[tuple[int, int]]:
    """What a reporting verb reports, as token ranges: its clausal complement after it ("said | that …"), its
    clausal complement before it ("…, the study concluded"), or, said in passing, the clause it interrupts
    ("For black voters, he said, their …": two pieces)."""
    rights = [child for child in verb.rights if child.dep_ not in ("punct", "advmod", "prt", "npadvmod")]
    if any(child.dep_ in _COMPLEMENTS for child in rights):
        return _trimmed(doc, [(min(child.left_edge.i for child in rights), verb.right_edge.i + 1)])
    lefts = [child for child in verb.lefts if child.dep_ == "ccomp"]
    if lefts:
        return _trimmed(doc, [(lefts[0].left_edge.i, lefts[0].right_edge.i + 1)])
    head = verb.head
    if verb.dep_ == "parataxis" and head.i != verb.i and head.pos_ in ("VERB", "AUX"):
        pieces = [(head.left_edge.i, verb.left_edge.i), (verb.right_edge.i + 1, head.right_edge.i + 1)]
        return _trimmed(doc, pieces)
    return []


def take_purpose_clauses(doc: Doc, groups: Sequence[Group], taken: set[int]) -> None:
    """A purpose clause of the cue verb set off right after the content ("have urged the president to withdraw, |
    so that his country can focus on …") gives the source's reason, so the content takes it in, as the sample's
    gold does (PolNeAR's annotators leave a cue's adverbial clauses out; train has 2 purpose clauses there).
    ``taken``: the tokens of every group, which no content takes over."""
    for group in groups:
        if group.cue is None or not group.contents:
            continue
        last = group.contents[-1]
        for clause in _root(doc, group.cue).rights:
            start = clause.left_edge.i
            if clause.dep_ != "advcl" or start < last.end or not _is_purpose(doc, start):
                continue
            extension = strip_punctuation(doc[start : clause.right_edge.i + 1])
            between = range(last.end, start)
            if all(doc[index].is_punct for index in between) and not taken.intersection(range(last.end, extension.end)):
                group.contents[-1] = TaggedSpan(last.role, last.start, extension.end, last.score)
                taken.update(range(last.end, extension.end))
            break


def _is_purpose(doc: Doc, start: int) -> bool:
    """Whether the clause at ``start`` opens with "so that" or "in order to"."""
    words = [token.lower_ for token in doc[start : start + 3]]
    return words[:2] == ["so", "that"] or words == ["in", "order", "to"]


def _trimmed(doc: Doc, pieces: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges without punctuation or space at their edges; those under two tokens left out."""
    spans = (strip_punctuation(doc[start:end]) for start, end in pieces)
    return [(span.start, span.end) for span in spans if len(span) >= 2]


def sentence_ids(doc: Doc) -> list[int]:
    """Sentence numbers that also change at a paragraph break (the parser may run a sentence across one)."""
    starts = {start for start, _ in sentence_bounds(doc)}
    breaks = {index for indices in paragraph_token_ranges(doc)[1:] for index in indices[:1]}
    ids, number = [0] * len(doc), 0
    for index in range(1, len(doc)):
        if index in starts or index in breaks:
            number += 1
        ids[index] = number
    return ids


def _paragraph_ids(doc: Doc) -> list[int]:
    ids = [-1] * len(doc)
    for number, indices in enumerate(paragraph_token_ranges(doc)):
        for index in indices:
            ids[index] = number
    return ids


def _root(doc: Doc, span: TaggedSpan) -> Token:
    """The span's syntactic root, its edge punctuation left out: a closing quotation mark the parser attaches to
    the verb outside would otherwise be the root of a quote ("saying he “has …”")."""
    words = strip_punctuation(doc[span.start : span.end])
    return (words if len(words) else doc[span.start : span.end]).root


def _gap(a: TaggedSpan, b: TaggedSpan) -> int:
    return max(0, a.start - b.end, b.start - a.end)


def _governs(ancestor: Token, token: Token, depth: int = 4) -> bool:
    current = token
    for _ in range(depth):
        if current.head.i == current.i:
            return False
        current = current.head
        if current.i == ancestor.i:
            return True
    return False


def _link_sources(doc: Doc, sources: list[TaggedSpan], groups: list[Group], sentence_of: list[int]) -> None:
    for source in sources:
        candidates = [g for g in groups if g.cue is not None and sentence_of[g.cue.start] == sentence_of[source.start]]
        if not candidates:
            continue
        root = _root(doc, source)

        def rank(group: Group, root: Token = root, source: TaggedSpan = source) -> tuple[bool, bool, int]:
            assert group.cue is not None
            return (not _governs(_root(doc, group.cue), root), group.source is not None, _gap(source, group.cue))

        best = min(candidates, key=rank)
        if best.source is None or _gap(source, best.cue) < _gap(best.source, best.cue):  # type: ignore[arg-type]
            best.source = source


#: Cue verbs whose subject is no source (see ``lexicons.yaml``).
RAISING_VERBS = frozenset(lexicons()["raising_verbs"])


def sourceless(cue: Token) -> bool:
    """A passive or raising cue ("Trump was asked", "X is expected to", "Manafort seemed to"): its subject is not
    who speaks, and PolNeAR gives most such cues no source."""
    return cue.lemma_.lower() in RAISING_VERBS or any(child.dep_ in ("nsubjpass", "auxpass") for child in cue.children)


def _share_sources(doc: Doc, groups: list[Group], sentence_of: list[int]) -> None:
    """One source may serve two cues of a sentence ("said Caddell, speaking of …", "he said, adding that"),
    not a passive or raising one."""
    for group in groups:
        if group.source is None and group.cue is not None and not sourceless(_root(doc, group.cue)):
            cue = group.cue
            shared = [
                other.source for other in groups
                if other.source is not None and sentence_of[other.source.start] == sentence_of[cue.start]
            ]
            if shared:
                group.source = min(shared, key=lambda source: _gap(source, cue))
                group.source_rule = "shared with another cue of the sentence"


def _cue_for_content(
    doc: Doc, content: TaggedSpan, groups: list[Group], sentence_of: list[int], paragraph_of: list[int]
) -> Group | None:
    sentences = set(range(sentence_of[content.start], sentence_of[content.end - 1] + 1))
    candidates = [g for g in groups if g.cue is not None and sentence_of[g.cue.start] in sentences]
    if candidates:
        root = _root(doc, content)

        def rank(group: Group, root: Token = root) -> tuple[bool, int]:
            assert group.cue is not None
            cue_root = _root(doc, group.cue)
            related = _governs(cue_root, root) or _governs(root, cue_root)
            return (not related, _gap(content, group.cue))

        return min(candidates, key=rank)
    paragraph = paragraph_of[content.start]
    idle = [
        g for g in groups
        if g.cue is not None and not g.contents and paragraph - 1 <= paragraph_of[g.cue.start] <= paragraph
        and g.cue.end <= content.start + 1
    ]
    if idle:
        return max(idle, key=lambda group: group.anchor)
    return None


def _continued(content: TaggedSpan, groups: list[Group], paragraph_of: list[int], doc: Doc) -> Group | None:
    """The attribution a cue-less direct quote continues: the last one before it, this or the last paragraph."""
    if not _starts_quoted(doc, content):
        return None
    paragraph = paragraph_of[content.start]
    before = [
        group for group in groups
        if group.contents and group.contents[-1].end <= content.start
        and paragraph - 1 <= paragraph_of[group.contents[-1].start] <= paragraph
    ]
    return max(before, key=lambda group: group.contents[-1].end) if before else None


def _starts_quoted(doc: Doc, span: TaggedSpan) -> bool:
    first = doc[span.start].text
    return bool(first) and first[0] in "\"“‘'«„`"


def shape_content(
    doc: Doc, text: str, start: int, end: int, stretches: Sequence[QuotedStretch]
) -> Shaped | None:
    """Decide a content span's kind and the characters an analyst cites (``text`` is ``doc.text``)."""
    start, end = _trim(text, start, end)
    if end <= start:
        return None
    inside = [s for s in stretches if s.start < end and start < s.end]
    if inside:
        outside = _outside_text(text, start, end, inside)
        if not any(char.isalnum() for char in outside):
            first, last = inside[0], inside[-1]
            covered = sum(min(end, s.inner_end) - max(start, s.inner_start) for s in inside)
            total = sum(s.inner_end - s.inner_start for s in inside)
            if covered >= total / 2:  # snap to the marks: the tagger's edges may stop short
                return _strip(text, "direct", first.inner_start, last.inner_end)
            return _strip(text, "direct", max(start, first.inner_start), min(end, last.inner_end))
        longest = max(inside, key=lambda s: s.inner_end - s.inner_start)
        words = len(text[longest.inner_start : longest.inner_end].split())
        if words >= MIXED_MIN_WORDS and start <= longest.inner_start and longest.inner_end <= end:
            clause = _strip_complementiser(doc, start, end)
            quoted = _strip(text, "mixed", longest.inner_start, longest.inner_end)
            if quoted is not None:
                return Shaped("mixed", quoted.start, quoted.end, clause)
    clause_start, clause_end = _strip_complementiser(doc, start, end)
    return Shaped("indirect", clause_start, clause_end) if clause_end > clause_start else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        end -= 1
    return start, end


def _strip(text: str, kind: QuoteKind, start: int, end: int) -> Shaped | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Shaped(kind, start, end) if end > start else None


def _outside_text(text: str, start: int, end: int, stretches: Sequence[QuotedStretch]) -> str:
    pieces, position = [], start
    for stretch in stretches:
        pieces.append(text[position : max(position, stretch.start)])
        position = max(position, stretch.end)
    pieces.append(text[position:end])
    return "".join(pieces)


def _strip_complementiser(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Indirect speech without its "that": "said that X" reports X."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None and len(span) > 1 and span[0].lower_ == "that" and span[0].dep_ == "mark":
        start = span[1].idx
    return start, end

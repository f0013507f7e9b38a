"""Attribution layouts the tagger rarely sees in training, found by rules over the text and the parse.

- transcripts: a paragraph opening with a speaker label in capitals and a colon ("PENCE: Well, look, …");
- headline labels: a headline opening with a name and a colon ("Marco Rubio: I'm Not Interested In Being Vice
  President", "Poll: Trump and Clinton hold narrow leads");
- signed quotes: a quotation followed by a dash and a name ("“…” ― Sonya Herridge");
- trailing attributions: a sentence ending with ", the president says" (headlines and standfirsts), whose
  content is everything before the comma;
- quotations with their speech verb right beside them ("“…,” he said", "said Caddell", "He said: “…”"): the
  classic direct-quote layout, where adjacency is surer than the tagger's linking;
- missed reporting verbs: a verb that usually reports (by the cue lexicon) with a subject (its own or one it
  shares: "… and said", ", adding") and a reported clause, where the tagger marked none of them ("they have
  reportedly urged the president to withdraw": the hedge between auxiliary and verb is rare in the training
  data).
- introduced quotations: a paragraph that is a quotation nobody is credited with, after a paragraph ending with
  a verb and a colon ("17-year-old Jared Potts echoed:", "Cruz called them on it:"): the verb is the cue, its
  subject the source (the tagger reads one paragraph at a time, so it cannot link them).
- poll findings: "In a CNN poll, Clinton led by 8 points" / "he fell to 10 percent in the latest poll": PolNeAR
  attributes the clause to the poll, with "in" as the cue, and the tagger rarely marks it.

The layout rules return ready attributions (:class:`~presslens.analysers.quotes.assemble.Group`) and the
analyser drops the tagger's spans they overlap, so a rule replaces a partial tagging instead of duplicating it;
the missed-verb, poll and introduction rules only fill what the tagger left empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from spacy.attrs import LOWER, POS
from spacy.symbols import VERB
from spacy.tokens import Doc, Token

from presslens.analysers.quotes.assemble import Group, reported_clauses, sentence_ids, sourceless, verb_group_start
from presslens.analysers.quotes.features import paragraph_token_ranges
from presslens.analysers.quotes.marks import QUOTE_CHARACTERS, QuotedStretch
from presslens.analysers.quotes.speakers import lexicons, strip_punctuation
from presslens.analysers.quotes.tagger import TaggedSpan

#: Verbs that report speech in a trailing attribution (", officials say").
SPEECH_VERBS = frozenset(lexicons()["speech_verbs"])
DASHES = frozenset("―—–-")
#: Labels before a colon that are nobody speaking ("BREAKING: …", "EXCLUSIVE – Roger Stone: …").
HEADLINE_KICKERS = frozenset(lexicons()["headline_kickers"])
#: Common nouns that speak in a headline label ("Poll: Trump leads", "WSJ editorial: …"); other labels are names.
HEADLINE_SOURCE_NOUNS = frozenset({"poll", "survey", "report", "study", "editorial"})
#: A headline label is a name or noun phrase: no verb, preposition, article or conjunction ("The Latest: …",
#: "Netanyahu and Obama: …", "Carly Fiorina Endorses Ted Cruz: …" fail on the tag or the length), and no stop word
#: (title case makes the tagger read "Stealth Over Health" as three names).
_LABEL_TAGS = frozenset({"NNP", "NNPS", "NN", "NNS", "POS", "HYPH", "JJ"})
_MAX_LABEL_WORDS = 4
#: The headline is the first paragraph; a longer first paragraph is body text.
_MAX_HEADLINE_TOKENS = 40
RULE_SCORE = 1.0


def _span(role: str, start: int, end: int) -> TaggedSpan:
    return TaggedSpan(role, start, end, RULE_SCORE)


def rule_groups(doc: Doc) -> list[Group]:
    """Every rule's attributions (``Group.rule`` names the rule)."""
    found: list[Group] = []
    for number, indices in enumerate(paragraph_token_ranges(doc)):
        group = _transcript(doc, indices) or _signed_quote(doc, indices)
        if group is None and number == 0:
            group = _headline_label(doc, indices)
        if group is not None:
            found.append(group)
    found.extend(_trailing_attributions(doc))
    return found


def _transcript(doc: Doc, indices: Sequence[int]) -> Group | None:
    """``PENCE: Well, look, …`` or ``MIKE PENCE: …``: a capitalised label of at most three words and a colon."""
    for width in (1, 2, 3):
        if len(indices) <= width + 1:
            return None
        colon = indices[width]
        label = [doc[index] for index in indices[:width]]
        if doc[colon].text != ":":
            continue
        if label[0].lower_ not in HEADLINE_KICKERS and all(_capitalised_word(token) for token in label):
            return Group(
                cue=_span("cue", colon, colon + 1),
                source=_span("source", indices[0], colon),
                contents=[_span("content", indices[width + 1], indices[-1] + 1)],
                source_rule="transcript speaker label",
                rule="transcript speaker label",
            )
        return None
    return None


def _headline_label(doc: Doc, indices: Sequence[int]) -> Group | None:
    """``Marco Rubio: I'm Not Interested …`` / ``Poll: Trump and Clinton hold narrow leads``: a headline opening with
    a speaker's name (or a poll, a report…) and a colon; what follows is what they said.

    On PolNeAR train, 78 of 134 headlines with a colon in their first seven words are such attributions; the rest
    are kickers ("Breaking:", "The Latest:") and topics ("Netanyahu and Obama: A tortured relationship").
    """
    if len(indices) > _MAX_HEADLINE_TOKENS:
        return None
    first = 0
    if len(indices) > 2 and doc[indices[0]].lower_ in HEADLINE_KICKERS and doc[indices[1]].text in DASHES:
        first = 2  # "EXCLUSIVE – Roger Stone: …"
    colon = next(
        (position for position in range(first + 1, min(len(indices), first + _MAX_LABEL_WORDS + 1))
         if doc[indices[position]].text == ":"),
        None,
    )
    if colon is None:
        return None
    label = [doc[index] for index in indices[first:colon]]
    content = list(indices[colon + 1 :])  # (paragraph indices hold no space tokens)
    while content and doc[content[-1]].text in (".", ";"):
        content.pop()
    if (
        len(content) < 2
        or label[0].lower_ in HEADLINE_KICKERS
        or any(token.tag_ not in _LABEL_TAGS or (token.is_stop and token.tag_ != "POS") for token in label)
        or not (label[-1].text[:1].isupper() or label[-1].lemma_.lower() in HEADLINE_SOURCE_NOUNS)
    ):
        return None
    return Group(
        cue=_span("cue", indices[colon], indices[colon] + 1),
        source=_span("source", label[0].i, label[-1].i + 1),
        contents=[_span("content", content[0], content[-1] + 1)],
        source_rule="name labelling the headline",
        rule="headline label",
    )


def _capitalised_word(token: Token) -> bool:
    letters = token.text.replace(".", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def _signed_quote(doc: Doc, indices: Sequence[int]) -> Group | None:
    """``“…” ― Sonya Herridge``: the paragraph is a quotation, then a dash and a name (up to a comma)."""
    for position, index in enumerate(indices[1:], start=1):
        token = doc[index]
        if token.text not in DASHES or not _is_mark(doc[indices[position - 1]]):
            continue
        name = []
        for after in indices[position + 1 :]:
            if doc[after].is_punct:
                break
            name.append(after)
        if name and doc[name[0]].pos_ == "PROPN" and _is_mark(doc[indices[0]]):
            return Group(
                cue=_span("cue", index, index + 1),
                source=_span("source", name[0], name[-1] + 1),
                contents=[_span("content", indices[0], indices[position - 1] + 1)],
                source_rule="name signing the quotation",
                rule="signed quotation",
            )
    return None


def _is_mark(token: Token) -> bool:
    return bool(token.text) and all(char in QUOTE_CHARACTERS for char in token.text)


def _trailing_attributions(doc: Doc) -> list[Group]:
    """``…, the president says``: a sentence without quotation marks ending with subject + speech verb."""
    sentence_of = sentence_ids(doc)
    groups: list[Group] = []
    for indices in paragraph_token_ranges(doc):
        by_sentence: dict[int, list[Token]] = {}
        for index in indices:  # a paragraph without a full stop must not run into the next one
            by_sentence.setdefault(sentence_of[index], []).append(doc[index])
        groups.extend(filter(None, (_trailing(doc, words) for words in by_sentence.values())))
    return groups


def _trailing(doc: Doc, words: list[Token]) -> Group | None:
    words = list(words)
    while words and words[-1].is_punct:
        words.pop()
    if len(words) < 6 or any(_is_mark(token) for token in words):
        return None
    verb = words[-1]
    if verb.lemma_.lower() not in SPEECH_VERBS or verb.pos_ not in ("VERB", "AUX"):
        return None
    subject = _subject(verb)
    if subject is None:
        return None
    start = subject.left_edge.i
    comma = doc[start - 1] if start > 0 else None
    if comma is None or comma.text != "," or comma.i - words[0].i < 3:
        return None
    return Group(
        cue=_span("cue", verb.i, verb.i + 1),
        source=_span("source", start, verb.i),
        contents=[_span("content", words[0].i, comma.i)],
        source_rule="subject of a trailing speech verb",
        rule="trailing attribution",
    )


#: A verb whose lemma heads a cue at least this often in the training data counts as reporting.
REPORTING_SCORE = 0.5


def missed_reporting_verbs(doc: Doc, cue_scores: Mapping[str, float], tagged: set[int]) -> list[Group]:
    """Reporting verbs with a subject and a reported clause (see :func:`reported_clauses`) that the tagger left
    untagged: the verb, its subject and the clause. A passive or raising verb's subject is no source ("X is
    expected to …"): the analyser looks for an agent instead."""
    groups = []
    for verb in _tokens_where(doc, POS, VERB):
        if verb.i in tagged or cue_scores.get(verb.lemma_.lower(), 0.0) < REPORTING_SCORE:
            continue
        subject_token = verb_subject(verb)
        if subject_token is None:
            continue
        subject = strip_punctuation(doc[subject_token.left_edge.i : subject_token.right_edge.i + 1])
        clauses = reported_clauses(doc, verb)
        if not clauses or not len(subject) or tagged.intersection(
            index for start, end in [*clauses, (subject.start, subject.end)] for index in range(start, end)
        ):
            continue
        start = verb_group_start(doc, verb.i, verb)
        groups.append(
            Group(
                cue=_span("cue", start, verb.i + 1),
                source=None if sourceless(verb) else _span("source", subject.start, subject.end),
                contents=[_span("content", first, last) for first, last in clauses],
                source_rule="subject of the reporting verb",
                rule="reporting verb with subject and complement",
            )
        )
    return groups


def _tokens_where(doc: Doc, attribute: int, value: int) -> list[Token]:
    """The tokens whose ``attribute`` (a ``spacy.attrs`` ID) is ``value``, found in one array rather than a Token
    object per word of the article."""
    return [doc[index] for index in np.flatnonzero(doc.to_array(attribute) == value).tolist()]


#: Nouns whose findings are attributed to them by "in": "in a CNN poll", "in the latest survey".
POLL_NOUNS = frozenset({"poll", "survey"})


def poll_findings(doc: Doc, tagged: set[int]) -> list[Group]:
    """"In <a poll>, <finding>" and "<finding> in <a poll>": the cue "in", the poll as source, and the clause the
    phrase belongs to as content, on the phrase's side (before it when it trails, after it when it leads).

    One poll only: PolNeAR rarely attributes a candidate's standing "in the polls" (23 of 32 such phrases in the
    first 300 train articles were no attribution, against 3 of 9 with one poll)."""
    groups = []
    for preposition in _tokens_where(doc, LOWER, doc.vocab.strings.add("in")):
        if preposition.dep_ != "prep" or preposition.i in tagged:
            continue
        poll = next((child for child in preposition.children if child.dep_ == "pobj"), None)
        # one poll ("a CNN poll", "the latest survey"), not the standing of a candidate "in the polls"
        if poll is None or poll.lemma_.lower() not in POLL_NOUNS or poll.tag_ != "NN":
            continue
        verb = preposition.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:  # "a lead | in the polls"
            verb = verb.head
        source_end = poll.i + 1
        for child in poll.rights:  # "the latest poll released Wednesday | , a collapse …"
            if child.dep_ == "punct":
                break
            source_end = child.right_edge.i + 1
        source = strip_punctuation(doc[poll.left_edge.i : source_end])
        if verb.pos_ not in ("VERB", "AUX") or tagged.intersection(range(source.start, source.end)):
            continue
        clause_start, clause_end = verb.left_edge.i, verb.right_edge.i + 1
        if preposition.i > verb.i:  # it trails: the clause up to it
            content = strip_punctuation(doc[clause_start : preposition.i])
        else:  # it leads: the clause after it
            content = strip_punctuation(doc[poll.right_edge.i + 1 : clause_end])
        if len(content) and content[0].dep_ == "cc":  # "But | he fell to 10 percent"
            content = content[1:]
        if len(content) < 2 or tagged.intersection(range(content.start, content.end)):
            continue
        groups.append(
            Group(
                cue=_span("cue", preposition.i, preposition.i + 1),
                source=_span("source", source.start, source.end),
                contents=[_span("content", content.start, content.end)],
                source_rule="the poll the finding is in",
                rule="finding in a poll",
            )
        )
    return groups


#: A verb introducing a quotation paragraph with a colon reports at a lower cue score than a verb alone: the layout
#: says it is speech ("echoed": 0.47, "continued": 0.26; not "begins": 0.09).
INTRODUCTION_SCORE = 0.2


def introduced_quotations(
    doc: Doc, groups: Sequence[Group], taken: set[int], cue_scores: Mapping[str, float]
) -> list[Group]:
    """``Cruz called them on it:`` / ``“The questions asked in this debate …”``: each group without cue or source
    whose content opens its paragraph with a quotation mark becomes an attribution of the verb introducing it in
    the paragraph before (:func:`_introduction`), when there is one (the groups, in order, with those replaced)."""
    paragraphs = paragraph_token_ranges(doc)
    # a quotation paragraph's content starts at its opening mark or the word after it
    number_of = {
        index: number
        for number, indices in enumerate(paragraphs)
        if len(indices) > 1 and _is_mark(doc[indices[0]])
        for index in indices[:2]
    }
    result = []
    for group in groups:
        number = number_of.get(group.contents[0].start) if group.contents else None
        found = None
        if group.cue is None and group.source is None and number:
            found = _introduction(doc, paragraphs[number - 1], taken, cue_scores)
        if found is None:
            result.append(group)
            continue
        cue, source = found
        result.append(
            Group(
                cue=cue,
                source=source,
                contents=group.contents,
                source_rule="subject of the verb introducing the quotation",
                rule="quotation introduced by the paragraph before",
            )
        )
    return result


def _introduction(
    doc: Doc, intro: Sequence[int], taken: set[int], cue_scores: Mapping[str, float]
) -> tuple[TaggedSpan, TaggedSpan] | None:
    """The cue and source of a paragraph ending with a colon hung on a verb that reports
    (:data:`INTRODUCTION_SCORE`) and has a subject in that paragraph, neither held by an attribution (``taken``)."""
    colon = doc[intro[-1]]
    verb = colon.head
    if colon.text != ":" or verb.pos_ != "VERB" or cue_scores.get(verb.lemma_.lower(), 0.0) < INTRODUCTION_SCORE:
        return None
    subject = verb_subject(verb)
    if (
        subject is None
        or not intro[0] <= subject.left_edge.i < verb.i
        or taken.intersection((verb.i, subject.i))
        or sourceless(verb)
    ):
        return None
    # the parser can hang the quotation on the subject: the source stops at the verb
    source = strip_punctuation(doc[subject.left_edge.i : min(subject.right_edge.i + 1, verb.i)])
    return _span("cue", verb_group_start(doc, verb.i, verb), verb.i + 1), _span("source", source.start, source.end)


def verb_subject(verb: Token) -> Token | None:
    """The verb's subject, or the one it shares: with the verb it is coordinated with ("X called on … and said
    …"), or with the verb whose participle it is ("X said …, adding: “…”", "X answered by saying …")."""
    subject = _subject(verb)
    if subject is not None:
        return subject
    if verb.dep_ == "conj" or (verb.dep_ == "advcl" and verb.tag_ == "VBG"):
        sharer = verb.head
    elif verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.dep_ == "prep":
        sharer = verb.head.head
    else:
        return None
    return _subject(sharer)


def _subject(verb: Token) -> Token | None:
    return next((child for child in verb.children if child.dep_ in ("nsubj", "nsubjpass")), None)


#: The speech verb of an adjacent attribution is at most this many tokens from the quotation mark.
ADJACENT_WINDOW = 6


def adjacent_speech_groups(
    doc: Doc, stretches: Sequence[QuotedStretch], cue_scores: Mapping[str, float]
) -> list[Group]:
    """Quotations with a reporting verb and its subject right after ("“…,” he said") or before ("X said: “…”")."""
    starts = {token.idx: token.i for token in doc}
    by_verb: dict[int, Group] = {}
    for stretch in stretches:
        first, last = starts.get(stretch.start), _token_ending_at(doc, stretch.end)
        if first is None or last is None or last - first < 3:  # a word or two in quotes is no quotation
            continue
        verb = _verb_after(doc, first, last, cue_scores) or _verb_before(doc, first, cue_scores)
        if verb is None:
            continue
        if verb.i in by_verb:  # "“A,” he said, “B.”": one attribution, two pieces
            by_verb[verb.i].contents.append(_span("content", first, last + 1))
            continue
        subject = next(child for child in verb.children if child.dep_ in ("nsubj", "nsubjpass"))
        if first <= subject.i <= last:
            continue
        source = strip_punctuation(doc[subject.left_edge.i : subject.right_edge.i + 1])
        if subject.pos_ == "PRON":
            source = doc[subject.i : subject.i + 1]
        start = first
        if verb.i > last:
            start = _clause_start(doc, first)
            if any(_speech_verb(token, cue_scores) for token in doc[start:first]):
                continue  # "Clinton says Trump’s “…”": the clause has its own cue; the tagger links it
        by_verb[verb.i] = Group(
            cue=_span("cue", verb.i, verb.i + 1),
            source=_span("source", source.start, source.end),
            contents=[_span("content", start, last + 1)],
            source_rule="subject of the speech verb beside the quotation",
            rule="quotation with its speech verb beside it",
        )
    return list(by_verb.values())


def _token_ending_at(doc: Doc, end: int) -> int | None:
    span = doc.char_span(end - 1, end, alignment_mode="expand")
    return span[-1].i if span is not None and len(span) and span[-1].idx + len(span[-1]) == end else None


def _speech_verb(token: Token, cue_scores: Mapping[str, float]) -> bool:
    return (
        token.pos_ == "VERB"
        and cue_scores.get(token.lemma_.lower(), 0.0) >= REPORTING_SCORE
        and any(child.dep_ in ("nsubj", "nsubjpass") for child in token.children)
    )


def _verb_after(doc: Doc, first: int, last: int, cue_scores: Mapping[str, float]) -> Token | None:
    """``“…,” he said`` / ``“…,” said Caddell``: the first verb after the closing mark, if it reports.

    A quotation that closes its sentence (“….”) has no verb after it; after “…?” or “…!” only a lower-case
    word goes on ("“Why?” he asked").
    """
    inner = doc[first:last + 1].text.rstrip("".join(QUOTE_CHARACTERS)).rstrip()
    following = doc[last + 1] if last + 1 < len(doc) else None
    if following is None or inner.endswith(".") or (
        inner.endswith(("?", "!")) and not following.text[:1].islower()
    ):
        return None
    for token in doc[last + 1 : min(len(doc), last + 1 + ADJACENT_WINDOW)]:
        if "\n" in token.text or _is_mark(token) or token.text in ".!?":
            return None
        if token.pos_ in ("VERB", "AUX"):
            return token if _speech_verb(token, cue_scores) and token.dep_ != "aux" else None
    return None


def _verb_before(doc: Doc, first: int, cue_scores: Mapping[str, float]) -> Token | None:
    """``He said: “…”`` / ``Caddell said, “…”``: a reporting verb, then a colon or comma, then the mark."""
    if first < 2 or doc[first - 1].text not in (":", ","):
        return None
    verb = doc[first - 2]
    return verb if _speech_verb(verb, cue_scores) else None


def _ends_sentence(token: Token) -> bool:
    """A paragraph break or a full stop (the parser runs sentences together around some quotation marks)."""
    return "\n" in token.text or token.text in (".", "?", "!", ":", ";")


def _clause_start(doc: Doc, first: int) -> int:
    """Where the sentence holding an opening mark starts in its paragraph (the quote may be part of a clause)."""
    sentence = doc[first].sent
    start = first
    while start > sentence.start and not _is_mark(doc[start - 1]) and not _ends_sentence(doc[start - 1]):
        start -= 1
    return start

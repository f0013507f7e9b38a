"""Parse rules of the sourcing analyser: claim units, attributions and their sources, hedges, check-first cues.

Every function works on the shared spaCy parse and returns token indices or character spans; the analyser
(:mod:`presslens.analysers.sourcing.analyser`) turns them into records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from presslens.analysers.sourcing.lexicon import Lexicon
from presslens.analysers.sourcing.records import HedgeOwner, SourceType

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CLAUSE_COMPLEMENTS = frozenset({"ccomp", "xcomp", "parataxis"})
#: Verbs under which an infinitive still reports: "went on to say", "seemed to suggest".
_ASPECT_VERBS = frozenset({"go", "continue", "begin", "start", "proceed", "seem", "appear"})
#: Verbs that report with an infinitive ("declined to comment"); the others need a finite clause.
_INFINITIVE_OK = frozenset({"decline", "refuse", "urge", "call", "press", "ask", "tell", "promise", "vow",
                            "pledge", "threaten", "demand", "request", "invite", "advise", "order"})
#: Belief verbs that report only as "X sees Y as Z".
_AS_ONLY = frozenset({"see", "view", "regard"})
#: Subjects in the outlet's own voice: "I guess", "we must", "you can call it".
_OUTLET_VOICE = frozenset({"i", "we", "you", "me", "us"})
_WH_WORDS = frozenset({"what", "whether", "if", "how", "why", "when", "where", "who", "which"})
#: Heads of a poll result as a source: "46 percent of voters said", "a majority say".
_POLL_SHARES = frozenset({"percent", "%", "majority", "plurality", "half", "third", "quarter", "fifth",
                          "minority", "share"})
_MENTION_LEFT_DEPS = frozenset({"det", "amod", "compound", "poss", "nummod", "quantmod", "nmod", "predet",
                                "case", "punct"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_PERSONAL = {"he": "singular", "she": "singular", "him": "singular", "her": "singular", "they": "plural",
             "them": "plural", "it": "thing", "i": "speaker", "we": "speaker", "me": "speaker", "us": "speaker",
             "you": "speaker"}
_RELATIVE = frozenset({"who", "which", "that", "whom"})
_NAME_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "PRODUCT", "WORK_OF_ART", "LAW", "EVENT"})
#: Speech verbs that report only with a clause, an "as" complement or a quote ("he continued: …", not "the
#: borrowing continued"), and the particles that complete some of them instead ("call for", "lay out").
_NEEDS_COMPLEMENT: dict[str, frozenset[str]] = {
    verb: frozenset(particles.split()) for verb, particles in {
        "continue": "", "add": "", "read": "", "lay": "out", "spell": "out", "float": "", "pitch": "",
        "weigh": "in", "chime": "in", "post": "", "list": "", "update": "", "correct": "", "document": "",
        "detail": "", "outline": "", "address": "", "call": "for on out", "decline": "", "refuse": "",
        "thank": "for", "invite": "", "speak": "about of out", "talk": "about of", "discuss": "",
        "lobby": "for against", "object": "to", "protest": "against", "brief": "on", "remind": "", "question": "",
        "answer": "", "respond": "to", "reply": "to", "project": "", "estimate": "", "indicate": "", "signal": "",
        "reveal": "", "confirm": "", "press": "for", "push": "for back", "back": "", "direct": "", "order": "",
        "sign": "on", "campaign": "for against", "point": "out to", "rail": "against", "vent": "about",
        "joke": "about", "wonder": "", "maintain": "", "reject": "", "agree": "", "disagree": "with",
        "advise": "", "observe": "", "report": "", "raise": "", "rule": "",
    }.items()
}
_TITLE_SOURCES = frozenset({"poll", "survey", "report", "study", "sources", "source", "officials"})
_CASUALTY_ENTITIES = frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL"})


@dataclass
class Attribution:
    """One attribution found in a claim: the cue, the source mention, the source type, the words it covers.

    A quote the quotes section continues from an earlier sentence has a source but no cue of its own.
    """

    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    source_type: SourceType
    coverage: frozenset[int]
    rule: str
    speaker: str | None = None
    quotes: tuple[int, ...] = ()
    anchor: int | None = None  # the cue's head word (the verb of "have reportedly urged")

    @property
    def head(self) -> tuple[int, int]:
        """The cue's head word as a token range, else the source mention: what identifies the attribution."""
        if self.anchor is not None:
            return (self.anchor, self.anchor + 1)
        cited = self.cue or self.source
        assert cited is not None, "an attribution has a cue or a source"
        return cited


@dataclass(frozen=True)
class HedgeMatch:
    start: int
    end: int
    owner: HedgeOwner
    rule: str


@dataclass
class SourceMemory:
    """Recent source mentions, for resolving "they", "he" and "it" to what they refer to."""

    mentions: list[tuple[str, SourceType, str]] = field(default_factory=list)  # (number, type, name)

    def remember(self, number: str, source_type: SourceType, name: str) -> None:
        self.mentions.append((number, source_type, name))
        del self.mentions[:-8]

    def recall(self, number: str) -> tuple[SourceType, str] | None:
        for remembered_number, source_type, name in reversed(self.mentions):
            if remembered_number == number or (number == "thing" and remembered_number == "singular-thing"):
                return source_type, name
        return None


def claim_units(doc: Doc) -> Iterator[Span]:
    """The claim units of §1: the parse's sentences, also split at blank lines, trimmed of whitespace."""
    for sentence in doc.sents:
        start = sentence.start
        for token in sentence:
            if (token.is_space and "\n\n" in token.text) or "\n\n" in token.whitespace_:
                end = token.i if token.is_space else token.i + 1
                yield from _trimmed(doc, start, end)
                start = token.i + 1
        yield from _trimmed(doc, start, sentence.end)


def _trimmed(doc: Doc, start: int, end: int) -> Iterator[Span]:
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    if end > start and any(ch.isalnum() for token in doc[start:end] for ch in token.text):
        yield doc[start:end]


def headline_prefix(unit: Span) -> Span | None:
    """The source of a title "Name: claim": up to five capitalised words before a colon, a claim after it."""
    colon = next((token for token in unit[:7] if token.text == ":"), None)
    if colon is None or colon.i == unit.start or sum(not t.is_punct for t in unit.doc[colon.i + 1:unit.end]) < 2:
        return None
    prefix = unit.doc[unit.start:colon.i]
    if not all(token.text[:1].isupper() or token.is_punct or token.like_num for token in prefix):
        return None
    if not any(token.pos_ == "PROPN" or token.ent_type_ in _NAME_ENTITIES or token.lemma_.lower() in _TITLE_SOURCES
               for token in prefix):
        return None
    return prefix


def words(unit: Span) -> list[int]:
    """Indices of the unit's word tokens (those with a letter or digit): the denominator of every share."""
    return [token.i for token in unit if any(ch.isalnum() for ch in token.text)]


def is_claim(unit: Span, quoted: Sequence[bool]) -> bool:
    """§1: a clause with a verb, not a heading, not the outlet's own question or instruction."""
    if unit.start == 0 and headline_prefix(unit) is not None:
        return True  # the title "Poll: Wealthy Voters Abandon Republican Party" (title case hides its verb)
    if not any(token.pos_ in ("VERB", "AUX") for token in unit):
        return False
    letters = [ch for ch in unit.text if ch.isalpha()]
    if letters and len(letters) <= 60 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        return False  # an all-capitals heading: "BEFORE YOU GO."
    last = next((token for token in reversed(unit) if not token.is_space and not token.is_quote), None)
    if last is not None and last.text == "?" and not quoted[last.i]:
        return False
    root = unit.root
    instruction = (  # an instruction to the reader: "Follow Pam Key on Twitter"
        root.tag_ == "VB"
        and not quoted[root.i]
        and not any(child.dep_ in _SUBJECTS or child.dep_ in ("aux", "auxpass") for child in root.children)
        and root.i - unit.start <= 3
    )
    return not instruction


class AttributionFinder:
    """Finds the attributions of a claim unit by rules over the parse (§2 of the guideline)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.classifier = SourceClassifier(lexicon)

    def find(self, unit: Span, quoted: Sequence[bool], memory: SourceMemory, first_line: bool) -> list[Attribution]:
        """The outlet's attributions in the unit (a report inside quoted words is the speaker's, not counted)."""
        found: list[Attribution] = []
        for token in unit:
            if quoted[token.i]:
                continue
            lemma = self.lexicon.verb_lemma(token) if token.pos_ in ("VERB", "AUX") else token.lemma_.lower()
            if token.pos_ in ("VERB", "AUX") and self._is_verb_cue(token, lemma):
                verb_attribution = self._verb_attribution(unit, token, quoted, memory)
                if verb_attribution is not None:
                    found.append(verb_attribution)
            elif token.lower_ == "according" and token.i + 1 < unit.end and token.nbor().lower_ == "to":
                attribution = self._according(unit, token, memory)
                if attribution is not None:
                    found.append(attribution)
            elif token.pos_ == "NOUN" and lemma in self.lexicon.cue_nouns and self._has_complement_clause(token):
                found.append(self._noun_attribution(unit, token, memory))
            elif token.lower_ == "in" and token.dep_ == "prep":
                attribution = self._in_document(unit, token, memory)
                if attribution is not None:
                    found.append(attribution)
        if first_line:
            headline = self._headline(unit, memory)
            if headline is not None:
                found.append(headline)
        return found

    def is_cue(self, token: Token) -> bool:
        """Whether a cue word found elsewhere (the quotes section) reports by this lexicon's rules."""
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX"):
            return self._is_verb_cue(token, self.lexicon.verb_lemma(token))
        if token.pos_ == "NOUN":
            return lemma in self.lexicon.cue_nouns and self._has_complement_clause(token)
        return True  # "according to", a headline colon

    # --- verbs -------------------------------------------------------------------------------------------

    def _is_verb_cue(self, token: Token, lemma: str) -> bool:
        """Whether a verb reports here: its lexicon class and the complement that class needs (§2)."""
        lexicon = self.lexicon
        if lemma == "make":  # "made clear that …"
            return any(child.lower_ == "clear" for child in token.children)
        if any(child.dep_ == "mark" and child.lower_ == "as" for child in token.children):
            return lemma in lexicon.speech or lemma == "put"  # "as one adviser pointed out", "as X put it"
        if token.head.lower_ == "worth":
            return False  # "it's worth noting that": the outlet's own voice
        if token.dep_ == "acl" and token.tag_ == "VBN" and not any(child.dep_ == "agent" for child in token.children):
            return False  # "a group called the Legacy Fund", "the bill, known as …": naming, not reporting
        infinitive = any(child.dep_ == "aux" and child.lower_ == "to" for child in token.children)
        if infinitive and token.head.lemma_.lower() not in _ASPECT_VERBS:
            return False  # purpose or complement ("done nothing to explain"): the verb above decides
        if lemma in _AS_ONLY:
            return self._has_as_complement(token)
        if lemma in lexicon.belief and lemma not in lexicon.speech:
            return (self._has_clause(token) and not self._wh_clause(token)) or self._has_as_complement(token)
        if lemma in lexicon.finding and lemma not in lexicon.speech:
            return self._has_clause(token, finite_only=True) or self._subject_is_document(token)
        if lemma not in lexicon.speech:
            return False
        if any(child.dep_ == "neg" for child in token.children):
            return False  # "was never mentioned", "did not say": the outlet asserts that nothing was said
        particles = _NEEDS_COMPLEMENT.get(lemma)
        if particles is None:
            return True
        return (
            (_subject(token) is not None and _ends_report(token))
            or self._has_clause(token, finite_only=lemma not in _INFINITIVE_OK)
            or self._has_as_complement(token)
            or any(child.dep_ in ("prt", "prep") and child.lower_ in particles for child in token.children)
            or any(child.dep_ == "advcl" and any(grand.dep_ == "mark" and grand.lower_ in particles
                                                 for grand in child.children) for child in token.children)
            or self._subject_is_document(token)
        )

    def _has_clause(self, token: Token, finite_only: bool = False) -> bool:
        """A clausal complement, or an object that carries one ("rejected the notion that …")."""
        deps = ("ccomp", "parataxis") if finite_only else _CLAUSE_COMPLEMENTS
        return any(child.dep_ in deps or (child.dep_ == "xcomp" and child.tag_ == "VBG")  # "reported raising"
                   for child in token.children) or any(
            child.dep_ == "dobj" and (child.tag_ in ("WP", "WDT") or self._has_complement_clause(child))
            for child in token.children
        )

    @staticmethod
    def _wh_clause(token: Token) -> bool:
        """ "before they knew what the results would be": a question, not a reported proposition."""
        return any(
            child.dep_ in _CLAUSE_COMPLEMENTS and any(grand.lower_ in _WH_WORDS and grand.i < child.i
                                                      for grand in child.children)
            for child in token.children
        )

    @staticmethod
    def _has_as_complement(token: Token) -> bool:
        """ "described X as Y", "deemed X a trade-off"."""
        return any(child.dep_ == "oprd" or (child.dep_ == "prep" and child.lower_ == "as") for child in token.children)

    def _subject_is_document(self, token: Token) -> bool:
        """ "The report documented …", "a CBS poll showed …": documents report without a clause."""
        subject = next((child for child in token.children if child.dep_ == "nsubj"), None)
        return subject is not None and subject.lemma_.lower() in self.lexicon.documents

    def _verb_attribution(
        self, unit: Span, cue: Token, quoted: Sequence[bool], memory: SourceMemory
    ) -> Attribution | None:
        passive = any(child.dep_ == "auxpass" for child in cue.children)
        agent = next((child for child in cue.children if child.dep_ == "agent"), None)
        coverage = _clause_coverage(cue, unit)
        if _reports_the_sentence(cue, unit):
            coverage = frozenset(words(unit))
        if agent is not None:
            source_head = next((child for child in agent.children if child.dep_ == "pobj"), None)
        elif passive:  # "is said to", "is expected to", "was asked": nobody is named
            return Attribution(_verb_group(cue), None, "vague", coverage, "agentless report", anchor=cue.i)
        else:  # "…, saying", "…, telling the crowd": a participle reports for its clause's subject
            source_head = _subject(cue) or _inherited_subject(cue, quoted)
            if source_head is not None and quoted[source_head.i]:
                source_head = _neighbour_speaker(cue, quoted)  # '"Small steps," Zelensky added' misparsed
        if source_head is None or source_head.lower_ in _OUTLET_VOICE:
            return None
        if self.lexicon.verb_lemma(cue) in self.lexicon.speech:
            coverage |= _quotation(unit)
        source_type, speaker, rule = self.classifier.classify(source_head, memory)
        source = _mention_range(source_head)
        return Attribution(_verb_group(cue), source, source_type, coverage | set(range(*source)),
                           f"cue verb; {rule}", speaker, anchor=cue.i)

    # --- according to, reports that, in a new poll, headline colon ----------------------------------------

    def _according(self, unit: Span, according: Token, memory: SourceMemory) -> Attribution | None:
        to = according.nbor()
        object_ = next((child for child in to.children if child.dep_ == "pobj"), None)
        if object_ is None:
            object_ = next((child for child in according.children if child.dep_ == "pobj"), None)
        if object_ is None:
            return None
        source_type, speaker, rule = self.classifier.classify(object_, memory)
        head = according.head if according.head.i != according.i else unit.root
        coverage = _clause_coverage(head, unit) | set(range(according.i, _mention_range(object_)[1]))
        return Attribution((according.i, to.i + 1), _mention_range(object_), source_type, frozenset(coverage),
                           f"according to; {rule}", speaker)

    def _has_complement_clause(self, noun: Token) -> bool:
        """ "the claim that …", "reports of …": a reporting noun with its content."""
        return any(
            (child.dep_ in ("acl", "ccomp") and any(grand.dep_ == "mark" and grand.lower_ == "that"
                                                    for grand in child.children))
            or (child.dep_ in ("acl", "ccomp") and child.tag_ in ("VBZ", "VBD", "VBP"))
            or (child.dep_ == "prep" and child.lower_ == "of" and noun.lemma_.lower() in ("report", "rumor", "rumour"))
            for child in noun.children
        )

    def _noun_attribution(self, unit: Span, noun: Token, memory: SourceMemory) -> Attribution:
        owner = next((child for child in noun.children if child.dep_ in ("poss", "compound")
                      and child.pos_ in ("PROPN", "PRON", "NOUN")), None)
        by = next((child for child in noun.children if child.dep_ == "prep" and child.lower_ in ("by", "from")), None)
        if owner is None and by is not None:
            owner = next((child for child in by.children if child.dep_ == "pobj"), None)
        coverage = frozenset(token.i for token in noun.subtree if unit.start <= token.i < unit.end)
        if owner is None:
            return Attribution(_token_range(noun), None, "vague", coverage, "reporting noun without a source")
        source_type, speaker, rule = self.classifier.classify(owner, memory)
        return Attribution(_token_range(noun), _mention_range(owner), source_type, coverage,
                           f"reporting noun; {rule}", speaker)

    def _in_document(self, unit: Span, in_: Token, memory: SourceMemory) -> Attribution | None:
        document = next((child for child in in_.children if child.dep_ == "pobj"), None)
        if document is None or document.lemma_.lower() not in self.lexicon.data_sources:
            return None
        head = in_.head
        if head.pos_ not in ("VERB", "AUX") or head.dep_ not in ("ROOT", "conj"):
            return None
        source_type, speaker, rule = self.classifier.classify(document, memory)
        return Attribution(_token_range(in_), _mention_range(document), source_type,
                           _clause_coverage(head, unit), f"in a document; {rule}", speaker)

    def _headline(self, unit: Span, memory: SourceMemory) -> Attribution | None:
        """ "Sanders: Clinton needs to …", "Poll: …": the title's source before a colon."""
        prefix = headline_prefix(unit)
        if prefix is None:
            return None
        source_type: SourceType
        if any(token.pos_ == "PROPN" or token.ent_type_ in _NAME_ENTITIES for token in prefix):
            source_type, speaker, rule = "named", prefix.text, "proper name"
        else:
            source_type, speaker, rule = self.classifier.classify(prefix.root, memory)
        colon = unit.doc[prefix.end]
        return Attribution((colon.i, colon.i + 1), (prefix.start, prefix.end), source_type,
                           frozenset(words(unit)), f"headline 'Source: claim'; {rule}", speaker)


class SourceClassifier:
    """§3: is a source mention named, anonymous or vague? Pronouns are resolved through recent sources."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def classify(self, head: Token, memory: SourceMemory) -> tuple[SourceType, str, str]:
        """(source type, resolved speaker, rule) of the mention whose head token is ``head``."""
        lexicon = self.lexicon
        lower, lemma = head.lower_, head.lemma_.lower()
        mention = _mention_text(head)
        if head.pos_ == "PRON" or lower in _PERSONAL or lower in _RELATIVE:
            return self._pronoun(head, memory)
        modifiers = [child for child in head.children if child.dep_ in ("det", "amod", "nummod", "poss", "predet")]
        quantified = any(child.lower_ in lexicon.quantifiers or child.dep_ == "nummod" for child in modifiers)
        named_part = self._name_in(head)
        number = "plural" if head.tag_ in ("NNS", "NNPS") else "singular"
        if lemma in _POLL_SHARES or (head.like_num and any(child.lower_ == "in" for child in head.children)):
            return self._poll(head, memory, mention)
        of = next((child for child in head.children if child.dep_ == "prep" and child.lower_ == "of"), None)
        members = next((child for child in of.children if child.dep_ == "pobj"), None) if of is not None else None
        if members is not None and (head.like_num or lower in lexicon.quantifiers or lower in ("one", "none")):
            return self.classify(members, memory)  # "one of those advisers", "some of his aides"
        if lemma in lexicon.informants or lower in lexicon.informants:
            name = _apposed_name(head)
            if name is not None:
                return self._remember(memory, number, "named", name.text, "informant with a name")
            return self._remember(memory, number, "anonymous", mention, f"informant: {lemma}")
        if quantified and number == "plural":
            return self._remember(memory, number, "vague", mention, "unspecified share of a group")
        if head.pos_ == "PROPN" or (head.ent_type_ in _NAME_ENTITIES and head.pos_ != "PRON"):
            return self._remember(memory, number, "named", mention, "proper name")
        definite = any(child.lower_ in _DEFINITE or child.dep_ == "poss" for child in modifiers)
        owned_by_name = named_part is not None
        if lemma in lexicon.organisations and (owned_by_name or (definite and number == "singular")):
            return self._remember(memory, "singular-thing", "named", mention, "organisation or document named")
        if lemma in lexicon.person_titles and definite and number == "singular":
            return self._remember(memory, number, "named", mention, "title of a named person")
        if named_part is not None and named_part.dep_ == "appos":
            return self._remember(memory, number, "named", named_part.text, "description with a name")
        if lemma in lexicon.vague_groups or lower in lexicon.vague_groups:
            if definite and any(child.lower_ == "the" for child in modifiers) and number == "plural":
                return self._remember(memory, number, "named", mention, "definite group")
            return self._remember(memory, number, "vague", mention, f"generic source: {lemma}")
        if lemma in lexicon.organisations:
            return self._remember(memory, number, "vague", mention, "unnamed organisation or document")
        if definite:
            return self._remember(memory, number, "named", mention, "definite description")
        if number == "plural" or not modifiers:
            return self._remember(memory, number, "vague", mention, "generic source")  # "history says"
        return self._remember(memory, number, "anonymous", mention, "unnamed individual")

    def _poll(self, head: Token, memory: SourceMemory, mention: str) -> tuple[SourceType, str, str]:
        """ "46 percent of voters said": the poll's respondents, named when the article names a poll."""
        for token in reversed(head.doc[: head.i]):
            if token.lemma_.lower() in ("poll", "survey") and any(
                child.pos_ == "PROPN" or child.ent_type_ == "ORG" for child in token.children
            ):
                return self._remember(memory, "plural", "named", _mention_text(token), "respondents of a named poll")
        return self._remember(memory, "plural", "vague", mention, "respondents of an unnamed poll")

    def _name_in(self, head: Token) -> Token | None:
        """A proper name among the mention's modifiers or appositions ("a spokesman, Brian Fallon")."""
        for child in head.children:
            if child.dep_ in ("compound", "poss", "appos", "nmod") and child.pos_ == "PROPN":
                return child
            if child.dep_ == "appos" and any(grand.pos_ == "PROPN" for grand in child.subtree):
                return next(grand for grand in child.subtree if grand.pos_ == "PROPN")
        return None

    def _pronoun(self, head: Token, memory: SourceMemory) -> tuple[SourceType, str, str]:
        lower = head.lower_
        if lower in _RELATIVE:
            antecedent = head.head.head if head.head.dep_ == "relcl" else None
            if antecedent is not None and antecedent.i != head.i and antecedent.pos_ in ("NOUN", "PROPN"):
                return self.classify(antecedent, memory)
            return "named", head.text, "relative pronoun"
        number = _PERSONAL.get(lower, "singular")
        if number == "speaker":
            return "named", head.text, "first or second person"
        recalled = memory.recall(number)
        if recalled is not None:
            source_type, name = recalled
            return source_type, name, f"pronoun resolved to {name!r}"
        return "named", head.text, "pronoun"

    @staticmethod
    def _remember(memory: SourceMemory, number: str, source_type: SourceType, name: str,
                  rule: str) -> tuple[SourceType, str, str]:
        memory.remember(number, source_type, name)
        return source_type, name, rule


class HedgeFinder:
    """§4: hedge adverbs, raising verbs, appearance verbs and adjectives, and whose words they are."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def find(self, unit: Span, quoted: Sequence[bool]) -> list[HedgeMatch]:
        lexicon = self.lexicon
        found: list[tuple[int, int, str]] = []
        for token in unit:
            lower, lemma = token.lower_, token.lemma_.lower()
            if lower in lexicon.hedge_adverbs:
                found.append((token.i, token.i + 1, "adverb"))
            elif lemma in lexicon.raising_verbs and token.tag_ == "VBN" and _has_infinitive(token):
                auxiliary = next((child for child in token.children if child.dep_ == "auxpass"), None)
                if auxiliary is not None:
                    to = _infinitive_marker(token)
                    start = auxiliary.i if auxiliary.i < token.i else token.i
                    found.append((start, (to.i + 1) if to is not None and to.i > token.i else token.i + 1,
                                  "raising verb"))
            elif lemma in lexicon.appearance_verbs and token.pos_ in ("VERB", "AUX") and not _negated_ability(token):
                if _has_infinitive(token) or any(child.dep_ in ("acomp", "attr") for child in token.children):
                    to = _infinitive_marker(token)
                    end = to.i + 1 if to is not None and to.i == token.i + 1 else token.i + 1
                    found.append((token.i, end, "appearance verb"))
            elif lower in lexicon.hedge_adjectives and token.dep_ == "amod":
                found.append((token.i, token.i + 1, "adjective"))
        return [
            HedgeMatch(start, end, "quoted" if quoted[start] else "outlet", rule) for start, end, rule in found
        ]


class CheckFirstFinder:
    """Numbers, dates, casualty words and loaded words: why an unsourced claim should be checked first."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in lexicon.loaded_phrases:
            self.phrases.setdefault(phrase[0], []).append(phrase)

    def entities(self, doc: Doc) -> list[tuple[str, int, int]]:
        """The doc's number and date entities as (reason, start, end): computed once per article."""
        found = []
        for entity in doc.ents:
            if entity.label_ in _CASUALTY_ENTITIES:
                found.append(("number", entity.start, entity.end))
            elif entity.label_ == "DATE" and any(token.like_num for token in entity):
                found.append(("date", entity.start, entity.end))
        return found

    def find(self, unit: Span, entities: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """(reason, first token, end token) of each cue in the claim."""
        lexicon = self.lexicon
        cues = [entity for entity in entities if unit.start <= entity[1] and entity[2] <= unit.end]
        doc = unit.doc
        for token in unit:
            lower, lemma = token.lower_, token.lemma_.lower()
            if lower in lexicon.casualties or lemma in lexicon.casualties:
                cues.append(("casualties", token.i, token.i + 1))
            if lower in lexicon.loaded or lemma in lexicon.loaded:
                cues.append(("loaded language", token.i, token.i + 1))
            for phrase in self.phrases.get(lower, ()):
                end = token.i + len(phrase)
                if end <= unit.end and all(doc[token.i + k].lower_ == word for k, word in enumerate(phrase)):
                    cues.append(("loaded language", token.i, end))
        return cues


# --- helpers ---------------------------------------------------------------------------------------------


def _subject(verb: Token) -> Token | None:
    return next((child for child in verb.children if child.dep_ in ("nsubj", "nsubjpass")), None)


def _inherited_subject(token: Token, quoted: Sequence[bool]) -> Token | None:
    """The outlet's subject of the clause a participle hangs from ("Mr. Bush … responded by first saying")."""
    for _ in range(4):
        if token.head.i == token.i:
            return None
        token = token.head
        subject = _subject(token)
        if subject is not None and not quoted[subject.i] and subject.lower_ not in ("it", "there"):
            return subject
    return None


def _ends_report(cue: Token) -> bool:
    """ "…, CNN reported.": the verb ends its sentence after a comma, reporting what came before."""
    sentence = cue.sent
    after = [token for token in sentence.doc[cue.i + 1:sentence.end] if not token.is_punct and not token.is_space]
    before = sentence.doc[max(sentence.start, cue.i - 4):cue.i]
    return not after and any(token.text == "," for token in before)


def _neighbour_speaker(cue: Token, quoted: Sequence[bool]) -> Token | None:
    """The noun right before or after a cue whose parsed subject is quoted words: "…,” Zelensky added."""
    doc = cue.doc
    for index in (cue.i - 1, cue.i + 1):
        if 0 <= index < len(doc) and not quoted[index] and doc[index].pos_ in ("PROPN", "NOUN", "PRON"):
            token = doc[index]
            while token.dep_ in ("compound", "flat") and token.head.i != token.i:
                token = token.head
            return token
    return None


def _reports_the_sentence(cue: Token, unit: Span) -> bool:
    """A reporting clause set off by commas or "as": "…, sources said.", "…, he added, …", "as X noted, …".

    The parse often hangs such a clause below the content it reports; it still reports the whole sentence.
    """
    if cue.dep_ == "ROOT" or any(child.dep_ in _CLAUSE_COMPLEMENTS for child in cue.children):
        return False
    if any(child.dep_ == "mark" and child.lower_ == "as" for child in cue.children):
        return True
    if _subject(cue) is None:
        return False  # a participle ("Norvell Rose, reporting for …, was on hand") reports nothing of its own
    doc = unit.doc
    left, right = cue.left_edge.i, cue.right_edge.i
    bracketed = (left > unit.start and doc[left - 1].text == ","
                 and (right + 1 >= unit.end or doc[right + 1].text in (",", ".")))
    after = [token for token in doc[cue.i + 1:unit.end] if not token.is_punct and not token.is_space]
    before = doc[max(unit.start, cue.i - 4):cue.i]
    return bracketed or (not after and any(token.text in (",", "—", "–") for token in before))


def _quotation(unit: Span) -> frozenset[int]:
    """The tokens between the unit's first and last quotation mark: the words a speech verb reports."""
    marks = [token.i for token in unit if token.is_quote or token.text in ("“", "”", "''", "``")]
    return frozenset(range(marks[0], marks[-1] + 1)) if len(marks) >= 2 else frozenset()


def _apposed_name(head: Token) -> Token | None:
    """The name in an apposition: "a spokesman, Brian Fallon"; "Corker's partner, Sen. Benjamin Cardin"."""
    for child in head.children:
        if child.dep_ == "appos":
            return next((token for token in child.subtree if token.pos_ == "PROPN"), None)
    return None


def _verb_group(verb: Token) -> tuple[int, int]:
    """The cue as §5 wants it: the verb with its auxiliaries, negation and adverbs before it and its particle
    after it ("have reportedly urged", "pointed out")."""
    start, end = verb.i, verb.i + 1
    children = {child.i: child for child in verb.children}
    while start - 1 in children and children[start - 1].dep_ in ("aux", "auxpass", "neg", "advmod"):
        start -= 1
    while end in children and children[end].dep_ == "prt":
        end += 1
    return start, end


def _token_range(token: Token) -> tuple[int, int]:
    return token.i, token.i + 1


def _mention_range(head: Token) -> tuple[int, int]:
    """The source mention: the head with its left modifiers and a trailing name ("a spokesman, Brian Fallon")."""
    start = min([head.i] + [child.left_edge.i for child in head.lefts if child.dep_ in _MENTION_LEFT_DEPS])
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in ("appos", "compound", "flat", "nmod") or (child.dep_ == "prep" and child.lower_ == "of"):
            end = max(end, child.right_edge.i + 1)
        elif child.dep_ == "punct" and child.i == end:
            continue
        else:
            break
    while end - 1 > start and head.doc[end - 1].is_punct:
        end -= 1
    return start, end


def _mention_text(head: Token) -> str:
    start, end = _mention_range(head)
    return head.doc[start:end].text


def _clause_coverage(head: Token, unit: Span) -> frozenset[int]:
    """The words a cue's clause covers: its subtree, less coordinated clauses with a subject of their own."""
    excluded: set[int] = set()
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and _subject(child) is not None:
            excluded.update(token.i for token in child.subtree)
            excluded.update(token.i for token in head.children if token.dep_ == "cc" and token.i < child.i)
    return frozenset(
        token.i for token in head.subtree if unit.start <= token.i < unit.end and token.i not in excluded
    )


def _has_infinitive(token: Token) -> bool:
    return any(child.dep_ == "xcomp" and _infinitive_marker(token) is not None for child in token.children)


def _infinitive_marker(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ == "xcomp":
            return next((grand for grand in child.children if grand.dep_ == "aux" and grand.lower_ == "to"), None)
    return None


def _negated_ability(token: Token) -> bool:
    """ "can't seem to": an idiom of failing, not a hedge."""
    children = list(token.children)
    return any(child.dep_ == "neg" for child in children) and any(
        child.lower_ in ("ca", "can", "could", "couldn") for child in children
    )

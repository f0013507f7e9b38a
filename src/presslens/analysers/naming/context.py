"""Context rules over the parse: what the words around a name say about how the outlet uses it.

Each rule returns the cue it rests on (a ``Span`` of the article, or ``None``), so a record can show its evidence:

- :func:`vetoed`: a variant's guard words (``unless_next``/``unless_previous``) rule the match out;
- :func:`distancing_cue`: the outlet keeps its distance from a party's term (so-called, self-proclaimed,
  Russian-backed, what Moscow calls, scare quotes);
- :class:`Quotations`: the mention is inside someone else's quoted words;
- :func:`metonym_cue`: a capital stands for its government ("Kiev has lost ...", "demanding that Kiev withdraw");
- :func:`agent_side`: who does what a "liberated" names (Russian or Ukrainian forces).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from spacy.tokens import Span, Token

from presslens.knowledge import Variant

Side = Literal["russian", "ukrainian"]

# --- guards --------------------------------------------------------------------------------------------------


def _matches(token: Token, guards: Iterable[str]) -> bool:
    for guard in guards:
        if guard.startswith("POS:"):
            if token.pos_ == guard[4:]:
                return True
        elif token.lower_ == guard.lower():
            return True
    return False


#: Words before a place name that make it part of another name ("Battlegroup Dnepr" is a Russian army group).
_NAME_PREFIXES = frozenset({"battlegroup"})


def vetoed(span: Span, variant: Variant) -> bool:
    """True when the context rules the match out: a veto word or POS tag right after (or before) it, a word the
    sentence must (or must not) contain, or a name it is only part of ("Battlegroup Dnepr")."""
    doc = span.doc
    if variant.unless_next and span.end < len(doc) and _matches(doc[span.end], variant.unless_next):
        return True
    if span.start > 0 and (
        _matches(doc[span.start - 1], variant.unless_previous) or doc[span.start - 1].lower_ in _NAME_PREFIXES
    ):
        return True
    if variant.sentence_has or variant.sentence_lacks:
        words = {token.text for token in span.sent}
        if variant.sentence_has and not words.intersection(variant.sentence_has):
            return True
        if words.intersection(variant.sentence_lacks):
            return True
    return False


# --- distancing ----------------------------------------------------------------------------------------------

_QUALIFIER = re.compile(
    r"(?i)\b(?:so-called|self-(?:proclaimed|declared|styled)|unrecogni[sz]ed|puppet|pseudo|quasi|separatist|"
    r"(?:Russian|Russia|Moscow|Kremlin)-(?:backed|installed|controlled|led|appointed|imposed)|illegitimate|"
    r"sham|fake|occupation)(?=\W*$)"
)
_SAYS = r"(?:calls?|called|terms?|termed|dubs?|dubbed|describes?\s+as|described\s+as|refers?\s+to\s+as|labels?)"
_PARTY = (
    r"(?:Moscow|Russia|the\s+Kremlin|Kremlin|Putin|Vladimir\s+Putin|Russian\s+(?:officials|authorities|media|"
    r"state\s+media|leaders|President\s+Vladimir\s+Putin)|the\s+Russian\s+(?:government|president|side)|"
    r"Kyiv|Kiev|Ukraine|Ukrainian\s+officials|Argentina|Israel|Greece|Athens|Tehran|Iran|"
    r"Arab\s+states|the\s+junta|the\s+military)"
)
_CALLS_BEFORE = re.compile(
    rf"(?i)\b(?:what|which|that|as)\s+{_PARTY}(?:'s)?\s+(?:\w+\s+)?{_SAYS}\s+(?:an?\s+|the\s+|its\s+|it\s+)?$"
)
_CALLS_AFTER = re.compile(rf"(?i)^\W{{0,3}}(?:as|what)\s+{_PARTY}\s+(?:\w+\s+)?{_SAYS}\b")


def distancing_cue(span: Span, text: str) -> tuple[int, int] | None:
    """Character offsets of the words that distance the outlet from the term at ``span``, if any.

    A qualifier right before the term (within its noun phrase: at most four tokens back, stopping at a verb or
    punctuation), an attribution ("what Moscow calls a ...", "..., as the Kremlin calls it"), or scare quotes
    around exactly the term.
    """
    doc = span.doc
    sentence = span.sent
    start = span.start
    while start > max(sentence.start, span.start - 4):
        token = doc[start - 1]
        finite = token.tag_ in {"VBD", "VBZ", "VBP", "MD"}  # participles qualify: self-proclaimed, so-called
        if finite or (token.is_punct and token.text not in {"-", "'", "’", "“", '"', "«"}):
            break
        start -= 1
    before = text[doc[start].idx:span.start_char] if start < span.start else ""
    found = _QUALIFIER.search(before)
    if found:
        offset = doc[start].idx
        return offset + found.start(), offset + found.end()
    window_start = doc[max(sentence.start, span.start - 10)].idx
    calls = _CALLS_BEFORE.search(text[window_start:span.start_char])
    if calls:
        return window_start + calls.start(), window_start + calls.end()
    after_end = doc[min(sentence.end, span.end + 8) - 1].idx + len(doc[min(sentence.end, span.end + 8) - 1])
    calls = _CALLS_AFTER.search(text[span.end_char:after_end])
    if calls:
        return span.end_char + calls.start(), span.end_char + calls.end()
    return scare_quotes(span, text)


_OPENING = {"“": "”", '"': '"', "«": "»", "‘": "’"}


_QUOTE_LEAD = re.compile(r"(?i)(?:(?:an?|the)\s+)?(?:[a-z]+\s+)?$")


def scare_quotes(span: Span, text: str) -> tuple[int, int] | None:
    """Offsets of quote marks wrapping the term (“DPR”, "a special military operation", “northern Arabian Gulf”):
    at most an article and one word may precede the term inside the marks, and nothing may follow it."""
    after = span.end_char
    if after >= len(text):
        return None
    line_start = text.rfind("\n", 0, span.start_char) + 1
    for before in range(span.start_char - 1, max(line_start, span.start_char - 20) - 1, -1):
        closing = _OPENING.get(text[before])
        if closing is not None:
            end = after + 1 if text[after] in ",." and after + 1 < len(text) else after  # "Novorussia,"
            if text[end] == closing and _QUOTE_LEAD.fullmatch(text[before + 1:span.start_char]):
                return before, end + 1
            return None
    return None


class Quotations:
    """The quoted passages of a text (“…”, "…", «…»): words the outlet reports rather than uses."""

    _PASSAGE = re.compile(r"“[^”]{1,2000}”|\"[^\"\n]{1,2000}\"|«[^»]{1,2000}»")

    def __init__(self, text: str) -> None:
        self.passages = [(match.start(), match.end()) for match in self._PASSAGE.finditer(text)]

    def around(self, start: int, end: int) -> tuple[int, int] | None:
        """The quoted passage that contains ``[start, end)``, if any."""
        for passage_start, passage_end in self.passages:
            if passage_start < start and end < passage_end:
                return passage_start, passage_end
            if passage_start > start:
                break
        return None


# --- metonyms ------------------------------------------------------------------------------------------------

# Verbs whose subject is the place itself, not its government ("Kyiv lies on the Dnieper", "Kyiv woke up to ...").
_PLACE_VERBS = frozenset({
    "be", "lie", "sit", "remain", "stand", "border", "host", "house", "wake", "shake", "suffer", "experience",
    "see", "become", "look", "sleep", "endure", "tremble", "rock", "plunge", "go", "stretch", "locate", "grow",
    "have",
})
# Nouns a government has or does (Kiev's troops, Kiev forces, Kyiv's decision), not a city.
_GOVERNMENT_NOUNS = frozenset({
    "troop", "force", "army", "military", "soldier", "government", "leadership", "authority", "official", "ally",
    "backer", "partner", "sponsor", "regime", "counteroffensive", "offensive", "position", "stance", "policy",
    "demand", "request", "claim", "control", "refusal", "decision", "response", "side", "delegation",
    "negotiator", "diplomat", "envoy", "supporter", "ambition", "bid", "plan", "aggression", "militant", "unit",
    "commander", "defence", "defense", "loss", "action", "provocation", "crime", "approach", "intention",
    "propaganda", "narrative", "accusation", "failure", "readiness", "willingness", "unwillingness", "campaign",
    "denazification", "strategy", "agenda", "proposal", "statement", "reaction", "ultimatum", "consent",
})
# Nouns that make the object of a preposition a government, by preposition: talks with Kiev, pressure on Kyiv,
# aid to Kyiv, war on Kyiv (but not "strikes on Kyiv", "attack on Kyiv": the city).
_GOVERNMENT_OBJECTS: dict[str, frozenset[str]] = {
    "with": frozenset({"talk", "negotiation", "relation", "dialogue", "deal", "agreement", "contact", "tie",
                       "cooperation", "dispute", "meeting", "conflict"}),
    "between": frozenset({"talk", "negotiation", "relation", "dialogue", "deal", "agreement", "contact", "tie"}),
    "on": frozenset({"pressure", "sanction", "demand", "war", "ultimatum"}),
    "to": frozenset({"aid", "support", "weapon", "arm", "assistance", "ultimatum", "offer", "proposal", "message",
                     "demand", "loan", "supply", "delivery", "shipment", "appeal", "call", "warning"}),
    "for": frozenset({"support", "aid", "weapon", "arm", "assistance"}),
    "from": frozenset({"demand", "request", "response", "reaction", "statement", "refusal", "proposal",
                       "delegation", "official", "envoy", "diplomat", "negotiator", "signal"}),
    "against": frozenset({"war", "aggression", "sanction", "accusation", "claim", "case", "lawsuit", "operation"}),
}
# Verbs of persuasion whose object (or passive subject) is an actor: "urged Kiev to", "Kyiv was urged".
_PERSUASION_VERBS = frozenset({
    "urge", "ask", "accuse", "pressure", "force", "call", "blame", "criticize", "criticise", "warn", "tell",
    "push", "invite", "promise", "expect", "require", "order", "persuade", "convince", "encourage", "allow",
})


def metonym_cue(span: Span) -> Token | None:
    """The word that makes a capital's name stand for its government, if any.

    Rules over the dependency parse: the name is the subject of a verb other than a place verb ("Kiev has lost",
    "demanding that Kiev withdraw"), the passive subject of a verb of persuasion ("Kyiv was urged"), the
    possessor of a government noun ("Kiev's forces"), the object of a preposition attached to one ("talks with
    Kyiv", "pressure on Kiev"), the agent of a passive ("rejected by Kyiv"), or the first part of "Kyiv-backed".
    """
    token = span.root
    doc = span.doc
    if span.end + 1 < len(doc) and doc[span.end].text == "-" and doc[span.end + 1].lower_ in {
        "backed", "controlled", "held", "led", "friendly", "loyal",
    }:
        return doc[span.end + 1]
    if token.dep_ == "conj" and token.head.dep_ in {"nsubj", "poss", "pobj", "dobj", "compound"}:
        token = token.head
    head = token.head
    if token.dep_ == "nsubj" and head.pos_ in {"VERB", "AUX"} and head.lemma_ not in _PLACE_VERBS:
        return head
    if token.dep_ in {"nsubjpass", "dobj"} and head.lemma_ in _PERSUASION_VERBS:
        return head
    if token.dep_ in {"poss", "compound", "amod", "nmod"} and head.lemma_.lower() in _GOVERNMENT_NOUNS:
        return head
    if span.end + 1 < len(doc) and doc[span.end].text in {"'s", "’s"}:  # "Kiev's actions", even when misparsed
        owned = doc[span.end + 1]
        if owned.lower_.removesuffix("s") in _GOVERNMENT_NOUNS or owned.lemma_.lower() in _GOVERNMENT_NOUNS:
            return owned
    if token.dep_ == "pobj" and head.dep_ in {"prep", "agent"}:
        attached = head.head
        if head.dep_ == "agent" or (head.lower_ == "by" and attached.pos_ in {"VERB", "NOUN"}):
            return attached
        nouns = _GOVERNMENT_OBJECTS.get(head.lower_, frozenset())
        if attached.lemma_.lower() in nouns:
            return attached
        if attached.pos_ == "VERB":  # "declared war on Kyiv", "put pressure on Kiev"
            for child in attached.children:
                if child.dep_ == "dobj" and child.lemma_.lower() in nouns:
                    return child
    return None


# --- agents --------------------------------------------------------------------------------------------------

_SIDE_WORDS: dict[Side, re.Pattern[str]] = {
    "russian": re.compile(
        r"\b(?:Russia|Russian|Russians|Moscow|Kremlin|DPR|LPR|DNR|LNR|Donbass|Wagner|Chechen|Akhmat|"
        r"allied\s+forces|people's\s+militia|Battlegroup|Group\s+of\s+Forces)\b", re.IGNORECASE),
    "ukrainian": re.compile(
        r"\b(?:Ukraine|Ukrainian|Ukrainians|Kyiv|Kiev|AFU|ZSU|Armed\s+Forces\s+of\s+Ukraine|Azov|Zelensky\w*)\b",
        re.IGNORECASE),
}
_CLAUSE_LINKS = {"advcl", "xcomp", "conj", "acl", "relcl", "ccomp", "pcomp", "pobj", "prep", "dobj"}


def side_of(text: str) -> Side | None:
    """The side a phrase names ("Russian forces", "the DPR militia", "Ukrainian troops"), if exactly one."""
    sides = [side for side, words in _SIDE_WORDS.items() if words.search(text)]
    return sides[0] if len(sides) == 1 else None


def _agent_phrase(token: Token) -> Span | None:
    """The subject (or by-agent) of the clause ``token`` belongs to, climbing through linked clauses."""
    current: Token | None = token
    for _ in range(6):
        if current is None:
            return None
        for child in current.children:
            if child.dep_ in {"nsubj", "csubj"}:
                return child.doc[child.left_edge.i:child.right_edge.i + 1]
            if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
                objects = [grandchild for grandchild in child.children if grandchild.dep_ == "pobj"]
                if objects:
                    return child.doc[objects[0].left_edge.i:objects[0].right_edge.i + 1]
            if child.dep_ == "poss":
                return child.doc[child.left_edge.i:child.right_edge.i + 1]
        if current.dep_ not in _CLAUSE_LINKS or current.head is current:
            return None
        current = current.head
    return None


def agent_side(span: Span, place_sides: dict[int, Side], article_side: Side | None = None,
               ) -> tuple[Side, tuple[int, int]] | None:
    """Who does the liberating at ``span``, and the words that say so.

    The agent is the subject or by-phrase of the clause (climbing from a participle to its main clause:
    "the militia is advancing, liberating Volnovakha"); failing that, the only side the sentence names; failing
    that, the side whose naming the liberated place follows (``place_sides``: token index -> side); failing that,
    the side whose terms the rest of the article uses (``article_side``: "the occupiers ... the liberated
    Kherson"). None when nothing says.
    """
    agent = _agent_phrase(span.root)
    if agent is not None:
        side = side_of(agent.text)
        if side is not None:
            return side, (agent.start_char, agent.end_char)
    sentence = span.sent
    side = side_of(sentence.text)
    if side is not None:
        return side, (sentence.start_char, sentence.end_char)
    for index in range(span.end, min(sentence.end, span.end + 8)):
        if index in place_sides:
            token = span.doc[index]
            return place_sides[index], (token.idx, token.idx + len(token))
    if article_side is not None:
        return article_side, (span.start_char, span.end_char)
    return None


# --- regions -------------------------------------------------------------------------------------------------

_REGION_NOUNS = frozenset({"region", "regions", "oblast", "oblasts", "province", "provinces", "regional"})
_LIST_TOKENS = frozenset({",", "and", "or", "&"})


def names_a_region(span: Span) -> Token | None:
    """The word that makes a city's name stand for its region, if any: "the Kherson and Zaporizhzhia regions",
    "the regions of Zaporozhye and Kherson", "Zaporozhye's regional authorities", "Zaporizhzhya, a southern
    Ukrainian region"."""
    doc, sentence = span.doc, span.sent
    index = span.end
    while index < sentence.end and (doc[index].pos_ == "PROPN" or doc[index].lower_ in _LIST_TOKENS
                                    or doc[index].text in {"'s", "’s"}):
        index += 1
    if index < sentence.end and doc[index].lower_ in _REGION_NOUNS:
        return doc[index]
    index = span.start - 1
    while index >= sentence.start and (doc[index].pos_ == "PROPN" or doc[index].lower_ in _LIST_TOKENS):
        index -= 1
    if index - 1 >= sentence.start and doc[index].lower_ == "of" and doc[index - 1].lower_ in _REGION_NOUNS:
        return doc[index - 1]
    if span.end + 2 < sentence.end and doc[span.end].text == ",":
        for token in doc[span.end + 1:min(sentence.end, span.end + 6)]:
            if token.lower_ in {"region", "oblast", "province"}:
                return token
            if token.pos_ not in {"DET", "ADJ", "PROPN"}:
                break
    return None

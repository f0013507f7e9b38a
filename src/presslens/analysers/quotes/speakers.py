"""Who a source mention refers to, resolved within the article by rules over the parse (no coreference model
works offline here; see the stack notes).

- a mention holding a person or organisation name: that name, linked to its fullest form in the article
  (``Zelensky`` → the earlier ``Vladimir Zelensky``, ``AP`` → ``the Associated Press (AP)``) and to the
  knowledge base's canonical name through the ``entities`` records;
- a pronoun: the most recent compatible speaker or subject before it, never someone named inside the quote
  itself ("Putin would “sell this victory”, he predicted": *he* is not Putin);
- a role noun ("the president", "the Ukrainian leader", "the agency"): the person whose titles in the article
  include it (``Ukrainian President Vladimir Zelensky``), or the nearest organisation;
- an unnamed source: typed ``anonymous`` ("Western officials", "a senior aide") or ``vague`` ("media
  reports", "critics");
- a coordination ("they – along with Zelensky’s own military leadership"): each part, joined with "; ".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from presslens.analysers.quotes.records import SpeakerType

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "himself", "herself"})
GROUP_PRONOUNS = frozenset({"they", "them", "themselves"})
THING_PRONOUNS = frozenset({"it", "itself"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})


@lru_cache(maxsize=1)
def lexicons() -> dict[str, Any]:
    """The analyser's word lists (``lexicons.yaml`` in this package)."""
    text = (resources.files(__package__) / "lexicons.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _words(name: str) -> frozenset[str]:
    return frozenset(lexicons()[name])


ANONYMOUS_NOUNS = _words("anonymous_nouns")
VAGUE_NOUNS = _words("vague_nouns")
ORGANISATION_NOUNS = _words("organisation_nouns")
ROLE_SYNONYMS = {role: frozenset(titles) for role, titles in lexicons()["role_synonyms"].items()}
HONORIFICS = _words("honorifics")
HONORIFICS_AND_TITLES = _words("titles")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "some"})
_COORDINATORS = (("along", "with"), ("together", "with"), ("as", "well", "as"), ("and",))
_NAME_LABELS = {"PERSON": "person", "ORG": "organisation", "GPE": "organisation", "NORP": "organisation"}


@dataclass(frozen=True)
class NameMention:
    """A person/organisation mention of the article, with the titles written next to it."""

    start: int
    end: int
    label: str
    name: str
    descriptors: frozenset[str]
    surface: str = ""


@dataclass(frozen=True)
class Resolution:
    """A resolved speaker: name (or the unnamed source's description), type, and the rule that decided."""

    speaker: str | None
    speaker_type: SpeakerType | None
    rule: str


@dataclass(frozen=True)
class Said:
    """An earlier resolved attribution, for pronouns: where its source stood and whom it resolved to."""

    position: int
    resolution: Resolution


UNRESOLVED = Resolution(None, None, "unresolved")


class SpeakerResolver:
    """Resolves source mentions of one article (see the module docstring).

    ``names`` are the article's named-entity mentions as ``(start_char, end_char, label, canonical)``, the
    ``entities`` section's records: their canonical names carry the knowledge base's choices.
    """

    def __init__(self, doc: Doc, names: Iterable[tuple[int, int, str, str]]) -> None:
        self.doc = doc
        mentions = []
        for start_char, end_char, label, canonical in names:
            if label not in _NAME_LABELS:
                continue
            span = doc.char_span(start_char, end_char, alignment_mode="contract")
            if span is None or not len(span):
                continue
            mentions.append(
                NameMention(span.start, span.end, label, _clean_name(canonical), _descriptors(span), span.text)
            )
        self.mentions = self._link(mentions)
        self._by_token = {index: mention for mention in self.mentions for index in range(mention.start, mention.end)}

    # --- names -------------------------------------------------------------------------------------------

    def _link(self, mentions: list[NameMention]) -> list[NameMention]:
        """Short forms linked to a full form in the article: surnames, acronyms, honorific + surname.

        A surname goes to the closest full name before it (else the first after) that carries the same title
        when the short form has one ("President Obama" is not the earlier "Michelle Obama").
        """
        full: dict[str, list[NameMention]] = {}
        for mention in mentions:
            if mention.label != "PERSON":
                continue
            for written in dict.fromkeys((mention.name, mention.surface)):  # canonical surname and written one
                parts = written.split()
                if len(parts) >= 2 and parts[-1].lower() not in HONORIFICS:
                    full.setdefault(parts[-1].lower(), []).append(mention)
        acronyms = self._acronyms(mentions)
        linked = []
        for mention in mentions:
            name = mention.name
            for written in (mention.name, mention.surface):
                words = [word for word in written.split() if word.lower() not in HONORIFICS] or [written]
                if len(words) != 1:
                    continue
                if words[0] in acronyms:
                    name = acronyms[words[0]]
                    break
                candidates = full.get(words[0].lower())
                if candidates:
                    name = _closest(mention, candidates).name
                    break
            linked.append(
                NameMention(mention.start, mention.end, mention.label, name, mention.descriptors, mention.surface)
            )
        return linked

    def _acronyms(self, mentions: list[NameMention]) -> dict[str, str]:
        """``the Associated Press (AP)``: AP stands for Associated Press."""
        doc, found = self.doc, {}
        for mention in mentions:
            index = mention.end
            if doc[index - 1].text != "(":  # the NER sometimes takes the bracket into the name
                if index >= len(doc) or doc[index].text != "(":
                    continue
                index += 1
            if index + 1 < len(doc) and doc[index].text.isupper() and doc[index + 1].text == ")":
                found[doc[index].text] = mention.name
        return found

    # --- resolution ---------------------------------------------------------------------------------------

    def resolve(self, mention: Span, excluded: Sequence[tuple[int, int]], earlier: Sequence[Said]) -> Resolution:
        """The speaker a source mention refers to.

        ``excluded`` are token ranges (the quote's own content) that cannot hold the antecedent; ``earlier``
        are the attributions resolved before this one, in text order.
        """
        parts = _coordinated_parts(mention)
        if len(parts) > 1:
            resolved = [self._resolve_one(part, excluded, earlier) for part in parts]
            named = [part for part in resolved if part.speaker]
            if named:
                return Resolution(
                    "; ".join(part.speaker for part in named if part.speaker),
                    named[0].speaker_type,
                    "coordination: " + ", ".join(part.rule for part in named),
                )
        return self._resolve_one(mention, excluded, earlier)

    def _resolve_one(self, mention: Span, excluded: Sequence[tuple[int, int]], earlier: Sequence[Said]) -> Resolution:
        root = mention.root
        lemma = root.lemma_.lower()
        named = self._by_token.get(root.i) or next(
            (self._by_token[child.i] for child in root.children if child.dep_ == "appos" and child.i in self._by_token),
            None,
        )  # "the president of the union, Carla Diaz": the apposition names her
        if named is not None:
            return Resolution(named.name, _NAME_LABELS[named.label], f"name: {named.label}")  # type: ignore[arg-type]
        lower = root.lower_
        if lower in RELATIVE_PRONOUNS and root.head.dep_ in ("relcl", "acl") and root.head.head.i != root.i:
            antecedent = root.head.head  # "Trump, who said …": the noun the clause hangs on
            if antecedent.pos_ in ("NOUN", "PROPN", "PRON"):
                return self._resolve_one(noun_phrase(antecedent), excluded, earlier)
        if lower in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS:
            return self._pronoun(root, excluded, earlier)
        if root.pos_ in ("NOUN", "PROPN"):
            if _determiner(mention) in ("the", "this", "that"):
                role = self._role_noun(mention, root, excluded)
                if role is not None:
                    return role
            if lemma in VAGUE_NOUNS:
                return Resolution(self._description(mention), "vague", f"vague source: {lemma}")
            if lemma in ANONYMOUS_NOUNS:
                return Resolution(self._description(mention), "anonymous", f"unnamed source: {lemma}")
            if lemma in ORGANISATION_NOUNS:
                return Resolution(self._description(mention), "organisation", f"organisation noun: {lemma}")
            return Resolution(self._description(mention), None, "description")
        if lemma in VAGUE_NOUNS:
            return Resolution(self._description(mention), "vague", f"vague source: {lemma}")
        return UNRESOLVED

    def _pronoun(self, root: Token, excluded: Sequence[tuple[int, int]], earlier: Sequence[Said]) -> Resolution:
        lower = root.lower_
        wanted: tuple[str, ...]
        if lower in PERSON_PRONOUNS:
            wanted = ("person",)
        elif lower in GROUP_PRONOUNS:
            wanted = ("anonymous", "organisation", "vague", "person")
        else:
            wanted = ("organisation",)
        candidates: list[tuple[int, Resolution]] = []
        for said in earlier:
            if said.position < root.i and said.resolution.speaker_type in wanted and said.resolution.speaker:
                if lower in GROUP_PRONOUNS and said.resolution.speaker_type == "person":
                    continue
                candidates.append((said.position, said.resolution))
        for mention in self.mentions:
            if mention.end > root.i or _inside(mention.start, excluded):
                continue
            kind = _NAME_LABELS[mention.label]
            compatible = kind in wanted and (lower not in GROUP_PRONOUNS or mention.label in ("ORG", "NORP"))
            if compatible and self._subject_head(mention):  # the subject of its clause: the likeliest antecedent
                candidates.append((mention.start, Resolution(mention.name, kind, "")))  # type: ignore[arg-type]
        if lower in GROUP_PRONOUNS:
            for token in self.doc[max(0, root.i - 120) : root.i]:
                if token.tag_ in ("NNS", "NNPS") and token.dep_ in ("nsubj", "nsubjpass") and not _inside(
                    token.i, excluded
                ) and token.i not in self._by_token:
                    group = self._resolve_one(noun_phrase(token), excluded, ())
                    if group.speaker:
                        candidates.append((token.i, group))
        if not candidates:
            return Resolution(None, None, f"pronoun '{root.text}' without antecedent")
        _, best = max(candidates, key=lambda candidate: candidate[0])
        return Resolution(best.speaker, best.speaker_type, f"pronoun '{root.text}' → {best.speaker}")

    def _subject_head(self, mention: NameMention) -> bool:
        root = self.doc[mention.start : mention.end].root
        return root.dep_ in ("nsubj", "nsubjpass")

    def _role_noun(self, mention: Span, root: Token, excluded: Sequence[tuple[int, int]]) -> Resolution | None:
        lemma = root.lemma_.lower()
        titles = ROLE_SYNONYMS.get(lemma, frozenset({lemma}))
        qualifiers = {
            token.lemma_.lower() for token in mention if token.i != root.i and token.pos_ in ("ADJ", "PROPN")
            and token.text[:1].isupper()
        }
        before: list[NameMention] = []
        after: list[NameMention] = []
        for name in self.mentions:
            if name.label != "PERSON" and lemma not in ORGANISATION_NOUNS:
                continue
            if _inside(name.start, excluded) or not name.descriptors & titles:
                continue
            if not qualifiers <= name.descriptors:
                continue
            (before if name.start < root.i else after).append(name)
        chosen = before[-1] if before else (after[0] if after else None)
        if chosen is None and lemma in ORGANISATION_NOUNS:
            organisations = [
                name for name in self.mentions
                if name.label == "ORG" and name.start < root.i and not _inside(name.start, excluded)
            ]
            chosen = organisations[-1] if organisations else None
        if chosen is None:
            return None
        kind = _NAME_LABELS[chosen.label]
        return Resolution(chosen.name, kind, f"role noun '{mention.text}' → {chosen.name}")  # type: ignore[arg-type]

    def _description(self, mention: Span) -> str:
        """An unnamed source as an analyst writes it: no determiner, no time said of it ("a CNN poll | last month"),
        names canonical ("Zelenskyy's …")."""
        words: list[str] = []
        skip_until = -1
        root = mention.root
        end = next((child.left_edge.i for child in root.rights if child.i < mention.end and names_a_time(child)),
                   mention.end)
        for token in mention.doc[mention.start : end]:
            if token.i < skip_until:
                continue
            named = self._by_token.get(token.i)
            if named is not None:
                possessive = self.doc[named.end].tag_ == "POS" if named.end < len(self.doc) else False
                name = named.name.split()[-1] if possessive and named.label == "PERSON" else named.name
                skip_until = named.end + (1 if possessive else 0)
                words.append(name + ("'s" if possessive else "") + self.doc[skip_until - 1].whitespace_)
                continue
            if (token.i == mention.start and token.lower_ in _DETERMINERS) or token.lower_ == "own":
                continue
            if token.is_punct and token.i in (mention.start, end - 1):
                continue
            words.append(token.text_with_ws)  # as written: "CNN/ORC", not "CNN / ORC"
        return " ".join("".join(words).split())


def _closest(mention: NameMention, candidates: Sequence[NameMention]) -> NameMention:
    titles = mention.descriptors & HONORIFICS_AND_TITLES
    titled = [c for c in candidates if titles & c.descriptors] if titles else []
    pool = titled or list(candidates)
    before = [c for c in pool if c.start < mention.start]
    return before[-1] if before else pool[0]


def _clean_name(canonical: str) -> str:
    name = canonical.strip().strip("(),;:").strip()
    for prefix in ("the ", "The "):
        name = name.removeprefix(prefix)
    return name


def _descriptors(span: Span) -> frozenset[str]:
    """Titles written with a name: the modifiers before it and its apposition ("Ukrainian President X")."""
    doc = span.doc
    words: set[str] = set()
    index = span.start - 1
    while index >= 0 and span.start - index <= 5:
        token = doc[index]
        if token.pos_ not in ("PROPN", "NOUN", "ADJ") or token.is_punct:
            break
        words.add(token.lemma_.lower().rstrip("."))
        index -= 1
    for token in span:
        if token.lower_ in HONORIFICS:
            words.add(token.lower_.rstrip("."))
    for token in span.root.children:
        if token.dep_ == "appos":
            words.update(
                child.lemma_.lower() for child in token.subtree if child.pos_ in ("PROPN", "NOUN", "ADJ")
            )
    return frozenset(words)


def _determiner(mention: Span) -> str | None:
    for token in mention:
        if token.dep_ in ("det", "poss") and token.head.i == mention.root.i:
            return token.lower_
    return None


#: Entity types of a time ("on Sunday", "last month").
TIME_ENTITIES = frozenset(("DATE", "TIME"))


def names_a_time(token: Token) -> bool:
    """The token is a time or governs one ("last month", "released | Monday", "in | June")."""
    return token.ent_type_ in TIME_ENTITIES or any(child.ent_type_ in TIME_ENTITIES for child in token.children)


def _inside(index: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start <= index < end for start, end in ranges)


def noun_phrase(token: Token) -> Span:
    """A noun's phrase without relative clauses and trailing punctuation."""
    left = token.left_edge.i
    right = token.i
    for child in token.rights:
        if child.dep_ in ("relcl", "acl", "punct", "appos", "cc", "conj"):
            break
        right = child.right_edge.i
    return token.doc[left : right + 1]


def _coordinated_parts(mention: Span) -> list[Span]:
    """The parts of a coordinated source ("they – along with X", "A and B"); the mention itself otherwise."""
    words = [token.lower_ for token in mention]
    for coordinator in _COORDINATORS:
        size = len(coordinator)
        for position in range(1, len(words) - size):
            if tuple(words[position : position + size]) == coordinator:
                left = mention[:position]
                right = mention[position + size :]
                left = strip_punctuation(left)
                right = strip_punctuation(right)
                if len(left) and len(right) and _is_entity_or_nominal(left) and _is_entity_or_nominal(right):
                    if coordinator == ("and",) and mention.root.ent_type_:
                        return [mention]  # "Johnson and Johnson", "Black Lives Matter and …": one name
                    return [left, right]
    return [mention]


def strip_punctuation(span: Span) -> Span:
    """The span without punctuation or space at its edges."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return doc[start:end]


def _is_entity_or_nominal(span: Span) -> bool:
    return span.root.pos_ in ("NOUN", "PROPN", "PRON")

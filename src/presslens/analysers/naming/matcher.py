"""One pass over a parsed article for every name variant of the knowledge base.

Three spaCy matchers, each a single pass over the tokens whatever the size of the knowledge base: a
``PhraseMatcher`` on ``ORTH`` (names, case-sensitive), a ``PhraseMatcher`` on ``LOWER`` (entity and event
phrases), and a ``Matcher`` for the token patterns (Russia sent troops into Ukraine). Pattern docs are built from
the tokens stored in the compiled knowledge base, so building the matchers never runs the tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from presslens.knowledge import Domain, Entity, Variant

_APOSTROPHE = str.maketrans({"’": "'"})


@dataclass(frozen=True)
class Candidate:
    """A knowledge-base variant found in the text (before guards, overlap resolution and conventions)."""

    span: Span
    entity: Entity
    variant: Variant
    domain: Domain
    region_cue: Token | None = None  # the word that makes a city's name stand for its region
    nested: bool = False  # inside a longer term that names the entity it belongs to ("Kiev" in "Kiev regime")

    @property
    def length(self) -> int:
        return self.span.end - self.span.start


def _required_words(pattern: Iterable[dict[str, Any]]) -> list[frozenset[str]]:
    """The lower-case words of each required token of ``pattern`` that is constrained by words: a text must contain
    one word of every set for the pattern to match. Empty when no required token is (the pattern runs everywhere)."""
    required = []
    for token in pattern:
        if token.get("OP") in {"?", "*"} or str(token.get("OP", "")).startswith("{0"):
            continue
        words: set[str] = set()
        for attribute in ("LOWER", "ORTH", "TEXT", "LEMMA"):
            value = token.get(attribute)
            if isinstance(value, str):
                words.add(value.lower())
            elif isinstance(value, dict) and "IN" in value:
                words |= {str(item).lower() for item in value["IN"]}
        if words:
            required.append(frozenset(words))
    return required


def _key(words: Iterable[str], lower: bool) -> tuple[str, ...]:
    return tuple(word.translate(_APOSTROPHE).lower() if lower else word.translate(_APOSTROPHE) for word in words)


def _apostrophe_variants(tokens: tuple[str, ...]) -> list[list[str]]:
    forms = [list(tokens)]
    if any("'" in token for token in tokens):
        forms.append([token.replace("'", "’") for token in tokens])
    return forms


class NameMatcher:
    """Finds every knowledge-base variant in a ``Doc``; built once per vocabulary."""

    def __init__(self, vocab: Vocab, domains: Iterable[Domain]) -> None:
        self.exact = PhraseMatcher(vocab, attr="ORTH")
        self.lower = PhraseMatcher(vocab, attr="LOWER")
        self.patterns = Matcher(vocab)
        self._phrases: dict[tuple[str, bool, tuple[str, ...]], Variant] = {}
        self._pattern_variants: dict[str, Variant] = {}
        # words one of which a sentence must contain for any token pattern to match there (None: run everywhere)
        self._triggers: set[str] | None = set()
        # per pattern, the word sets of its required tokens: a sentence must meet all of one pattern's sets
        self._requirements: list[list[frozenset[str]]] = []
        self._entities: dict[str, Entity] = {}
        self._domains: dict[str, Domain] = {}
        for domain in domains:
            for entity in domain.entities:
                self._entities[entity.id] = entity
                self._domains[entity.id] = domain
                self._add(vocab, entity)
        self._trigger_hashes = numpy.array(
            [vocab.strings.add(word) for word in sorted(self._triggers or ())], dtype="uint64"
        )

    def _add(self, vocab: Vocab, entity: Entity) -> None:
        docs: dict[str, list[Doc]] = {"exact": [], "lower": []}
        for index, variant in enumerate(entity.variants):
            if variant.match == "pattern":
                key = f"{entity.id}#{index}"
                self._pattern_variants[key] = variant
                self.patterns.add(key, [list(variant.pattern)], greedy="LONGEST")
                required = _required_words(variant.pattern)
                if not required or self._triggers is None:
                    self._triggers = None
                else:
                    self._triggers |= min(required, key=lambda words: -min(map(len, words)))
                    self._requirements.append(required)
                continue
            lower = variant.match == "lower"
            forms = _apostrophe_variants(variant.tokens)
            if entity.kind == "place" and not lower:  # datelines and headlines: KIEV, Ukraine (Xinhua)
                forms.append([token.upper() for token in variant.tokens])
            for words in forms:
                self._phrases.setdefault((entity.id, lower, _key(words, lower)), variant)
                docs[variant.match].append(Doc(vocab, words=words))
        if docs["exact"]:
            self.exact.add(entity.id, docs["exact"])
        if docs["lower"]:
            self.lower.add(entity.id, docs["lower"])

    @cached_property
    def size(self) -> int:
        """Number of variants the matcher knows."""
        return len(self._phrases) + len(self._pattern_variants)

    def __call__(self, doc: Doc) -> Iterator[Candidate]:
        strings = doc.vocab.strings
        for matcher, lower in ((self.exact, False), (self.lower, True)):
            for match_id, start, end in matcher(doc):
                entity_id = strings[match_id]
                variant = self._phrases.get((entity_id, lower, _key((t.text for t in doc[start:end]), lower)))
                if variant is not None:
                    yield self._candidate(doc[start:end], entity_id, variant)
        for sentence in self._triggered_sentences(doc):
            for match_id, start, end in self.patterns(sentence):
                key = strings[match_id]
                variant = self._pattern_variants[key]
                start, end = sentence.start + start, sentence.start + end
                if variant.keep is not None:
                    end = min(end, start + variant.keep)
                yield self._candidate(doc[start:end], key.split("#", 1)[0], variant)

    def _triggered_sentences(self, doc: Doc) -> Iterator[Span]:
        """The sentences where some token pattern can match (most have none): the token patterns run only there.

        A vectorised lookup of each pattern's rarest word over the token hashes finds the candidate sentences;
        a candidate is kept when it has a word of every required token of some pattern."""
        if self._triggers is None:
            yield doc[:]
            return
        hits = numpy.flatnonzero(numpy.isin(doc.to_array([LOWER, LEMMA]), self._trigger_hashes).any(axis=1))
        covered = -1
        for index in hits:
            if index < covered:
                continue
            sentence = doc[int(index)].sent
            covered = sentence.end
            words = {token.lower_ for token in sentence} | {token.lemma_.lower() for token in sentence}
            if any(all(words & required for required in pattern) for pattern in self._requirements):
                yield sentence

    def _candidate(self, span: Span, entity_id: str, variant: Variant) -> Candidate:
        return Candidate(span, self._entities[entity_id], variant, self._domains[entity_id])


"""Text units of a comparison: sentences with offsets, and token sequences normalised for matching.

Normalisation lowercases, unifies apostrophes and quotation marks away, and replaces every naming mention by its
canonical name, so that "Kiev has lost" and "Kyiv has lost" compare as the same words (the naming difference is
reported once, by :mod:`.naming`, not again for every sentence it touches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

_TOKEN = re.compile(r"\w+(?:'\w+)*")
_PARAGRAPH = re.compile(r"[^\n]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


@dataclass(frozen=True)
class Renaming:
    """A mention to read as its canonical name when comparing (``text[start:end]`` -> ``canonical``)."""

    start: int
    end: int
    canonical: str


@dataclass(frozen=True)
class Token:
    """A normalised token and the span of the original text it stands for."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its span, its paragraph, its normalised tokens."""

    index: int
    start: int
    end: int
    paragraph: int
    tokens: tuple[Token, ...]

    @property
    def norms(self) -> tuple[str, ...]:
        return tuple(token.norm for token in self.tokens)


@lru_cache(maxsize=1)
def _sentencizer() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def tokens(text: str, start: int, end: int, renamings: Sequence[Renaming] = ()) -> tuple[Token, ...]:
    """Normalised tokens of ``text[start:end]``; a renamed mention becomes its canonical name's tokens."""
    result: list[Token] = []
    position = start
    for renaming in sorted(renamings, key=lambda item: item.start):
        if renaming.end <= start or renaming.start >= end or renaming.start < position:
            continue
        result.extend(_plain_tokens(text, position, renaming.start))
        result.extend(
            Token(norm, renaming.start, renaming.end)
            for norm in _TOKEN.findall(renaming.canonical.casefold().translate(_APOSTROPHES))
        )
        position = renaming.end
    result.extend(_plain_tokens(text, position, end))
    return tuple(result)


def _plain_tokens(text: str, start: int, end: int) -> Iterable[Token]:
    chunk = text[start:end].casefold().translate(_APOSTROPHES)
    if len(chunk) != end - start:  # casefolding changed the length (ß -> ss): keep offsets exact
        chunk = text[start:end].lower().translate(_APOSTROPHES)
    for match in _TOKEN.finditer(chunk):
        yield Token(match.group(), start + match.start(), start + match.end())


def sentences(text: str, renamings: Sequence[Renaming] = ()) -> list[Sentence]:
    """The sentences of ``text``: paragraphs (lines) split by spaCy's rule-based sentencizer."""
    paragraphs = [(match.start(), match.group()) for match in _PARAGRAPH.finditer(text) if match.group().strip()]
    result: list[Sentence] = []
    docs = _sentencizer().pipe(chunk for _, chunk in paragraphs)
    for number, ((offset, _), doc) in enumerate(zip(paragraphs, docs, strict=True)):
        for sent in doc.sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                result.append(Sentence(len(result), start, end, number, tokens(text, start, end, renamings)))
    return result


def ratio(a: Sequence[str], b: Sequence[str]) -> float:
    """difflib's similarity of two token sequences (2 * matched / total), 0-1."""
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def containment(a: Sequence[str], b: Sequence[str], min_block: int = 2) -> float:
    """Share of the shorter sequence's tokens found, in order, in the longer one, counting only runs of at least
    ``min_block`` tokens (single shared words such as "the" or "for" say nothing)."""
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks() if block.size >= min(min_block, len(a), len(b)))
    return found / min(len(a), len(b))


def content_words(norms: Iterable[str]) -> frozenset[str]:
    """The tokens that carry content (not stop words, not single characters): names, numbers, nouns, verbs."""
    return frozenset(norm for norm in norms if len(norm) > 1 and norm not in STOP_WORDS)


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    """Dice overlap of two token sets: a cheap filter before :func:`ratio`."""
    set_a, set_b = set(a), set(b)
    if not set_a or not set_b:
        return 0.0
    return 2 * len(set_a & set_b) / (len(set_a) + len(set_b))


def diff(a: Sequence[Token], b: Sequence[Token]) -> list[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
    """Word-level differences of two token sequences: ``(a_span, b_span)`` per replaced/inserted/deleted run."""
    matcher = SequenceMatcher(None, [token.norm for token in a], [token.norm for token in b], autojunk=False)
    changes = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        a_span = (a[a_start].start, a[a_end - 1].end) if a_end > a_start else None
        b_span = (b[b_start].start, b[b_end - 1].end) if b_end > b_start else None
        changes.append((a_span, b_span))
    return changes


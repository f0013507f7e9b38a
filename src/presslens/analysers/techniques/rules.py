"""Precise, explainable rules for the techniques the sample's gold lists and PTC's model finds least reliably.

Each rule returns :class:`RuleMatch` es with the cue it rests on and the reason a user reads:

- ``so-called``: "so-called X" distances the outlet from the name X (Doubt).
- ``scare quotes``: a short phrase (1-4 words) in quotation marks that nobody in the article is quoted as
  saying (no direct or mixed quote of the ``quotes`` section covers it) (Doubt).
- ``doubt cue verb``: an attribution whose cue casts doubt on the speaker ("claimed", "alleged", "purported":
  the ``quotes`` section's ``casts_doubt``) (Doubt).
- ``euphemism``: a name the ``naming`` knowledge base lists as a euphemism ("special military operation",
  "sent troops into Ukraine"), in the outlet's own voice (Exaggeration,Minimisation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from presslens.analysers.naming.records import NamingMention
from presslens.analysers.quotes.marks import quotations
from presslens.analysers.quotes.records import Quote

RULES = ("so-called", "scare quotes", "doubt cue verb", "euphemism")
_SO_CALLED = re.compile(r"\bso[-‐‑ ]called\b", re.IGNORECASE)
_MAX_SCARE_WORDS = 4


@dataclass(frozen=True)
class RuleMatch:
    start: int
    end: int
    technique: str
    rule: str
    cue: tuple[int, int]
    reason: str


def so_called(doc: Doc) -> list[RuleMatch]:
    """'so-called' and the noun phrase it qualifies (to the end of that phrase's noun chunk)."""
    matches = []
    for found in _SO_CALLED.finditer(doc.text):
        after = doc.char_span(found.end(), len(doc.text), alignment_mode="expand")
        token = next((token for token in after or () if not token.is_space), None)
        if token is None or (token.is_punct and token.text not in "\"“‘'"):
            continue
        end = token.idx + len(token.text)
        for chunk in token.sent.noun_chunks:  # the sentence's chunks: the whole doc's cost a walk over the parse
            if chunk.start <= token.i < chunk.end:
                end = max(end, chunk.end_char)
        matches.append(
            RuleMatch(
                found.start(), end, "Doubt", "so-called", (found.start(), found.end()),
                "'so-called' distances the writer from the name that follows",
            )
        )
    return matches


def scare_quotes(text: str, quotes: Sequence[Quote]) -> list[RuleMatch]:
    """Short quoted phrases that are not the words of a quoted speaker."""
    spoken = [
        (quote.content.start, quote.content.end) for quote in quotes if quote.kind in ("direct", "mixed")
    ]
    matches = []
    for stretch in quotations(text):
        inner = text[stretch.inner_start : stretch.inner_end].strip()
        words = inner.split()
        if not stretch.closed or not 1 <= len(words) <= _MAX_SCARE_WORDS or inner[-1:] in ".!?,;:":
            continue
        if len(words) > 1 and all(word[:1].isupper() for word in words):  # a title or name, not a scare quote
            continue
        if any(start < stretch.inner_end and stretch.inner_start < end for start, end in spoken):
            continue
        matches.append(
            RuleMatch(
                stretch.start, stretch.end, "Doubt", "scare quotes", (stretch.inner_start, stretch.inner_end),
                "a short phrase in quotation marks that nobody is quoted as saying: the writer keeps its distance",
            )
        )
    return matches


def doubt_cues(doc: Doc, quotes: Iterable[Quote]) -> list[RuleMatch]:
    """Cues of attributions that cast doubt on their speaker, when what is reported is a statement.

    Reported speech must be quoted or a clause: "claimed that he chose…" casts doubt, "claimed the attack" and
    "claimed responsibility" (taking credit) do not.
    """
    matches = []
    for quote in quotes:
        if not quote.casts_doubt or quote.cue is None:
            continue
        content = doc.char_span(quote.content.start, quote.content.end, alignment_mode="expand")
        if quote.kind == "indirect" and (content is None or content.root.pos_ not in ("VERB", "AUX")):
            continue
        matches.append(
            RuleMatch(
                quote.cue.start, quote.cue.end, "Doubt", "doubt cue verb", (quote.cue.start, quote.cue.end),
                f"the attribution verb '{quote.cue.text}' casts doubt on what the speaker said",
            )
        )
    return matches


def euphemisms(mentions: Iterable[NamingMention]) -> list[RuleMatch]:
    """Euphemisms of the naming knowledge base, in the outlet's own voice (not inside a quotation)."""
    return [
        RuleMatch(
            mention.start, mention.end, "Exaggeration,Minimisation", "euphemism", (mention.start, mention.end),
            f"a euphemism for {mention.canonical} (naming knowledge base)",
        )
        for mention in mentions
        if mention.convention == "euphemism" and not mention.quoted
    ]


def rule_matches(doc: Doc, quotes: Sequence[Quote], mentions: Sequence[NamingMention]) -> list[RuleMatch]:
    """Every rule's matches, in text order, without duplicates."""
    found = {
        (match.start, match.end, match.technique): match
        for match in [*so_called(doc), *scare_quotes(doc.text, quotes), *doubt_cues(doc, quotes), *euphemisms(mentions)]
    }
    return sorted(found.values(), key=lambda match: (match.start, match.end))

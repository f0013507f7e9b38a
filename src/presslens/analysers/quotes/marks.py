"""Quotation marks: find the quoted stretches of a text, whatever marks it uses and however badly.

Handles curly (“ ” ‘ ’ „), straight (" and '), doubled ('' as some wire copy writes both ends) and
guillemets (« » ‹ ›), nested quotes, and apostrophes that look like closing marks. Two guarantees make it safe
on hostile input: a quoted stretch never crosses a paragraph break (an unclosed quote ends with its
paragraph, flagged ``closed=False``), and a quote that continues into the next paragraph (the convention of
leaving the closing mark off) is reported as two stretches, the second with ``continued=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

#: Quotation marks, longest first so that ``''`` is one mark, not two apostrophes.
_MARK = re.compile(r"''|``|[\"“”„‟«»‹›‘’‚']")
_DOUBLE_OPEN = frozenset({"“", "„", "‟", "«", "``"})
_DOUBLE_CLOSE = frozenset({"”", "»"})
_DOUBLE_EITHER = frozenset({'"', "''"})
_SINGLE_OPEN = frozenset({"‘", "‚", "‹"})
_SINGLE_CLOSE = frozenset({"’", "›"})
_SINGLE_EITHER = frozenset({"'"})
_OPENING_CONTEXT = frozenset("([{—–-/")

#: Every character that can be (part of) a quotation mark.
QUOTE_CHARACTERS = frozenset("\"“”„‟«»‹›‘’‚'`")
#: The dashes spaCy makes a token of, that set off an aside or a lead-in ("Kall -- co-editor of … --").
DASH_TOKENS = frozenset({"-", "–", "—", "--"})

Family = Literal["double", "single"]


@dataclass(frozen=True)
class QuotedStretch:
    """One quoted stretch of text: ``text[start:end]`` includes the marks, ``inner_*`` excludes them."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    family: Family
    depth: int = 0
    closed: bool = True
    continued: bool = False


@dataclass
class _Open:
    start: int
    end: int
    family: Family
    continued: bool


def _is_space(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or text[index].isspace()


def _role(mark: str, text: str, start: int, end: int) -> Literal["open", "close", "either", "none"]:
    """What a mark can be here, judged from the mark and the characters around it."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    opens_here = before.isspace() or before in _OPENING_CONTEXT or before in QUOTE_CHARACTERS
    closes_here = not before.isspace()
    if mark in _DOUBLE_OPEN or mark in _SINGLE_OPEN:
        return "open"
    if mark in _DOUBLE_CLOSE:
        return "close"
    if mark in _SINGLE_CLOSE or mark in _SINGLE_EITHER:
        if before.isalnum() and after.isalnum():  # don’t, Clinton’s
            return "none"
        if mark in _SINGLE_CLOSE:
            return "close" if closes_here else "none"
        if opens_here and not after.isspace():
            return "open"
        return "close" if closes_here else "none"
    # straight double marks: decided by the spaces around them
    if opens_here and not after.isspace():
        return "open"
    if closes_here:
        return "close"
    return "either"


def _family(mark: str) -> Family:
    return "double" if mark in _DOUBLE_OPEN | _DOUBLE_CLOSE | _DOUBLE_EITHER else "single"


def quoted_stretches(text: str) -> list[QuotedStretch]:
    """Every quoted stretch of ``text``, outermost and nested (``depth`` > 0), in order of their starts.

    Single marks open a top-level quote only when a matching close follows in the same paragraph (otherwise
    they are apostrophes: ‘90s, voters’); an unclosed double quote runs to the end of its paragraph.
    """
    found: list[QuotedStretch] = []
    for paragraph_start, paragraph_end in _paragraphs(text):
        found.extend(_scan_paragraph(text, paragraph_start, paragraph_end, found))
    found.sort(key=lambda stretch: (stretch.start, -stretch.end))
    return found


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _scan_paragraph(text: str, start: int, end: int, earlier: list[QuotedStretch]) -> list[QuotedStretch]:
    stack: list[_Open] = []
    found: list[QuotedStretch] = []
    continues = _previous_unclosed(earlier, text, start)
    for match in _MARK.finditer(text, start, end):
        mark, m_start, m_end = match.group(), match.start(), match.end()
        role = _role(mark, text, m_start, m_end)
        if role == "none":
            continue
        family = _family(mark)
        open_index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].family == family), None)
        if role in ("close", "either") and open_index is not None:
            opened = stack[open_index]
            # marks opened inside and never closed end here with it
            for inner in stack[open_index + 1 :]:
                if inner.family == "double":
                    found.append(_stretch(inner, m_start, m_start, closed=False))
            del stack[open_index:]
            found.append(_stretch(opened, m_start, m_end, closed=True))
        elif role in ("open", "either"):
            if family == "double" and open_index is not None and mark in _DOUBLE_EITHER:
                # a straight mark that can only open while one is open: the earlier quote was never closed
                opened = stack[open_index]
                del stack[open_index:]
                found.append(_stretch(opened, m_start, m_start, closed=False))
            at_start = not text[start:m_start].strip()
            stack.append(_Open(m_start, m_end, family, continued=continues and at_start and family == "double"))
    for opened in stack:
        if opened.family == "double":  # an unclosed single mark was an apostrophe after all
            found.append(_stretch(opened, end, end, closed=False))
    # depth from what was kept: an apostrophe left open ("the ‘90s") encloses nothing
    return [
        replace(stretch, depth=sum(1 for other in found if _encloses(other, stretch)))
        for stretch in found
    ]


def _encloses(outer: QuotedStretch, inner: QuotedStretch) -> bool:
    return outer is not inner and outer.start <= inner.start and inner.end <= outer.end and (
        outer.start, outer.end) != (inner.start, inner.end)


def _previous_unclosed(earlier: list[QuotedStretch], text: str, paragraph_start: int) -> bool:
    """Whether the previous paragraph ended inside an unclosed top-level double quote."""
    for stretch in reversed(earlier):
        if stretch.depth == 0:
            return not stretch.closed and not text[stretch.end : paragraph_start].strip()
    return False


def _stretch(opened: _Open, close_start: int, close_end: int, *, closed: bool) -> QuotedStretch:
    return QuotedStretch(
        start=opened.start,
        end=close_end,
        inner_start=opened.end,
        inner_end=close_start,
        family=opened.family,
        closed=closed,
        continued=opened.continued,
    )


def quotations(text: str) -> list[QuotedStretch]:
    """The outermost quoted stretches of ``text`` (quotes, not quotes within quotes) with a word inside."""
    return [
        stretch
        for stretch in quoted_stretches(text)
        if stretch.depth == 0 and any(char.isalnum() for char in text[stretch.inner_start : stretch.inner_end])
    ]

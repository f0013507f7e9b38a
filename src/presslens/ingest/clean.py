"""Boilerplate removal for raw scraped article text, with every removed span recorded with its reason.

Each rule looks at lines of the original text and proposes :class:`Cut` spans (original offsets). The kept text
is then laid out as paragraphs: the lines that remain, stripped, separated by a blank line where the original
had one (or where a cut split a line in two, as a caption glued to the standfirst), with a :class:`SourceMap`
from every kept character back to the original.

Rules, in the order they are tried on each line:

- ``credit-line``: a photo caption ending in (or made of) a credit: ``© AP Photo / …``, ``Photo: …``
- ``glued-caption``: the first line's standfirst with a captioned photo glued to it; only the caption goes
- ``inline-credit``: ``(AP Photo/Evan Vucci)``, ``(Photo by X/Getty Images)`` inside a paragraph
- ``widget-marker``: ``Read more``, ``Related:``, ``See also`` …
- ``doubled-headline``: a line that is one headline written twice (a related-article card)
- ``widget-headline``: a short headline-like line next to a widget marker
- ``repeated-line``: a short headline-like line that appears more than once
- ``share-line``: share/subscribe/follow/advertisement lines
- ``outlet-tag``: a trailing ``(RT)``-style outlet tag
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from presslens.records import Removal, SourceMap, Span

REASON_CAPTION = "photo caption and credit"
REASON_WIDGET = "related-article widget"
REASON_SHARE = "share/subscribe line"
REASON_OUTLET_TAG = "outlet tag"

#: Outlet tags and the outlet they name.
OUTLET_TAGS = {
    "RT": "RT", "AP": "AP", "AFP": "AFP", "Reuters": "Reuters", "TASS": "TASS", "Sputnik": "Sputnik",
    "RIA Novosti": "RIA Novosti", "Interfax": "Interfax", "UNIAN": "UNIAN", "Ukrinform": "Ukrinform",
    "BBC": "BBC", "CNN": "CNN", "Xinhua": "Xinhua", "dpa": "dpa", "UPI": "UPI", "Bloomberg": "Bloomberg",
}

_CREDIT = re.compile(
    r"©|\(c\)\s|\bPhoto(?:graph)?\s*(?:credit)?\s*:|\bPhoto by\b|\b(?:AP|AFP|Reuters|Getty Images|EPA|Sputnik|"
    r"TASS|Anadolu)\s*(?:Photo)?\s*/\s*\w|\bFILE PHOTO\b|\bImage:",
    re.IGNORECASE,
)
_INLINE_CREDIT = re.compile(
    r"\s?\((?:AP|AFP|Reuters|EPA|Getty)?\s*Photo(?:\s+by)?\s*/?[^()\n]{0,80}\)|\s?\(Photo by [^()\n]{1,80}\)"
)
_WIDGET_MARKER = re.compile(
    r"(?:read more|related(?: articles?| stories| news)?|see also|also read|more on this(?: story)?|"
    r"recommended(?: for you)?|you may also like|most read|trending now|more from [\w ]{1,30})\s*[:.]?",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"(?:share (?:this|on|it)\b|subscribe\b|follow (?:us|rt|@)\b|sign up\b|like this story\b|click (?:here|to share)|"
    r"download (?:our|the) app|advertisement|join (?:us|our) (?:on )?\w+|you can share this story|"
    r"comments?\s*\(\d+\)|print this (?:page|article)|email this (?:page|article))",
    re.IGNORECASE,
)
_TRAILING_TAG = re.compile(r"\s*\((?P<tag>" + "|".join(map(re.escape, OUTLET_TAGS)) + r")\)\s*$")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_REPORTING_VERBS = frozenset({
    "says", "said", "claims", "claimed", "warns", "warned", "insists", "insisted", "admits", "admitted", "tells",
    "told", "reveals", "revealed", "reports", "reported", "suggests", "suggested", "predicts", "predicted",
    "argues", "argued",
})
#: A headline-like line: short and without sentence punctuation at its end.
HEADLINE_MAX_WORDS = 20
CAPTION_MAX_WORDS = 60


@dataclass(frozen=True)
class Cut:
    """A span of the original text to remove. ``reason`` None: silent whitespace/newline normalisation."""

    start: int
    end: int
    reason: str | None
    rule: str
    splits_paragraph: bool = False  # text kept on both sides becomes two paragraphs


@dataclass(frozen=True)
class CleanText:
    """The result of cleaning: clean text, standfirst, removals (original offsets) and the source map."""

    text: str
    standfirst: Span | None
    removed: tuple[Removal, ...]
    source_map: SourceMap
    outlet_tag: str | None


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    def words(self) -> int:
        return len(self.text.split())

    def is_headline_like(self) -> bool:
        stripped = self.stripped
        return 0 < len(stripped.split()) <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(stripped)


def _lines(text: str) -> list[_Line]:
    lines, position = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(position, position + len(raw), raw))
        position += len(raw) + 1
    return lines


def _whole_line(line: _Line, reason: str, rule: str) -> Cut:
    left = len(line.text) - len(line.text.lstrip())
    right = len(line.text.rstrip())
    return Cut(line.start + left, line.start + right, reason, rule)


def _glue_point(text: str) -> int | None:
    """Where a caption starts when glued to a headline without punctuation: 'says President Zelensky speaks'."""
    candidates = [
        match.start(2)
        for match in re.finditer(r"\b([a-z][\w’']*)\s+([A-Z])", text)
        if len(text[: match.start(2)].split()) >= 4 and len(text[match.start(2):].split()) >= 4
    ]
    for start in candidates:
        previous = text[:start].split()[-1].lower()
        if previous in _REPORTING_VERBS:
            return start
    return candidates[0] if candidates else None


def _doubled(text: str) -> bool:
    """True for 'Headline Headline': one headline written twice."""
    stripped = text.strip()
    half = len(stripped) // 2
    for cut in (half, half + 1, half - 1):
        left, right = stripped[:cut].strip(), stripped[cut:].strip()
        if left and left == right:
            return True
    return False


def find_cuts(text: str) -> list[Cut]:
    """Every boilerplate span of ``text`` (original offsets), by the rules in the module docstring."""
    lines = _lines(text)
    content = [index for index, line in enumerate(lines) if line.stripped]
    cuts: list[Cut] = []
    counts = Counter(line.stripped for line in lines if line.is_headline_like())
    marker_lines = {index for index in content if _WIDGET_MARKER.fullmatch(lines[index].stripped)}
    near_marker = set()
    for index in marker_lines:
        position = content.index(index)
        for neighbour in (position - 1, position + 1):
            if 0 <= neighbour < len(content):
                near_marker.add(content[neighbour])
    for position, index in enumerate(content):
        line = lines[index]
        stripped = line.stripped
        inline = list(_INLINE_CREDIT.finditer(line.text))
        masked = _INLINE_CREDIT.sub(lambda m: " " * len(m.group()), line.text)
        credit = _CREDIT.search(masked)
        if credit and position == 0 and len(content) > 1:
            glue = _glue_point(masked[: credit.start()])
            if glue is not None:
                right = len(line.text.rstrip())
                cuts.append(Cut(line.start + glue, line.start + right, REASON_CAPTION, "glued-caption", True))
                continue
        if credit and line.words() <= CAPTION_MAX_WORDS:
            cuts.append(_whole_line(line, REASON_CAPTION, "credit-line"))
        elif index in marker_lines:
            cuts.append(_whole_line(line, REASON_WIDGET, "widget-marker"))
        elif line.is_headline_like() and _doubled(stripped):
            cuts.append(_whole_line(line, REASON_WIDGET, "doubled-headline"))
        elif line.is_headline_like() and index in near_marker and position > 0:
            cuts.append(_whole_line(line, REASON_WIDGET, "widget-headline"))
        elif line.is_headline_like() and counts[stripped] > 1 and position > 0:
            cuts.append(_whole_line(line, REASON_WIDGET, "repeated-line"))
        elif line.words() <= 15 and _SHARE.match(stripped):
            cuts.append(_whole_line(line, REASON_SHARE, "share-line"))
        else:
            cuts.extend(
                Cut(line.start + m.start(), line.start + m.end(), REASON_CAPTION, "inline-credit") for m in inline
            )
    if content:
        last = lines[content[-1]]
        tag = _TRAILING_TAG.search(last.text)
        if tag and not any(cut.start <= last.start + tag.start("tag") < cut.end for cut in cuts):
            cuts.append(Cut(last.start + tag.start() + tag.group().index("("), last.start + tag.end("tag") + 1,
                            REASON_OUTLET_TAG, "outlet-tag"))
    return cuts


def outlet_from_tag(text: str) -> str | None:
    """The outlet a trailing tag such as '(RT)' names, if any."""
    match = _TRAILING_TAG.search(text.rstrip())
    return OUTLET_TAGS[match.group("tag")] if match else None


def _kept_fragments(text: str, line: _Line, cuts: list[Cut]) -> list[tuple[int, int, bool]]:
    """The stripped pieces of a line that no cut covers, each flagged when a paragraph-splitting cut precedes it."""
    fragments = [(line.start, line.end, False)]
    for cut in cuts:
        if cut.end <= line.start or cut.start >= line.end:
            continue
        updated = []
        for start, end, split in fragments:
            if cut.end <= start or cut.start >= end:
                updated.append((start, end, split))
                continue
            if start < cut.start:
                updated.append((start, cut.start, split))
            if cut.end < end:
                updated.append((cut.end, end, cut.splits_paragraph))
        fragments = updated
    kept = []
    for start, end, split in fragments:
        segment = text[start:end]
        left, right = len(segment) - len(segment.lstrip()), len(segment.rstrip())
        if right > left:
            kept.append((start + left, start + right, split))
    return kept


def layout(text: str, cuts: list[Cut]) -> tuple[str, SourceMap]:
    """Kept text laid out as paragraphs, and the map of every kept character back to ``text``.

    Lines keep their single newlines; a blank original line, or a cut that split a line (a caption glued to the
    standfirst), gives a paragraph break; pieces of one line around an inline cut are joined by a space.
    """
    out: list[str] = []
    segments: list[tuple[int, int, int]] = []
    length = 0
    new_paragraph = False
    for line in _lines(text):
        kept = _kept_fragments(text, line, cuts)
        if not kept:
            new_paragraph = new_paragraph or not line.text.strip()
            continue
        for number, (start, end, split) in enumerate(kept):
            if not segments:
                separator = ""
            elif number:
                separator = "\n\n" if split else " "
            else:
                separator = "\n\n" if new_paragraph or split else "\n"
            out.append(separator)
            length += len(separator)
            segments.append((length, start, end - start))
            out.append(text[start:end])
            length += end - start
        last_end = kept[-1][1]
        new_paragraph = any(
            cut.splits_paragraph and last_end <= cut.start < line.end for cut in cuts
        )
    return "".join(out), SourceMap(segments=tuple(segments))


def clean(text: str) -> CleanText:
    """Remove boilerplate from raw scraped article text and split off the standfirst."""
    cuts = find_cuts(text)
    clean_text, source_map = layout(text, cuts)
    removed = tuple(
        Removal(start=cut.start, end=cut.end, text=text[cut.start:cut.end], reason=cut.reason, rule=cut.rule)
        for cut in sorted(cuts, key=lambda cut: cut.start)
        if cut.reason is not None
    )
    return CleanText(clean_text, find_standfirst(clean_text), removed, source_map, outlet_from_tag(text))


def find_standfirst(clean_text: str) -> Span | None:
    """The first paragraph when it reads as a headline or standfirst (short, no sentence punctuation at its end)
    and a body follows."""
    first, separator, rest = clean_text.partition("\n\n")
    if not separator or not rest.strip():
        return None
    words = len(first.split())
    if 0 < words <= 45 and not _SENTENCE_END.search(first.strip()):
        return Span.of(clean_text, 0, len(first))
    return None


def identity(text: str) -> tuple[str, SourceMap]:
    """``--no-clean``: the decoded text, with ``\\r\\n`` normalised to ``\\n`` when the input had it."""
    parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    clean_position = start = 0
    for match in re.finditer("\r\n", text):
        parts.append(text[start:match.start()])
        segments.append((clean_position, start, match.start() - start))
        clean_position += match.start() - start
        start = match.start() + 1  # drop the \r, keep the \n
    parts.append(text[start:])
    segments.append((clean_position, start, len(text) - start))
    return "".join(parts), SourceMap(segments=tuple(segments))

"""The article annotated with every finding: what the ``html`` and ``text`` reports are drawn from.

Works on the contract's JSON dict only (never on the pydantic records), and defensively: a saved analysis may
come from another version, carry sections this installation has no analyser for, or have been edited by hand.
Any list of records with character offsets becomes a layer; a record whose offsets do not fit the article text
is listed in :attr:`Annotated.skipped` with the reason instead of being drawn in the wrong place.

Overlapping findings (nested or crossing) are drawn by cutting the text at every boundary of every finding:
each :class:`Segment` carries the set of findings that cover it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Literal

#: Top-level keys of the analysis JSON that are not sections of findings.
NON_SECTIONS = frozenset({"schema_version", "article", "profiles", "errors"})
#: Known sections in the pipeline's order; any other section with offsets follows them, alphabetically.
KNOWN_ORDER = ("quotes", "sourcing", "naming", "techniques", "entities")
_TITLE_KEYS = ("label", "technique", "convention", "kind", "type")
_SUBJECT_KEYS = ("speaker", "canonical", "name")
_MAIN_KEYS = frozenset({"start", "end", "text", "evidence"})
#: Where a record's highlighted span is: its own offsets, else (a quote in the minimal contract) its content.
_MAIN_SPAN_KEYS = frozenset({"start", "content"})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

Role = Literal["main", "attribution", "cue"]


class ReportError(ValueError):
    """The analysis cannot be rendered at all (it is not an analysis JSON object, or has no article text)."""


@dataclass(frozen=True)
class EvidenceView:
    """A finding's evidence as shown to the reader."""

    rule: str | None
    score: float | None
    cues: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Highlight:
    """One finding placed in the article text."""

    id: str
    layer: int
    start: int
    end: int
    text: str
    title: str
    subject: str | None
    details: tuple[tuple[str, str], ...]
    evidence: EvidenceView | None
    attribution: tuple[tuple[int, int], ...]
    """Spans drawn with the finding: a quote's cue and source mention."""
    cues: tuple[tuple[int, int], ...]
    """Spans shown when the finding is focused: its evidence cues and other span fields."""
    speaker: int | None
    """Index into :attr:`Annotated.speakers` (quotes only)."""


@dataclass(frozen=True)
class Layer:
    """One section of findings: drawn in one colour, toggled as one."""

    index: int
    key: str
    title: str
    findings: tuple[Highlight, ...]


@dataclass(frozen=True)
class Speaker:
    """A speaker of the quotes layer (``name`` None: no speaker was resolved)."""

    index: int
    name: str | None
    kind: str | None
    quotes: int


@dataclass(frozen=True)
class Skipped:
    """A record that could not be placed in the text, and why."""

    section: str
    index: int
    reason: str


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by the same set of findings."""

    start: int
    end: int
    text: str
    main: tuple[Highlight, ...]
    attribution: tuple[Highlight, ...]
    cues: tuple[Highlight, ...]
    starts: tuple[Highlight, ...]
    """Findings whose main span begins here (where keyboard focus stops)."""

    @property
    def covered(self) -> bool:
        return bool(self.main or self.attribution or self.cues)


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    segments: tuple[Segment, ...]
    standfirst: bool


@dataclass(frozen=True)
class Annotated:
    """The article text cut into paragraphs and segments, with the layers of findings drawn on it."""

    article: Mapping[str, Any]
    text: str
    layers: tuple[Layer, ...]
    speakers: tuple[Speaker, ...]
    paragraphs: tuple[Paragraph, ...]
    skipped: tuple[Skipped, ...]

    def layer(self, key: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.key == key), None)


def annotate(analysis: Mapping[str, Any]) -> Annotated:
    """Place every finding of an analysis JSON object in its article text."""
    if not isinstance(analysis, Mapping):
        raise ReportError(f"an analysis is a JSON object, not {type(analysis).__name__}")
    article = analysis.get("article")
    if not isinstance(article, Mapping) or not isinstance(article.get("text"), str):
        raise ReportError("the analysis has no article text (expected article.text, a string)")
    text: str = article["text"]
    sections = section_names(analysis)
    speakers = _speakers(analysis.get("quotes") if "quotes" in sections else None)
    speaker_index = {speaker.name: speaker.index for speaker in speakers}
    layers: list[Layer] = []
    skipped: list[Skipped] = []
    for key in sections:
        findings: list[Highlight] = []
        for index, record in enumerate(analysis[key]):
            placed = _highlight(key, len(layers), index, record, text, speaker_index)
            if isinstance(placed, Skipped):
                skipped.append(placed)
            else:
                findings.append(placed)
        layers.append(Layer(len(layers), key, humanise(key), tuple(findings)))
    return Annotated(
        article=article,
        text=text,
        layers=tuple(layers),
        speakers=speakers,
        paragraphs=_paragraphs(text, layers, _standfirst(article, text)),
        skipped=tuple(skipped),
    )


def section_names(analysis: Mapping[str, Any]) -> list[str]:
    """Keys of the analysis that hold findings: the known sections, and any other list of records with offsets."""
    found = [
        key
        for key, value in analysis.items()
        if key not in NON_SECTIONS
        and isinstance(value, list)
        and (key in KNOWN_ORDER or any(isinstance(item, Mapping) and _MAIN_SPAN_KEYS & item.keys() for item in value))
    ]
    rank = {key: position for position, key in enumerate(KNOWN_ORDER)}
    return sorted(found, key=lambda key: (rank.get(key, len(rank)), key))


def humanise(key: str) -> str:
    """``"direct_share"`` -> ``"Direct share"``."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _speakers(quotes: Any) -> tuple[Speaker, ...]:
    counts: Counter[str | None] = Counter()
    kinds: dict[str | None, str | None] = {}
    for quote in quotes or ():
        name = _string(quote.get("speaker"))
        counts[name] += 1
        kinds.setdefault(name, _string(quote.get("speaker_type")))
    ordered = sorted(counts, key=lambda name: (name is None, -counts[name], name or ""))
    return tuple(Speaker(index, name, kinds[name], counts[name]) for index, name in enumerate(ordered))


def _highlight(
    key: str, layer: int, index: int, record: Any, text: str, speakers: Mapping[str | None, int]
) -> Highlight | Skipped:
    if not isinstance(record, Mapping):
        return Skipped(key, index, f"not a record but {type(record).__name__}")
    main = _span(record, text) if "start" in record else _span(record.get("content"), text)
    if isinstance(main, str):
        return Skipped(key, index, main)
    start, end = main
    subject_key = next((name for name in _SUBJECT_KEYS if _string(record.get(name))), None)
    if subject_key is None and _is_span(record.get("source")) and _string(record["source"]["text"]):
        subject_key = "source"  # a sourcing record's subject is who it is sourced to, as written
    title_key = next((name for name in _TITLE_KEYS if _string(record.get(name))), None)
    title = str(record[title_key]) if title_key else humanise(key)
    if key == "quotes":
        title = f"{title} quote" if title_key else "quote"
    if record.get("hedged") is True and "hedged" not in title:
        title = f"{title} (hedged)"
    evidence = _evidence(record.get("evidence"), text, main)
    shown = {*_MAIN_KEYS, subject_key, title_key, "hedged"}
    if evidence is not None and evidence[0].score is not None and record.get("score") == evidence[0].score:
        shown.add("score")  # the record's score is its evidence's
    details, spans = _details(record, shown, text, main)
    if evidence is not None:  # an evidence cue already shown as a field (the quote's cue) is not repeated
        stated = {value for _, value in details}
        evidence = replace(evidence[0], cues=tuple(c for c in evidence[0].cues if c not in stated)), evidence[1]
    attribution = [place for name, place in spans if key == "quotes" and name in {"cue", "source"}]
    cues = [place for name, place in spans if not (key == "quotes" and name in {"cue", "source"})]
    return Highlight(
        id=f"{layer}-{index}",
        layer=layer,
        start=start,
        end=end,
        text=text[start:end],
        title=title,
        subject=_subject(record, subject_key) or ("no speaker resolved" if key == "quotes" else None),
        details=tuple(details),
        evidence=evidence[0] if evidence else None,
        attribution=tuple(attribution),
        cues=tuple(cues + (evidence[1] if evidence else [])),
        speaker=speakers.get(_string(record.get("speaker"))) if key == "quotes" else None,
    )


def _details(
    record: Mapping[str, Any], shown: set[str | None], text: str, main: tuple[int, int]
) -> tuple[list[tuple[str, str]], list[tuple[str, tuple[int, int]]]]:
    """The record's other fields as (name, value) lines, and its other spans placed in the text, by field."""
    details: list[tuple[str, str]] = []
    spans: list[tuple[str, tuple[int, int]]] = []
    for name, value in record.items():
        if name in shown or value is None or value is False or value == "":
            continue
        if _is_span(value) or (isinstance(value, list) and value and all(_is_span(item) for item in value)):
            items = value if isinstance(value, list) else [value]
            placed = [_span(item, text) for item in items]
            if placed == [main]:
                continue  # the quote's content span is the finding itself
            spans.extend((name, place) for place in placed if not isinstance(place, str) and place != main)
            details.append((humanise(name), ", ".join(str(item["text"]) for item in items)))
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            details.append((humanise(name), ", ".join(value)))
        elif value is True:
            details.append((humanise(name), "yes"))
        elif isinstance(value, str):
            details.append((humanise(name), value))
        elif isinstance(value, int | float):
            details.append((humanise(name), format_number(value)))
    return details, spans


def _subject(record: Mapping[str, Any], key: str | None) -> str | None:
    value = record.get(key) if key else None
    if isinstance(value, Mapping):
        value = value.get("text")
    return _string(value)


def _evidence(value: Any, text: str, main: tuple[int, int]) -> tuple[EvidenceView, list[tuple[int, int]]] | None:
    """The evidence for display, and its cues placed in the text (a cue that is the finding itself is left out)."""
    if not isinstance(value, Mapping):
        return None
    cues = [cue for cue in value.get("cues") or () if _is_span(cue) and (cue["start"], cue["end"]) != main]
    score = value.get("score")
    view = EvidenceView(
        rule=_string(value.get("rule")),
        score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
        cues=tuple(str(cue["text"]) for cue in cues),
        note=_string(value.get("note")),
    )
    placed = [span for span in (_span(cue, text) for cue in cues) if not isinstance(span, str)]
    return view, placed


def _is_span(value: Any) -> bool:
    return isinstance(value, Mapping) and {"start", "end", "text"} <= value.keys()


def _span(value: Any, text: str) -> tuple[int, int] | str:
    """``(start, end)`` of a span that fits ``text``, else the reason it does not."""
    if not _is_span(value):
        return "no start/end offsets"
    start, end, quoted = value["start"], value["end"], value["text"]
    if not all(isinstance(offset, int) and not isinstance(offset, bool) for offset in (start, end)):
        return f"offsets are not integers: {start!r}, {end!r}"
    if not 0 <= start < end <= len(text):
        return f"offsets {start}–{end} are outside the article text (0–{len(text)}) or empty"
    if isinstance(quoted, str) and text[start:end] != quoted:
        return f"the text at {start}–{end} is not the finding's text {quoted[:40]!r}"
    return start, end


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def format_number(value: float | int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1):
        return f"{int(value):,}"
    return f"{value:.2f}"


def _standfirst(article: Mapping[str, Any], text: str) -> tuple[int, int] | None:
    placed = _span(article.get("standfirst"), text)
    return None if isinstance(placed, str) else placed


def _paragraphs(text: str, layers: Sequence[Layer], standfirst: tuple[int, int] | None) -> tuple[Paragraph, ...]:
    bounds: list[tuple[int, int]] = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.start() > position:
            bounds.append((position, match.start()))
        position = match.end()
    if position < len(text) or not bounds:
        bounds.append((position, len(text)))
    if standfirst is not None:
        bounds = _split_at(bounds, standfirst[1])
    ranges: list[tuple[int, int, Highlight, Role]] = []
    for layer in layers:
        for finding in layer.findings:
            ranges.append((finding.start, finding.end, finding, "main"))
            ranges.extend((start, end, finding, "attribution") for start, end in finding.attribution)
            ranges.extend((start, end, finding, "cue") for start, end in finding.cues)
    cuts = {offset for bound in bounds for offset in bound}
    by_paragraph: dict[int, list[Segment]] = defaultdict(list)
    paragraph_of = _locator(bounds)
    for segment in segments(text, ranges, cuts):
        paragraph = paragraph_of(segment.start)
        if paragraph is not None:
            by_paragraph[paragraph].append(segment)
    return tuple(
        Paragraph(
            start,
            end,
            tuple(by_paragraph[number]),
            standfirst is not None and standfirst[0] <= start and end <= standfirst[1],
        )
        for number, (start, end) in enumerate(bounds)
    )


def _split_at(bounds: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    result = []
    for start, end in bounds:
        if start < offset < end:
            result.extend([(start, offset), (offset, end)])
        else:
            result.append((start, end))
    return result


def _locator(bounds: Sequence[tuple[int, int]]) -> Callable[[int], int | None]:
    """A function from a text offset to the number of the paragraph holding it (None: between paragraphs)."""
    starts = [start for start, _ in bounds]

    def paragraph_of(offset: int) -> int | None:
        number = bisect_right(starts, offset) - 1
        return number if number >= 0 and offset < bounds[number][1] else None

    return paragraph_of


def segments(text: str, ranges: Iterable[tuple[int, int, Highlight, Role]], cuts: Iterable[int] = ()) -> list[Segment]:
    """Cut ``text`` at every boundary of every range (and at ``cuts``); each segment lists what covers it."""
    ranges = [item for item in ranges if item[0] < item[1]]
    opening: dict[int, list[tuple[Highlight, Role]]] = defaultdict(list)
    closing: dict[int, list[tuple[Highlight, Role]]] = defaultdict(list)
    for start, end, finding, role in ranges:
        opening[start].append((finding, role))
        closing[end].append((finding, role))
    points = sorted({0, len(text), *cuts, *opening, *closing})
    active: Counter[tuple[str, Role]] = Counter()
    by_id: dict[str, Highlight] = {}
    result = []
    for start, end in pairwise(points):
        for finding, role in closing.get(start, ()):
            active[(finding.id, role)] -= 1
            if not active[(finding.id, role)]:
                del active[(finding.id, role)]
        for finding, role in opening.get(start, ()):
            active[(finding.id, role)] += 1
            by_id[finding.id] = finding
        covering = {
            role: _ordered(by_id[fid] for (fid, kind) in active if kind == role)
            for role in ("main", "attribution", "cue")
        }
        result.append(
            Segment(
                start=start,
                end=end,
                text=text[start:end],
                main=covering["main"],
                attribution=covering["attribution"],
                cues=covering["cue"],
                starts=tuple(finding for finding in covering["main"] if finding.start == start),
            )
        )
    return result


def _ordered(findings: Iterable[Highlight]) -> tuple[Highlight, ...]:
    """Layer order, then outermost first (so the last of a layer is the innermost)."""
    unique = {finding.id: finding for finding in findings}
    return tuple(sorted(unique.values(), key=lambda f: (f.layer, f.start, -f.end, f.id)))

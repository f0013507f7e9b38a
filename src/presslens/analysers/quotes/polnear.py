"""Reader of PolNeAR: BRAT standoff attributions (Source, Cue, Content spans) over raw article text.

Layout: ``text/NAME.txt`` and ``attributions/NAME_ANNOTATOR.ann``; an article may have several annotators'
files. A span may be discontinuous (``Content 10 20;25 40``); one span may serve several attributions (a
source shared by two cues); ``Content2`` adds a second content span to an attribution. ``Discard`` and
``Discuss`` spans, annotator notes and stray lines (span texts broken over lines) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

Fragments = tuple[tuple[int, int], ...]
ROLES = ("content", "source", "cue")

_ANN_NAME = re.compile(r"^(?P<article>.+)_(?P<annotator>[^_]+)\.ann$")
_SPAN_LINE = re.compile(r"^(?P<id>T\d+)\t(?P<label>[\w-]+) (?P<offsets>\d+ \d+(?:;\d+ \d+)*)\t")
_EVENT_LINE = re.compile(r"^(?P<id>E\d+)\t(?P<args>.+)$")


class PolnearFormatError(ValueError):
    """A PolNeAR folder or annotation file that cannot be read."""


@dataclass(frozen=True)
class BratSpan:
    """One annotated span: its BRAT id (shared spans keep one id) and its fragments, in text order."""

    id: str
    fragments: Fragments

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass(frozen=True)
class Attribution:
    """One attribution relation: who (source) says (cue) what (content). Any part may be missing."""

    content: BratSpan | None
    cue: BratSpan | None
    source: BratSpan | None

    def role(self, name: str) -> BratSpan | None:
        span: BratSpan | None = getattr(self, name)
        return span


@dataclass(frozen=True)
class AnnotatedArticle:
    """One article with each annotator's attributions (annotator id -> attributions)."""

    name: str
    text: str
    annotations: dict[str, tuple[Attribution, ...]]

    @property
    def first_annotation(self) -> tuple[Attribution, ...]:
        """The annotation of the alphabetically first annotator: a deterministic single choice."""
        return self.annotations[min(self.annotations)]


def parse_ann(content: str, source: str = "<ann>") -> tuple[Attribution, ...]:
    """The attributions of one BRAT ``.ann`` file's text."""
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in content.splitlines():
        if span_match := _SPAN_LINE.match(line):
            fragments = tuple(
                (int(start), int(end))
                for start, end in (part.split() for part in span_match["offsets"].split(";"))
            )
            spans[span_match["id"]] = (span_match["label"], tuple(sorted(fragments)))
        elif event_match := _EVENT_LINE.match(line):
            pairs = (argument.partition(":") for argument in event_match["args"].split())
            events.append([(role, span_id) for role, _, span_id in pairs])
    attributions = []
    for arguments in events:
        parts: dict[str, BratSpan] = {}
        for role, span_id in arguments:
            if span_id not in spans:
                raise PolnearFormatError(f"{source}: event refers to unknown span {span_id}")
            fragments = spans[span_id][1]
            key = role.lower().rstrip("0123456789")  # Content2 is more content
            if key == "content" and key in parts:
                merged = tuple(sorted({*parts[key].fragments, *fragments}))
                parts[key] = BratSpan(parts[key].id + "+" + span_id, merged)
            elif key in ROLES:
                parts[key] = BratSpan(span_id, fragments)
        attributions.append(Attribution(parts.get("content"), parts.get("cue"), parts.get("source")))
    return tuple(attributions)


def read_polnear(folder: Path) -> Iterator[AnnotatedArticle]:
    """Every annotated article of a PolNeAR portion (``train/`` or ``dev/``), sorted by name."""
    text_dir, ann_dir = folder / "text", folder / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise PolnearFormatError(f"{folder} is not a PolNeAR folder (it needs text/ and attributions/)")
    by_article: dict[str, dict[str, Path]] = {}
    for ann_path in ann_dir.glob("*.ann"):
        name_match = _ANN_NAME.match(ann_path.name)
        if name_match is None:
            raise PolnearFormatError(f"{ann_path}: expected NAME_ANNOTATOR.ann")
        by_article.setdefault(name_match["article"], {})[name_match["annotator"]] = ann_path
    for name in sorted(by_article):
        text_path = text_dir / f"{name}.txt"
        if not text_path.is_file():
            raise PolnearFormatError(f"{text_path} is missing for the annotations of {name}")
        text = text_path.read_text(encoding="utf-8")
        annotations = {
            annotator: parse_ann(path.read_text(encoding="utf-8"), str(path))
            for annotator, path in sorted(by_article[name].items())
        }
        yield AnnotatedArticle(name, text, annotations)


def is_polnear_folder(folder: Path) -> bool:
    return (folder / "text").is_dir() and (folder / "attributions").is_dir()

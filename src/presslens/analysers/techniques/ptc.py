"""The Propaganda Techniques Corpus (SemEval-2020 Task 11) as distributed: reader and the deterministic dev split.

A PTC folder holds ``articles/articleID.txt`` and ``labels-tc/articleID.task2-TC.labels`` (tab-separated
``ID  TECHNIQUE  START  END``, character offsets into the file as is, END exclusive). This module needs nothing
but the standard library, so training runs wherever torch does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The 14 PTC technique labels, in the corpus's own spelling (frequency order on the training portion).
TECHNIQUES: tuple[str, ...] = (
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Doubt",
    "Exaggeration,Minimisation",
    "Appeal_to_fear-prejudice",
    "Flag-Waving",
    "Causal_Oversimplification",
    "Appeal_to_Authority",
    "Slogans",
    "Whataboutism,Straw_Men,Red_Herring",
    "Black-and-White_Fallacy",
    "Thought-terminating_Cliches",
    "Bandwagon,Reductio_ad_hitlerum",
)

#: One article in five (by a hash of its id) is the dev split; the rest is training data.
DEV_MODULUS = 5


class PTCFormatError(ValueError):
    """The folder is not a PTC folder, or a label line is malformed."""


@dataclass(frozen=True)
class LabelledSpan:
    start: int
    end: int
    technique: str


@dataclass(frozen=True)
class PTCArticle:
    id: str
    text: str
    spans: tuple[LabelledSpan, ...]


def is_dev(article_id: str) -> bool:
    """Whether an article belongs to the dev split: sha256 of its id, modulo :data:`DEV_MODULUS`, is 0."""
    return int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16) % DEV_MODULUS == 0


def is_ptc_folder(folder: Path) -> bool:
    return (folder / "articles").is_dir() and (folder / "labels-tc").is_dir()


def read_ptc(folder: Path, split: str = "all") -> Iterator[PTCArticle]:
    """The articles of a PTC folder in id order; ``split`` is ``all``, ``train`` or ``dev`` (see :func:`is_dev`)."""
    if split not in ("all", "train", "dev"):
        raise ValueError(f"split must be all, train or dev, not {split!r}")
    if not is_ptc_folder(folder):
        raise PTCFormatError(f"{folder} is not a PTC folder: it needs articles/ and labels-tc/")
    paths = sorted((folder / "articles").glob("article*.txt"))
    if not paths:
        raise PTCFormatError(f"{folder / 'articles'} holds no article*.txt files")
    for path in paths:
        article_id = path.stem.removeprefix("article")
        if split != "all" and is_dev(article_id) != (split == "dev"):
            continue
        # newline="" keeps the text exactly as the offsets count it
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        labels = folder / "labels-tc" / f"article{article_id}.task2-TC.labels"
        yield PTCArticle(article_id, text, _read_labels(labels, text))


def _read_labels(path: Path, text: str) -> tuple[LabelledSpan, ...]:
    if not path.exists():
        return ()
    spans = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
            raise PTCFormatError(f"{path}:{number}: expected ID, TECHNIQUE, START, END separated by tabs")
        start, end = int(fields[2]), int(fields[3])
        if fields[1] not in TECHNIQUES:
            raise PTCFormatError(f"{path}:{number}: unknown technique {fields[1]!r}")
        if not 0 <= start < end <= len(text):
            raise PTCFormatError(f"{path}:{number}: span {start}-{end} is outside the article's {len(text)} characters")
        spans.append(LabelledSpan(start, end, fields[1]))
    return tuple(sorted(spans, key=lambda span: (span.start, span.end, span.technique)))

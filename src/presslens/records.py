"""Typed, immutable records shared by every stage, and the versioned analysis JSON they make up.

Every finding is a :class:`Finding`: a character span of ``article.text`` (``text[start:end] == text``) with
the :class:`Evidence` a user can check. The analysis model itself is assembled from the analyser registry
(:func:`presslens.analysis.analysis_model`), so adding an analyser adds its section without touching this file.
"""

from __future__ import annotations

from bisect import bisect_right

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Bumped on any rename or removal in the JSON (additions keep the major.minor).
SCHEMA_VERSION = "1.0"


class Record(BaseModel):
    """Base of every record: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Record):
    """A character span ``[start, end)`` of a text, with the exact text it covers."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError(f"span text has {len(self.text)} characters but covers {self.end - self.start}")
        return self

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return cls(start=start, end=end, text=text[start:end])


class Evidence(Record):
    """Why a finding was made: the rule or model that fired, its score, and the cue words it rests on."""

    rule: str = Field(description="name of the rule, lexicon entry or model that produced the finding")
    score: float | None = Field(default=None, description="model confidence in [0, 1], when a model decided")
    cues: tuple[Span, ...] = Field(default=(), description="the words in the text the decision rests on")
    note: str | None = None


class Finding(Record):
    """A span of ``article.text`` that an analyser reports, with its evidence."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    evidence: Evidence


class Removal(Record):
    """A span of the original input that ingest removed, and why (offsets into the original input)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    reason: str
    rule: str = Field(description="the cleaning rule that matched")


class SourceMap(Record):
    """Maps offsets of the clean text back to the original input.

    ``segments`` holds ``(clean_start, original_start, length)`` triples of copied text, in order. Characters of
    the clean text outside every segment were inserted by cleaning (paragraph breaks) and map to the original
    position where they were inserted.
    """

    segments: tuple[tuple[int, int, int], ...]

    def to_original(self, offset: int) -> int:
        """The original-input offset of clean-text ``offset`` (an insertion maps to where it was made)."""
        if not self.segments:
            return offset
        starts = [seg[0] for seg in self.segments]
        index = bisect_right(starts, offset) - 1
        if index < 0:
            return self.segments[0][1]
        clean_start, original_start, length = self.segments[index]
        return original_start + min(offset - clean_start, length)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original-input offsets of a clean-text span (end exclusive)."""
        if end <= start:
            position = self.to_original(start)
            return position, position
        return self.to_original(start), self.to_original(end - 1) + 1


class Article(Record):
    """One article after ingest: clean text plus everything known about where it came from."""

    id: str = Field(description="stable id: given by the input, else the sha256 of the clean text (16 hex)")
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    text: str = Field(description="the clean article text: standfirst/headline first if present, then the body")
    standfirst: Span | None = None
    removed: tuple[Removal, ...] = Field(default=(), description="offsets into the original input text")
    source_map: SourceMap = Field(description="maps clean-text offsets back to the original input")
    source: str | None = Field(default=None, description="file name, URL or '<stdin>' the article came from")
    input_format: str = Field(default="text", description="text | html | jsonl")
    encoding: str | None = None
    content_hash: str = Field(description="sha256 of the original input text: the store's key")


class AnalysisError(Record):
    """An analyser that failed on this article: the rest of the analysis still stands."""

    analyser: str
    message: str



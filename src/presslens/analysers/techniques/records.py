"""Records of the ``techniques`` section and of the ``techniques`` profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from presslens.records import Evidence, Record

TechniqueSource = Literal["model", "rule"]


class Technique(Record):
    """A span that uses a persuasion technique (PTC's 14 labels), with the model score or rule behind it."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    technique: str = Field(description="one of the 14 PTC techniques, e.g. 'Loaded_Language', 'Doubt'")
    score: float = Field(
        ge=0, le=1,
        description="model: probability that the span uses a technique (mean over its wordpieces); rule: 1.0",
    )
    technique_score: float | None = Field(
        default=None, ge=0, le=1, description="model: probability of this technique given the span; rule: null"
    )
    source: TechniqueSource = Field(description="'model' (the fine-tuned encoder) or 'rule' (see evidence.rule)")
    evidence: Evidence = Field(
        description="model: its most probable words as cues and the span score; rule: the rule, its cue and reason"
    )


class TechniqueCount(Record):
    technique: str
    spans: int


class TechniquesProfile(Record):
    """How much persuasion the article uses: spans per technique and per 1,000 words."""

    spans: int = Field(description="technique spans in the article (model and rules)")
    words: int = Field(description="words in the article (alphanumeric tokens of the parse)")
    per_1000_words: float = Field(description="technique spans per 1,000 words")
    counts: tuple[TechniqueCount, ...] = Field(description="spans per technique, most frequent first")

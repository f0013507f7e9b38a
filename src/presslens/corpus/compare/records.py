"""The comparison report: immutable records with offsets on both sides.

Every span is a :class:`~presslens.records.Span` of one article's ``article.text`` (``a`` is the first article of
the pair, ``b`` the second) and every alignment carries the :class:`~presslens.records.Evidence` it rests on.
``Comparison.model_dump(mode="json")`` is the ``presslens compare --format json`` output.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from presslens.records import Evidence, Record, Span

#: Bumped on any rename or removal in the comparison JSON.
COMPARISON_VERSION = "1.0"

Side = Literal["a", "b"]
PassageStatus = Literal["identical", "naming", "edited", "shared fact"]
QuoteStatus = Literal["verbatim", "trimmed", "paraphrased"]
AttributionChangeKind = Literal["named vs unnamed", "different speaker", "reporting verb", "hedging"]
SourcingChangeKind = Literal["only in a", "only in b", "label changed"]


class ArticleRef(Record):
    """One compared article."""

    index: int
    id: str
    content_hash: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    sections: tuple[str, ...] = Field(description="sections of its analysis that the comparison could use")

    @property
    def label(self) -> str:
        """How the article is named in reports: its outlet, else its file name, else its id."""
        if self.outlet:
            return self.outlet
        if self.source:
            return self.source.replace("\\", "/").rsplit("/", 1)[-1]
        return self.id


class SameStory(Record):
    """Whether the two articles cover the same story, and on what evidence."""

    same: bool
    score: float = Field(description="entity overlap (Jaccard of canonical entity names), 0-1")
    text_similarity: float = Field(description="cosine similarity of the two leads' embeddings")
    days_apart: int | None = Field(description="days between the published dates, when both are known")
    shared_entities: tuple[str, ...]
    shared_quotation: str | None = Field(
        default=None, description="words (normalised) both articles quote, when they quote the same statement"
    )
    future_verbs: tuple[int, int] | None = Field(
        default=None, description="future-tense verbs in each lead, when known: far apart, a preview and what followed"
    )
    evidence: Evidence


class Edit(Record):
    """One word-level difference inside an aligned passage (``None`` on the side that has nothing)."""

    a: Span | None
    b: Span | None
    naming: bool = Field(description="both sides name the same entity differently (see the naming differences)")


class PassageMatch(Record):
    """A passage (sentence) of ``a`` aligned with one of ``b``."""

    status: PassageStatus = Field(
        description="identical; naming (identical once names are mapped to their canonical form); edited "
                    "(same sentence, words changed); shared fact (different wording, same content)"
    )
    a: Span
    b: Span
    similarity: float
    edits: tuple[Edit, ...] = ()
    evidence: Evidence


class PassageOnly(Record):
    """Consecutive sentences present in one article only (added background, dropped material)."""

    side: Side
    span: Span
    sentences: int


class QuoteRef(Record):
    """One side of a quote: the analysis record's index in its ``quotes`` section and its spans."""

    index: int
    kind: str | None
    content: Span
    speaker: str | None
    speaker_type: str | None
    cue: Span | None
    source: Span | None


class QuoteMatch(Record):
    """A quote reported by both articles."""

    status: QuoteStatus = Field(
        description="verbatim (same words once names are mapped), trimmed (one is a contiguous part of the "
                    "other), paraphrased (same statement, other words)"
    )
    a: QuoteRef
    b: QuoteRef
    similarity: float
    evidence: Evidence


class QuoteOnly(Record):
    """A quote reported by one article only."""

    side: Side
    quote: QuoteRef
    closest: float = Field(
        description="embedding similarity of the closest unmatched quote of the other article (0 when none)")


class AttributionChange(Record):
    """How an aligned quote is attributed differently: who says it, with which verb, how hedged."""

    kind: AttributionChangeKind
    quote: int = Field(description="index of the quote match in ``quotes``")
    a: Span | None = Field(description="the source mention or cue in a")
    b: Span | None = Field(description="the source mention or cue in b")
    a_value: str | None
    b_value: str | None
    note: str


class NamingUse(Record):
    """One name form of an entity as an article uses it."""

    text: str
    convention: str | None
    spans: tuple[Span, ...]


class NamingDifference(Record):
    """An entity both articles mention under different names (or naming conventions)."""

    canonical: str
    a: tuple[NamingUse, ...]
    b: tuple[NamingUse, ...]
    evidence: Evidence


class SourcingChange(Record):
    """A sourcing finding present in one article only, or relabelled in the aligned passage of the other."""

    kind: SourcingChangeKind
    a: Span | None
    b: Span | None
    a_label: str | None
    b_label: str | None
    in_shared_passage: bool = Field(description="the finding's sentence is aligned with one of the other article")


class SourcingProfile(Record):
    """Sourcing findings per label on both sides."""

    label: str
    a: int
    b: int


class PairComparison(Record):
    """Everything that differs (and what is shared) between two articles."""

    a: int
    b: int
    same_story: SameStory
    passages: tuple[PassageMatch, ...]
    passages_only: tuple[PassageOnly, ...]
    quotes: tuple[QuoteMatch, ...]
    quotes_only: tuple[QuoteOnly, ...]
    attribution_changes: tuple[AttributionChange, ...]
    naming: tuple[NamingDifference, ...]
    sourcing_profile: tuple[SourcingProfile, ...]
    sourcing_changes: tuple[SourcingChange, ...]
    notes: tuple[str, ...] = Field(description="what could not be compared and why (e.g. a section absent)")


class Comparison(Record):
    """The comparison of two or more articles: every pair, in input order."""

    version: str = COMPARISON_VERSION
    articles: tuple[ArticleRef, ...]
    pairs: tuple[PairComparison, ...]

"""Same story or not: entity overlap, lead similarity and publication dates.

Two articles are the same story when they were published within ``story_window_days`` of each other and either
their leads are near copies (republications, wire copy) or they share enough of their named entities
(``story_entity_overlap``, Jaccard of canonical names) with leads that are about the same thing
(``story_text_similarity``). Shared entities carry the decision on coverage of one campaign, where every article
reads alike to a sentence encoder; the embedding keeps unrelated articles that share a few common names apart.
Story clustering (:mod:`presslens.corpus.stories`) applies the same test between an article and a story's members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.records import SameStory
from presslens.corpus.embeddings import SentenceEmbedder
from presslens.records import Evidence


@dataclass(frozen=True)
class StorySignature:
    """What the same-story test needs of an article."""

    vector: np.ndarray
    entities: frozenset[str] | None
    published: date | None


def published_date(value: str | None) -> date | None:
    """The date of an ISO ``published`` value (``2016-09-20`` or ``2016-09-20T14:03:00Z``), else None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def lead_text(analysis: dict[str, Any], characters: int) -> str:
    """The title (when the text does not start with it) and the start of the text."""
    article = analysis["article"]
    text, title = article.get("text") or "", article.get("title") or ""
    lead = text if not title or text.startswith(title) else f"{title}\n{text}"
    return lead[:characters]


def entity_names(analysis: dict[str, Any]) -> frozenset[str] | None:
    """Canonical entity names, case-folded, or None when the entities analyser did not run."""
    entities = analysis.get("entities")
    if not isinstance(entities, list):
        return None
    return frozenset(
        str(record.get("canonical") or record.get("text")).casefold().removeprefix("the ") for record in entities
    )


def signatures(
    analyses: list[dict[str, Any]], embedder: SentenceEmbedder, config: CompareConfig
) -> list[StorySignature]:
    """The signatures of several articles (their leads embedded in one batch)."""
    vectors = embedder.encode([lead_text(analysis, config.lead_characters) for analysis in analyses])
    return [
        StorySignature(vector, entity_names(analysis), published_date(analysis["article"].get("published")))
        for vector, analysis in zip(vectors, analyses, strict=True)
    ]


def same_story(a: StorySignature, b: StorySignature, config: CompareConfig) -> SameStory:
    """The same-story decision for two articles, with its evidence."""
    similarity = float(np.dot(a.vector, b.vector))
    days = abs((a.published - b.published).days) if a.published and b.published else None
    in_window = days is None or days <= config.story_window_days
    if a.entities is None or b.entities is None:
        shared: frozenset[str] = frozenset()
        overlap = 0.0
        same = in_window and similarity >= config.story_fallback_similarity
        rule = "same story: lead similarity only (no entities section)"
    else:
        shared = a.entities & b.entities
        union = a.entities | b.entities
        overlap = len(shared) / len(union) if union else 0.0
        same = in_window and (
            similarity >= config.story_copy_similarity
            or (overlap >= config.story_entity_overlap and similarity >= config.story_text_similarity)
        )
        rule = "same story: entity overlap + lead similarity + publication window"
    timing = "dates unknown" if days is None else f"{days} day{'s' if days != 1 else ''} apart"
    note = f"entity overlap {overlap:.2f} ({len(shared)} shared), lead similarity {similarity:.2f}, {timing}"
    if not in_window:
        note += f" (window {config.story_window_days} days)"
    return SameStory(
        same=same,
        score=round(overlap, 4),
        text_similarity=round(similarity, 4),
        days_apart=days,
        shared_entities=tuple(sorted(shared)),
        evidence=Evidence(rule=rule, score=round(overlap, 4), note=note),
    )

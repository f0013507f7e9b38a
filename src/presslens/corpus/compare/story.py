"""Same story or not: entity overlap, shared quotations, lead similarity and publication dates.

Two articles are the same story when they were published within ``story_window_days`` of each other and either
their leads are near copies (republications, wire copy), or their leads are about the same thing
(``story_text_similarity``) and they share enough of their named entities (``story_entity_overlap``, Jaccard of
canonical names) or quote the same statement (a run of ``story_quote_words`` words inside quotation marks in
both). Shared entities carry the decision on coverage of one campaign, where every article reads alike to a
sentence encoder; a shared quotation catches two outlets reporting one statement with different casts of names
(a remark and the reaction to it); the embedding keeps unrelated articles that share a few common names apart.
Two leads whose counts of future-tense verbs differ by ``story_tense_difference`` or more are a preview and what
followed (the eve of a primary and its result, a speech announced and the speech), never the same story unless
they are near copies: such pairs share their names and read alike to the encoder. Story clustering
(:mod:`presslens.corpus.stories`) applies the same test between an article and a story's members.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from presslens.analysers.quotes import marks
from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.records import SameStory
from presslens.corpus.compare.text import tokens
from presslens.corpus.embeddings import SentenceEmbedder
from presslens.records import Evidence


@dataclass(frozen=True)
class StorySignature:
    """What the same-story test needs of an article."""

    vector: np.ndarray
    entities: frozenset[str] | None
    published: date | None
    quotations: tuple[tuple[str, ...], ...] | None = None
    """Normalised words of each passage in quotation marks; None when unknown (the shared-quotation rule is then
    not applied)."""
    future_verbs: int | None = None
    """Future-tense verbs in the lead (:func:`future_verbs`); None when unknown (the preview rule is then not
    applied)."""


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


#: "will", "'ll" or "won't", an optional adverb, then a word: a verb in the future tense ("the will of" is no verb).
_FUTURE_TENSE = re.compile(
    r"\b(?:will|won['’]t|['’]ll)\s+(?:(?:not|also|still|likely|probably|soon|then|never|now|again|finally|almost|"
    r"certainly)\s+)?(?!of\b)[a-z]+",
    re.IGNORECASE,
)


def future_verbs(text: str) -> int:
    """How many verbs of ``text`` are in the future tense ("will throw", "'ll win", "won't attend"), outside
    quotation marks: a preview's future is the writer's own, while a quoted speaker's is part of what was said."""
    quoted = [(stretch.inner_start, stretch.inner_end) for stretch in marks.quotations(text)]
    return sum(1 for match in _FUTURE_TENSE.finditer(text)
               if not any(start <= match.start() < end for start, end in quoted))


def entity_names(analysis: dict[str, Any]) -> frozenset[str] | None:
    """Canonical entity names, case-folded, or None when the entities analyser did not run."""
    entities = analysis.get("entities")
    if not isinstance(entities, list):
        return None
    return frozenset(
        str(record.get("canonical") or record.get("text")).casefold().removeprefix("the ") for record in entities
    )


def quotations(text: str) -> tuple[tuple[str, ...], ...]:
    """The normalised words of every passage in double quotation marks (single marks are mostly scare quotes
    and titles, not statements)."""
    return tuple(
        words for stretch in marks.quotations(text)
        if stretch.family == "double"
        and (words := tuple(token.norm for token in tokens(text, stretch.inner_start, stretch.inner_end)))
    )


def shared_quotation(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]], words: int) -> tuple[str, ...] | None:
    """A run of ``words`` consecutive quoted words found in both articles (the first of ``a``'s), else None."""
    runs_b = {tuple(quote[i:i + words]) for quote in b for i in range(len(quote) - words + 1)}
    for quote in a:
        for i in range(len(quote) - words + 1):
            if (run := tuple(quote[i:i + words])) in runs_b:
                return run
    return None


def story_signature(analysis: dict[str, Any], vector: np.ndarray, lead: str) -> StorySignature:
    """The same-story signature of an analysis whose ``lead`` (:func:`lead_text`) embeds to ``vector``."""
    article = analysis["article"]
    return StorySignature(vector, entity_names(analysis), published_date(article.get("published")),
                          quotations(article.get("text") or ""), future_verbs(lead))


def signatures(
    analyses: list[dict[str, Any]], embedder: SentenceEmbedder, config: CompareConfig
) -> list[StorySignature]:
    """The signatures of several articles (their leads embedded in one batch)."""
    leads = [lead_text(analysis, config.lead_characters) for analysis in analyses]
    vectors = embedder.encode(leads)
    return [story_signature(analysis, vector, lead) for vector, analysis, lead in zip(vectors, analyses, leads,
                                                                                        strict=True)]


def is_same_story(similarity: float, overlap: float | None, quoted: bool, days: int | None,
                  future: tuple[int, int] | None, config: CompareConfig) -> bool:
    """The rule on a pair's measurements: lead cosine, entity overlap (None without entities), whether they share a
    quotation, days apart (None when a date is unknown), the future-tense verbs of each lead (None when unknown)."""
    if days is not None and days > config.story_window_days:
        return False
    if is_preview_and_after(similarity, future, config):
        return False
    if overlap is None:
        return similarity >= config.story_fallback_similarity
    return similarity >= config.story_copy_similarity or (
        similarity >= config.story_text_similarity and (overlap >= config.story_entity_overlap or quoted)
    )


def is_preview_and_after(similarity: float, future: tuple[int, int] | None, config: CompareConfig) -> bool:
    """Whether two leads that are no near copies differ in future-tense verbs by ``story_tense_difference``."""
    return (bool(config.story_tense_difference) and future is not None and similarity < config.story_copy_similarity
            and abs(future[0] - future[1]) >= config.story_tense_difference)


def same_story(a: StorySignature, b: StorySignature, config: CompareConfig) -> SameStory:
    """The same-story decision for two articles, with its evidence."""
    similarity = float(np.dot(a.vector, b.vector))
    days = abs((a.published - b.published).days) if a.published and b.published else None
    quoted = (shared_quotation(a.quotations, b.quotations, config.story_quote_words)
              if a.quotations is not None and b.quotations is not None else None)
    shared: frozenset[str] = frozenset()
    overlap: float | None = None
    rule = "same story: lead similarity only (no entities section)"
    if a.entities is not None and b.entities is not None:
        shared = a.entities & b.entities
        union = a.entities | b.entities
        overlap = len(shared) / len(union) if union else 0.0
        rule = "same story: entity overlap or shared quotation + lead similarity + publication window"
    future = (a.future_verbs, b.future_verbs) if a.future_verbs is not None and b.future_verbs is not None else None
    same = is_same_story(similarity, overlap, quoted is not None, days, future, config)
    timing = "dates unknown" if days is None else f"{days} day{'s' if days != 1 else ''} apart"
    note = (f"entity overlap {overlap or 0.0:.2f} ({len(shared)} shared), lead similarity {similarity:.2f}, "
            f"{timing}")
    if quoted is not None:
        note += f", both quote “{' '.join(quoted)}…”"
    if days is not None and days > config.story_window_days:
        note += f" (window {config.story_window_days} days)"
    elif future is not None and is_preview_and_after(similarity, future, config):
        note += (f"; future-tense verbs in the leads {future[0]} and {future[1]}: a preview and what followed, "
                 "not one story")
    score = round(overlap or 0.0, 4)
    return SameStory(
        same=same,
        score=score,
        text_similarity=round(similarity, 4),
        days_apart=days,
        shared_entities=tuple(sorted(shared)),
        shared_quotation=" ".join(quoted) if quoted is not None else None,
        future_verbs=future,
        evidence=Evidence(rule=rule, score=score, note=note),
    )

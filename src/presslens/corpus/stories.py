"""Story clusters of a stored corpus (``presslens stories``): incremental, embedding + entities + time window.

Articles are taken in order of publication; each joins the story of the most similar earlier article published
within ``story_window_days`` that passes the same-story test of :func:`presslens.corpus.compare.story.same_story`
(entity overlap or a shared quotation, lead embedding, dates), or opens a new story. A daily feed only clusters
the new articles: the members already stored keep their stories, and only those published near the new ones are
read back.

Persisted in the store's ``story_members`` table (one row per clustered article: its story, its lead vector,
entity names, quoted passages and the future-tense verbs of its lead, so that stored and new articles get the same
test) plus ``story_settings`` (the model and thresholds it was built with: changing them needs ``--rebuild``). A
story's id is the content hash of the article that opened it.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from pydantic import Field

from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.story import (
    StorySignature,
    published_date,
    same_story,
    signatures,
)
from presslens.corpus.embeddings import DIMENSION, MODEL_NAME, SentenceEmbedder
from presslens.corpus.store import Store
from presslens.records import Record

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS story_members (key TEXT PRIMARY KEY, story TEXT NOT NULL, published TEXT, "
    "outlet TEXT, title TEXT, score DOUBLE PRECISION, entities TEXT NOT NULL, vector TEXT NOT NULL, "
    "clustered_at TEXT NOT NULL, quotations TEXT, future_verbs INTEGER)",
    "CREATE INDEX IF NOT EXISTS story_members_story ON story_members (story)",
    "CREATE INDEX IF NOT EXISTS story_members_published ON story_members (published)",
    "CREATE TABLE IF NOT EXISTS story_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
#: The settings a clustering depends on: stored, and checked before adding to it.
_SETTING_FIELDS = ("story_entity_overlap", "story_text_similarity", "story_copy_similarity",
                   "story_fallback_similarity", "story_window_days", "lead_characters", "story_quote_words",
                   "story_tense_difference")
_BATCH = 64


class StoriesError(RuntimeError):
    """The stored clustering cannot be extended (it was built with another model or thresholds)."""


# -- the clustering core ----------------------------------------------------------------------------------------


@dataclass
class StoryClusterer:
    """Single-pass clustering: add articles in publication order, get each one's story id."""

    config: CompareConfig = field(default_factory=CompareConfig)
    _dated: list[tuple[date, str]] = field(default_factory=list)
    _undated: list[str] = field(default_factory=list)
    _signatures: dict[str, StorySignature] = field(default_factory=dict)
    story_of: dict[str, str] = field(default_factory=dict)
    score_of: dict[str, float] = field(default_factory=dict)

    def remember(self, key: str, signature: StorySignature, story: str) -> None:
        """Add an article already clustered (read back from the store)."""
        self._signatures[key] = signature
        self.story_of[key] = story
        if signature.published is None:
            self._undated.append(key)
        else:
            insort(self._dated, (signature.published, key))

    def _neighbours(self, published: date | None) -> Iterator[str]:
        if published is None:
            yield from (key for _, key in self._dated)
        else:
            window = timedelta(days=self.config.story_window_days)
            low = bisect_left(self._dated, (published - window, ""))
            high = bisect_right(self._dated, (published + window, "\uffff"))
            yield from (key for _, key in self._dated[low:high])
        yield from self._undated

    def add(self, key: str, signature: StorySignature) -> str:
        """Cluster one article: the story of its best same-story neighbour, else a new story (``key``)."""
        best: tuple[float, str] | None = None
        for other in self._neighbours(signature.published):
            decision = same_story(signature, self._signatures[other], self.config)
            if decision.same:
                score = decision.score + decision.text_similarity
                if best is None or score > best[0]:
                    best = (score, other)
        story = self.story_of[best[1]] if best else key
        self.score_of[key] = round(best[0] / 2, 4) if best else 1.0
        self.remember(key, signature, story)
        return story


# -- persistence ------------------------------------------------------------------------------------------------


def _encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode("ascii")


def _decode_vector(value: str) -> np.ndarray:
    vector = np.frombuffer(base64.b64decode(value), dtype=np.float32)
    if vector.shape != (DIMENSION,):
        raise StoriesError(f"a stored story vector has {vector.size} dimensions, expected {DIMENSION}: --rebuild")
    return vector


def _settings(config: CompareConfig) -> dict[str, str]:
    values = {name: json.dumps(getattr(config, name)) for name in _SETTING_FIELDS}
    return {"model": MODEL_NAME, **values}


def _columns(store: Store, table: str) -> set[str]:
    if store.dialect == "postgresql":
        rows = store.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", (table,))
        return {name for (name,) in rows}
    return {row[1] for row in store.execute(f"PRAGMA table_info({table})")}


def ensure_tables(store: Store) -> None:
    with store.connection():
        for statement in _SCHEMA:
            store.execute(statement)
        # Stores clustered before quotations and future-tense counts were kept gain the columns; their settings
        # then ask for --rebuild.
        columns = _columns(store, "story_members")
        for column, kind in (("quotations", "TEXT"), ("future_verbs", "INTEGER")):
            if column not in columns:
                store.execute(f"ALTER TABLE story_members ADD COLUMN {column} {kind}")


@dataclass(frozen=True)
class ClusterUpdate:
    """What one ``update_stories`` run did."""

    added: int
    new_stories: int
    joined: int
    total_articles: int
    total_stories: int


def _check_settings(store: Store, config: CompareConfig, rebuild: bool) -> None:
    wanted = _settings(config)
    if rebuild:
        with store.connection():
            store.execute("DELETE FROM story_members")
            store.execute("DELETE FROM story_settings")
    stored = dict(store.execute("SELECT name, value FROM story_settings"))
    clustered = int(store.execute("SELECT count(*) FROM story_members")[0][0])
    if clustered and stored != wanted:
        changed = sorted(name for name in wanted.keys() | stored.keys() if wanted.get(name) != stored.get(name))
        raise StoriesError(f"the stored stories were clustered with other settings ({', '.join(changed)}): "
                           "run `presslens stories --rebuild` to recluster")
    store.executemany("INSERT INTO story_settings (name, value) VALUES (?, ?) "
                      "ON CONFLICT (name) DO UPDATE SET value = excluded.value", wanted.items())


def _unclustered(store: Store) -> list[str]:
    rows = store.execute("SELECT key FROM articles WHERE key NOT IN (SELECT key FROM story_members) ORDER BY key")
    return [key for (key,) in rows]


def _new_signatures(store: Store, keys: Sequence[str], embedder: SentenceEmbedder,
                    config: CompareConfig) -> list[tuple[str, StorySignature, dict[str, Any]]]:
    """Signatures of the unclustered articles, leads embedded a batch at a time (analyses are not kept)."""
    found = []
    for start in range(0, len(keys), _BATCH):
        analyses = [(key, store.get_article(key)) for key in keys[start:start + _BATCH]]
        present = [(key, analysis) for key, analysis in analyses if analysis is not None]
        batch = signatures([analysis for _, analysis in present], embedder, config)
        for (key, analysis), signature in zip(present, batch, strict=True):
            article = analysis["article"]
            found.append((key, signature, {"published": article.get("published"), "outlet": article.get("outlet"),
                                           "title": article.get("title")}))
    return found


def _known_members(store: Store, clusterer: StoryClusterer, new: Sequence[StorySignature]) -> None:
    """Read back the members the new articles may join: published near them, or undated."""
    dates = [signature.published for signature in new if signature.published is not None]
    window = timedelta(days=clusterer.config.story_window_days)
    select = "SELECT key, story, published, entities, vector, quotations, future_verbs FROM story_members"
    if any(signature.published is None for signature in new) or not dates:
        rows = store.execute(select)
    else:
        rows = store.execute(
            f"{select} WHERE published IS NULL OR (substr(published, 1, 10) >= ? AND substr(published, 1, 10) <= ?)",
            ((min(dates) - window).isoformat(), (max(dates) + window).isoformat()),
        )
    for key, story, published, entities, vector, quoted, future in rows:
        names = json.loads(entities)
        passages = None if quoted is None else json.loads(quoted)
        quotations = None if passages is None else tuple(tuple(words) for words in passages)
        signature = StorySignature(_decode_vector(vector), None if names is None else frozenset(names),
                                   published_date(published), quotations, future)
        clusterer.remember(key, signature, story)


def update_stories(store: Store, embedder: SentenceEmbedder, config: CompareConfig | None = None, *,
                   rebuild: bool = False) -> ClusterUpdate:
    """Cluster the stored articles not yet in a story (all of them with ``rebuild``)."""
    config = config or CompareConfig()
    ensure_tables(store)
    _check_settings(store, config, rebuild)
    new = _new_signatures(store, _unclustered(store), embedder, config)
    new.sort(key=lambda item: (item[1].published or date.max, item[0]))
    clusterer = StoryClusterer(config)
    _known_members(store, clusterer, [signature for _, signature, _ in new])
    known_stories = set(clusterer.story_of.values())
    rows = []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for key, signature, meta in new:
        story = clusterer.add(key, signature)
        entities = None if signature.entities is None else sorted(signature.entities)
        quotations = None if signature.quotations is None else [list(words) for words in signature.quotations]
        rows.append((key, story, meta["published"], meta["outlet"], meta["title"], clusterer.score_of[key],
                     json.dumps(entities), _encode_vector(signature.vector), now, json.dumps(quotations),
                     signature.future_verbs))
    store.executemany(
        "INSERT INTO story_members (key, story, published, outlet, title, score, entities, vector, clustered_at, "
        "quotations, future_verbs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows,
    )
    opened = {row[1] for row in rows} - known_stories
    total_articles, total_stories = store.execute("SELECT count(*), count(DISTINCT story) FROM story_members")[0]
    return ClusterUpdate(added=len(rows), new_stories=len(opened),
                         joined=sum(1 for row in rows if row[1] in known_stories),
                         total_articles=int(total_articles), total_stories=int(total_stories))


# -- reading stories --------------------------------------------------------------------------------------------


class StorySummary(Record):
    """One story: its first article's title, dates and outlets."""

    id: str
    title: str | None
    size: int
    first_published: str | None
    last_published: str | None
    outlets: dict[str, int] = Field(description="articles per outlet ('unknown' when the outlet is not known)")


def list_stories(store: Store, *, min_size: int = 1, limit: int = 50) -> list[StorySummary]:
    """Stories with at least ``min_size`` articles, most recently published first."""
    ensure_tables(store)
    rows = store.execute(
        "SELECT story, count(*), min(published), max(published) FROM story_members GROUP BY story "
        "HAVING count(*) >= ? ORDER BY max(published) IS NULL, max(published) DESC, story LIMIT ?",
        (min_size, limit),
    )
    summaries = []
    for story, size, first, last in rows:
        members = store.execute("SELECT key, outlet, title FROM story_members WHERE story = ? "
                                "ORDER BY published IS NULL, published, key", (story,))
        title = next((member_title for key, _, member_title in members if key == story), members[0][2])
        outlets = Counter(outlet or "unknown" for _, outlet, _ in members)
        summaries.append(StorySummary(id=story, title=title, size=int(size), first_published=first,
                                      last_published=last, outlets=dict(outlets.most_common())))
    return summaries


class OutletCoverage(Record):
    """How one outlet covered a story: its articles, the names it used, how it sourced, whom it quoted."""

    outlet: str
    articles: tuple[str, ...] = Field(description="content hashes of its articles in the story")
    titles: tuple[str | None, ...] = Field(description="their titles, in the same order")
    naming: dict[str, tuple[str, ...]] = Field(description="canonical entity -> the name forms this outlet used")
    sourcing: dict[str, int] = Field(description="sourcing findings per label")
    speakers: dict[str, int] = Field(description="quotes per resolved speaker")


class StoryDifferences(Record):
    """A story's coverage by outlet, and where outlets differ."""

    story: StorySummary
    outlets: tuple[OutletCoverage, ...]
    naming: dict[str, dict[str, tuple[str, ...]]] = Field(
        description="entities named differently: canonical -> outlet -> name forms")
    speakers_not_quoted_by_all: dict[str, tuple[str, ...]] = Field(
        description="speaker -> the outlets that quote them (speakers quoted by some outlets only)")


def _coverage(outlet: str, analyses: Sequence[dict[str, Any]]) -> OutletCoverage:
    naming: dict[str, set[str]] = defaultdict(set)
    sourcing: Counter[str] = Counter()
    speakers: Counter[str] = Counter()
    for analysis in analyses:
        for record in analysis.get("naming") or ():
            naming[record["canonical"]].add(record["text"])
        sourcing.update(record["label"] for record in analysis.get("sourcing") or () if record.get("label"))
        speakers.update(record["speaker"] for record in analysis.get("quotes") or () if record.get("speaker"))
    return OutletCoverage(
        outlet=outlet,
        articles=tuple(analysis["article"]["content_hash"] for analysis in analyses),
        titles=tuple(analysis["article"].get("title") for analysis in analyses),
        naming={canonical: tuple(sorted(forms)) for canonical, forms in sorted(naming.items())},
        sourcing=dict(sourcing.most_common()),
        speakers=dict(speakers.most_common()),
    )


def story_differences(store: Store, story: StorySummary) -> StoryDifferences:
    """Per outlet coverage of one story and the differences between outlets."""
    keys = [key for (key,) in store.execute("SELECT key FROM story_members WHERE story = ? ORDER BY key",
                                            (story.id,))]
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key in keys:
        analysis = store.get_article(key)
        if analysis is not None:
            by_outlet[analysis["article"].get("outlet") or "unknown"].append(analysis)
    coverage = [_coverage(outlet, analyses) for outlet, analyses in sorted(by_outlet.items())]
    naming: dict[str, dict[str, tuple[str, ...]]] = {}
    for canonical in sorted({name for item in coverage for name in item.naming}):
        forms = {item.outlet: item.naming[canonical] for item in coverage if canonical in item.naming}
        if len(forms) > 1 and len(set(forms.values())) > 1:
            naming[canonical] = forms
    quoting: dict[str, list[str]] = defaultdict(list)
    for item in coverage:
        for speaker in item.speakers:
            quoting[speaker].append(item.outlet)
    partial = {speaker: tuple(outlets) for speaker, outlets in sorted(quoting.items())
               if len(coverage) > 1 and len(outlets) < len(coverage)}
    return StoryDifferences(story=story, outlets=tuple(coverage), naming=naming, speakers_not_quoted_by_all=partial)


# -- export -----------------------------------------------------------------------------------------------------

#: Columns of the ``stories`` export table, in order: (name, kind) with the export module's kinds.
STORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("story_id", "string"), ("story_title", "string"), ("story_size", "int"), ("story_first_published", "string"),
    ("story_last_published", "string"), ("content_hash", "string"), ("outlet", "string"), ("published", "string"),
    ("title", "string"), ("score", "float"),
)


def story_rows(store: Store) -> Iterator[dict[str, Any]]:
    """One row per clustered article with its story (``presslens export stories``); columns: STORY_COLUMNS."""
    ensure_tables(store)
    summaries = {summary.id: summary for summary in list_stories(store, limit=2**31 - 1)}
    rows: Iterable[tuple[Any, ...]] = store.execute(
        "SELECT story, key, outlet, published, title, score FROM story_members ORDER BY story, published, key"
    )
    for story, key, outlet, published, title, score in rows:
        summary = summaries[story]
        yield {
            "story_id": story, "story_title": summary.title, "story_size": summary.size,
            "story_first_published": summary.first_published, "story_last_published": summary.last_published,
            "content_hash": key, "outlet": outlet, "published": published, "title": title, "score": score,
        }

"""Story clusters: the single-pass clusterer, and incremental clustering of a store with the embedding model."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from presslens.corpus.compare import CompareConfig
from presslens.corpus.compare.story import StorySignature
from presslens.corpus.embeddings import DIMENSION
from presslens.corpus.store import Store
from presslens.corpus.stories import (
    STORY_COLUMNS,
    StoriesError,
    StoryClusterer,
    list_stories,
    story_differences,
    story_rows,
    update_stories,
)
from tests.corpus.rewritten_sample import rewrite

UNRELATED = (
    "City council approves budget for new bridge\n\n"
    "The Springfield city council on Thursday approved a $40 million budget for a new bridge over the Mill River, "
    "ending a two-year dispute between Mayor Jane Holt and the Chamber of Commerce.\n\n"
    "Construction is expected to start in the spring, the council's transport committee said."
)


def _signature(direction: int, entities: set[str] | None, day: int | None) -> StorySignature:
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[direction] = 1.0
    return StorySignature(vector, None if entities is None else frozenset(entities),
                          None if day is None else date(2016, 9, day))


def test_clusterer_joins_within_the_window_and_opens_stories_outside_it() -> None:
    clusterer = StoryClusterer(CompareConfig())
    tulsa = {"hillary clinton", "tulsa", "terence crutcher", "steve harvey"}
    assert clusterer.add("huffpost", _signature(0, tulsa, 20)) == "huffpost"
    assert clusterer.add("westjournal", _signature(0, tulsa | {"chris christie"}, 21)) == "huffpost"
    # Same entities and text, but a week later: another story.
    assert clusterer.add("later", _signature(0, tulsa, 28)) == "later"
    # Same day, other entities: another story.
    assert clusterer.add("debate", _signature(1, {"lester holt", "hofstra"}, 21)) == "debate"
    # No date: compared with every article; near copy of the first story's text joins it.
    assert clusterer.add("undated", _signature(0, set(), None)) == "huffpost"
    assert clusterer.score_of["huffpost"] == 1.0 and clusterer.score_of["westjournal"] < 1.0


def _analysis(pipeline: Any, text: str, source: str, outlet: str, published: str) -> dict[str, Any]:
    from presslens.ingest import ArticleMeta, ingest_text

    article = ingest_text(text, source=source, meta=ArticleMeta(outlet=outlet, published=published))
    return pipeline.analyze(article).to_json()  # type: ignore[no-any-return]


def test_store_clustering_is_incremental(tmp_path, pipeline, sample_path, embedder) -> None:  # type: ignore[no-untyped-def]
    original = sample_path.read_text(encoding="utf-8")
    analyses = [
        _analysis(pipeline, original, "rt.txt", "RT", "2023-03-29"),
        _analysis(pipeline, rewrite(original), "rewrite.txt", "Rewrite", "2023-03-30"),
        _analysis(pipeline, UNRELATED, "council.txt", "Springfield Post", "2023-03-30"),
    ]
    keys = [analysis["article"]["content_hash"] for analysis in analyses]
    url = str(tmp_path / "stories.db")
    with Store.open(url) as store:
        for analysis in analyses[:2]:
            store.put_analysis(analysis, analysers=pipeline.names)
        first = update_stories(store, embedder)
        assert (first.added, first.new_stories, first.total_stories) == (2, 1, 1)

        store.put_analysis(analyses[2], analysers=pipeline.names)
        second = update_stories(store, embedder)
        assert (second.added, second.joined, second.new_stories, second.total_stories) == (1, 0, 1, 2)
        assert update_stories(store, embedder).added == 0

        rows = list(story_rows(store))
        assert [list(row) for row in rows] == [[name for name, _ in STORY_COLUMNS]] * 3
        story_of = {row["content_hash"]: row["story_id"] for row in rows}
        assert story_of[keys[0]] == story_of[keys[1]] == keys[0] and story_of[keys[2]] == keys[2]

        [story] = list_stories(store, min_size=2)
        assert story.size == 2 and story.outlets == {"RT": 1, "Rewrite": 1}
        differences = story_differences(store, story)
        assert differences.naming["Kyiv"] == {"RT": ("Kiev",), "Rewrite": ("Kyiv",)}
        assert "Artyomovsk" in differences.naming["Bakhmut"]["RT"]
        assert "Artyomovsk" not in differences.naming["Bakhmut"]["Rewrite"]

        with pytest.raises(StoriesError, match="--rebuild"):
            update_stories(store, embedder, CompareConfig(story_window_days=5))
        rebuilt = update_stories(store, embedder, CompareConfig(story_window_days=5), rebuild=True)
        assert (rebuilt.added, rebuilt.total_stories) == (3, 2)

    from presslens.interfaces.cli import _load_commands, cli

    _load_commands()
    result = CliRunner().invoke(cli, ["stories", "--store", url, "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "Kyiv" in result.output and "Rewrite" in result.output and "Springfield" not in result.output


#: A reaction to the sample's interview: another cast of names (entity overlap 0.20, under the 0.25 of the
#: entity rule), but it quotes Zelensky's words.
REACTION = (
    "Kremlin says Kiev is losing the battle for Artyomovsk\n\n"
    "Kremlin spokesman Dmitry Peskov on Thursday dismissed the Ukrainian leader's remarks to an American news "
    "agency, in which he warned that “our society will push me to have compromise with them” if the city falls.\n\n"
    "Peskov told journalists in Moscow that the Russian army was advancing and that no talks were planned."
)


def test_a_stored_story_is_joined_by_a_later_article_quoting_it(tmp_path, pipeline, sample_path,  # type: ignore[no-untyped-def]
                                                               embedder) -> None:
    interview = _analysis(pipeline, sample_path.read_text(encoding="utf-8"), "rt.txt", "RT", "2023-03-29")
    reaction = _analysis(pipeline, REACTION, "reaction.txt", "Wire", "2023-03-30")
    with Store.open(str(tmp_path / "stories.db")) as store:
        store.put_analysis(interview, analysers=pipeline.names)
        update_stories(store, embedder)
        # The interview is read back from the store, quotations included, when the reaction is clustered.
        store.put_analysis(reaction, analysers=pipeline.names)
        assert update_stories(store, embedder).joined == 1
        # Asking for a longer shared run than the two quote in common separates them: the quotation joined them.
        separate = update_stories(store, embedder, CompareConfig(story_quote_words=12), rebuild=True)
        assert separate.total_stories == 2


PREVIEW = (
    "Sanders and Clinton face New Hampshire voters\n\n"
    "Bernie Sanders and Hillary Clinton will face voters in New Hampshire on Tuesday. Sanders will try to build on "
    "his strong showing in Iowa, and Clinton will campaign in Manchester with her husband."
)
RESULT = (
    "Sanders beats Clinton in New Hampshire\n\n"
    "Bernie Sanders defeated Hillary Clinton in the New Hampshire primary on Tuesday, building on his strong showing "
    "in Iowa. Clinton, who campaigned in Manchester with her husband, conceded."
)


def test_a_stored_preview_is_not_joined_by_the_result(tmp_path, pipeline, embedder) -> None:  # type: ignore[no-untyped-def]
    preview = _analysis(pipeline, PREVIEW, "preview.txt", "Post", "2016-02-08")
    result = _analysis(pipeline, RESULT, "result.txt", "Wire", "2016-02-09")
    with Store.open(str(tmp_path / "stories.db")) as store:
        store.put_analysis(preview, analysers=pipeline.names)
        update_stories(store, embedder)
        assert store.execute("SELECT future_verbs FROM story_members") == [(3,)]
        # The preview's count is read back from the store when the result (none) is clustered.
        store.put_analysis(result, analysers=pipeline.names)
        assert update_stories(store, embedder).new_stories == 1
        # Without the rule the two are one story: their names and leads agree.
        assert update_stories(store, embedder, CompareConfig(story_tense_difference=0), rebuild=True).total_stories == 1


def test_stories_clustered_without_quotations_or_tenses_ask_for_a_rebuild(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    with Store.open(str(tmp_path / "old.db")) as store:
        store.execute("CREATE TABLE story_members (key TEXT PRIMARY KEY, story TEXT NOT NULL, published TEXT, "
                      "outlet TEXT, title TEXT, score DOUBLE PRECISION, entities TEXT NOT NULL, "
                      "vector TEXT NOT NULL, clustered_at TEXT NOT NULL)")
        store.execute("CREATE TABLE story_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        store.execute("INSERT INTO story_members VALUES ('k', 'k', NULL, NULL, NULL, 1.0, '[]', '', 'now')")
        with pytest.raises(StoriesError, match=r"story_quote_words, story_tense_difference, .*--rebuild"):
            update_stories(store, embedder)
        assert update_stories(store, embedder, rebuild=True).total_articles == 0
        assert store.execute("SELECT quotations, future_verbs FROM story_members") == []  # both columns added

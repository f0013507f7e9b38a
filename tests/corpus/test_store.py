"""The store on SQLite and (when a server is given) PostgreSQL: articles, filters, failures, jobs, own tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from presslens.corpus.stats import outlet_profiles
from presslens.corpus.store import AnalysisRow, Store, StoreError
from presslens.ingest import ArticleMeta, ingest_text
from presslens.pipeline import Pipeline

KYIV_REPORT = (
    "Kyiv braces for winter blackouts\n\n"
    "Ukraine's energy ministry said on Wednesday that rolling blackouts would return to Kyiv as temperatures "
    "drop, after a wave of strikes on power plants damaged much of the grid. Officials in Kharkiv urged "
    "residents to stock up on water and batteries ahead of the cold season."
)


@pytest.fixture(scope="module")
def kyiv_analysis(entities_pipeline: Pipeline) -> dict[str, Any]:
    article = ingest_text(KYIV_REPORT, source="kyiv.txt",
                          meta=ArticleMeta(outlet="Example News", published="2023-03-22T08:00:00"))
    return entities_pipeline.analyze(article).to_json()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def test_put_is_an_idempotent_upsert_by_content_hash(store, sample_analysis, kyiv_analysis):
    key = store.put_analysis(sample_analysis, analysers=["entities", "quotes"])
    store.put_analysis(sample_analysis, analysers=["entities", "quotes"])
    store.put_analysis(kyiv_analysis, analysers=["entities"])
    assert key == sample_analysis["article"]["content_hash"]
    assert store.count_articles() == 2
    assert store.get_article(key) == sample_analysis
    assert store.get_article(sample_analysis["article"]["id"]) == sample_analysis  # by article id too
    assert store.get_article("no-such-article") is None
    done = store.done([key, kyiv_analysis["article"]["content_hash"], "f" * 64])
    assert done == {key: {"entities", "quotes"}, kyiv_analysis["article"]["content_hash"]: {"entities"}}
    streamed = list(store.iter_analyses(page=1))
    assert sorted(a["article"]["content_hash"] for a in streamed) == sorted(done)


def test_list_articles_filters_by_outlet_date_and_findings(store, sample_analysis, kyiv_analysis):
    sample_key = store.put_analysis(sample_analysis, analysers=["entities"])
    kyiv_key = store.put_analysis(kyiv_analysis, analysers=["entities"])

    def keys(**filters: Any) -> list[str]:
        found = [article.key for article in store.list_articles(**filters)]
        assert store.count_articles(**filters) == len(found)
        return found

    assert keys() == [kyiv_key, sample_key]  # dated articles first, newest first
    assert keys(outlet="Example News") == [kyiv_key]
    assert keys(since="2023-03-01", until="2023-03") == [kyiv_key]  # until a month includes its last days
    assert keys(until="2023-02") == []
    sample_entities = {e["canonical"] for e in sample_analysis["entities"]}
    kyiv_entities = {e["canonical"] for e in kyiv_analysis["entities"]}
    only_in_sample = sorted(sample_entities - kyiv_entities)[0]
    assert keys(entity=only_in_sample.upper()) == [sample_key]  # case does not matter
    assert keys(entity="Nobody Anywhere") == []
    assert [article.key for article in store.list_articles(limit=1, offset=1)] == [sample_key]
    listed = store.list_articles(outlet="Example News")[0]
    assert listed.counts["entities"] == len(kyiv_analysis["entities"])
    assert listed.outlet == "Example News" and listed.source == "kyiv.txt" and listed.analysers == ("entities",)
    for section, facet, field in (("quotes", "speaker", "speaker"), ("naming", "convention", "convention"),
                                  ("sourcing", "sourcing", "label")):
        values = [f[field] for f in sample_analysis.get(section) or () if f.get(field)]
        if values:  # the section's analyser is installed and found something in the sample
            assert keys(**{facet: values[0]}) == [sample_key]


def test_failures_are_recorded_and_cleared_by_a_later_success(store, kyiv_analysis):
    store.record_failure("bad.txt", "binary file (contains NUL bytes), not text")
    store.record_failure("kyiv.txt", "analysis task failed: worker died", key=kyiv_analysis["article"]["content_hash"],
                         stage="analysis")
    store.record_failure("bad.txt", "binary file (contains NUL bytes), not text")  # a rerun fails it again
    assert store.count_failures() == 2
    store.put_analysis(kyiv_analysis, analysers=["entities"])
    [failure] = store.failures()
    assert (failure.source, failure.stage, failure.key) == ("bad.txt", "ingest", None)
    assert failure.reason.startswith("binary file")


def test_jobs_persist_across_a_restart(store_url):
    with Store.open(store_url) as store:
        job_id = store.create_job("batch", {"inputs": ["feeds/"], "only": ["entities"]})
        queued = store.get_job(job_id)
        assert queued is not None and (queued.status, queued.progress, queued.result) == ("queued", 0.0, None)
        store.update_job(job_id, status="running", progress=0.5)
        other = store.create_job("export", {"table": "quotes"})
        store.update_job(other, status="failed", error="disk full")
    with Store.open(store_url) as store:  # a restarted service sees the same jobs
        running = store.get_job(job_id)
        assert running is not None and (running.status, running.progress) == ("running", 0.5)
        assert running.payload == {"inputs": ["feeds/"], "only": ["entities"]}
        done = store.update_job(job_id, status="done", progress=1.0, result={"analysed": 12})
        assert (done.status, done.result, done.error) == ("done", {"analysed": 12}, None)
        assert [job.id for job in store.list_jobs(kind="batch")] == [job_id]
        failed = store.list_jobs(status="failed")
        assert [(job.id, job.error) for job in failed] == [(other, "disk full")]
        with pytest.raises(KeyError):
            store.update_job("no-such-job", status="done")


def test_own_tables_share_the_store_transaction(store, kyiv_analysis):
    key = store.put_analysis(kyiv_analysis, analysers=["entities"])
    with store.connection():
        store.execute("CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, article TEXT NOT NULL)")
        store.execute("INSERT INTO stories (id, article) VALUES (?, ?)", ("s1", key))
    with pytest.raises(RuntimeError), store.connection():
        store.execute("INSERT INTO stories (id, article) VALUES (?, ?)", ("s2", key))
        raise RuntimeError("rolled back")
    rows = store.execute("SELECT s.id, a.outlet FROM stories s JOIN articles a ON a.key = s.article")
    assert rows == [("s1", "Example News")]
    assert store.dialect in ("sqlite", "postgresql")


def test_outlet_profiles_tell_not_run_from_none_found(store, sample_analysis, kyiv_analysis):
    store.put_analysis(sample_analysis, analysers=["entities"])
    store.put_analysis(kyiv_analysis, analysers=["entities"])
    profiles = {profile.outlet: profile for profile in outlet_profiles(store)}
    assert set(profiles) == {sample_analysis["article"]["outlet"], "Example News"}
    kyiv = profiles["Example News"]
    assert kyiv.articles == 1
    assert kyiv.quotes_per_article is None and kyiv.unsourced_share is None  # quotes/sourcing did not run
    assert kyiv.techniques_per_article is None and kyiv.technique_shares == {}
    sample = profiles[sample_analysis["article"]["outlet"]]
    if sample_analysis.get("quotes") is not None:
        assert sample.quotes_per_article == len(sample_analysis["quotes"])
    if sample_analysis.get("naming"):
        assert sum(sample.naming_shares.values()) == pytest.approx(1.0)
    if sample_analysis.get("techniques"):
        found = Counter(finding["technique"] for finding in sample_analysis["techniques"])
        assert sample.technique_shares == pytest.approx({name: n / found.total() for name, n in found.items()})
    [monthly] = store.outlet_profile("Example News", period="month")
    assert (monthly.period, monthly.articles) == ("2023-03", 1)


def test_rows_are_built_where_the_analysis_is_made(kyiv_analysis):
    row = AnalysisRow.from_json(kyiv_analysis, ["entities"])
    facets = {(facet, value): n for facet, value, n in row.facets}
    assert facets["section", "entities"] == len(kyiv_analysis["entities"])
    for entity in kyiv_analysis["entities"]:
        assert facets["entity", entity["canonical"]] >= 1


def test_unusable_stores_are_one_line_errors(tmp_path):
    with pytest.raises(StoreError, match="unsupported store URL"):
        Store.open("mysql://user:secret@db/corpus")
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.db"):
        Store.open(not_a_database)
    with pytest.raises(StoreError, match=r"\*\*\*"):  # the password is not shown
        Store.open("postgresql://user:secret@127.0.0.1:1/corpus")

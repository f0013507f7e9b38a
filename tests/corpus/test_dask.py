"""The Dask engine on a real local cluster of 2 worker processes (loopback): into the store, or to Parquet."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pyarrow.dataset as ds
import pytest
from distributed import Client, LocalCluster

from presslens.corpus import engines
from presslens.corpus.batch import BatchError, run_batch
from presslens.corpus.dask_engine import DaskEngine
from presslens.corpus.engines import EngineError, PipelineSpec
from presslens.corpus.store import Store
from presslens.ingest import IngestFailure, iter_inputs
from tests.corpus.articles import write_articles

SPEC = PipelineSpec.of(["entities"])


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as connected:
        yield connected


def _pipelines_loaded() -> int:
    return len(engines._PIPELINES)


def test_dask_batch_runs_on_the_cluster_workers_into_the_store(tmp_path, paragraphs, client):
    folder = tmp_path / "feed"
    write_articles(folder, paragraphs, 8)
    with Store.open(tmp_path / "store.db") as store:
        report = run_batch([folder], store, DaskEngine(SPEC, client), analysers=["entities"], chunk_size=2)
        assert (report.analysed, report.failed) == (8, 0)
        assert store.count_articles() == 8
        assert all(store.get_article(a.key)["entities"] for a in store.list_articles())  # type: ignore[index]
    workers = {f"{socket.gethostname()}:{pid}" for pid in client.run(os.getpid).values()}
    assert report.worker_peak_rss and set(report.worker_peak_rss) <= workers  # analysed by the workers
    assert min(report.worker_peak_rss.values()) > 100 * 2**20  # each holds the loaded model
    assert set(client.run(_pipelines_loaded).values()) == {1}  # the plugin loaded the pipeline once per worker


def test_dask_workers_write_partitioned_parquet_and_a_rerun_skips_it(tmp_path, paragraphs, client):
    folder = tmp_path / "feed"
    write_articles(folder, paragraphs, 6)
    out = tmp_path / "parquet"
    articles = [item for item in iter_inputs([folder]) if not isinstance(item, IngestFailure)]
    with Store.open(tmp_path / "store.db") as store:
        report = run_batch([folder], store, DaskEngine(SPEC, client, parquet_dir=out), analysers=["entities"],
                           chunk_size=2, parquet_dir=out)
        assert report.analysed == 6 and store.count_articles() == 0  # results went to Parquet, not the store
        assert len(list((out / "entities").glob("part-*.parquet"))) == 3  # one part per chunk
        stored = ds.dataset(out / "articles").to_table().to_pylist()
        assert sorted(row["content_hash"] for row in stored) == sorted(a.content_hash for a in articles)
        texts = {row["content_hash"]: row["text"] for row in stored}
        entities: list[dict[str, Any]] = ds.dataset(out / "entities").to_table().to_pylist()
        assert entities and sum(row["n_entities"] for row in stored) == len(entities)
        for row in entities:
            assert texts[row["content_hash"]][row["start"]:row["end"]] == row["text"]

        again = run_batch([folder], store, DaskEngine(SPEC, client, parquet_dir=out), analysers=["entities"],
                          chunk_size=2, parquet_dir=out)
        assert (again.analysed, again.skipped) == (0, 6)
        with pytest.raises(BatchError, match="already holds results"):
            run_batch([folder], store, DaskEngine(SPEC, client, parquet_dir=out), analysers=["entities"],
                      parquet_dir=out, force=True)


def test_dask_workers_that_cannot_build_the_pipeline_stop_the_batch_with_the_reason(client):
    registered = client.run_on_scheduler(_worker_plugins)
    with pytest.raises(EngineError, match=r"cannot build the pipeline: UnknownAnalyserError: .*no-such-analyser"):
        DaskEngine(PipelineSpec.of(["no-such-analyser"]), client)
    assert client.run_on_scheduler(_worker_plugins) == registered  # not left behind for workers joining later


def _worker_plugins(dask_scheduler: Any) -> list[str]:
    return list(dask_scheduler.worker_plugins)

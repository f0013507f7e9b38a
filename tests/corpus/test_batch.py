"""Batch analysis: every input stored once with a result or a recorded error, resumable after kill -9."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from presslens.corpus.batch import count_inputs, run_batch
from presslens.corpus.engines import EngineError, InlineEngine, LocalEngine, PipelineSpec
from presslens.corpus.store import Store
from presslens.ingest import IngestFailure, iter_inputs
from presslens.interfaces.cli.errors import errors as errors_command
from presslens.pipeline import Pipeline
from tests.corpus.articles import article_texts, write_articles

REPO = Path(__file__).resolve().parents[2]


def batch(inputs: list[Path], store: Store, pipeline: Pipeline, **options):  # type: ignore[no-untyped-def]
    return run_batch(inputs, store, InlineEngine(pipeline), analysers=pipeline.names, chunk_size=2, **options)


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Subscribe</footer></body></html>").encode()


def write_warc(path: Path, records: list[tuple[str, str, str, bytes]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, status, content_type, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def test_batch_stores_each_input_once_skips_done_work_and_retries_failures(tmp_path, paragraphs,
                                                                           entities_pipeline):
    folder = tmp_path / "feed"
    write_articles(folder, paragraphs, 5)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "empty.txt").write_text("   \n")
    with Store.open(tmp_path / "store.db") as store:
        first = batch([folder], store, entities_pipeline)
        assert (first.analysed, first.skipped, first.failed, first.expected) == (5, 0, 2, 7)
        assert store.count_articles() == 5
        assert sorted(Path(f.source).name for f in store.failures()) == ["broken.txt", "empty.txt"]

        again = batch([folder], store, entities_pipeline)
        assert (again.analysed, again.skipped, again.failed) == (0, 5, 2)

        (folder / "broken.txt").write_text(paragraphs[3], encoding="utf-8")  # fixed since the last run
        redo = batch([folder], store, entities_pipeline, force=True)
        assert (redo.analysed, redo.skipped, redo.failed) == (6, 0, 1)
        assert store.count_articles() == 6
        assert [Path(f.source).name for f in store.failures()] == ["empty.txt"]
        stored = store.get_article(store.list_articles(limit=1)[0].key)
        assert stored is not None and stored["entities"] and "quotes" not in stored  # only what ran


def test_batch_reads_json_lines_gz_and_warc(tmp_path, paragraphs, entities_pipeline):
    feed = tmp_path / "feed.jsonl.gz"
    texts = article_texts(paragraphs, 2)
    with gzip.open(feed, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"id": "rt-1", "outlet": "RT", "published": "2023-03-29", "text": texts[0]}) + "\n")
        out.write("{not json\n")
        out.write(json.dumps({"id": "rt-2", "outlet": "RT", "text": texts[1]}) + "\n")
    crawl = tmp_path / "crawl.warc.gz"
    write_warc(crawl, [
        ("https://www.example.com/news/zelensky-interview", "200 OK", "text/html; charset=utf-8",
         page("Zelensky warns of pressure to compromise", paragraphs[1:4])),
        ("https://www.example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("https://www.example.com/gone", "404 Not Found", "text/html", b"<html><body>Not found</body></html>"),
        ("https://www.example.com/empty", "200 OK", "text/html", b"<html><body></body></html>"),
    ])
    assert count_inputs([feed, crawl]) == 5  # 3 lines + 2 pages (the image and the 404 are not pages)
    with Store.open(tmp_path / "store.db") as store:
        report = batch([feed, crawl], store, entities_pipeline)
        assert (report.analysed, report.failed) == (3, 2)
        by_id = {article.id: article for article in store.list_articles()}
        assert by_id["rt-1"].outlet == "RT" and by_id["rt-1"].published == "2023-03-29"
        [web] = [article for article in by_id.values() if article.url]
        assert web.url == "https://www.example.com/news/zelensky-interview"
        assert web.source == f"{crawl}#{web.url}"
        analysis = store.get_article(web.key)
        assert analysis is not None and "Our society will feel tired" in analysis["article"]["text"]
        reasons = {failure.source: failure.reason for failure in store.failures()}
        assert reasons[f"{feed}:2"].startswith("invalid JSON")
        assert f"{crawl}#https://www.example.com/empty" in reasons


def test_kill_9_mid_batch_then_resume_stores_every_input_exactly_once(tmp_path, paragraphs, entities_pipeline):
    folder = tmp_path / "feed"
    write_articles(folder, paragraphs, 40)
    (folder / "broken.txt").write_bytes(b"\x00binary")
    database = tmp_path / "store.db"
    command = [sys.executable, "-m", "presslens", "batch", str(folder), "--store", str(database), "--only",
               "entities", "--workers", "1", "--chunk-size", "2", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        stored_at_kill = 0
        while stored_at_kill < 4:  # a few chunks committed: the batch is under way
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the batch stored nothing in time"
            time.sleep(0.05)
            if database.exists():
                with sqlite3.connect(database) as reader:
                    if reader.execute("SELECT name FROM sqlite_master WHERE name = 'articles'").fetchone():
                        stored_at_kill = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 15
        while True:  # the worker process notices its parent is gone and exits too
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "a worker outlived the killed batch"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.stderr:
            process.stderr.close()

    expected = {item.content_hash for item in iter_inputs([folder]) if not isinstance(item, IngestFailure)}
    with Store.open(database) as store:
        interrupted = store.count_articles()
        assert stored_at_kill <= interrupted < len(expected), "the kill did not land mid-batch"
        resumed = batch([folder], store, entities_pipeline)
        assert resumed.skipped == interrupted and resumed.analysed == len(expected) - interrupted
        keys = [row[0] for row in store.execute("SELECT key FROM articles")]
        assert len(keys) == len(set(keys)) == len(expected) and set(keys) == expected
        assert [Path(f.source).name for f in store.failures()] == ["broken.txt"]
        # Every input file exactly once: as a stored result (with its analysis) or as a recorded failure.
        results = store.execute("SELECT source, analysis FROM articles")
        assert all(json.loads(analysis)["entities"] for _, analysis in results)
        outcomes = sorted([Path(source).name for source, _ in results] + ["broken.txt"])
        assert outcomes == sorted(path.name for path in folder.iterdir())

    listed = CliRunner().invoke(errors_command, ["--store", str(database)])
    assert listed.exit_code == 0
    assert "broken.txt: binary file (contains NUL bytes), not text (ingest" in listed.output


def test_workers_that_cannot_build_the_pipeline_stop_the_batch_with_the_reason(tmp_path, paragraphs):
    folder = tmp_path / "feed"
    write_articles(folder, paragraphs, 3)
    engine = LocalEngine(PipelineSpec(only=("no-such-analyser",)), 1)
    with Store.open(tmp_path / "store.db") as store:
        with pytest.raises(EngineError, match=r"cannot build the pipeline: UnknownAnalyserError: .*no-such-analyser"):
            run_batch([folder], store, engine, analysers=["no-such-analyser"])
        assert store.count_articles() == 0 and store.count_failures() == 0  # a setup error, not article failures


@pytest.mark.parametrize("argument", [["--engine", "dask"], ["--only", "no-such-analyser"]])
def test_batch_usage_errors(tmp_path, argument):
    from presslens.interfaces.cli.batch import batch as batch_command

    result = CliRunner().invoke(batch_command, [str(tmp_path), "--store", str(tmp_path / "s.db"), *argument])
    assert result.exit_code == 2
    assert "--scheduler" in result.output or "no-such-analyser" in result.output

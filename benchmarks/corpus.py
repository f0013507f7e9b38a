"""Corpus throughput in one run: bare parse vs ``presslens batch`` on 1 and 2 workers vs a 2-worker Dask cluster.

    nice .venv/bin/python benchmarks/corpus.py [--article-count 2000] [--texts DIR] [--only entities]

Corpus: the PolNeAR train texts (``../shared/eval/quotes/polnear/train/text``, 840 real news articles) cycled to
``--article-count`` articles, written as one JSON Lines file. Copies after the first get a one-line suffix
("(copy 2)") so that each article has its own content hash (the store's key) and none is skipped as done.

Prints, with the machine's load average on each line (on a shared machine the figures are noisy):

1. articles/s of the bare spaCy parse: the shared pipeline with the knowledge-base ruler, ``nlp.pipe``, one
   process, on the already ingested texts;
2. in this process, on the first 192 articles: the CPU cost per article of the full pipeline (parse + analysers,
   and as a multiple of their bare parse) and of what batch adds (JSON row, SQLite upsert), to tell the
   analysers' cost from the batch machinery's;
3. articles/s of ``batch --workers 1`` and ``--workers 2`` into a fresh SQLite store (ingest, parse, every
   analyser, JSON, store; worker start and model load included), and of the same on a Dask ``LocalCluster`` of
   2 single-thread worker processes (cluster start excluded, model load included), each with the peak RSS of
   every worker, the CPU time per article (workers + parent: less sensitive than wall time to other load) and
   the cores the run kept busy on average (CPU time / wall time: below the worker count, other work had them);
4. the bars: 1 worker >= 70% of bare parse, 2 workers >= 1.7x 1 worker.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from presslens.analysers.registry import resolve
from presslens.corpus.batch import BatchReport, run_batch
from presslens.corpus.engines import Engine, LocalEngine, PipelineSpec, cpu_seconds, peak_rss
from presslens.corpus.store import AnalysisRow, Store
from presslens.ingest import IngestFailure, iter_inputs
from presslens.parse import load_nlp

REPO = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = REPO.parent / "shared" / "eval" / "quotes" / "polnear" / "train" / "text"
BATCH_SIZE = 16  # spaCy batch of the bare parse, = the batch's chunk size
BREAKDOWN_ARTICLES = 12 * BATCH_SIZE  # whole spaCy batches, so that the parse CPU up to it is exact


def build_corpus(texts: Path, count: int, path: Path) -> None:
    sources = sorted(texts.glob("*.txt"))
    if not sources:
        raise SystemExit(f"no .txt files in {texts}")
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            source = sources[index % len(sources)]
            copy = index // len(sources)
            text = source.read_text(encoding="utf-8")
            if copy:
                text = f"{text.rstrip()}\n\n(copy {copy + 1})\n"
            out.write(json.dumps({"id": f"{source.stem}#{copy + 1}", "text": text}) + "\n")


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def run(label: str, corpus: Path, folder: Path, make_engine: Callable[[], Engine], analysers: list[str]) -> float:
    started, cpu_before = time.perf_counter(), cpu_seconds()
    engine = make_engine()
    with Store.open(folder / f"{label.replace(' ', '-')}.db") as store:
        report: BatchReport = run_batch([corpus], store, engine, analysers=analysers, chunk_size=BATCH_SIZE,
                                        count=False)
        stored = store.count_articles()
    seconds = time.perf_counter() - started
    rate = report.analysed / seconds
    cpu = sum(report.worker_cpu_seconds.values()) + cpu_seconds() - cpu_before
    peaks = ", ".join(megabytes(rss) for _, rss in sorted(report.worker_peak_rss.items()))
    print(f"{label}: {rate:.2f} articles/s ({report.analysed} analysed, {report.failed} failed, {stored} stored, "
          f"{seconds:.1f} s; {1000 * cpu / report.analysed:.0f} CPU-ms/article, workers + parent, "
          f"{cpu / seconds:.2f} cores busy on average); "
          f"peak RSS per worker: {peaks}; {load()}", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article-count", type=int, default=2000)
    parser.add_argument("--texts", type=Path, default=POLNEAR_TRAIN)
    parser.add_argument("--only", action="append", help="analysers to run (default: all)")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()

    spec = PipelineSpec.of(args.only)
    analysers = [s.name for s in resolve(spec.only, spec.skip)]
    with tempfile.TemporaryDirectory(prefix="presslens-bench-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus.jsonl"
        build_corpus(args.texts, args.article_count, corpus)
        articles = [item for item in iter_inputs([corpus]) if not isinstance(item, IngestFailure)]
        texts = [article.text for article in articles]
        words = sum(len(text.split()) for text in texts)
        print(f"corpus: {len(texts)} articles, {words / len(texts):.0f} words each on average, from {args.texts}; "
              f"analysers: {', '.join(analysers)}; {os.cpu_count()} CPUs; {load()}", flush=True)

        nlp = load_nlp()
        started, cpu_before = time.perf_counter(), cpu_seconds()
        subset_parse_cpu = 0.0
        for parsed, _ in enumerate(nlp.pipe(texts, batch_size=BATCH_SIZE), start=1):
            if parsed == BREAKDOWN_ARTICLES:
                subset_parse_cpu = (cpu_seconds() - cpu_before) / parsed
        bare = len(texts) / (time.perf_counter() - started)
        cpu = cpu_seconds() - cpu_before
        print(f"bare spaCy parse (1 process): {bare:.2f} articles/s ({bare * words / len(texts):.0f} words/s; "
              f"{1000 * cpu / len(texts):.0f} CPU-ms/article); peak RSS {megabytes(peak_rss())}; {load()}",
              flush=True)
        del nlp

        # Where the time goes, in this process on a subset: the analysers, then what batch adds per article
        subset = articles[:BREAKDOWN_ARTICLES]
        pipeline = spec.build()
        cpu_before = cpu_seconds()
        analyses = [analysis.to_json() for analysis in pipeline.analyze_many(subset, batch_size=BATCH_SIZE)]
        analysis_cpu = (cpu_seconds() - cpu_before) / len(subset)
        cpu_before = cpu_seconds()
        with Store.open(folder / "breakdown.db") as store:
            for analysis in analyses:
                store.put(AnalysisRow.from_json(analysis, pipeline.names))
        store_cpu = (cpu_seconds() - cpu_before) / len(subset)
        del pipeline, analyses
        print(f"in-process on {len(subset)} articles: parse + analysers {1000 * analysis_cpu:.0f} CPU-ms/article "
              f"({analysis_cpu / (subset_parse_cpu or cpu / len(texts)):.2f} x their bare parse); JSON row + "
              f"SQLite upsert "
              f"{1000 * store_cpu:.1f} CPU-ms/article", flush=True)

        one = run("batch --workers 1", corpus, folder, lambda: LocalEngine(spec, 1), analysers)
        two = run("batch --workers 2", corpus, folder, lambda: LocalEngine(spec, 2), analysers)
        dask = None
        if not args.no_dask:
            from distributed import Client, LocalCluster

            from presslens.corpus.dask_engine import DaskEngine

            started = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster, Client(cluster) as client:
                print(f"dask LocalCluster of 2 workers started in {time.perf_counter() - started:.1f} s", flush=True)
                dask = run("dask 2 workers", corpus, folder, lambda: DaskEngine(spec, client), analysers)

    print(f"bar: batch 1 worker >= 70% of bare parse: {one / bare:.0%} {'PASS' if one >= 0.7 * bare else 'FAIL'}")
    print(f"bar: batch 2 workers >= 1.7x 1 worker: {two / one:.2f}x {'PASS' if two >= 1.7 * one else 'FAIL'}")
    if dask is not None:
        print(f"dask 2 workers vs batch 1 worker: {dask / one:.2f}x")


if __name__ == "__main__":
    main()

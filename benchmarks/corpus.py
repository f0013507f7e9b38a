"""Corpus throughput in one run: bare parse vs ``presslens batch`` on 1 and 2 workers vs a 2-worker Dask cluster,
then story clustering of the stored corpus.

    nice .venv/bin/python benchmarks/corpus.py [--limit 500] [--texts DIR] [--only NAME | --skip NAME]
                                              [--no-dask] [--no-stories]

The issue's figure is 2,000 articles (``--limit 2000``). On 2 quiet cores a run with every analyser took about
8 minutes for the default 500 articles, and ``--limit 2000 --skip techniques`` (the analysers the issue was
written against) about 15 minutes. ``--limit 100`` is a 2-minute smoke run, good for ratios measured back to back
on a busy machine (worker start-up then weighs more: see "steady"). After the in-process breakdown the benchmark
prints how long its batch runs should take.

Corpus: the PolNeAR train texts (``../shared/eval/quotes/polnear/train/text``, 840 real news articles, with their
outlet, title and date from ``metadata.tsv``) cycled to ``--limit`` articles as one JSON Lines file. Copies after
the first get a one-line suffix ("(copy 2)"), so that each has its own content hash (the store's key) and none is
skipped as done, and their dates move by 400 days per copy, so that story clustering sees new articles.

Prints, each line with the machine's load average (on a shared machine the figures are noisy; prefer the ratios,
measured back to back, and the CPU-ms per article, which other load disturbs less):

1. articles/s of the bare spaCy parse: the shared pipeline with the knowledge-base ruler, ``nlp.pipe`` (batch of
   16), one process, on the already ingested texts. This is what the 70% bar compares against;
2. in this process, limited to one thread per library like a batch worker, on the first 128 articles: the CPU
   cost per article of the parse, of each analyser, of the analysis JSON and of the store row + SQLite upsert.
   The analysers are work the batch must do on top of the bare parse, so parse / (parse + analysers) is the
   ceiling of the 70% bar before any batch overhead;
3. ``batch --workers 1`` and ``--workers 2`` into a fresh SQLite store (ingest, parse, every analyser, JSON,
   store), and the same on a Dask ``LocalCluster`` of 2 single-thread worker processes without Dask's profiler
   (cluster start excluded, model load included): articles/s over the whole run (worker start and model load
   included), "steady" articles/s from the first stored chunk on (start-up excluded), the start-up (seconds to
   the first stored chunk), the peak RSS of every worker, the CPU time per article (workers + parent) and the
   cores kept busy on average;
4. story clustering of the ``--workers 1`` store (``update_stories``: lead embeddings + entity overlap, in a child
   process): seconds, articles/s, stories, the embedding model's load time, and the child's peak RSS;
5. the bars: batch at 1 worker >= 70% of bare parse, 2 workers >= 1.7x 1 worker (whole run and steady).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from timing import timed

from presslens.analysers.registry import resolve
from presslens.corpus.batch import BatchReport, run_batch
from presslens.corpus.engines import (
    Engine,
    LocalEngine,
    PipelineSpec,
    cpu_seconds,
    one_thread_per_worker,
    peak_rss,
)
from presslens.corpus.evaluate import PolnearCorpus
from presslens.corpus.store import AnalysisRow, Store
from presslens.ingest import IngestFailure, iter_inputs
from presslens.parse import load_nlp
from presslens.records import Article

REPO = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = REPO.parent / "shared" / "eval" / "quotes" / "polnear" / "train" / "text"
BATCH_SIZE = 16  # spaCy batch of the bare parse, = the batch's chunk size
BREAKDOWN_ARTICLES = 8 * BATCH_SIZE
TWO_WORKER_SPEEDUP = 1.6  # what 2 processes get on the 2 vCPUs of the development machine (stack-notes)


def _metadata(texts: Path) -> dict[str, dict[str, str]]:
    """PolNeAR's outlet, title and date per file name (``metadata.tsv`` two folders up), if present."""
    root = texts.parent.parent
    if not (root / "metadata.tsv").is_file():
        return {}
    corpus = PolnearCorpus(root)
    return {name: {"outlet": meta.outlet or "", "title": meta.title or "", "published": meta.published or ""}
            for name in corpus.rows if (meta := corpus.meta(name))}


def build_corpus(texts: Path, count: int, path: Path) -> None:
    sources = sorted(texts.glob("*.txt"))
    if not sources:
        raise SystemExit(f"no .txt files in {texts}")
    metadata = _metadata(texts)
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            source = sources[index % len(sources)]
            copy = index // len(sources)
            text = source.read_text(encoding="utf-8")
            record: dict[str, str] = {"id": f"{source.stem}#{copy + 1}", **metadata.get(source.stem, {})}
            if copy:
                text = f"{text.rstrip()}\n\n(copy {copy + 1})\n"
                if record.get("published"):
                    moved = date.fromisoformat(record["published"][:10]) + timedelta(days=400 * copy)
                    record["published"] = moved.isoformat()
            out.write(json.dumps({**record, "text": text}) + "\n")


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def say(line: str) -> None:
    print(line, flush=True)


# -- 1 and 2: the bare parse, and where the CPU goes in one process ----------------------------------------------


def bare_parse(texts: list[str], words: float) -> tuple[float, float]:
    """Articles/s and CPU-seconds per article of the bare spaCy parse (``words``: per article, for words/s)."""
    nlp = load_nlp()
    list(nlp.pipe(texts[:BATCH_SIZE], batch_size=BATCH_SIZE))  # warm up (first-batch allocations)
    started, cpu_before = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    rate = len(texts) / (time.perf_counter() - started)
    cpu = (cpu_seconds() - cpu_before) / len(texts)
    say(f"bare spaCy parse (1 process): {rate:.2f} articles/s ({rate * words:.0f} words/s; {1000 * cpu:.0f} "
        f"CPU-ms/article); peak RSS {megabytes(peak_rss())}; {load()}")
    return rate, cpu


def breakdown(spec: PipelineSpec, articles: list[Article], folder: Path) -> tuple[float, float]:
    """CPU per article of each stage on ``articles``, in this process: return the analysers' share of the parse and
    the CPU-seconds per article of the whole analysis."""
    pipeline = spec.build()
    list(pipeline.analyze_many(articles[:BATCH_SIZE], batch_size=BATCH_SIZE))  # warm up (models, caches)
    before = cpu_seconds()
    docs = list(pipeline.nlp.pipe((article.text for article in articles), batch_size=BATCH_SIZE))
    parse = cpu_seconds() - before
    spent: dict[str, float] = {}
    pipeline.analysers = timed(pipeline, spent, cpu_seconds)
    parsed = list(zip(articles, docs, strict=True))
    before = cpu_seconds()
    results = [
        analysis
        for first in range(0, len(parsed), BATCH_SIZE)
        for analysis in pipeline.run_batch(parsed[first : first + BATCH_SIZE])
    ]
    run_total = cpu_seconds() - before
    before = cpu_seconds()
    analyses = [result.to_json() for result in results]
    to_json = cpu_seconds() - before
    before = cpu_seconds()
    with Store.open(folder / "breakdown.db") as store, store.connection():
        for analysis in analyses:
            store.put(AnalysisRow.from_json(analysis, pipeline.names))
    stored = cpu_seconds() - before

    def ms(seconds: float) -> str:
        return f"{1000 * seconds / len(articles):.1f}"

    analysers = sum(spent.values())
    per_analyser = ", ".join(f"{name} {ms(seconds)}" for name, seconds in spent.items())
    say(f"in-process CPU-ms/article on {len(articles)} articles: parse {ms(parse)}; analysers {ms(analysers)} "
        f"({analysers / parse:.0%} of the parse: {per_analyser}); records checked and assembled "
        f"{ms(run_total - analysers)}; analysis JSON {ms(to_json)}; store row + SQLite upsert {ms(stored)}")
    return analysers / parse, (parse + run_total + to_json + stored) / len(articles)


# -- 3: batch runs -----------------------------------------------------------------------------------------------


@dataclass
class Run:
    rate: float  # articles/s over the whole run, start-up included
    steady: float  # articles/s from the first stored chunk on
    cpu: float  # CPU-seconds per article, workers + parent, start-up included


def batch_run(label: str, corpus: Path, store_path: Path, make_engine: Callable[[], Engine],
              analysers: list[str]) -> Run:
    first: list[tuple[float, int]] = []

    def progress(report: BatchReport) -> None:
        if not first and report.analysed:
            first.append((time.perf_counter(), report.analysed))

    started, cpu_before = time.perf_counter(), cpu_seconds()
    engine = make_engine()
    with Store.open(store_path) as store:
        report = run_batch([corpus], store, engine, analysers=analysers, chunk_size=BATCH_SIZE, count=False,
                           progress=progress)
        stored = store.count_articles()
    ended = time.perf_counter()
    seconds = ended - started
    rate = report.analysed / seconds
    first_at, first_count = first[0] if first else (ended, report.analysed)
    steady = (report.analysed - first_count) / (ended - first_at) if ended > first_at else rate
    cpu = sum(report.worker_cpu_seconds.values()) + cpu_seconds() - cpu_before
    peaks = ", ".join(megabytes(rss) for _, rss in sorted(report.worker_peak_rss.items()))
    say(f"{label}: {rate:.2f} articles/s, steady {steady:.2f} articles/s after {first_at - started:.1f} s of "
        f"start-up ({report.analysed} analysed, {report.failed} failed, {stored} stored, {seconds:.1f} s; "
        f"{1000 * cpu / max(report.analysed, 1):.0f} CPU-ms/article, workers + parent, {cpu / seconds:.2f} cores "
        f"busy on average); peak RSS per worker: {peaks}; {load()}")
    return Run(rate, steady, cpu / max(report.analysed, 1))


def dask_run(corpus: Path, store_path: Path, spec: PipelineSpec, analysers: list[str]) -> Run:
    import dask
    from distributed import Client, LocalCluster

    from presslens.corpus.dask_engine import DaskEngine

    started = time.perf_counter()
    # Dask's statistical profiler samples every task's stack each 10 ms: 3 to 5% of a worker's CPU here
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster, Client(cluster) as client:
        say(f"dask LocalCluster of 2 workers started in {time.perf_counter() - started:.1f} s")
        return batch_run("dask 2 workers", corpus, store_path, lambda: DaskEngine(spec, client), analysers)


# -- 4: story clustering -------------------------------------------------------------------------------------------


def _cluster(store_path: str) -> dict[str, Any]:
    """In a fresh process: cluster every stored article; figures, with this process's peak RSS."""
    from presslens.corpus.embeddings import EmbeddingsUnavailableError, load_embedder
    from presslens.corpus.stories import update_stories

    started = time.perf_counter()
    try:
        embedder = load_embedder()
    except EmbeddingsUnavailableError as exc:
        return {"unavailable": str(exc)}
    loaded = time.perf_counter()
    cpu_before = cpu_seconds()
    with Store.open(store_path) as store:
        update = update_stories(store, embedder, rebuild=True)
    return {"articles": update.added, "stories": update.total_stories, "load_s": loaded - started,
            "cluster_s": time.perf_counter() - loaded, "cpu_s": cpu_seconds() - cpu_before, "peak_rss": peak_rss()}


def stories_run(store_path: Path) -> None:
    # spawn, so that the peak RSS is the clustering's, not this process's (fork carries the high-water mark)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        figures = pool.submit(_cluster, str(store_path)).result()
    if "unavailable" in figures:
        say(f"story clustering: skipped ({figures['unavailable']})")
        return
    rate = figures["articles"] / figures["cluster_s"] if figures["cluster_s"] else float("inf")
    say(f"story clustering of the --workers 1 store: {figures['articles']} articles into {figures['stories']} "
        f"stories in {figures['cluster_s']:.1f} s ({rate:.0f} articles/s, {figures['cpu_s']:.1f} CPU-s; embedding "
        f"model load {figures['load_s']:.1f} s); peak RSS {megabytes(figures['peak_rss'])}; {load()}")


# -- the run -------------------------------------------------------------------------------------------------------


def _articles(corpus: Path) -> Iterator[Article]:
    return (item for item in iter_inputs([corpus]) if not isinstance(item, IngestFailure))


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", "--article-count", type=int, default=500, metavar="N",
                        help="articles in the corpus (default 500; the issue's figure is 2000)")
    parser.add_argument("--texts", type=Path, default=POLNEAR_TRAIN, help="a folder of .txt news articles")
    parser.add_argument("--only", action="append", help="analysers to run (default: all)")
    parser.add_argument("--skip", action="append", default=[], help="analysers not to run")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    parser.add_argument("--no-stories", action="store_true", help="skip story clustering")
    args = parser.parse_args()

    spec = PipelineSpec.of(args.only, args.skip)
    analysers = [s.name for s in resolve(spec.only, spec.skip)]
    with tempfile.TemporaryDirectory(prefix="presslens-bench-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus.jsonl"
        build_corpus(args.texts, args.limit, corpus)
        articles = list(_articles(corpus))
        texts = [article.text for article in articles]
        words = sum(len(text.split()) for text in texts) / len(texts)
        say(f"corpus: {len(texts)} articles, {words:.0f} words each on average, from {args.texts}; analysers: "
            f"{', '.join(analysers)}; {os.cpu_count()} CPUs; {load()}")

        bare, bare_cpu = bare_parse(texts, words)
        one_thread_per_worker()  # from here on, this process runs as a batch worker does
        analysers_share, per_article = breakdown(spec, articles[:BREAKDOWN_ARTICLES], folder)
        runs = len(articles) * per_article * (1 + 2 / TWO_WORKER_SPEEDUP * (1 if args.no_dask else 2))
        say(f"the batch runs should take about {runs / 60:.0f} min on 2 quiet cores (start-up not included)")
        del texts, articles

        one = batch_run("batch --workers 1", corpus, folder / "workers-1.db", lambda: LocalEngine(spec, 1), analysers)
        two = batch_run("batch --workers 2", corpus, folder / "workers-2.db", lambda: LocalEngine(spec, 2), analysers)
        dask = None if args.no_dask else dask_run(corpus, folder / "dask.db", spec, analysers)
        if not args.no_stories:
            stories_run(folder / "workers-1.db")

    ceiling = 1 / (1 + analysers_share)
    say(f"bar: batch 1 worker >= 70% of bare parse: {one.rate / bare:.0%} {verdict(one.rate >= 0.7 * bare)} "
        f"(steady {one.steady / bare:.0%} {verdict(one.steady >= 0.7 * bare)}); the batch also runs the analysers, "
        f"{analysers_share:.0%} on top of the parse, so {ceiling:.0%} is its ceiling before any batch overhead; by "
        f"CPU time per article, which other load disturbs less: {bare_cpu / one.cpu:.0%}")
    say(f"bar: batch 2 workers >= 1.7x 1 worker: {two.rate / one.rate:.2f}x {verdict(two.rate >= 1.7 * one.rate)} "
        f"(steady {two.steady / one.steady:.2f}x {verdict(two.steady >= 1.7 * one.steady)}); with a free core "
        f"for each worker it could reach at most {2 * one.cpu / two.cpu:.2f}x (2 x CPU-ms per article at 1 worker / "
        "at 2); the 2 vCPUs here scale like hyperthreads (~1.6x, see ../shared/stack-notes.md), and other load "
        "takes from both runs")
    if dask is not None:
        say(f"dask 2 workers vs batch 1 worker: {dask.rate / one.rate:.2f}x (steady {dask.steady / one.steady:.2f}x)")
    say(f"done; {load()}")


if __name__ == "__main__":
    main()

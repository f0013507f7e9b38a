"""Where batch analysis runs: in this process, in a local process pool, or on a Dask cluster.

Every engine runs the same task, :func:`analyse_chunk`, on chunks of articles, and each worker process builds the
:class:`~presslens.pipeline.Pipeline` once (:func:`cached_pipeline`; on Dask a worker plugin builds it as the
worker joins). The engine keeps a bounded number of chunks in flight, so memory stays flat on any corpus size and
a killed batch loses at most those chunks. Results come back as :class:`ChunkResult`\\ s holding store-ready
rows, or, with ``parquet_dir``, the workers write their results as Parquet parts themselves and send back only
which articles succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from threadpoolctl import threadpool_limits

from presslens.corpus.store import AnalysisRow
from presslens.pipeline import Pipeline
from presslens.records import Article

Chunk = list[Article]


@dataclass(frozen=True)
class PipelineSpec:
    """What a worker needs to build the pipeline (picklable and hashable, so workers cache by it)."""

    only: tuple[str, ...] | None = None
    skip: tuple[str, ...] = ()
    config: str = "{}"  # JSON of the per-analyser config, kept as text to stay hashable

    @classmethod
    def of(cls, only: Iterable[str] | None = None, skip: Iterable[str] = (),
           config: Mapping[str, Mapping[str, Any]] | None = None) -> PipelineSpec:
        return cls(tuple(only) if only else None, tuple(skip), json.dumps(config or {}, sort_keys=True))

    def build(self) -> Pipeline:
        return Pipeline(only=self.only, skip=self.skip, config=json.loads(self.config))


_PIPELINES: dict[PipelineSpec, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def cached_pipeline(spec: PipelineSpec) -> Pipeline:
    """This process's pipeline for ``spec``, built on first use (the model loads once per worker process)."""
    with _PIPELINES_LOCK:
        if spec not in _PIPELINES:
            _PIPELINES[spec] = spec.build()
        return _PIPELINES[spec]


@dataclass(frozen=True)
class Outcome:
    """What became of one article: a row to store, a row written elsewhere (``row`` None), or an error."""

    key: str
    source: str | None
    row: AnalysisRow | None = None
    error: str | None = None


@dataclass(frozen=True)
class ChunkResult:
    """A chunk's outcomes, and the worker that made them with its peak memory and CPU time so far."""

    outcomes: tuple[Outcome, ...]
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    peak_rss: int = field(default_factory=lambda: peak_rss())
    cpu_seconds: float = field(default_factory=lambda: cpu_seconds())


def peak_rss() -> int:
    """This process's peak resident memory in bytes.

    On Linux, from ``VmHWM``: ``ru_maxrss`` of a spawned worker reports its parent's peak (the kernel carries
    the high-water mark over fork and exec).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def analyse_articles(pipeline: Pipeline, articles: Sequence[Article]) -> list[dict[str, Any] | str]:
    """Each article's analysis JSON, or the error that stopped it.

    One batched parse; if that fails, the articles are analysed one at a time, so one bad article fails alone.
    """
    try:
        return [analysis.to_json() for analysis in pipeline.analyze_many(articles, batch_size=max(1, len(articles)))]
    except Exception:  # find the article that broke the batch: the others must not fail with it
        return [_analyse_one(pipeline, article) for article in articles]


def _analyse_one(pipeline: Pipeline, article: Article) -> dict[str, Any] | str:
    try:
        return pipeline.analyze(article).to_json()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def analyse_chunk(spec: PipelineSpec, articles: Chunk, parquet_dir: str | None = None) -> ChunkResult:
    """The task every engine runs: analyse a chunk with this process's pipeline.

    With ``parquet_dir`` the analyses are written there as Parquet parts (one per table, named by the chunk's
    content) and only the outcomes, without rows, are returned.
    """
    return run_chunk(cached_pipeline(spec), articles, parquet_dir)


def run_chunk(pipeline: Pipeline, articles: Chunk, parquet_dir: str | None = None) -> ChunkResult:
    """:func:`analyse_chunk` with a given pipeline."""
    results = analyse_articles(pipeline, articles)
    if parquet_dir is not None:
        from presslens.corpus.export import write_parquet_parts

        part = hashlib.sha256("".join(article.content_hash for article in articles).encode()).hexdigest()[:20]
        write_parquet_parts([result for result in results if isinstance(result, dict)], Path(parquet_dir), part)
    outcomes = []
    for article, result in zip(articles, results, strict=True):
        if isinstance(result, str):
            outcomes.append(Outcome(article.content_hash, article.source, error=result))
        else:
            row = AnalysisRow.from_json(result, pipeline.names) if parquet_dir is None else None
            outcomes.append(Outcome(article.content_hash, article.source, row=row))
    return ChunkResult(tuple(outcomes))


# -- engines --------------------------------------------------------------------------------------------------


class Engine(Protocol):
    """Runs :func:`analyse_chunk` over chunks; yields each chunk with its result or the exception it raised."""

    name: str

    def map_unordered(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult | BaseException]]: ...

    def close(self) -> None: ...


def bounded(
    chunks: Iterable[Chunk],
    submit: Callable[[Chunk], Any],
    wait_first: Callable[[set[Any]], set[Any]],
    in_flight: int,
) -> Iterator[tuple[Chunk, ChunkResult | BaseException]]:
    """Keep at most ``in_flight`` chunks submitted; yield each as it completes (futures of either kind)."""
    pending: dict[Any, Chunk] = {}
    source = iter(chunks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            chunk = next(source, None)
            if chunk is None:
                exhausted = True
            else:
                pending[submit(chunk)] = chunk
        if not pending:
            return
        for future in wait_first(set(pending)):
            chunk = pending.pop(future)
            try:
                yield chunk, future.result()
            except Exception as exc:
                yield chunk, exc


class InlineEngine:
    """Runs in the calling process with a given pipeline (tests, notebooks, debugging)."""

    name = "inline"

    def __init__(self, pipeline: Pipeline, parquet_dir: Path | None = None) -> None:
        self.pipeline = pipeline
        self.parquet_dir = parquet_dir

    def map_unordered(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult | BaseException]]:
        for chunk in chunks:
            try:
                yield chunk, run_chunk(self.pipeline, chunk, str(self.parquet_dir) if self.parquet_dir else None)
            except Exception as exc:
                yield chunk, exc

    def close(self) -> None:
        return None


def one_thread_per_worker() -> None:
    """Limit this worker process's numeric libraries to one thread each.

    The worker processes are the parallelism: OpenBLAS's extra spinning threads in every worker only oversubscribe
    the cores (12% more CPU on one core), as would torch's intra-op threads (thinc imports torch when it is
    installed, and a model-based analyser runs on it). Dask's nanny sets the same through the environment.
    """
    threadpool_limits(limits=1)  # stays in force: the limiter restores the old limits only when used with `with`
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


class EngineError(RuntimeError):
    """The engine's workers cannot run the pipeline (e.g. a model file is missing where they run)."""


#: Why this worker process could not build its pipeline (reported by :func:`_worker_ready`), if it could not.
_WORKER_ERROR: str | None = None


def _init_local_worker(spec: PipelineSpec, parent: int) -> None:
    global _WORKER_ERROR
    try:
        cached_pipeline(spec)  # load the model now, not inside the first task
    except Exception as exc:  # an initializer that raises only breaks the pool, with no reason given: keep it
        _WORKER_ERROR = f"{type(exc).__name__}: {exc}"
    one_thread_per_worker()  # after the pipeline: it may load more libraries

    def exit_with_parent() -> None:  # a kill -9'd batch must not leave workers behind
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def _worker_ready() -> str | None:
    """The first task of every local worker: None, or why it cannot build the pipeline."""
    return _WORKER_ERROR


class LocalEngine:
    """A pool of ``workers`` processes on this machine, each loading the pipeline once.

    The workers start, and load the model, as the engine is made, while the caller reads and counts its inputs.
    :meth:`map_unordered` raises :class:`EngineError` if they cannot build the pipeline (a setup error, not a
    per-article failure: nothing is recorded for the articles in flight).
    """

    name = "local"

    def __init__(self, spec: PipelineSpec, workers: int, parquet_dir: Path | None = None) -> None:
        self.spec = spec
        self.workers = workers
        self.parquet_dir = str(parquet_dir) if parquet_dir else None
        self._ready: list[Future[str | None]] = []
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent may run threads (progress bar, database driver) that fork would copy mid-use
        pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_init_local_worker,
                                   initargs=(self.spec, os.getpid()))
        self._ready = [pool.submit(_worker_ready) for _ in range(self.workers)]  # starts the workers now
        return pool

    def _check_ready(self) -> None:
        for future in self._ready:
            try:
                error = future.result()
            except BrokenProcessPool as exc:
                error = f"a worker process died while loading the pipeline ({exc})"
            if error is not None:
                raise EngineError(f"the workers cannot build the pipeline: {error}")

    def map_unordered(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult | BaseException]]:
        def submit(chunk: Chunk) -> Future[ChunkResult]:
            return self._pool.submit(analyse_chunk, self.spec, chunk, self.parquet_dir)

        checked = False
        for chunk, result in bounded(chunks, submit, _wait_local, 2 * self.workers):
            if not checked:  # the readiness tasks ran before any chunk: a worker that failed them fails the batch
                self._check_ready()
                checked = True
            if isinstance(result, BrokenProcessPool):  # a worker died (e.g. out of memory): go on with a new pool
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            yield chunk, result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _wait_local(futures: set[Any]) -> set[Any]:
    return set(wait_futures(futures, return_when=FIRST_COMPLETED).done)

"""Batch analysis into the store: resumable, parallel, and never losing work.

:func:`run_batch` reads inputs with :func:`presslens.ingest.iter_inputs` (files, directories, globs, JSON Lines,
WARC), skips articles already stored (by content hash, unless ``force``), sends the rest in small chunks to an
engine (:mod:`presslens.corpus.engines`) and stores each chunk's results in one transaction as it comes back.

Guarantees:

- a crash or ``kill -9`` loses at most the chunks in flight (two per worker); everything stored is committed;
- a resumed run neither duplicates (upserts by content hash) nor skips (whatever is not stored is redone);
- a per-input failure (unreadable file, analysis crash, dead worker) is recorded with its reason and the batch
  goes on; a later run retries it, and a success clears it.
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presslens.corpus.engines import Chunk, ChunkResult, Engine
from presslens.corpus.store import Store
from presslens.ingest import DEFAULT_MAX_BYTES, IngestFailure, iter_inputs
from presslens.records import Article

#: Articles per task: small enough that a kill loses little, large enough for spaCy's batched parse.
DEFAULT_CHUNK_SIZE = 16


class BatchError(RuntimeError):
    """The batch cannot start (e.g. ``--force`` into a Parquet folder that already holds results)."""


def default_workers() -> int:
    """The CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class BatchReport:
    """What a batch did so far (updated live; passed to the progress callback)."""

    expected: int | None = None
    analysed: int = 0
    skipped: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    worker_peak_rss: dict[str, int] = field(default_factory=dict)
    worker_cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def seen(self) -> int:
        return self.analysed + self.skipped + self.failed

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Articles analysed per second."""
        return self.analysed / self.elapsed if self.elapsed > 0 else 0.0


def count_inputs(inputs: Iterable[str | Path]) -> int:
    """How many articles ``inputs`` hold, read quickly (lines of JSON Lines, pages of WARC), for the ETA."""
    from presslens.ingest import _expand, _load_readers, _reader_for, _wanted_in_directory
    from presslens.ingest.warc import count_pages, read_warc

    _load_readers()
    inputs = list(inputs)
    explicit = {str(item) for item in inputs}
    total = 0
    for path in _expand(inputs):
        if isinstance(path, str):  # stdin
            total += 1
            continue
        if str(path) not in explicit and not _wanted_in_directory(path):
            continue
        reader = _reader_for(path)
        if reader is read_warc:
            total += count_pages(path)
        elif reader is not None and path.is_file():
            opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
            try:
                with opener(path, "rb") as lines:
                    total += sum(1 for line in lines if line.strip())
            except (OSError, EOFError):
                total += 1
        else:
            total += 1
    return total


def parquet_done(directory: Path) -> set[str]:
    """Content hashes of the articles already written under a ``--parquet-out`` folder."""
    folder = directory / "articles"
    if not folder.is_dir():
        return set()
    import pyarrow.dataset as ds

    return set(ds.dataset(folder, format="parquet").to_table(columns=["content_hash"])["content_hash"].to_pylist())


def run_batch(
    inputs: Sequence[str | Path],
    store: Store,
    engine: Engine,
    *,
    analysers: Sequence[str],
    force: bool = False,
    clean: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    parquet_dir: Path | None = None,
    count: bool = True,
    progress: Callable[[BatchReport], None] | None = None,
) -> BatchReport:
    """Analyse ``inputs`` with ``engine`` into ``store`` (or the engine's ``parquet_dir``); see the module doc.

    ``analysers`` are the names the engine's pipeline runs: a stored article is skipped only if they all ran on
    it. With ``parquet_dir`` (where the engine's workers write), articles already written there are skipped, and
    failures still go to the store. ``count`` pre-counts the inputs so that ``progress`` can show an ETA.
    """
    written_before = parquet_done(parquet_dir) if parquet_dir is not None else set()
    if force and written_before:
        engine.close()
        raise BatchError(f"{parquet_dir} already holds results: --force would write them twice; use an empty folder")
    wanted = frozenset(analysers)
    report = BatchReport(expected=count_inputs(inputs) if count else None)
    submitted: set[str] = set()

    def tick() -> None:
        if progress is not None:
            progress(report)

    def to_do(articles: list[Article]) -> Chunk:
        """The articles of a chunk that still need analysing."""
        if force:
            done: set[str] = set()
        elif parquet_dir is not None:
            done = written_before
        else:
            stored = store.done(article.content_hash for article in articles)
            done = {key for key, ran in stored.items() if wanted <= ran}
        chunk = []
        for article in articles:
            if article.content_hash in done or article.content_hash in submitted:
                report.skipped += 1
            else:
                submitted.add(article.content_hash)
                chunk.append(article)
        tick()
        return chunk

    def chunks() -> Iterator[Chunk]:
        pending: list[Article] = []
        for item in iter_inputs(inputs, clean=clean, max_bytes=max_bytes):
            if isinstance(item, IngestFailure):
                store.record_failure(item.source, item.reason, stage="ingest")
                report.failed += 1
                tick()
                continue
            pending.append(item)
            if len(pending) >= chunk_size:
                chunk, pending = to_do(pending), []
                if chunk:
                    yield chunk
        if pending and (chunk := to_do(pending)):
            yield chunk

    try:
        for chunk, result in engine.map_unordered(chunks()):
            _store_result(store, chunk, result, report)
            tick()
    finally:
        engine.close()
        report.finished = time.monotonic()
    return report


def _store_result(store: Store, chunk: Chunk, result: ChunkResult | BaseException, report: BatchReport) -> None:
    """Store one chunk's outcomes in one transaction."""
    with store.connection():
        if isinstance(result, BaseException):  # the task itself failed (a dead worker): every article failed
            reason = f"analysis task failed: {type(result).__name__}: {result}".rstrip(": ")
            for article in chunk:
                store.record_failure(article.source or article.content_hash, reason, key=article.content_hash,
                                     stage="analysis")
            report.failed += len(chunk)
            return
        for outcome in result.outcomes:
            if outcome.error is not None:
                store.record_failure(outcome.source or outcome.key, outcome.error, key=outcome.key, stage="analysis")
                report.failed += 1
                continue
            if outcome.row is not None:
                store.put(outcome.row)
            else:  # written to Parquet by the worker
                store.clear_failures(key=outcome.key, source=outcome.source)
            report.analysed += 1
    report.worker_peak_rss[result.worker] = max(result.peak_rss, report.worker_peak_rss.get(result.worker, 0))
    report.worker_cpu_seconds[result.worker] = max(result.cpu_seconds,
                                                   report.worker_cpu_seconds.get(result.worker, 0.0))

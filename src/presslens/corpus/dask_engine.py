"""The Dask engine: batch analysis on an existing cluster (``presslens batch --engine dask --scheduler tcp://…``).

Kept apart from :mod:`presslens.corpus.engines` so that local batches do not import ``distributed``.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from distributed import Client, wait
from distributed.diagnostics.plugin import WorkerPlugin

from presslens.corpus.engines import (
    Chunk,
    ChunkResult,
    EngineError,
    PipelineSpec,
    analyse_chunk,
    bounded,
    cached_pipeline,
    one_thread_per_worker,
)


class PipelineLoader(WorkerPlugin):
    """Worker plugin: builds the pipeline for ``spec`` when a worker starts (or joins the cluster later)."""

    def __init__(self, spec: PipelineSpec) -> None:
        self.spec = spec

    def setup(self, worker: Any) -> None:
        cached_pipeline(self.spec)
        one_thread_per_worker()


class DaskEngine:
    """Runs :func:`~presslens.corpus.engines.analyse_chunk` on a Dask cluster.

    ``scheduler`` is an address (``tcp://host:8786``) or a ``distributed.Client``. Registering the
    :class:`PipelineLoader` plugin makes every worker load the model once, before its first task. Start workers
    with one thread each (``dask worker tcp://… --nthreads 1 --nworkers N``): analysis is CPU-bound Python, so
    threads in one worker process only contend for its GIL; ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``
    saves the 3 to 5% of CPU that Dask's statistical profiler takes. Workers need presslens installed, and with
    ``parquet_dir`` a path they can all write to (a shared filesystem). Workers that cannot build the pipeline
    make the constructor raise :class:`~presslens.corpus.engines.EngineError`, as the local engine does.
    """

    name = "dask"

    def __init__(self, spec: PipelineSpec, scheduler: str | Client, parquet_dir: Path | None = None,
                 in_flight_per_thread: int = 2) -> None:
        self.spec = spec
        self.parquet_dir = str(parquet_dir) if parquet_dir else None
        self._own_client = not isinstance(scheduler, Client)
        self.client = Client(scheduler) if isinstance(scheduler, str) else scheduler
        plugin = f"presslens-pipeline-{hashlib.sha256(repr(spec).encode()).hexdigest()[:12]}"
        try:  # the workers build the pipeline now; Dask re-raises the first worker's error here
            self.client.register_plugin(PipelineLoader(spec), name=plugin)
        except Exception as exc:
            with contextlib.suppress(Exception):  # or workers joining later would fail the same way
                self.client.unregister_worker_plugin(plugin)
            if self._own_client:
                self.client.close()
            raise EngineError(f"the workers cannot build the pipeline: {type(exc).__name__}: {exc}") from exc
        self.in_flight = in_flight_per_thread * max(1, sum(self.client.nthreads().values()))

    def map_unordered(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult | BaseException]]:
        def submit(chunk: Chunk) -> Any:
            return self.client.submit(analyse_chunk, self.spec, chunk, self.parquet_dir, pure=False)

        yield from bounded(chunks, submit, _wait_first, self.in_flight)

    def close(self) -> None:
        if self._own_client:
            self.client.close()


def _wait_first(futures: set[Any]) -> set[Any]:
    return set(wait(list(futures), return_when="FIRST_COMPLETED").done)

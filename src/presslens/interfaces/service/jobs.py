"""Long work as persisted jobs: a list of articles (text, HTML or URLs) analysed in the background into the store.

A job lives in the store's ``jobs`` table: its items are the payload, its progress and per-item outcomes the
result, written as it goes (every :data:`PROGRESS_INTERVAL_S`). So a job survives the process: at start-up, jobs
that a previous process left queued or running (it stopped or was killed mid-job) are marked *interrupted*, and
``resume`` continues them from the first item not recorded as done. An item analysed before the interruption is
neither lost nor stored twice (articles are keyed by content hash).

A failing item (unreadable, unfetchable, refused URL) is recorded with its reason, in the job and in the store's
failures, and the job goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import ValidationError

from presslens.corpus.store import Job
from presslens.ingest import IngestError
from presslens.interfaces.service.fetch import FetchError
from presslens.interfaces.service.schemas import ArticleInput, JobFailure, JobView

if TYPE_CHECKING:
    from presslens.interfaces.service.runtime import ServiceRuntime

#: The store's job kind for "analyse these items into the store".
JOB_KIND = "analyze"
#: How often a running job writes its progress (the whole result) to the store. A process killed in between
#: redoes at most this much work on resume, and the store never holds a duplicate (articles are keyed by content).
PROGRESS_INTERVAL_S = 0.5
#: The error an interrupted job carries (the store has no "interrupted" status: see :func:`job_view`).
INTERRUPTED = "interrupted: the server stopped before the job finished; POST /jobs/{id}/resume continues it"

log = logging.getLogger("presslens.service")


class JobStateError(ValueError):
    """The job is not in a state that allows the request (e.g. resuming a job that is not interrupted)."""


def job_view(job: Job) -> JobView:
    """The API view of a stored job.

    The store knows queued/running/done/failed; an interrupted job is stored as failed with
    ``result.interrupted`` set, and shown as ``interrupted``.
    """
    result = job.result or {}
    interrupted = job.status == "failed" and bool(result.get("interrupted"))
    return JobView(
        id=job.id,
        status="interrupted" if interrupted else job.status,
        total=len(job.payload.get("items", ())),
        done=int(result.get("done", 0)),
        failed=len(result.get("failures", ())),
        articles=list(result.get("articles", ())),
        failures=[JobFailure.model_validate(f) for f in result.get("failures", ())],
        error=job.error,
        created=job.created,
        updated=job.updated,
    )


def _fresh_result() -> dict[str, Any]:
    return {"done": 0, "articles": [], "failures": [], "interrupted": False}


class JobRunner:
    """Runs the service's jobs as tasks on its event loop; their analyses share the runtime's pipeline lane."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def start(self) -> None:
        """Mark the jobs a previous process left unfinished as interrupted, and resume them if configured."""
        store = self.runtime.store
        left: list[Job] = []
        for status in ("queued", "running"):
            left += await self.runtime.in_store(store.list_jobs, kind=JOB_KIND, status=status, limit=10_000)
        for job in left:
            result = {**_fresh_result(), **(job.result or {}), "interrupted": True}
            await self.runtime.in_store(
                store.update_job, job.id, status="failed", result=result,
                error=INTERRUPTED,
            )
            log.warning("job %s was interrupted by a server stop at %s items", job.id, result["done"])
        if self.runtime.settings.resume_jobs:
            for job in left:
                await self.resume(job.id)

    async def stop(self) -> None:
        """Cancel running jobs; each records itself as interrupted (resumable by the next process)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def submit(self, items: list[ArticleInput]) -> JobView:
        payload = {"items": [item.model_dump(exclude_none=True) for item in items]}
        store = self.runtime.store
        job_id = await self.runtime.in_store(store.create_job, JOB_KIND, payload)
        job = await self.runtime.in_store(store.update_job, job_id, result=_fresh_result())
        self._launch(job.id)
        return job_view(job)

    async def get(self, job_id: str) -> Job | None:
        job = await self.runtime.in_store(self.runtime.store.get_job, job_id)
        return job if job is not None and job.kind == JOB_KIND else None

    async def resume(self, job_id: str) -> JobView:
        """Continue an interrupted job from its first unfinished item."""
        job = await self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        if job_view(job).status != "interrupted" or job_id in self._tasks:
            raise JobStateError(f"job {job_id} is {job_view(job).status}, not interrupted: nothing to resume")
        result = {**_fresh_result(), **(job.result or {}), "interrupted": False}
        job = await self.runtime.in_store(self.runtime.store.update_job, job_id, status="queued", result=result)
        self._launch(job_id)
        return job_view(job)

    def _launch(self, job_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job_id), name=f"presslens job {job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _run(self, job_id: str) -> None:
        runtime, store = self.runtime, self.runtime.store
        job = await runtime.in_store(store.update_job, job_id, status="running")
        items = job.payload["items"]
        result = {**_fresh_result(), **(job.result or {})}
        saved = time.monotonic()
        try:
            for index in range(result["done"], len(items)):
                await self._run_item(job_id, index, items[index], result)
                result["done"] = index + 1
                if time.monotonic() - saved >= PROGRESS_INTERVAL_S:
                    progress = result["done"] / len(items)
                    await runtime.in_store(store.update_job, job_id, progress=progress, result=result)
                    saved = time.monotonic()
            await runtime.in_store(store.update_job, job_id, status="done", progress=1.0, result=result)
        except asyncio.CancelledError:
            result["interrupted"] = True
            with anyio.CancelScope(shield=True):
                await runtime.in_store(store.update_job, job_id, status="failed", result=result, error=INTERRUPTED)
            raise
        except Exception as exc:  # the store failed under us: record why, never leave the job "running"
            log.exception("job %s failed", job_id)
            with anyio.CancelScope(shield=True):
                await runtime.in_store(
                    store.update_job, job_id, status="failed", result=result, error=f"{type(exc).__name__}: {exc}"
                )

    async def _run_item(self, job_id: str, index: int, raw: dict[str, Any], result: dict[str, Any]) -> None:
        source = raw.get("url") or f"job {job_id} item {index}"
        try:
            item = ArticleInput.model_validate(raw)
            analysis = await self.runtime.analyze(item)
            await self.runtime.save(analysis)
        except (IngestError, FetchError, ValidationError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            result["failures"].append({"item": index, "source": source, "reason": reason})
            await self.runtime.in_store(self.runtime.store.record_failure, source, reason, stage="ingest")
            return
        except Exception as exc:  # an analyser crash on one item must not stop the job
            reason = f"{type(exc).__name__}: {exc}"
            result["failures"].append({"item": index, "source": source, "reason": reason})
            await self.runtime.in_store(self.runtime.store.record_failure, source, reason, stage="analysis")
            return
        result["articles"].append(analysis["article"]["id"])

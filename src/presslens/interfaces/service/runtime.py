"""What one service process holds for its lifetime: the pipeline (loaded once), the store, the URL fetcher and the
job runner, and the one way work reaches the pipeline (a thread with a capacity limit, off the event loop).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from presslens.corpus.embeddings import SentenceEmbedder, load_embedder
from presslens.corpus.store import Store
from presslens.ingest import ArticleMeta, ingest_bytes, ingest_html, ingest_text
from presslens.interfaces.service.fetch import FetchedPage, UrlFetcher
from presslens.interfaces.service.jobs import JobRunner
from presslens.interfaces.service.schemas import ArticleInput
from presslens.interfaces.service.settings import ServiceSettings
from presslens.pipeline import Pipeline
from presslens.records import Article

T = TypeVar("T")


class UnknownItemError(LookupError):
    """A request named an article, job or outlet the store does not have (answered with 404)."""

    def __str__(self) -> str:
        return str(self.args[0])


class ServiceRuntime:
    """The service's long-lived state, started and stopped by the app's lifespan."""

    def __init__(self, settings: ServiceSettings, *, pipeline: Pipeline | None = None) -> None:
        self.settings = settings
        self._pipeline = pipeline
        self._store: Store | None = None
        self._fetcher: UrlFetcher | None = None
        # One pipeline, shared: analyses queue here instead of contending for the GIL or the parser's state.
        self.analysis_limiter = anyio.CapacityLimiter(settings.analysis_threads)
        self.jobs = JobRunner(self)
        self._embedder_lock = anyio.Lock()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("the service has not started: its pipeline is not loaded")
        return self._pipeline

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the service has not started: its store is not open")
        return self._store

    async def start(self) -> None:
        if self._pipeline is None:
            settings = self.settings
            self._pipeline = await anyio.to_thread.run_sync(
                partial(Pipeline, only=settings.only or None, skip=settings.skip)
            )
        self._store = await anyio.to_thread.run_sync(Store.open, self.settings.store)
        self._fetcher = UrlFetcher(self.settings.fetch)
        await self.jobs.start()

    async def stop(self) -> None:
        await self.jobs.stop()
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._store is not None:
            self._store.close()

    async def in_store(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) store call in a worker thread; the store serialises calls itself."""
        return await anyio.to_thread.run_sync(partial(function, *args, **kwargs))

    async def analyze(self, item: ArticleInput) -> dict[str, Any]:
        """Ingest and analyse one input (fetching its URL first); the contract's JSON object.

        Raises :class:`~presslens.ingest.IngestError` and :class:`~presslens.interfaces.service.fetch.FetchError`
        for inputs that cannot be used.
        """
        page = None
        if item.url is not None:
            assert self._fetcher is not None, "the service has not started"
            page = await self._fetcher.fetch(item.url)
        return await anyio.to_thread.run_sync(
            partial(self._analyze_now, item, page), limiter=self.analysis_limiter
        )

    def _analyze_now(self, item: ArticleInput, page: FetchedPage | None) -> dict[str, Any]:
        return self.pipeline.analyze(to_article(item, page)).to_json()

    async def compute(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run CPU-heavy work (comparison, clustering) in the analysis lane, off the event loop."""
        return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), limiter=self.analysis_limiter)

    async def embedder(self) -> SentenceEmbedder:
        """The sentence embedder for compare and stories, loaded on first use (an optional extra: a few seconds
        and some hundred MB, which a service that never compares should not pay at start-up).

        Raises :class:`~presslens.corpus.embeddings.EmbeddingsUnavailableError` when the extra is missing.
        """
        async with self._embedder_lock:  # one load, however many requests arrive first
            return await anyio.to_thread.run_sync(load_embedder)

    async def stored(self, key_or_id: str) -> dict[str, Any]:
        """A stored analysis by content hash or article id; :class:`UnknownItemError` when there is none."""
        analysis = await self.in_store(self.store.get_article, key_or_id)
        if analysis is None:
            raise UnknownItemError(f"no stored article with id or content hash {key_or_id!r}")
        return analysis

    async def save(self, analysis: dict[str, Any]) -> str:
        """Store one analysis; its key (the content hash)."""
        return await self.in_store(self.store.put_analysis, analysis, self.pipeline.names)


def to_article(item: ArticleInput, page: FetchedPage | None = None) -> Article:
    """The article of one input (for a URL, of the page fetched for it)."""
    meta = ArticleMeta(
        id=item.id, outlet=item.outlet, title=item.title, author=item.author, published=item.published,
        url=page.url if page is not None else None,
    )
    if page is not None:
        return ingest_bytes(page.content, source=page.url, kind=page.kind, meta=meta)
    if item.html is not None:
        return ingest_html(item.html, source="<html>", meta=meta)
    assert item.text is not None
    return ingest_text(item.text, source="<text>", meta=meta)

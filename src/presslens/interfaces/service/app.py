"""The FastAPI application: :func:`create_app` wires settings, the runtime, the API, the UI and safety nets.

>>> app = create_app(ServiceSettings(store="corpus.db"))
>>> uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from presslens import __version__
from presslens.corpus.compare import CompareError
from presslens.corpus.embeddings import EmbeddingsUnavailableError
from presslens.ingest import IngestError
from presslens.interfaces.service import api, ui
from presslens.interfaces.service.fetch import FetchError, FetchRefused
from presslens.interfaces.service.runtime import ServiceRuntime, UnknownItemError
from presslens.interfaces.service.settings import ServiceSettings
from presslens.pipeline import Pipeline

#: Applied to every response; the report (``?format=html``) replaces the CSP with its own sandboxed one.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}

_DESCRIPTION = """\
Analyse news articles (quotes and speakers, sourcing, naming conventions, persuasion techniques) and browse a
stored corpus. Every finding carries character offsets into `article.text` and its evidence.

Write requests (POST) need `Authorization: Bearer <token>` when the server runs with `PRESSLENS_TOKEN` set.
"""


def create_app(settings: ServiceSettings, *, pipeline: Pipeline | None = None) -> FastAPI:
    """The service for ``settings``; ``pipeline`` reuses an already loaded one (else it is loaded at start-up)."""
    runtime = ServiceRuntime(settings, pipeline=pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="presslens",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: offline, and against the UI's CSP
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.include_router(api.router)
    app.include_router(ui.router)
    ui.mount_static(app)
    _add_error_handlers(app)
    app.add_middleware(RequestBodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


class BodyTooLarge(HTTPException):
    """The request body is over the server's limit (413)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413,
            f"request body is over the {max_bytes:,}-byte limit of this server (start it with --max-body-bytes "
            "to change it, or split the work into smaller requests)",
        )


class RequestBodyLimit:
    """413 for bodies over ``max_bytes``: a declared Content-Length is refused before anything is read, a
    streamed (chunked) body as soon as the bytes read pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            error = BodyTooLarge(self.max_bytes)
            await _problem(error.status_code, error.detail)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)  # FastAPI re-raises HTTPExceptions from body reading
            return message

        await self.app(scope, limited_receive, send)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that does not set its own (plain ASGI: no overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _problem(status: int, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    """Turn the errors a client can cause into 4xx answers that say what to change."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _problem(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        messages = []
        for error in exc.errors():
            location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            messages.append(f"{location}: {error.get('msg')}" if location else str(error.get("msg")))
        return JSONResponse({"detail": "; ".join(messages), "errors": _plain(exc.errors())}, status_code=422)

    @app.exception_handler(FetchRefused)
    async def fetch_refused(request: Request, exc: FetchRefused) -> JSONResponse:
        return _problem(400, str(exc))

    @app.exception_handler(FetchError)
    async def fetch_failed(request: Request, exc: FetchError) -> JSONResponse:
        return _problem(422, str(exc))

    @app.exception_handler(IngestError)
    async def ingest_failed(request: Request, exc: IngestError) -> JSONResponse:
        return _problem(422, f"cannot read the article: {exc.reason}")

    @app.exception_handler(CompareError)
    async def not_comparable(request: Request, exc: CompareError) -> JSONResponse:
        return _problem(422, f"cannot compare: {exc}")

    @app.exception_handler(EmbeddingsUnavailableError)
    async def no_embeddings(request: Request, exc: EmbeddingsUnavailableError) -> JSONResponse:
        return _problem(503, str(exc))

    @app.exception_handler(UnknownItemError)
    async def unknown_item(request: Request, exc: UnknownItemError) -> JSONResponse:
        return _problem(404, str(exc))


def _plain(errors: object) -> object:
    """Validation errors as JSON-safe data (their ``ctx`` may hold exception objects)."""
    if isinstance(errors, dict):
        return {key: _plain(value) for key, value in errors.items() if key != "url"}
    if isinstance(errors, list | tuple):
        return [_plain(value) for value in errors]
    return errors if isinstance(errors, str | int | float | bool | type(None)) else str(errors)

"""The FastAPI application: :func:`create_app` wires settings, the runtime, the API, the UI and safety nets.

>>> app = create_app(ServiceSettings(store="corpus.db"))
>>> uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from presslens import __version__
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
        max_body_size=settings.max_body_bytes,
    )
    app.state.runtime = runtime
    app.include_router(api.router)
    app.include_router(ui.router)
    ui.mount_static(app)
    _add_error_handlers(app, settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI, settings: ServiceSettings) -> None:
    """Turn the errors a client can cause into 4xx answers that say what to change."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:  # raised by FastAPI's body limit, also for chunked bodies
            return _problem(
                413,
                f"request body is over the {settings.max_body_bytes:,}-byte limit of this server "
                "(start it with --max-body-bytes to change it, or send a job of smaller items)",
            )
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

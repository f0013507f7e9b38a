"""The JSON API routes. Handlers stay thin: the runtime does the work, the store answers the questions."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from presslens import __version__
from presslens.analysis import analysis_model
from presslens.corpus.compare import Comparison, compare
from presslens.corpus.stats import OutletProfile, outlet_profiles
from presslens.corpus.store import StoredArticle
from presslens.corpus.stories import (
    ClusterUpdate,
    StoriesError,
    StoryDifferences,
    StorySummary,
    list_stories,
    story_differences,
    update_stories,
)
from presslens.interfaces.service.jobs import JobStateError, job_view
from presslens.interfaces.service.runtime import ServiceRuntime, UnknownItemError
from presslens.interfaces.service.schemas import (
    AnalyzeRequest,
    CompareRequest,
    Health,
    JobRequest,
    JobView,
    Problem,
)
from presslens.outputs import output_formats

#: The report page runs its own inline script and style, sandboxed: no network, no access to this origin.
REPORT_CSP = (
    "sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)

router = APIRouter()
_bearer = HTTPBearer(auto_error=False, description="the server's PRESSLENS_TOKEN, required on POST when set")


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]


def require_token(
    runtime: Runtime, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Writes need ``Authorization: Bearer <token>`` when the server has a token (compared in constant time)."""
    expected = runtime.settings.token
    if expected is None:
        return
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(
            401,
            "this server requires an API token for writes: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


Write = Depends(require_token)
_errors: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": description}
    for code, description in (
        (400, "the body is not UTF-8 JSON, or the URL is refused by the fetch policy"),
        (401, "a token is required"),
        (404, "not found"),
        (409, "the job (or the stored story clustering) is not in a state that allows this"),
        (413, "the request body is over the server's limit"),
        (422, "invalid request, or an input that cannot be read, fetched or compared"),
        (503, "the optional 'compare' extra (sentence embeddings) is not installed"),
    )
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: _errors[code] for code in codes}


# -- analysis -----------------------------------------------------------------------------------------------------


@router.post(
    "/analyze",
    tags=["analysis"],
    dependencies=[Write],
    response_model=None,
    responses={200: {"model": analysis_model(), "description": "the analysis JSON"}, **_responses(400, 401, 413, 422)},
)
async def analyze(request: AnalyzeRequest, runtime: Runtime) -> JSONResponse:
    """Analyse one article (text, HTML, or a URL the server fetches) and return the analysis JSON.

    Saved to the store unless ``save`` is false, so it is listed under ``/articles``.
    """
    analysis = await runtime.analyze(request)
    if request.save:
        await runtime.save(analysis)
    return JSONResponse(analysis)


# -- corpus -------------------------------------------------------------------------------------------------------


class ArticleList(BaseModel):
    total: int = Field(description="articles matching the filters (all pages)")
    articles: list[StoredArticle]


@router.get("/articles", tags=["corpus"], response_model=ArticleList, responses=_responses(422))
async def list_articles(
    runtime: Runtime,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40, description="published on or after (ISO date)")] = None,
    until: Annotated[str | None, Query(max_length=40, description="published on or before; '2023-05' = all May")]
    = None,
    speaker: Annotated[str | None, Query(max_length=200, description="a quote's resolved speaker")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="an entity's canonical name")] = None,
    convention: Annotated[str | None, Query(max_length=200, description="a naming convention")] = None,
    sourcing: Annotated[str | None, Query(max_length=200, description="a sourcing label")] = None,
    technique: Annotated[str | None, Query(max_length=200, description="a persuasion technique")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ArticleList:
    """Stored articles, newest first, filtered by outlet, date and findings (case-insensitive)."""
    filters = {
        "outlet": outlet, "since": since, "until": until, "speaker": speaker, "entity": entity,
        "convention": convention, "sourcing": sourcing, "technique": technique,
    }
    store = runtime.store
    articles = await runtime.in_store(store.list_articles, **filters, limit=limit, offset=offset)
    total = await runtime.in_store(store.count_articles, **filters)
    return ArticleList(total=total, articles=articles)


@router.get(
    "/articles/{article_id}",
    tags=["corpus"],
    response_model=None,
    responses={
        200: {
            "model": analysis_model(),
            "description": "the stored analysis JSON, or with format=html the annotated report page",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **_responses(404, 422),
    },
)
async def get_article(
    article_id: Annotated[str, Path(max_length=200, description="article id or content hash")],
    runtime: Runtime,
    format: Annotated[Literal["json", "html"], Query(description="json (default) or html (the report)")] = "json",
) -> JSONResponse | HTMLResponse:
    """One stored analysis, as JSON or as the annotated HTML report."""
    analysis = await runtime.stored(article_id)
    if format == "html":
        page = await runtime.in_store(output_formats()["html"].render, analysis)
        return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP})
    return JSONResponse(analysis)


class OutletCount(BaseModel):
    name: str
    articles: int


class OutletList(BaseModel):
    outlets: list[OutletCount]


@router.get("/outlets", tags=["corpus"], response_model=OutletList)
async def list_outlets(runtime: Runtime) -> OutletList:
    """Outlets in the store with their article counts, most articles first."""
    rows = await runtime.in_store(runtime.store.outlets)
    return OutletList(outlets=[OutletCount(name=name, articles=n) for name, n in rows if name is not None])


class OutletReport(BaseModel):
    overall: OutletProfile = Field(description="the outlet's profile over all its articles")
    periods: list[OutletProfile] = Field(description="one profile per period of publication, oldest first")


@router.get("/outlets/{name}", tags=["corpus"], response_model=OutletReport, responses=_responses(404, 422))
async def outlet_profile(
    name: Annotated[str, Path(max_length=200)],
    runtime: Runtime,
    period: Annotated[Literal["month", "year"], Query()] = "month",
) -> OutletReport:
    """An outlet's profile over time: naming-convention shares, unsourced share, quotes, top speakers."""
    overall = await runtime.in_store(outlet_profiles, runtime.store, outlet=name)
    if not overall:
        raise UnknownItemError(f"no stored article from outlet {name!r}")
    periods = await runtime.in_store(runtime.store.outlet_profile, name, period)
    return OutletReport(overall=overall[0], periods=[p for p in periods if p.period is not None])


# -- comparison and stories --------------------------------------------------------------------------------------


@router.post(
    "/compare", tags=["stories"], dependencies=[Write], response_model=Comparison,
    responses=_responses(400, 401, 404, 413, 422, 503),
)
async def compare_articles(request: CompareRequest, runtime: Runtime) -> Comparison:
    """Align stored articles side by side: shared and missing passages, quotes, attribution, naming, sourcing
    (every pair, in the order given; offsets on both sides)."""
    analyses = [await runtime.stored(key) for key in request.articles]
    return await runtime.compute(compare, analyses, embedder=await runtime.embedder())


class StoryList(BaseModel):
    stories: list[StorySummary] = Field(description="most recently published first")


@router.get("/stories", tags=["stories"], response_model=StoryList, responses=_responses(422))
async def list_story_clusters(
    runtime: Runtime,
    min_size: Annotated[int, Query(ge=1, le=10_000, description="stories with at least this many articles")] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> StoryList:
    """Stories: stored articles about the same event, across outlets (``POST /stories/refresh`` clusters new
    articles)."""
    return StoryList(stories=await runtime.in_store(list_stories, runtime.store, min_size=min_size, limit=limit))


class StoryArticle(BaseModel):
    key: str = Field(description="content hash (pass it to POST /compare)")
    id: str
    outlet: str | None
    title: str | None
    published: str | None


class StoryView(BaseModel):
    differences: StoryDifferences
    articles: list[StoryArticle] = Field(description="the story's articles, oldest first")


@router.get("/stories/{story_id}", tags=["stories"], response_model=StoryView, responses=_responses(404, 422))
async def get_story(story_id: Annotated[str, Path(max_length=200)], runtime: Runtime) -> StoryView:
    """One story: each outlet's coverage (names used, sourcing, speakers quoted), where outlets differ, and its
    articles."""
    stories = await runtime.in_store(list_stories, runtime.store, limit=1_000_000)
    story = next((s for s in stories if s.id == story_id), None)
    if story is None:
        raise UnknownItemError(f"no story {story_id!r}")
    differences = await runtime.in_store(story_differences, runtime.store, story)
    articles = []
    for key in (key for coverage in differences.outlets for key in coverage.articles):
        article = (await runtime.stored(key))["article"]
        articles.append(StoryArticle(key=key, id=article["id"], outlet=article.get("outlet"),
                                     title=article.get("title"), published=article.get("published")))
    return StoryView(differences=differences, articles=sorted(articles, key=lambda a: (a.published or "", a.key)))


@router.post(
    "/stories/refresh", tags=["stories"], dependencies=[Write], response_model=ClusterUpdate,
    responses=_responses(401, 409, 503),
)
async def refresh_stories(runtime: Runtime) -> ClusterUpdate:
    """Cluster the stored articles that are in no story yet (incremental: earlier stories stay as they are)."""
    try:
        return await runtime.compute(update_stories, runtime.store, await runtime.embedder())
    except StoriesError as exc:
        raise HTTPException(409, f"{exc} (rebuild with `presslens stories --rebuild`)") from None


# -- jobs ---------------------------------------------------------------------------------------------------------


@router.post(
    "/jobs", tags=["jobs"], dependencies=[Write], status_code=202, response_model=JobView,
    responses=_responses(400, 401, 413, 422),
)
async def create_job(request: JobRequest, runtime: Runtime) -> JobView:
    """Analyse many articles (text, HTML or URLs) in the background into the store; poll ``/jobs/{id}``."""
    return await runtime.jobs.submit(request.items)


@router.get("/jobs", tags=["jobs"], response_model=list[JobView], responses=_responses(422))
async def list_jobs(runtime: Runtime, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[JobView]:
    """Recent jobs, newest first."""
    jobs = await runtime.in_store(runtime.store.list_jobs, kind="analyze", limit=limit)
    return [job_view(job) for job in jobs]


@router.get("/jobs/{job_id}", tags=["jobs"], response_model=JobView, responses=_responses(404, 422))
async def get_job(job_id: Annotated[str, Path(max_length=64)], runtime: Runtime) -> JobView:
    """A job's status and progress (done/total), with the ids of analysed articles and per-item failures."""
    job = await runtime.jobs.get(job_id)
    if job is None:
        raise UnknownItemError(f"no job {job_id!r}")
    return job_view(job)


@router.post(
    "/jobs/{job_id}/resume", tags=["jobs"], dependencies=[Write], response_model=JobView,
    responses=_responses(401, 404, 409, 422),
)
async def resume_job(job_id: Annotated[str, Path(max_length=64)], runtime: Runtime) -> JobView:
    """Continue a job that a server stop interrupted, from its first unfinished item."""
    try:
        return await runtime.jobs.resume(job_id)
    except KeyError:
        raise UnknownItemError(f"no job {job_id!r}") from None
    except JobStateError as exc:
        raise HTTPException(409, str(exc)) from None


# -- service ------------------------------------------------------------------------------------------------------


@router.get("/healthz", tags=["service"], response_model=Health)
async def healthz(runtime: Runtime) -> Health:
    """Liveness and what this server runs."""
    return Health(
        status="ok",
        version=__version__,
        analysers=runtime.pipeline.names,
        store=runtime.store.dialect,
        jobs_running=runtime.jobs.running,
    )

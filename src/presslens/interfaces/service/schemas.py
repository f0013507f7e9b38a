"""Request and response bodies of the JSON API (they make up its OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Longest URL accepted (browsers and servers commonly stop near here too).
MAX_URL_LENGTH = 2048
_META_LENGTH = 1000


class ArticleInput(BaseModel):
    """One article to analyse: exactly one of ``text``, ``html`` or ``url``, plus optional metadata."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="plain article text")
    html: str | None = Field(default=None, description="an HTML page; its main text is extracted")
    url: str | None = Field(
        default=None, max_length=MAX_URL_LENGTH, description="an http(s) URL the server fetches (public hosts only)"
    )
    id: str | None = Field(default=None, max_length=200, description="article id; default: derived from the text")
    outlet: str | None = Field(default=None, max_length=_META_LENGTH, description="outlet name, e.g. RT")
    title: str | None = Field(default=None, max_length=_META_LENGTH)
    author: str | None = Field(default=None, max_length=_META_LENGTH)
    published: str | None = Field(default=None, max_length=100, description="publication date, ISO 8601")

    @model_validator(mode="after")
    def _one_source(self) -> ArticleInput:
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of text, html or url (got {', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> Literal["text", "html", "url"]:
        return "text" if self.text is not None else "html" if self.html is not None else "url"


class AnalyzeRequest(ArticleInput):
    """``POST /analyze``: an article, analysed now; saved to the store unless ``save`` is false."""

    save: bool = Field(default=True, description="keep the analysis in the store (browsable under /articles)")


class CompareRequest(BaseModel):
    """``POST /compare``: two or more stored articles to align."""

    model_config = ConfigDict(extra="forbid")

    articles: list[str] = Field(
        min_length=2, max_length=10, description="content hashes or ids of stored articles (every pair is compared)"
    )


class JobRequest(BaseModel):
    """``POST /jobs``: articles (text, HTML or URLs) analysed in the background and saved to the store."""

    model_config = ConfigDict(extra="forbid")

    items: list[ArticleInput] = Field(min_length=1, max_length=10_000)


JobStatus = Literal["queued", "running", "done", "failed", "interrupted"]


class JobView(BaseModel):
    """A job's status and progress."""

    id: str
    status: JobStatus
    total: int = Field(description="items in the job")
    done: int = Field(description="items finished (analysed or failed); the job resumes after them")
    failed: int = Field(description="items that failed; their reasons are in failures")
    articles: list[str] = Field(description="ids of the analysed articles, in item order")
    failures: list[JobFailure]
    error: str | None = Field(description="why the job stopped, when it did not finish")
    created: str
    updated: str


class JobFailure(BaseModel):
    item: int = Field(description="index of the item in the job")
    source: str
    reason: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    analysers: list[str]
    store: str = Field(description="the store's kind (sqlite, postgresql)")
    jobs_running: int


class Problem(BaseModel):
    """An error: ``detail`` says what went wrong and, where it helps, what to do."""

    detail: str
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="for an invalid request: each failing field (loc, msg, type)"
    )


JobView.model_rebuild()

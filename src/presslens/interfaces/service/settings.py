"""Settings of ``presslens serve``: what the service binds to, what it accepts, and what it may fetch.

Every default is the safe one: loopback only, a 5 MB request cap, no fetches to private networks, and writes
open only when no API token is configured.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

#: The environment variable holding the API token that write requests must carry when it is set.
TOKEN_ENV = "PRESSLENS_TOKEN"


class FetchPolicy(BaseModel):
    """What the server may fetch when a client asks it to analyse a URL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timeout_s: float = Field(default=10.0, gt=0, description="wall-clock limit for a whole fetch, redirects included")
    max_bytes: int = Field(default=5_000_000, gt=0, description="largest response body accepted (decompressed)")
    max_redirects: int = Field(default=5, ge=0, description="redirects followed; each hop is checked like the first")
    allow_private: bool = Field(
        default=False, description="allow loopback, private, link-local and other non-public addresses (SSRF guard off)"
    )


class ServiceSettings(BaseModel):
    """Configuration of one service process (``presslens serve --help`` documents the same options)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1", description="interface to bind; loopback unless told otherwise")
    port: int = Field(default=8000, ge=0, le=65535)
    store: str = Field(default="presslens.db", description="store path (SQLite) or URL (sqlite:///…, postgresql://…)")
    token: SecretStr | None = Field(
        default=None, description=f"API token required on write requests (POST) when set; ${TOKEN_ENV} sets it"
    )
    max_body_bytes: int = Field(default=5_000_000, gt=0, description="largest request body accepted (413 above it)")
    fetch: FetchPolicy = Field(default_factory=FetchPolicy)
    analysis_threads: int = Field(
        default=1, ge=1, description="analyses run at once, off the event loop (the GIL makes more than cores useless)"
    )
    only: tuple[str, ...] = Field(default=(), description="run only these analysers (and what they require)")
    skip: tuple[str, ...] = Field(default=(), description="analysers to leave out")
    resume_jobs: bool = Field(default=False, description="resume jobs interrupted by a previous shutdown at start-up")

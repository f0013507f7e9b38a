"""``presslens serve``: the JSON API and browser UI (FastAPI + uvicorn), safe by default."""

from __future__ import annotations

import ipaddress

import click
from pydantic import SecretStr

from presslens.corpus.store import DEFAULT_STORE
from presslens.interfaces.cli.analyze import build_pipeline, split_names
from presslens.interfaces.cli.app import cli
from presslens.interfaces.service.settings import TOKEN_ENV, FetchPolicy, ServiceSettings

_DEFAULTS = ServiceSettings()
_FETCH = FetchPolicy()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option("--host", default=_DEFAULTS.host, show_default=True,
              help="interface to bind; anything but loopback exposes the service to the network")
@click.option("--port", type=click.IntRange(0, 65535), default=_DEFAULTS.port, show_default=True)
@click.option("--store", default=DEFAULT_STORE, show_default=True, help="SQLite path or postgresql:// URL")
@click.option("--token", envvar=TOKEN_ENV, default=None, show_envvar=True,
              help=f"API token required on POST requests (prefer the ${TOKEN_ENV} variable to the option)")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=_DEFAULTS.max_body_bytes, show_default=True,
              help="largest request body; bigger requests get 413")
@click.option("--allow-private-fetch", is_flag=True,
              help="let URL analyses fetch from loopback/private/link-local addresses (off: SSRF guard)")
@click.option("--fetch-timeout", type=click.FloatRange(min=0.1), default=_FETCH.timeout_s, show_default=True,
              help="seconds allowed for a whole URL fetch, redirects included")
@click.option("--fetch-max-bytes", type=click.IntRange(min=1), default=_FETCH.max_bytes, show_default=True)
@click.option("--max-redirects", type=click.IntRange(min=0), default=_FETCH.max_redirects, show_default=True)
@click.option("--analysis-threads", type=click.IntRange(min=1), default=_DEFAULTS.analysis_threads,
              show_default=True, help="analyses run at once (off the event loop)")
@click.option("--only", multiple=True, help="run only these analysers (and what they require); comma-separated")
@click.option("--skip", multiple=True, help="do not run these analysers; comma-separated")
@click.option("--resume-jobs", is_flag=True, help="resume jobs an earlier server stop interrupted")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(host: str, port: int, store: str, token: str | None, max_body_bytes: int, allow_private_fetch: bool,
          fetch_timeout: float, fetch_max_bytes: int, max_redirects: int, analysis_threads: int,
          only: tuple[str, ...], skip: tuple[str, ...], resume_jobs: bool, log_level: str) -> None:
    """Serve the JSON API (OpenAPI at /openapi.json) and the browser UI (at /).

    Binds 127.0.0.1 unless --host says otherwise. With a token set, every POST needs
    'Authorization: Bearer TOKEN'; reads stay open.
    """
    import uvicorn

    from presslens.interfaces.service import create_app

    pipeline = build_pipeline(only, skip)
    settings = ServiceSettings(
        host=host, port=port, store=store, token=SecretStr(token) if token else None, max_body_bytes=max_body_bytes,
        fetch=FetchPolicy(timeout_s=fetch_timeout, max_bytes=fetch_max_bytes, max_redirects=max_redirects,
                          allow_private=allow_private_fetch),
        analysis_threads=analysis_threads, resume_jobs=resume_jobs,
        only=tuple(split_names(only)), skip=tuple(split_names(skip)),
    )
    if not _is_loopback(host) and settings.token is None:
        click.secho(f"warning: serving on {host} without an API token: anyone who can reach it can write to the "
                    f"store (set ${TOKEN_ENV})", fg="yellow", err=True)
    click.echo(f"presslens serving on http://{host}:{port}/ (store: {store})", err=True)
    uvicorn.run(create_app(settings, pipeline=pipeline), host=host, port=port, log_level=log_level,
                server_header=False, proxy_headers=False)

"""``presslens batch INPUT…``: analyse a corpus into the store, resumably, on local processes or a Dask cluster.

Also home of the ``--store`` option shared by ``errors``, ``export`` and ``stats``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from presslens.analysers.registry import UnknownAnalyserError, resolve
from presslens.corpus.batch import DEFAULT_CHUNK_SIZE, BatchError, BatchReport, default_workers, run_batch
from presslens.corpus.engines import Engine, EngineError, LocalEngine, PipelineSpec
from presslens.corpus.store import DEFAULT_STORE, Store, StoreError
from presslens.ingest import DEFAULT_MAX_BYTES
from presslens.interfaces.cli.analyze import split_names
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, cli

Command = TypeVar("Command", bound=Callable[..., Any])


def store_option(command: Command) -> Command:
    """``--store URL`` (or $PRESSLENS_STORE), default ``./presslens.db``."""
    return click.option(
        "--store", "store_url", default=DEFAULT_STORE, show_default=True, envvar="PRESSLENS_STORE", metavar="URL",
        help="the store: a SQLite file, sqlite:///PATH, or postgresql://USER@HOST/DB (env PRESSLENS_STORE)",
    )(command)


class StoreUnusableError(click.ClickException):
    """The store, the scheduler or the workers cannot be used: nothing can be analysed (exit code 3)."""

    exit_code = EXIT_ALL_FAILED


@contextmanager
def open_store(url: str) -> Iterator[Store]:
    """The store at ``url``, closed afterwards; an unusable store is a one-line error (exit code 3)."""
    try:
        store = Store.open(url)
    except StoreError as exc:
        raise StoreUnusableError(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[BatchReport], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("[bold]batch[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} articles/s"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[detail]}"),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("batch", total=None, rate=0.0, detail="")

        def update(report: BatchReport) -> None:
            detail = f"skipped {report.skipped}" + (f", [red]failed {report.failed}[/red]" if report.failed else "")
            total = max(report.expected, report.seen) if report.expected is not None else None
            bar.update(task, completed=report.seen, total=total, rate=report.rate, detail=detail)

        yield update


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT…")
@store_option
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None,
              help=f"local worker processes (default: the CPU cores, here {default_workers()})")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local processes, or a Dask cluster (--scheduler)")
@click.option("--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
              help="Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786 (env DASK_SCHEDULER_ADDRESS)")
@click.option("--parquet-out", type=click.Path(file_okay=False, path_type=Path),
              help="workers write results as Parquet parts here (DIR/TABLE/part-*.parquet) instead of the store")
@click.option("--force", is_flag=True, help="analyse again what is already stored")
@click.option("--only", multiple=True, help="run only these analysers (and what they require); comma-separated")
@click.option("--skip", multiple=True, help="do not run these analysers; comma-separated")
@click.option("--no-clean", is_flag=True, help="keep the decoded text as is (no boilerplate removal)")
@click.option("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True,
              help="refuse inputs larger than this")
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
              help="articles per task (two tasks per worker are in flight)")
@click.option("--progress/--no-progress", default=None, help="progress bar (default: when stderr is a terminal)")
def batch(inputs: tuple[str, ...], store_url: str, workers: int | None, engine: str, scheduler: str | None,
          parquet_out: Path | None, force: bool, only: tuple[str, ...], skip: tuple[str, ...], no_clean: bool,
          max_bytes: int, chunk_size: int, progress: bool | None) -> None:
    """Analyse a corpus into the store: directories, globs, files, JSON Lines (.jsonl[.gz]), WARC (.warc[.gz]).

    Articles already in the store (same content) are skipped, so an interrupted batch resumes where it stopped;
    failures are recorded (see `presslens errors`) and retried by the next run.
    """
    try:
        specs = resolve(split_names(only) or None, split_names(skip))
    except UnknownAnalyserError as exc:
        raise click.UsageError(str(exc)) from None
    if engine == "dask" and not scheduler:
        raise click.UsageError("--engine dask needs --scheduler tcp://HOST:PORT (a running Dask scheduler)")
    if engine == "local" and scheduler:
        raise click.UsageError("--scheduler is for --engine dask")
    spec = PipelineSpec.of(split_names(only) or None, split_names(skip))
    err = Console(stderr=True, soft_wrap=True)
    with open_store(store_url) as store:
        runner: Engine
        if engine == "dask":
            from presslens.corpus.dask_engine import DaskEngine

            try:
                runner = DaskEngine(spec, scheduler or "", parquet_dir=parquet_out)
            except OSError as exc:
                raise StoreUnusableError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
            except EngineError as exc:
                raise StoreUnusableError(str(exc)) from None
        else:
            runner = LocalEngine(spec, workers or default_workers(), parquet_dir=parquet_out)
        show = progress if progress is not None else sys.stderr.isatty()
        with _progress_bar(show) as update:
            try:
                report = run_batch(inputs, store, runner, analysers=[s.name for s in specs], force=force,
                                   clean=not no_clean, max_bytes=max_bytes, chunk_size=chunk_size,
                                   parquet_dir=parquet_out, progress=update)
            except BatchError as exc:
                raise click.UsageError(str(exc)) from None
            except EngineError as exc:
                raise StoreUnusableError(str(exc)) from None
        target = str(parquet_out) if parquet_out else store.display_url
    err.print(
        f"analysed {report.analysed}, skipped {report.skipped} (already done), failed {report.failed} "
        f"in {report.elapsed:.1f} s ({report.rate:.2f} articles/s) into {target}",
        markup=False, highlight=False,
    )
    if report.worker_peak_rss:
        peaks = ", ".join(f"{worker} {_megabytes(rss)}" for worker, rss in sorted(report.worker_peak_rss.items()))
        err.print(f"peak memory per worker: {peaks}", markup=False, highlight=False)
    if report.failed:
        err.print(f"[red]{report.failed} failed[/red]: `presslens errors` lists them with the reason")
        sys.exit(EXIT_SOME_FAILED if report.analysed or report.skipped else EXIT_ALL_FAILED)
    sys.exit(EXIT_OK)

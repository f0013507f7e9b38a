"""``presslens analyze PATH…|-``: analyse files, directories or stdin and print the analysis."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console

from presslens.analysers.registry import UnknownAnalyserError
from presslens.ingest import DEFAULT_MAX_BYTES, IngestFailure, iter_inputs
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, cli
from presslens.interfaces.cli.render import file_stem
from presslens.outputs import output_formats
from presslens.pipeline import Pipeline
from presslens.records import Article


def split_names(values: tuple[str, ...]) -> list[str]:
    """Analyser names from repeated and/or comma-separated options."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def build_pipeline(only: tuple[str, ...], skip: tuple[str, ...]) -> Pipeline:
    try:
        return Pipeline(only=split_names(only) or None, skip=split_names(skip))
    except UnknownAnalyserError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH…|-")
@click.option("-f", "--format", "format_name", default="text", show_default=True,
              help="output format: json (one object per line), text, html, …")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="write to this file instead of stdout; to an existing directory: one file per article")
@click.option("--only", multiple=True, help="run only these analysers (and what they require); comma-separated")
@click.option("--skip", multiple=True, help="do not run these analysers; comma-separated")
@click.option("--no-clean", is_flag=True, help="keep the decoded text as is (no boilerplate removal)")
@click.option("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True,
              help="refuse inputs larger than this")
def analyze(inputs: tuple[str, ...], format_name: str, output: Path | None, only: tuple[str, ...],
            skip: tuple[str, ...], no_clean: bool, max_bytes: int) -> None:
    """Analyse articles: files (text, HTML, JSON Lines), directories, globs, or - for stdin.

    Failing inputs are listed at the end on stderr and the others are still analysed.
    """
    formats = output_formats()
    if format_name not in formats:
        raise click.BadParameter(f"unknown format {format_name!r}; known: {', '.join(sorted(formats))}",
                                 param_hint="--format")
    render = formats[format_name].render
    pipeline = build_pipeline(only, skip)
    failures: list[IngestFailure] = []
    analysed = 0

    def articles() -> Iterator[Article]:
        for item in iter_inputs(inputs, clean=not no_clean, max_bytes=max_bytes):
            if isinstance(item, IngestFailure):
                failures.append(item)
            else:
                yield item

    into_directory = output is not None and output.is_dir()
    stream = sys.stdout if output is None or into_directory else output.open("w", encoding="utf-8")
    try:
        for analysis in pipeline.analyze_many(articles()):
            data = analysis.to_json()
            analysed += 1
            page = render(data)
            if into_directory:
                assert output is not None
                (output / f"{file_stem(data, analysed)}{formats[format_name].suffix}").write_text(page, "utf-8")
                continue
            stream.write(page if page.endswith("\n") else page + "\n")
            stream.flush()
    finally:
        if stream is not sys.stdout:
            stream.close()
    if failures:
        err = Console(stderr=True, soft_wrap=True)
        err.print(f"[bold red]{len(failures)} of {len(failures) + analysed} inputs failed:[/bold red]")
        for failure in failures:
            err.print(f"  {failure.source}: {failure.reason}", markup=False, highlight=False)
        sys.exit(EXIT_SOME_FAILED if analysed else EXIT_ALL_FAILED)
    sys.exit(EXIT_OK)


"""``presslens render ANALYSIS.json``: render a saved analysis again (html report or terminal view)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, cli
from presslens.outputs import output_formats
from presslens.outputs.annotations import ReportError
from presslens.outputs.text import WIDTH, text_report
from presslens.records import SCHEMA_VERSION

REPORT_FORMATS = ("html", "text")


class AnalysisFileError(click.ClickException):
    """The analysis file cannot be read at all."""

    exit_code = EXIT_ALL_FAILED


@cli.command()
@click.argument("analysis_path", metavar="ANALYSIS.json", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice(REPORT_FORMATS),
    default="html",
    show_default=True,
    help="html: one self-contained annotated page; text: a terminal view that fits 100 columns",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="write to this file (a directory when the input holds several analyses) instead of stdout",
)
def render(analysis_path: str, format_name: str, output: Path | None) -> None:
    """Render an analysis saved by `presslens analyze --format json` (one object, or JSON Lines).

    \b
      presslens analyze article.html -f json -o analysis.json
      presslens render analysis.json -o report.html
      presslens render analysis.json -f text
    """
    analyses = list(_read(analysis_path))
    if not analyses:
        raise AnalysisFileError(f"{analysis_path}: no analysis in the file")
    several = len(analyses) > 1
    into_directory = output is not None and output.is_dir()
    if several and format_name == "html" and not into_directory:
        raise click.UsageError(f"{analysis_path} holds {len(analyses)} analyses: give -o DIRECTORY for the pages")
    renderer = output_formats()[format_name]
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    failed = 0
    pages: list[str] = []
    for number, analysis in enumerate(analyses, start=1):
        where = f"{analysis_path}, analysis {number}" if several else analysis_path
        _warn_schema(analysis, where, err)
        try:
            if output is None and format_name == "text" and sys.stdout.isatty():
                Console(width=min(WIDTH, Console().width)).print(text_report(analysis))
                continue
            page = renderer.render(analysis)
        except ReportError as exc:
            err.print(f"[bold red]{where}:[/bold red] cannot render: ", end="")
            err.print(str(exc), markup=False)
            failed += 1
            continue
        if into_directory and output is not None:
            target = output / f"{file_stem(analysis, number)}{renderer.suffix}"
            target.write_text(page, encoding="utf-8")
            err.print(f"wrote {target}", markup=False)
        else:
            pages.append(page)
    if pages:
        document = "\n".join(pages)
        if output is None:
            click.echo(document, nl=False)
        else:
            output.write_text(document, encoding="utf-8")
    if failed:
        sys.exit(EXIT_ALL_FAILED if failed == len(analyses) else EXIT_SOME_FAILED)
    sys.exit(EXIT_OK)


def _read(path: str) -> Iterator[dict[str, Any]]:
    """The analysis objects of a file: one JSON object, or one per line (JSON Lines)."""
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisFileError(f"cannot read {path}: {exc}") from None
    try:
        values: list[Any] = [json.loads(raw)]
    except json.JSONDecodeError as whole_error:
        lines = [(number, line) for number, line in enumerate(raw.splitlines(), start=1) if line.strip()]
        if len(lines) < 2:
            raise AnalysisFileError(f"{path} is not JSON: {whole_error}") from None
        values = []
        for number, line in lines:
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise AnalysisFileError(f"{path}, line {number}, is not JSON: {exc}") from None
    for value in values:
        if not isinstance(value, dict) or "article" not in value:
            raise AnalysisFileError(
                f"{path} does not hold presslens analyses (expected objects with an 'article', "
                "as written by `presslens analyze --format json`)"
            )
        yield value


def _warn_schema(analysis: dict[str, Any], where: str, err: Console) -> None:
    version = analysis.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        err.print(
            f"warning: {where} has schema version {version!r}, this presslens reads {SCHEMA_VERSION}; "
            "rendering what it recognises",
            markup=False,
        )


def file_stem(analysis: dict[str, Any], number: int) -> str:
    """A safe file name from the article id (ids come from the input, so they are cleaned)."""
    article = analysis.get("article")
    raw = article.get("id") if isinstance(article, dict) else None
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(raw or "")).strip(".-")[:80]
    return f"{number:04d}-{stem}" if stem else f"{number:04d}"

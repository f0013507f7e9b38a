"""``presslens export``: the store's tables as Parquet, CSV or JSON Lines, for pandas / DuckDB users."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from presslens.corpus.export import (
    FORMATS,
    STORIES,
    ExportFormat,
    UnknownTableError,
    all_tables,
    export_all,
    export_store,
    has_stories,
    table,
)
from presslens.interfaces.cli.app import cli
from presslens.interfaces.cli.batch import open_store, store_option

_NO_STORIES = "the store has no story clusters: run `presslens stories` first"


@cli.command()
@store_option
@click.option("-t", "--table", "table_names_", multiple=True, metavar="TABLE",
              help="articles, speakers, stories, or an analyser's section: entities, quotes, sourcing, naming, "
                   "techniques… (default: articles with -o or stdout; every table with --out); repeatable with --out")
@click.option("-f", "--format", "format_name", type=click.Choice(FORMATS), default=None,
              help="default: from the -o suffix, parquet with --out, else jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write one table to this file (required for parquet); default stdout")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="write every table (or the -t ones) to this folder as TABLE.FORMAT")
@click.option("--outlet", help="only this outlet's articles")
@click.option("--list", "list_tables", is_flag=True, help="list the tables and their columns, and exit")
def export(store_url: str, table_names_: tuple[str, ...], format_name: ExportFormat | None, output: Path | None,
           out_dir: Path | None, outlet: str | None, list_tables: bool) -> None:
    """Export flat tables of the stored analyses: one row per finding, with article id and offsets.

    One table to a file or stdout (-t quotes -o quotes.csv), or every table to a folder (--out DIR): articles,
    each analyser's section, speakers, and stories when `presslens stories` has clustered the store.
    """
    if list_tables:
        for name, chosen in all_tables().items():
            click.echo(f"{name}: {chosen.description}\n  " + ", ".join(column.name for column in chosen.columns))
        return
    for name in table_names_:
        try:
            table(name)
        except UnknownTableError as exc:
            raise click.BadParameter(str(exc), param_hint="--table") from None
    if out_dir is not None:
        if output is not None:
            raise click.UsageError("give -o FILE (one table) or --out DIR (every table), not both")
        _export_folder(store_url, table_names_ or None, format_name or "parquet", out_dir, outlet)
        return
    if len(table_names_) > 1:
        raise click.UsageError("one table per file: give --out DIR to export several")
    name = table_names_[0] if table_names_ else "articles"
    if format_name is None:
        suffix = output.suffix.lstrip(".").lower() if output else ""
        format_name = suffix if suffix in FORMATS else "jsonl"
    if format_name == "parquet" and output is None:
        raise click.UsageError("parquet is binary: give -o FILE.parquet (or --out DIR)")
    with open_store(store_url) as store:
        if name == STORIES and not has_stories(store):
            click.echo(f"stories: no rows ({_NO_STORIES})", err=True)
        rows = export_store(store, name, format_name, output if output is not None else sys.stdout, outlet=outlet)
    if output is not None:
        click.echo(f"{rows} rows of {name} written to {output}", err=True)


def _export_folder(store_url: str, names: tuple[str, ...] | None, format_name: ExportFormat, folder: Path,
                   outlet: str | None) -> None:
    with open_store(store_url) as store:
        counts = export_all(store, format_name, folder, names=names, outlet=outlet)
    for name, rows in counts.items():
        if rows is None:
            click.echo(f"{name}: skipped, {_NO_STORIES}", err=True)
        else:
            click.echo(f"{name}: {rows} rows -> {folder / f'{name}.{format_name}'}", err=True)

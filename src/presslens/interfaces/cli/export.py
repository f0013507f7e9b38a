"""``presslens export``: a table of the store as Parquet, CSV or JSON Lines, for pandas / DuckDB users."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from presslens.corpus.export import FORMATS, UnknownTableError, export_tables, table
from presslens.corpus.export import export as export_table
from presslens.interfaces.cli.app import cli
from presslens.interfaces.cli.batch import open_store, store_option


@cli.command()
@store_option
@click.option("-t", "--table", "table_name", default="articles", show_default=True,
              help="articles, speakers, or an analyser's section: entities, quotes, sourcing, naming, techniques…")
@click.option("-f", "--format", "format_name", type=click.Choice(FORMATS), default=None,
              help="default: from the -o suffix, else jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write to this file (required for parquet); default stdout")
@click.option("--outlet", help="only this outlet's articles")
@click.option("--list", "list_tables", is_flag=True, help="list the tables and their columns, and exit")
def export(store_url: str, table_name: str, format_name: str | None, output: Path | None, outlet: str | None,
           list_tables: bool) -> None:
    """Export one flat table of the stored analyses: one row per finding, with article id and offsets."""
    if list_tables:
        for name, chosen in export_tables().items():
            click.echo(f"{name}: {chosen.description}\n  " + ", ".join(column.name for column in chosen.columns))
        return
    try:
        table(table_name)
    except UnknownTableError as exc:
        raise click.BadParameter(str(exc), param_hint="--table") from None
    if format_name is None:
        suffix = output.suffix.lstrip(".").lower() if output else ""
        format_name = suffix if suffix in FORMATS else "jsonl"
    if format_name == "parquet" and output is None:
        raise click.UsageError("parquet is binary: give -o FILE.parquet")
    with open_store(store_url) as store:
        rows = export_table(store.iter_analyses(outlet=outlet), table_name, format_name,  # type: ignore[arg-type]
                            output if output is not None else sys.stdout)
    if output is not None:
        click.echo(f"{rows} rows of {table_name} written to {output}", err=True)

"""``presslens errors``: the inputs a batch could not analyse, with the reason."""

from __future__ import annotations

import json

import click

from presslens.interfaces.cli.app import cli
from presslens.interfaces.cli.batch import open_store, store_option


@cli.command()
@store_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None, help="show at most this many")
@click.option("-f", "--format", "format_name", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True)
def errors(store_url: str, limit: int | None, format_name: str) -> None:
    """List the recorded per-input failures of `presslens batch`, most recent first.

    A later batch over the same inputs retries them; a success removes the failure.
    """
    with open_store(store_url) as store:
        failures = store.failures(limit=limit)
        total = store.count_failures()
    for failure in failures:
        if format_name == "jsonl":
            click.echo(json.dumps(failure.model_dump(), ensure_ascii=False))
        else:
            click.echo(f"{failure.source}: {failure.reason} ({failure.stage}, {failure.time})")
    if format_name == "text":
        shown = f"{len(failures)} of {total}" if len(failures) < total else str(total)
        click.echo(f"{shown} failure{'s' if total != 1 else ''} in {store_url}", err=True)

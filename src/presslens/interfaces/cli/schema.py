"""``presslens schema``: print the JSON Schema of the analysis JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from presslens.analysis import json_schema
from presslens.interfaces.cli.app import cli


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of `presslens analyze --format json` (for the installed analysers)."""
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)

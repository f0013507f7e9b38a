"""``presslens eval TASK --data PATH``: score an analyser (or ingest) against gold data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from presslens.eval.tasks import eval_tasks
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, cli


class _TaskList(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Tasks"):
            formatter.write_dl([(task.name, task.help) for task in eval_tasks().values()])


@cli.command("eval", cls=_TaskList)
@click.argument("task")
@click.option("--data", required=True, type=click.Path(exists=True, path_type=Path), help="gold data folder")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="task option, e.g. baseline=textacy")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def evaluate(task: str, data: Path, options: tuple[str, ...], as_json: bool) -> None:
    """Score TASK against gold data: precision, recall and F1 per label (exact and overlap matching)."""
    tasks = eval_tasks()
    if task not in tasks:
        raise click.BadParameter(f"unknown task {task!r}; known: {', '.join(sorted(tasks))}", param_hint="TASK")
    parsed = {}
    for option in options:
        key, separator, value = option.partition("=")
        if not separator:
            raise click.BadParameter(f"{option!r} is not KEY=VALUE", param_hint="--option")
        parsed[key.strip()] = value.strip()
    try:
        report = tasks[task].run(data, parsed)
    except (OSError, ValueError) as exc:
        Console(stderr=True).print(f"[red]eval {task}: {exc}[/red]")
        sys.exit(EXIT_ALL_FAILED)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        report.print(Console(width=120))

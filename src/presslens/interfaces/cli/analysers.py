"""``presslens analysers``: list the registered analysers, in run order, with their config."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from presslens.analysers.registry import resolve
from presslens.interfaces.cli.app import cli


@cli.command("analysers")
def list_analysers() -> None:
    """List the analysers in run order: the section each assigns, what it requires, its config."""
    table = Table("name", "assigns", "requires", "config (defaults)", "description")
    for spec in resolve():
        defaults = ", ".join(f"{key}={value!r}" for key, value in spec.config().model_dump().items())
        table.add_row(spec.name, spec.assigns, ", ".join(spec.requires) or "-", defaults or "-", spec.description)
    Console(width=140).print(table)

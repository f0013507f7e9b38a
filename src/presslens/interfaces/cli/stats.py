"""``presslens stats``: corpus profiles per outlet (quotes per article, unsourced claims, naming conventions)."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from presslens.corpus.stats import outlet_profiles
from presslens.interfaces.cli.app import cli
from presslens.interfaces.cli.batch import open_store, store_option


def _figure(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"  # the analyser did not run on these articles
    return f"{value:.0%}" if percent else f"{value:.2f}"


def _shares(shares: dict[str, float]) -> str:
    return " · ".join(f"{name} {share:.0%}" for name, share in shares.items()) or "–"


@cli.command()
@store_option
@click.option("--outlet", help="only this outlet")
@click.option("--by", "period", type=click.Choice(["month", "year"]), default=None,
              help="one profile per month or year of publication")
@click.option("-f", "--format", "format_name", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
def stats(store_url: str, outlet: str | None, period: str | None, format_name: str) -> None:
    """Print the corpus profile of each outlet: quotes per article, share of unsourced assertions (sourcing label
    'outlet assertion'), naming convention shares, persuasion techniques, most quoted speakers. "–" means the
    analyser did not run."""
    with open_store(store_url) as store:
        profiles = outlet_profiles(store, outlet=outlet, period=period)  # type: ignore[arg-type]
    if format_name == "jsonl":
        for profile in profiles:
            click.echo(json.dumps(profile.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table(title=f"outlet profiles ({store_url})", show_lines=False)
    for header in ("outlet", *(["period"] if period else [])):
        table.add_column(header, no_wrap=True)
    for header in ("articles", "quotes/article", "unsourced", "naming conventions", "techniques/article (shares)",
                   "most quoted"):
        table.add_column(header, overflow="fold")
    for profile in profiles:
        table.add_row(
            profile.outlet or "(unknown)",
            *([profile.period or "(no date)"] if period else []),
            str(profile.articles),
            _figure(profile.quotes_per_article),
            _figure(profile.unsourced_share, percent=True),
            _shares(profile.naming_shares),
            _figure(profile.techniques_per_article)
            + (f" ({_shares(dict(list(profile.technique_shares.items())[:3]))})" if profile.technique_shares else ""),
            ", ".join(f"{name} ({n})" for name, n in profile.top_speakers[:3]) or "–",
        )
    Console().print(table)

"""``presslens stories``: cluster the stored corpus into stories (incrementally) and show how outlets covered each."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.markup import escape

from presslens.corpus.embeddings import EmbeddingsUnavailableError, load_embedder
from presslens.corpus.stories import (
    StoriesError,
    StoryDifferences,
    list_stories,
    story_differences,
    update_stories,
)
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_USAGE, cli
from presslens.interfaces.cli.batch import open_store, store_option


def _print_story(console: Console, differences: StoryDifferences) -> None:
    story = differences.story
    dates = story.first_published if story.first_published == story.last_published else (
        f"{story.first_published} – {story.last_published}")
    outlets = ", ".join(f"{escape(outlet)} {count}" for outlet, count in story.outlets.items())
    console.rule(f"[bold]{escape(story.title or story.id)}[/bold]")
    console.print(f"{story.size} articles · {dates or 'dates unknown'} · {outlets} · [dim]story {story.id}[/dim]")
    for coverage in differences.outlets:
        sourcing = ", ".join(f"{label} {n}" for label, n in coverage.sourcing.items()) or "–"
        speakers = ", ".join(f"{escape(name)} {n}" for name, n in list(coverage.speakers.items())[:5]) or "–"
        console.print(f"  [bold]{escape(coverage.outlet)}[/bold] ({len(coverage.articles)}): sourcing {sourcing}; "
                      f"quotes {speakers}")
        for key, title in zip(coverage.articles, coverage.titles, strict=True):
            console.print(f"    {escape(title or 'untitled')} [dim]{key[:12]}[/dim]")
    for canonical, forms in differences.naming.items():
        named = "; ".join(f"{escape(outlet)}: {escape(', '.join(names))}" for outlet, names in forms.items())
        console.print(f"  [bold]naming[/bold] {escape(canonical)} — {named}")
    for speaker, outlets_quoting in differences.speakers_not_quoted_by_all.items():
        console.print(f"  [bold]quoted by some outlets only[/bold] {escape(speaker)}: "
                      f"{escape(', '.join(outlets_quoting))}")


@cli.command()
@store_option
@click.option("--rebuild", is_flag=True, help="recluster every stored article (after changing thresholds)")
@click.option("--no-update", is_flag=True, help="list the stories as stored, without clustering new articles")
@click.option("--min-size", type=int, default=2, show_default=True, help="list stories with this many articles")
@click.option("--limit", type=int, default=20, show_default=True, help="list this many stories, latest first")
@click.option("-f", "--format", "format_name", type=click.Choice(["terminal", "jsonl"]), default="terminal",
              show_default=True)
def stories(store_url: str, rebuild: bool, no_update: bool, min_size: int, limit: int, format_name: str) -> None:
    """Cluster the stored articles into stories (only the ones not clustered yet), then list the latest stories
    with each outlet's coverage: sourcing, quoted speakers, and the entities outlets name differently."""
    err = Console(stderr=True)
    with open_store(store_url) as store:
        if not no_update:
            try:
                update = update_stories(store, load_embedder(), rebuild=rebuild)
            except EmbeddingsUnavailableError as exc:
                err.print(f"[red]{escape(str(exc))}[/red]")
                sys.exit(EXIT_USAGE)
            except StoriesError as exc:
                err.print(f"[red]{escape(str(exc))}[/red]")
                sys.exit(EXIT_ALL_FAILED)
            err.print(f"clustered {update.added} new articles: {update.joined} joined stories, "
                      f"{update.new_stories} new stories; {update.total_articles} articles in "
                      f"{update.total_stories} stories")
        listed = [story_differences(store, story) for story in list_stories(store, min_size=min_size, limit=limit)]
    if format_name == "jsonl":
        for differences in listed:
            click.echo(json.dumps(differences.model_dump(mode="json"), ensure_ascii=False))
        return
    console = Console(highlight=False)
    if not listed:
        console.print(f"no stories with at least {min_size} articles")
    for differences in listed:
        _print_story(console, differences)

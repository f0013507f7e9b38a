"""``presslens compare A B [C…]``: how two or more articles covered the same story, side by side.

Inputs are article files (analysed on the fly), saved analysis JSON files (``presslens analyze -f json``), or,
with ``--store``, content hashes or article ids of stored analyses. Output: a terminal report (default), the
comparison JSON, or a two-column HTML page with aligned passages linked.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from presslens.corpus.compare import CompareError, compare
from presslens.corpus.compare.records import ArticleRef, Comparison, PairComparison
from presslens.corpus.embeddings import EmbeddingsUnavailableError
from presslens.ingest import IngestError, ingest_path
from presslens.interfaces.cli.analyze import build_pipeline
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_USAGE, cli
from presslens.interfaces.cli.batch import open_store
from presslens.outputs.compare_html import render_comparison_html
from presslens.records import Span

_EXCERPT = 90


class CompareInputError(click.ClickException):
    exit_code = EXIT_ALL_FAILED


def _saved_analysis(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CompareInputError(f"{path}: not a readable analysis JSON file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("article"), dict):
        raise CompareInputError(f"{path}: not an analysis JSON object (no 'article'); "
                                "save one with `presslens analyze FILE -f json`")
    return data


def load_analyses(inputs: Sequence[str], store_url: str | None, only: tuple[str, ...], skip: tuple[str, ...],
                  clean: bool) -> list[dict[str, Any]]:
    """The analysis JSON of each input, in order (stored ones, saved ones, or analysed now)."""
    if store_url is not None:
        with open_store(store_url) as store:
            found = [(name, store.get_article(name)) for name in inputs]
        missing = [name for name, analysis in found if analysis is None]
        if missing:
            raise CompareInputError(f"not in the store {store_url}: {', '.join(missing)} "
                                    "(give content hashes or article ids; `presslens export` lists them)")
        return [analysis for _, analysis in found if analysis is not None]
    analyses: list[dict[str, Any] | None] = []
    to_analyse: list[tuple[int, Path]] = []
    for name in inputs:
        path = Path(name)
        if path.suffix.lower() == ".json" and path.is_file():
            analyses.append(_saved_analysis(path))
        else:
            analyses.append(None)
            to_analyse.append((len(analyses) - 1, path))
    if to_analyse:
        pipeline = build_pipeline(only, skip)
        for index, path in to_analyse:
            try:
                article = ingest_path(path, clean=clean)
            except IngestError as exc:
                raise CompareInputError(f"{path}: {exc}") from None
            analyses[index] = pipeline.analyze(article).to_json()
    return [analysis for analysis in analyses if analysis is not None]


# -- terminal report --------------------------------------------------------------------------------------------


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…")


def _at(span: Span | None) -> str:
    return f"[dim][{span.start}:{span.end}][/dim]" if span else "[dim]–[/dim]"


def _name(article: ArticleRef) -> str:
    return escape(article.label + (f" — {article.title}" if article.title else ""))


def print_pair(console: Console, comparison: Comparison, pair: PairComparison) -> None:
    a, b = comparison.articles[pair.a], comparison.articles[pair.b]
    verdict = "[green]same story[/green]" if pair.same_story.same else "[yellow]not the same story[/yellow]"
    console.rule(f"[bold]a[/bold] {_name(a)}   vs   [bold]b[/bold] {_name(b)}")
    console.print(f"{verdict}: {escape(pair.same_story.evidence.note or '')}")
    statuses: dict[str, int] = {}
    for match in pair.passages:
        statuses[match.status] = statuses.get(match.status, 0) + 1
    shared = ", ".join(f"{count} {status}" for status, count in statuses.items()) or "none"
    console.print(f"passages shared: {shared}; only in a: "
                  f"{sum(1 for p in pair.passages_only if p.side == 'a')}, only in b: "
                  f"{sum(1 for p in pair.passages_only if p.side == 'b')}")

    if pair.quotes:
        table = Table(title="quotes in both", title_justify="left", show_lines=False, box=None, pad_edge=False)
        for column in ("status", "a", "b", "speaker", "words (a / b)"):
            table.add_column(column, overflow="fold")
        for quote in pair.quotes:
            speaker = quote.a.speaker if quote.a.speaker == quote.b.speaker else (
                f"{quote.a.speaker or '?'} / {quote.b.speaker or '?'}")
            words = _excerpt(quote.a.content.text) if quote.status == "verbatim" else (
                f"{_excerpt(quote.a.content.text)} / {_excerpt(quote.b.content.text)}")
            table.add_row(quote.status, _at(quote.a.content), _at(quote.b.content), escape(speaker or "?"), words)
        console.print(table)
    for missing in pair.quotes_only:
        console.print(f"[bold]quote only in {missing.side}[/bold] {_at(missing.quote.content)} "
                      f"({escape(missing.quote.speaker or 'speaker unknown')}): {_excerpt(missing.quote.content.text)}")
    for attribution in pair.attribution_changes:
        console.print(f"[bold]attribution[/bold] {attribution.kind}: a {_at(attribution.a)} "
                      f"{escape(repr(attribution.a_value))} / b {_at(attribution.b)} "
                      f"{escape(repr(attribution.b_value))} — {escape(attribution.note)}")
    for difference in pair.naming:
        forms_a = "; ".join(f"{escape(use.text)} ({use.convention or '?'}) ×{len(use.spans)}" for use in difference.a)
        forms_b = "; ".join(f"{escape(use.text)} ({use.convention or '?'}) ×{len(use.spans)}" for use in difference.b)
        console.print(f"[bold]naming[/bold] {escape(difference.canonical)}: a {forms_a} | b {forms_b}")
    if any(row.a != row.b for row in pair.sourcing_profile):
        profile = ", ".join(f"{row.label} {row.a}→{row.b}" for row in pair.sourcing_profile if row.a != row.b)
        console.print(f"[bold]sourcing[/bold] findings per label, a→b: {escape(profile)}")
    unshared = Counter(change.kind for change in pair.sourcing_changes if not change.in_shared_passage)
    if unshared:
        console.print("[bold]sourcing[/bold] findings in passages only one side has: "
                      f"{unshared['only in a']} in a, {unshared['only in b']} in b")
    for change in pair.sourcing_changes:
        if not change.in_shared_passage:
            continue
        span = change.a or change.b
        labels = f"{change.a_label} → {change.b_label}" if change.kind == "label changed" else (
            change.a_label or change.b_label)
        console.print(f"[bold]sourcing[/bold] {change.kind} in a shared passage ({escape(str(labels))}) {_at(span)} "
                      f"{_excerpt(span.text if span else '')}")
    for only in pair.passages_only:
        console.print(f"[bold]passage only in {only.side}[/bold] {_at(only.span)} {_excerpt(only.span.text)}")
    for match in pair.passages:
        if match.status == "edited":
            edits = "; ".join(f"{escape(e.a.text if e.a else '∅')} → {escape(e.b.text if e.b else '∅')}"
                              for e in match.edits if not e.naming)
            console.print(f"[bold]edited[/bold] a {_at(match.a)} / b {_at(match.b)}: {edits}")
    for note in pair.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")


@cli.command("compare")
@click.argument("inputs", nargs=-1, required=True, metavar="A B [C…]")
@click.option("--store", "store_url", default=None, metavar="URL",
              help="read the inputs from this store (content hashes or article ids) instead of files")
@click.option("-f", "--format", "format_name", type=click.Choice(["terminal", "json", "html"]), default="terminal",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write to this file instead of stdout")
@click.option("--only", multiple=True, help="analysers to run on article files (and what they require)")
@click.option("--skip", multiple=True, help="analysers not to run on article files")
@click.option("--no-clean", is_flag=True, help="keep article files' text as is (no boilerplate removal)")
def compare_command(inputs: tuple[str, ...], store_url: str | None, format_name: str, output: Path | None,
                    only: tuple[str, ...], skip: tuple[str, ...], no_clean: bool) -> None:
    """Compare how articles covered the same story: shared and missing quotes, attribution changes, naming and
    sourcing differences, shared passages and added background, with offsets on both sides."""
    if len(inputs) < 2:
        raise click.UsageError("compare needs at least two articles")
    analyses = load_analyses(inputs, store_url, only, skip, clean=not no_clean)
    try:
        comparison = compare(analyses)
    except EmbeddingsUnavailableError as exc:
        Console(stderr=True).print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(EXIT_USAGE)
    except CompareError as exc:
        raise CompareInputError(str(exc)) from None
    if format_name == "terminal":
        console = Console(file=output.open("w", encoding="utf-8") if output else None, width=None if not output
                          else 120, highlight=False)
        for pair in comparison.pairs:
            print_pair(console, comparison, pair)
        if output:
            console.file.close()
        return
    document = (json.dumps(comparison.model_dump(mode="json"), ensure_ascii=False, indent=1)
                if format_name == "json"
                else render_comparison_html(comparison, [analysis["article"]["text"] for analysis in analyses]))
    if output:
        output.write_text(document + "\n", encoding="utf-8")
    else:
        click.echo(document)

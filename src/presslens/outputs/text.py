"""The ``text`` output: a compact terminal view of one analysis that fits 100 columns.

The article's header, its profiles, and the top findings of each section with their evidence. ``render_text``
returns plain text (for files and pipes); :func:`text_report` is the rich renderable, which
``presslens render --format text`` prints in colour on a terminal. Every value from the analysis goes through
:class:`rich.text.Text` with control characters made visible, so neither rich markup nor terminal escape
sequences in an article can act.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from presslens.outputs import output_format
from presslens.outputs import values as value_views
from presslens.outputs.annotations import Annotated, Highlight, Layer, annotate, humanise

#: The widest the view gets (it is narrower on a narrower terminal).
WIDTH = 100
#: Findings listed per section; entities are grouped by canonical name first.
TOP_FINDINGS = {"quotes": 8, "sourcing": 6, "naming": 10, "techniques": 8, "entities": 12}
TOP_DEFAULT = 6
EXCERPT_CHARS = 180
LAYER_STYLES = {
    "quotes": "bold blue",
    "sourcing": "bold cyan",
    "naming": "bold dark_orange",
    "techniques": "bold red",
    "entities": "bold grey50",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@output_format("text", suffix=".txt")
def render_text(analysis: dict[str, Any]) -> str:
    """The terminal view of one analysis JSON object, as plain text of at most :data:`WIDTH` columns."""
    report = text_report(analysis)  # fails on a malformed analysis before any output is made
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system=None, force_terminal=False, emoji=False, highlight=False)
    console.print(report)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def text_report(analysis: Mapping[str, Any]) -> RenderableType:
    """The terminal view as a rich renderable (print it with a console of any width up to 100)."""
    annotated = annotate(analysis)
    parts: list[RenderableType] = [_header(analysis, annotated)]
    errors = analysis.get("errors")
    if isinstance(errors, list) and errors:
        parts.append(_errors(errors))
    profiles = analysis.get("profiles")
    if isinstance(profiles, Mapping):
        for key, value in profiles.items():
            if value is not None:
                parts.append(_section(humanise(str(key)), _node(value_views.view(value, str(key)))))
    for layer in annotated.layers:
        parts.append(_findings(layer, annotated))
    if annotated.skipped:
        skipped = Text()
        for item in annotated.skipped:
            skipped.append(f"{item.section} #{item.index + 1}: ", "yellow")
            skipped.append(_safe(item.reason) + "\n")
        skipped.rstrip()
        parts.append(_section("Findings not shown", skipped))
    parts.append(_clean_text(annotated))
    parts.append(_removed(annotated.article.get("removed")))
    return Group(*parts)


def _clean_text(annotated: Annotated) -> RenderableType:
    """The clean article as ingest left it: the standfirst in bold, then the body."""
    text = annotated.text
    standfirst = annotated.article.get("standfirst")
    end = standfirst.get("end") if isinstance(standfirst, Mapping) else None
    body = Text()
    if isinstance(end, int) and 0 < end <= len(text):
        body.append(_safe(text[:end]), style="bold")
        body.append(_safe(text[end:]))
    else:
        body.append(_safe(text))
    return _section("Clean article text", body)


def _header(analysis: Mapping[str, Any], annotated: Annotated) -> RenderableType:
    article = annotated.article
    title = _string(article.get("title")) or "Untitled article"
    lines = Text(_safe(title), style="bold")
    facts = [
        _string(article.get("outlet")),
        _string(article.get("published")),
        f"{len(annotated.text.split()):,} words",
        f"id {_string(article.get('id')) or '?'}",
        f"schema {_string(analysis.get('schema_version')) or '?'}",
    ]
    lines.append("\n" + " · ".join(_safe(fact) for fact in facts if fact), style="dim")
    url = _string(article.get("url"))
    if url:
        lines.append("\n" + _safe(url), style="dim underline")
    counts = Text("\n")
    for position, layer in enumerate(annotated.layers):
        if position:
            counts.append(" · ", style="dim")
        counts.append(f"{layer.title} ", style=LAYER_STYLES.get(layer.key, "bold"))
        counts.append(str(len(layer.findings)))
    if not annotated.layers:
        counts.append("no analyser sections", style="dim")
    lines.append_text(counts)
    return Panel(lines, title="presslens", title_align="left", box=box.ROUNDED, padding=(0, 1))


def _errors(errors: list[Any]) -> RenderableType:
    text = Text()
    for error in errors:
        analyser = error.get("analyser") if isinstance(error, Mapping) else None
        message = error.get("message") if isinstance(error, Mapping) else error
        text.append(f"{_safe(str(analyser or 'analysis'))}: ", "bold red")
        text.append(_safe(str(message or "")) + "\n")
    text.rstrip()
    return _section("Analyser errors", text, style="red")


def _section(title: str, body: RenderableType, style: str = "bold") -> RenderableType:
    heading = Text(_safe(title).upper(), style=style)
    return Group(Text(""), heading, Padding(body, (0, 0, 0, 2)))


def _node(node: value_views.Node) -> RenderableType:
    if isinstance(node, value_views.Scalar):
        return _scalar(node)
    if isinstance(node, value_views.Pairs):
        parts: list[RenderableType] = []
        grid: Table | None = None
        for key, item in node.items:
            if node.is_block(item):
                grid = None
                parts.extend([Text(_safe(key), style="bold"), Padding(_node(item), (0, 0, 0, 2))])
                continue
            if grid is None:
                grid = Table.grid(padding=(0, 2))
                grid.add_column(style="dim", max_width=40, overflow="fold")
                grid.add_column(overflow="fold")
                parts.append(grid)
            grid.add_row(Text(_safe(key)), _node(item))
        return Group(*parts)
    if isinstance(node, value_views.Table):
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)
        for column in node.columns:
            table.add_column(Text(_safe(column)), overflow="fold")
        for row in node.rows:
            table.add_row(*(_node(cell) for cell in row))
        return table
    bullets = Table.grid(padding=(0, 1))
    bullets.add_column(width=1, style="dim")
    bullets.add_column(overflow="fold")
    for item in node.items:
        bullets.add_row("•", _node(item))
    return bullets


def _scalar(node: value_views.Scalar) -> Text:
    if node.kind == "share" and node.fraction is not None:
        filled = round(node.fraction * 10)
        text = Text("█" * filled, style="cyan")
        text.append("░" * (10 - filled), style="dim")
        text.append(f" {node.text:>4}")
        return text
    return Text(_safe(node.text), style="dim" if node.kind == "empty" else "")


def _findings(layer: Layer, annotated: Annotated) -> RenderableType:
    limit = TOP_FINDINGS.get(layer.key, TOP_DEFAULT)
    style = LAYER_STYLES.get(layer.key, "bold")
    if not layer.findings:
        return _section(f"{layer.title} (none)", Text("the analyser ran and found nothing", "dim"), style)
    if layer.key == "entities":
        return _section(f"{layer.title} ({len(layer.findings)})", _entity_summary(layer.findings, limit), style)
    chosen = _top(layer, limit)
    shown = f", top {len(chosen)}" if len(chosen) < len(layer.findings) else ""
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for finding in chosen:
        table.add_row(f"@{finding.start}", _finding_text(finding, annotated, style))
    return _section(f"{layer.title} ({len(layer.findings)}{shown})", table, style)


def _top(layer: Layer, limit: int) -> list[Highlight]:
    """Techniques by score (highest first); every other section in text order."""
    findings = list(layer.findings)
    if layer.key == "techniques":
        findings.sort(key=lambda finding: -(_score(finding) or 0.0))
        return sorted(findings[:limit], key=lambda finding: finding.start)
    return findings[:limit]


def _score(finding: Highlight) -> float | None:
    if finding.evidence is not None and finding.evidence.score is not None:
        return finding.evidence.score
    value = dict(finding.details).get("Score")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _finding_text(finding: Highlight, annotated: Annotated, style: str) -> Text:
    text = Text(_safe(finding.title), style=style)
    if finding.subject:
        speaker = annotated.speakers[finding.speaker] if finding.speaker is not None else None
        kind = f" ({speaker.kind})" if speaker is not None and speaker.kind else ""
        text.append(f" · {_safe(finding.subject)}{_safe(kind)}", style="bold")
    excerpt = _excerpt(finding.text)
    quoted = excerpt[:1] in {"“", '"', "‘", "'", "«"}
    text.append("\n" + (excerpt if quoted else f"“{excerpt}”"), style="italic")
    details = [
        f"{key.lower()}: {_safe(_excerpt(value, 60))}" for key, value in finding.details if key != "Speaker type"
    ]
    evidence = finding.evidence
    if evidence is None:
        details.append("no evidence recorded")
    else:
        if evidence.rule:
            details.append(f"rule: {_safe(evidence.rule)}")
        if evidence.score is not None:
            details.append(f"score: {evidence.score:.2f}")
        if evidence.cues:
            details.append("cues: " + ", ".join(f"“{_safe(_excerpt(cue, 40))}”" for cue in evidence.cues))
        if evidence.note:
            details.append(f"note: {_safe(_excerpt(evidence.note, 80))}")
    text.append("\n" + " · ".join(details), style="dim")
    return text


def _entity_summary(findings: Iterable[Highlight], limit: int) -> RenderableType:
    """Entities by canonical name, most mentioned first: one line each with the spellings used."""
    mentions: Counter[tuple[str, str]] = Counter()
    spellings: dict[tuple[str, str], Counter[str]] = {}
    rules: dict[tuple[str, str], str] = {}
    for finding in findings:
        key = (finding.subject or finding.text, finding.title)
        mentions[key] += 1
        spellings.setdefault(key, Counter())[finding.text] += 1
        if finding.evidence and finding.evidence.rule:
            rules.setdefault(key, finding.evidence.rule)
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)
    table.add_column("Entity", overflow="fold", ratio=3)
    table.add_column("Label", no_wrap=True)
    table.add_column("×", justify="right", no_wrap=True)
    table.add_column("As written", overflow="fold", ratio=3)
    table.add_column("Rule", overflow="fold", ratio=2, style="dim")
    for key, count in mentions.most_common(limit):
        written = ", ".join(_excerpt(text, 30) for text, _ in spellings[key].most_common(3))
        table.add_row(
            Text(_safe(key[0])), Text(_safe(key[1])), str(count), Text(_safe(written)), Text(_safe(rules.get(key, "")))
        )
    if len(mentions) > limit:
        return Group(table, Text(f"… and {len(mentions) - limit} more", style="dim"))
    return table


def _removed(removed: Any) -> RenderableType:
    items = [item for item in removed or () if isinstance(item, Mapping)]
    if not items:
        return _section("Removed by ingest", Text("nothing", style="dim"))
    text = Text()
    for item in items:
        text.append(f"{_safe(_string(item.get('reason')) or 'no reason given')}: ", style="bold")
        text.append(f"“{_excerpt(str(item.get('text', '')), 300)}”")
        text.append(f"  @{item.get('start')}–{item.get('end')} of the input\n", style="dim")
    text.rstrip()
    return _section(f"Removed by ingest ({len(items)})", text)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(_safe(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _safe(text: str) -> str:
    """Control characters (terminal escapes among them) shown as code points instead of acting."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None

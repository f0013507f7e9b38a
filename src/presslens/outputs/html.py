"""The ``html`` output: one self-contained, annotated report page an analyst reads in a browser.

The clean article with every finding highlighted in place (one colour per analyser; quotes tinted by speaker),
layers toggled from a legend, evidence on hover and keyboard focus, the article's profiles and what ingest
removed in a side panel. The page makes no network request (CSS and JS are inlined from ``templates/``),
reads without JavaScript (highlights and toggles are CSS; the findings are listed below the article), and
prints cleanly.

Everything that comes from the analysis is escaped by Jinja's autoescaping; class names and colours are drawn
from indices and this module's palettes, never from the data; only http(s) URLs become links.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jinja2

from presslens import __version__
from presslens.outputs import output_format, template_asset, template_environment
from presslens.outputs import values as value_views
from presslens.outputs.annotations import Annotated, Layer, Segment, Speaker, annotate, humanise

#: Band colours per section (one colour per analyser); sections not listed take ``EXTRA_COLOURS`` in turn.
LAYER_COLOURS = {
    "quotes": "#2563eb",
    "sourcing": "#0f766e",
    "naming": "#c2410c",
    "techniques": "#be123c",
    "entities": "#64748b",
}
EXTRA_COLOURS = ("#7c3aed", "#0369a1", "#4d7c0f", "#a16207", "#9d174d", "#1e293b")
#: Bands under the text, nearest first (short spans near the text, sentence-long sourcing spans lowest).
BAND_ORDER = ("entities", "naming", "techniques", "sourcing")
#: (tint, ink) per speaker, most quoted first; further speakers and unresolved ones are grey.
SPEAKER_COLOURS = (
    ("#dbeafe", "#1e40af"),
    ("#ede9fe", "#5b21b6"),
    ("#d1fae5", "#065f46"),
    ("#ffedd5", "#9a3412"),
    ("#fce7f3", "#9d174d"),
    ("#cffafe", "#155e75"),
    ("#ecfccb", "#3f6212"),
    ("#fef9c3", "#854d0e"),
)
OTHER_SPEAKER = ("#e5e7eb", "#374151")
#: The section drawn as a tint behind the text (every other one is a band under it).
TINT_SECTION = "quotes"
BAND_THICKNESS_PX = 2
BAND_STEP_PX = 3


@output_format("html", suffix=".html")
def render_html(analysis: dict[str, Any]) -> str:
    """The annotated report of one analysis JSON object, as a complete HTML document."""
    annotated = annotate(analysis)
    return _template().render(report=_report(analysis, annotated))


@cache
def _template() -> jinja2.Template:
    environment = template_environment()
    environment.tests.update(
        scalar=lambda node: isinstance(node, value_views.Scalar),
        pairs=lambda node: isinstance(node, value_views.Pairs),
        table=lambda node: isinstance(node, value_views.Table),
    )
    return environment.get_template("report.html.j2")


@cache
def _content_security_policy() -> str:
    """Nothing may load; only this page's own script may run (injected markup could not, even unescaped)."""
    digest = base64.b64encode(hashlib.sha256(template_asset("report.js").encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


@dataclass(frozen=True)
class LayerView:
    index: int
    title: str
    colour: str
    count: int
    band: int | None
    """Position of the layer's band under the text (None: the tint layer)."""


@dataclass(frozen=True)
class SpeakerView:
    index: int
    name: str
    kind: str | None
    quotes: int
    tint: str
    ink: str


@dataclass(frozen=True)
class SegmentView:
    text: str
    classes: str
    findings: str
    cues: str
    anchor: str | None
    describedby: str
    focusable: bool


def _report(analysis: Mapping[str, Any], annotated: Annotated) -> dict[str, Any]:
    article = annotated.article
    layers = _layer_views(annotated.layers)
    title = _string(article.get("title"))
    first = annotated.paragraphs[0] if annotated.paragraphs else None
    headline_in_text = (
        title is not None and first is not None and annotated.text[first.start : first.end].strip() == title
    )
    url = _string(article.get("url"))
    profiles = analysis.get("profiles")
    errors = analysis.get("errors")
    return {
        "title": title or "Untitled article",
        "headline_in_text": headline_in_text,
        "meta": [
            (label, value)
            for label, value in (
                ("Outlet", _string(article.get("outlet"))),
                ("Author", _string(article.get("author"))),
                ("Published", _string(article.get("published"))),
                ("Article id", _string(article.get("id"))),
            )
            if value
        ],
        "url": url,
        "url_is_link": url is not None and _is_web_url(url),
        "schema_version": _string(analysis.get("schema_version")) or "unknown",
        "version": __version__,
        "words": len(annotated.text.split()),
        "layers": layers,
        "bands": sorted((layer for layer in layers if layer.band is not None), key=lambda layer: layer.band or 0),
        "band_space": BAND_STEP_PX * sum(layer.band is not None for layer in layers) + 1,
        "band_thickness": BAND_THICKNESS_PX,
        "band_step": BAND_STEP_PX,
        "speakers": [_speaker_view(speaker) for speaker in annotated.speakers],
        "paragraphs": [
            {"standfirst": paragraph.standfirst, "segments": [_segment_view(s) for s in paragraph.segments]}
            for paragraph in annotated.paragraphs
        ],
        "findings": [(layer, annotated.layers[layer.index].findings) for layer in layers],
        "profiles": [
            (humanise(str(key)), value_views.view(value, str(key)))
            for key, value in (profiles.items() if isinstance(profiles, Mapping) else ())
            if value is not None
        ],
        "errors": [_error_line(error) for error in errors] if isinstance(errors, list) else [],
        "removed": [_removal(item) for item in article.get("removed") or () if isinstance(item, Mapping)],
        "skipped": annotated.skipped,
        "anchors": _anchors(annotated),
        "csp": _content_security_policy(),
        "css": template_asset("report.css"),
        "js": template_asset("report.js"),
    }


def _layer_views(layers: Sequence[Layer]) -> list[LayerView]:
    extra = iter(EXTRA_COLOURS * (len(layers) // len(EXTRA_COLOURS) + 1))
    bands = sorted(
        (layer for layer in layers if layer.key != TINT_SECTION),
        key=lambda layer: (BAND_ORDER.index(layer.key) if layer.key in BAND_ORDER else len(BAND_ORDER), layer.index),
    )
    band_of = {layer.index: position for position, layer in enumerate(bands)}
    return [
        LayerView(
            index=layer.index,
            title=layer.title,
            colour=LAYER_COLOURS.get(layer.key) or next(extra),
            count=len(layer.findings),
            band=band_of.get(layer.index),
        )
        for layer in layers
    ]


def _speaker_view(speaker: Speaker) -> SpeakerView:
    coloured = speaker.name is not None and speaker.index < len(SPEAKER_COLOURS)
    tint, ink = SPEAKER_COLOURS[speaker.index] if coloured else OTHER_SPEAKER
    return SpeakerView(speaker.index, speaker.name or "No speaker resolved", speaker.kind, speaker.quotes, tint, ink)


def _segment_view(segment: Segment) -> SegmentView:
    classes = ["seg"]
    for finding in segment.main:
        classes.append(f"on-{finding.layer}")
    quoted = [finding for finding in segment.main if finding.speaker is not None]
    if quoted:
        classes.append(f"sp-{quoted[-1].speaker}")  # the innermost quote's speaker colours the tint
    if segment.attribution:
        classes.extend(["attr", f"spa-{segment.attribution[-1].speaker}"])
    ids = [finding.id for finding in (*segment.main, *segment.attribution)]
    return SegmentView(
        text=segment.text,
        classes=" ".join(dict.fromkeys(classes)),
        findings=" ".join(dict.fromkeys(ids)),
        cues=" ".join(dict.fromkeys(finding.id for finding in segment.cues)),
        anchor=f"at-{segment.starts[0].id}" if segment.starts else None,
        describedby=" ".join(f"card-{finding.id}" for finding in segment.starts),
        focusable=bool(segment.starts),
    )


def _anchors(annotated: Annotated) -> dict[str, str]:
    """For each finding, the id of the segment where it starts (shared by findings starting together)."""
    anchors = {}
    for paragraph in annotated.paragraphs:
        for segment in paragraph.segments:
            for finding in segment.starts:
                anchors[finding.id] = f"at-{segment.starts[0].id}"
    return anchors


def _removal(item: Mapping[str, Any]) -> dict[str, str]:
    return {
        "reason": _string(item.get("reason")) or "no reason given",
        "text": str(item.get("text") or ""),
        "where": f"{item['start']}–{item['end']}"
        if isinstance(item.get("start"), int) and isinstance(item.get("end"), int)
        else "",
    }


def _error_line(error: Any) -> tuple[str, str]:
    if isinstance(error, Mapping):
        return str(error.get("analyser") or "analysis"), str(error.get("message") or "")
    return "analysis", str(error)


def _is_web_url(url: str) -> bool:
    """Only http(s) URLs with a host become links (``javascript:``, ``data:`` and the like stay text)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None

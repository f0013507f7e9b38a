"""Hand-built analysis JSON objects for the report tests: overlapping findings, and hostile input everywhere."""

from __future__ import annotations

from typing import Any

import pytest

OVERLAP_TEXT = (
    "Officials say the port of Odessa was shelled overnight.\n\n"
    "“We will rebuild Odesa,” the mayor told reporters, adding that Kiev had promised help.\n\n"
    "According to unnamed sources, the so-called ceasefire is over."
)

#: Sets a flag (and opens a dialog) if it ever runs.
SCRIPT = "<script>window.__pwned = 'script'; alert('script')</script>"
IMG = "\"'><img src=x onerror=\"window.__pwned='img'; alert('img')\">"
JS_URL = "javascript:window.__pwned='url';alert('url')"
MARKUP = "[bold red]rich markup[/bold red] \x1b[31mred\x1b[0m"
PAYLOADS = (SCRIPT, IMG, JS_URL)


def span(text: str, needle: str, occurrence: int = 1) -> dict[str, Any]:
    """The SPAN of the ``occurrence``-th ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def evidence(rule: str, *cues: dict[str, Any], score: float | None = None, note: str | None = None) -> dict[str, Any]:
    return {"rule": rule, "score": score, "cues": list(cues), "note": note}


def quote(
    text: str,
    content: str,
    kind: str,
    speaker: str | None,
    speaker_type: str | None,
    cue: str | None,
    source: str | None,
    occurrence: int = 1,
) -> dict[str, Any]:
    body = span(text, content, occurrence)
    cue_span = span(text, cue) if cue else None
    return {
        **body,
        "kind": kind,
        "content": body,
        "cue": cue_span,
        "source": span(text, source) if source else None,
        "speaker": speaker,
        "speaker_type": speaker_type,
        "evidence": evidence("reporting verb", *([cue_span] if cue_span else [])),
    }


@pytest.fixture
def overlap_analysis() -> dict[str, Any]:
    """Nested, identical and crossing findings over three paragraphs, with profiles of several shapes."""
    text = OVERLAP_TEXT
    return {
        "schema_version": "1.0",
        "article": {
            "id": "overlap-1",
            "outlet": "Example Wire",
            "url": "https://example.org/news/odesa",
            "title": "Port shelled overnight",
            "published": "2024-05-01",
            "text": text,
            "standfirst": None,
            "removed": [
                {"start": 0, "end": 12, "text": "Share this!", "reason": "share bar", "rule": "share"},
                {"start": 300, "end": 340, "text": "Photo: Reuters", "reason": "photo credit", "rule": "credit"},
            ],
        },
        "quotes": [
            quote(
                text, "the port of Odessa was shelled overnight", "indirect", "Officials", "vague", "say", "Officials"
            ),
            quote(text, "We will rebuild Odesa,", "direct", "Hennadiy Trukhanov", "person", "told", "the mayor"),
            quote(text, "that Kiev had promised help", "indirect", "Hennadiy Trukhanov", "person", "adding", None),
        ],
        "sourcing": [
            {
                **span(text, "Officials say the port of Odessa was shelled overnight."),
                "label": "vague source",
                "hedged": False,
                "cue": span(text, "say"),
                "source": span(text, "Officials"),
                "evidence": evidence("vague group + reporting verb", span(text, "Officials"), score=0.8),
            },
            {
                **span(text, "According to unnamed sources"),
                "label": "anonymous source",
                "hedged": True,
                "cue": span(text, "According to"),
                "source": span(text, "unnamed sources"),
                "evidence": evidence("according to + unnamed", span(text, "unnamed")),
            },
        ],
        "naming": [
            {
                **span(text, "Odessa"),
                "canonical": "Odesa",
                "convention": "Russian transliteration",
                "evidence": evidence("knowledge base: odesa"),
            },
            {
                **span(text, "Kiev"),
                "canonical": "Kyiv",
                "convention": "Russian transliteration",
                "evidence": evidence("knowledge base: kyiv"),
            },
        ],
        "techniques": [
            {
                **span(text, "shelled overnight.\n\n“We will rebuild"),
                "technique": "loaded language",
                "score": 0.91,
                "evidence": evidence("lexicon: shelled", span(text, "shelled"), score=0.91),
            },
            {
                **span(text, "unnamed sources, the so-called"),
                "technique": "doubt",
                "score": 0.42,
                "evidence": evidence("scare label", span(text, "so-called"), score=0.42, note="debatable"),
            },
        ],
        "entities": [
            {**span(text, "Odessa"), "label": "GPE", "canonical": "Odesa", "evidence": evidence("knowledge base")},
            {**span(text, "Odesa"), "label": "GPE", "canonical": "Odesa", "evidence": evidence("knowledge base")},
            {**span(text, "Kiev"), "label": "GPE", "canonical": "Kyiv", "evidence": evidence("knowledge base")},
        ],
        "profiles": {
            "speakers": {
                "speakers": [
                    {"name": "Hennadiy Trukhanov", "quotes": 2, "direct": 1, "indirect": 1},
                    {"name": "Officials", "quotes": 1, "direct": 0, "indirect": 1},
                ]
            },
            "sourcing": {"shares": {"vague source": 0.5, "anonymous source": 0.5}, "hedged_share": 0.5},
            "naming": {"finding": "Mixes spellings: Odessa once, Odesa once", "conventions": ["Russian", "Ukrainian"]},
            "techniques": {"loaded language": 1, "doubt": 1},
        },
        "errors": [],
    }


@pytest.fixture
def hostile_analysis() -> dict[str, Any]:
    """Script, attribute-breaking markup and javascript: URLs in every field a report shows."""
    hostile = f"{SCRIPT} {IMG} {JS_URL} {MARKUP}"
    text = f"{hostile}\n\nThe mayor said {SCRIPT} was fine.\n\n{IMG} according to {JS_URL}."
    payload_span = span(text, SCRIPT, 2)

    def ev() -> dict[str, Any]:
        return evidence(hostile, span(text, IMG), score=0.5, note=hostile)

    return {
        "schema_version": "1.0",
        "article": {
            "id": hostile,
            "outlet": hostile,
            "url": JS_URL,
            "title": hostile,
            "author": hostile,
            "published": hostile,
            "text": text,
            "standfirst": span(text, hostile),
            "removed": [{"start": 0, "end": len(hostile), "text": hostile, "reason": hostile, "rule": hostile}],
        },
        "quotes": [
            {
                **payload_span,
                "kind": hostile,
                "content": payload_span,
                "cue": span(text, "said"),
                "source": span(text, "The mayor"),
                "speaker": hostile,
                "speaker_type": hostile,
                "evidence": ev(),
            },
        ],
        "sourcing": [
            {
                **span(text, f"{IMG} according to {JS_URL}"),
                "label": hostile,
                "hedged": True,
                "cue": span(text, "according to"),
                "source": span(text, JS_URL, 2),
                "evidence": ev(),
            },
        ],
        "naming": [{**span(text, JS_URL), "canonical": hostile, "convention": hostile, "evidence": ev()}],
        "techniques": [{**span(text, IMG), "technique": hostile, "score": 0.9, "evidence": ev()}],
        "entities": [{**span(text, SCRIPT), "label": hostile, "canonical": JS_URL, "evidence": ev()}],
        IMG: [{**span(text, MARKUP), "label": hostile, "evidence": ev()}],
        "profiles": {
            hostile: {hostile: hostile, "nested": [{hostile: JS_URL, "url": JS_URL}, {hostile: 1, "url": SCRIPT}]},
            "speakers": {"speakers": [{"name": hostile, "quotes": 1}]},
        },
        "errors": [{"analyser": hostile, "message": hostile}],
    }

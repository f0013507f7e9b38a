"""The text report: profiles and top findings with evidence, in 100 columns, inert on hostile input."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console

from presslens.outputs import output_formats
from presslens.outputs.text import WIDTH, render_text, text_report
from tests.outputs.conftest import MARKUP, SCRIPT


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def test_text_is_a_registered_output_format():
    output = output_formats()["text"]
    assert output.suffix == ".txt" and output.render is render_text


def test_sample_view_fits_100_columns_and_summarises_every_section(sample_analysis):
    text = render_text(sample_analysis)
    assert widest(text) <= WIDTH
    assert sample_analysis["article"]["title"][:40] in " ".join(text.split())
    for key in ("quotes", "sourcing", "naming", "techniques", "entities"):
        if key in sample_analysis:
            assert f"{key.upper()} ({len(sample_analysis[key])}" in text or f"{key.upper()} (none)" in text
    assert "REMOVED BY INGEST (5)" in text and "photo caption and credit" in text


def test_entities_are_grouped_by_canonical_name_with_the_spellings_used(overlap_analysis):
    rows = [line.split() for line in render_text(overlap_analysis).split("ENTITIES (3)")[1].splitlines()]
    assert ["Odesa", "GPE", "2", "Odessa,", "Odesa", "knowledge", "base"] in rows
    assert ["Kyiv", "GPE", "1", "Kiev", "knowledge", "base"] in rows


def test_findings_show_speaker_evidence_and_offsets(overlap_analysis):
    text = render_text(overlap_analysis)
    flat = " ".join(text.split())
    assert "@58 direct quote · Hennadiy Trukhanov (person) “We will rebuild Odesa,”" in flat
    assert "cue: told · source: the mayor · rule: reporting verb" in flat
    assert "@0 vague source · Officials “Officials say" in flat
    assert "anonymous source (hedged) · unnamed sources “According to unnamed sources” cue: According to ·" in flat
    assert "rule: scare label · score: 0.42 · cues: “so-called” · note: debatable" in flat
    assert "Mixes spellings: Odessa once, Odesa once" in flat and "50%" in flat


def test_techniques_are_listed_by_score_when_there_are_many(overlap_analysis):
    base = overlap_analysis["techniques"][1]
    overlap_analysis["techniques"] = [
        {**base, "technique": f"technique {n}", "score": n / 20, "evidence": {**base["evidence"], "score": n / 20}}
        for n in range(12)
    ]
    text = render_text(overlap_analysis)
    assert "TECHNIQUES (12, TOP 8)" in text
    assert "technique 11" in text and "technique 4" in text and "technique 3" not in text


def test_long_unbroken_values_are_folded_within_100_columns(overlap_analysis):
    overlap_analysis["article"]["url"] = "https://example.org/" + "x" * 300
    overlap_analysis["profiles"]["naming"]["finding"] = "y" * 400
    overlap_analysis["quotes"][0]["speaker"] = "Z" * 250
    assert widest(render_text(overlap_analysis)) <= WIDTH


def test_markup_and_terminal_escapes_in_the_data_are_shown_not_obeyed(hostile_analysis):
    text = render_text(hostile_analysis)
    assert "\x1b" not in text
    assert "[bold red]rich markup[/bold red]" in text and "\\x1b[31mred" in text
    assert SCRIPT in " ".join(text.split())
    # in colour too: the console's own styles are the only escape sequences
    buffer = io.StringIO()
    Console(file=buffer, width=WIDTH, force_terminal=True, color_system="standard").print(text_report(hostile_analysis))
    coloured = buffer.getvalue()
    assert "\x1b[31mred" not in coloured and MARKUP.split(" ")[0] in coloured

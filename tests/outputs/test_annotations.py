"""Placing findings in the article text: segments at every boundary, layers, speakers, bad offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presslens.outputs.annotations import Highlight, ReportError, annotate, segments


def finding(name: str, start: int, end: int, layer: int = 0) -> Highlight:
    return Highlight(
        id=name,
        layer=layer,
        start=start,
        end=end,
        text="",
        title=name,
        subject=None,
        details=(),
        evidence=None,
        attribution=(),
        cues=(),
        speaker=None,
    )


def test_nested_and_crossing_ranges_cut_the_text_at_every_boundary():
    outer, inner, crossing = finding("A", 0, 6), finding("B", 2, 4), finding("C", 5, 9)
    ranges = [(f.start, f.end, f, "main") for f in (outer, inner, crossing)]
    cut = segments("abcdefghij", ranges)
    assert [(s.text, {f.id for f in s.main}) for s in cut] == [
        ("ab", {"A"}),
        ("cd", {"A", "B"}),
        ("e", {"A"}),
        ("f", {"A", "C"}),
        ("ghi", {"C"}),
        ("j", set()),
    ]
    assert [[f.id for f in s.starts] for s in cut] == [["A"], ["B"], [], ["C"], [], []]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=12))
def test_each_segment_carries_exactly_the_findings_covering_each_of_its_characters(bounds):
    text = "x" * 30
    found = [finding(f"f{n}", min(a, b), max(a, b)) for n, (a, b) in enumerate(bounds)]
    cut = segments(text, [(f.start, f.end, f, "main") for f in found])
    assert "".join(s.text for s in cut) == text and [s.start for s in cut[1:]] == [s.end for s in cut[:-1]]
    for segment in cut:
        for offset in range(segment.start, segment.end):
            assert {f.id for f in segment.main} == {f.id for f in found if f.start <= offset < f.end}
        assert {f.id for f in segment.starts} == {f.id for f in found if f.start == segment.start < f.end}


def test_identical_spans_of_two_layers_share_one_segment():
    first, second = finding("x", 3, 7, layer=0), finding("y", 3, 7, layer=1)
    cut = segments("0123456789", [(3, 7, first, "main"), (3, 7, second, "main")])
    assert [(s.start, s.end, [f.id for f in s.main]) for s in cut] == [(0, 3, []), (3, 7, ["x", "y"]), (7, 10, [])]


def test_overlap_fixture_segments_cover_the_text_exactly(overlap_analysis):
    annotated = annotate(overlap_analysis)
    text = overlap_analysis["article"]["text"]
    assert [layer.key for layer in annotated.layers] == ["quotes", "sourcing", "naming", "techniques", "entities"]
    assert "".join(s.text for p in annotated.paragraphs for s in p.segments) == text.replace("\n\n", "")
    odessa = next(s for p in annotated.paragraphs for s in p.segments if s.text == "Odessa")
    assert sorted(f.id for f in odessa.main) == ["0-0", "1-0", "2-0", "4-0"]  # quote, sourcing, naming, entity
    # the technique crosses the first paragraph break: it is drawn in both paragraphs, and starts once
    technique = annotated.layers[3].findings[0]
    drawn = [p for p in annotated.paragraphs if any(technique in s.main for s in p.segments)]
    assert len(drawn) == 2
    assert sum(technique in s.starts for p in annotated.paragraphs for s in p.segments) == 1


def test_quote_cue_and_source_are_drawn_with_the_quote_and_evidence_cues_only_on_focus(overlap_analysis):
    annotated = annotate(overlap_analysis)
    told = next(s for p in annotated.paragraphs for s in p.segments if s.text == "told")
    assert [f.id for f in told.attribution] == ["0-1"] and not told.main
    shelled = next(s for p in annotated.paragraphs for s in p.segments if s.text == "shelled")
    assert "3-0" in {f.id for f in shelled.cues}


def test_speakers_are_ordered_by_quote_count_and_quotes_know_theirs(overlap_analysis):
    annotated = annotate(overlap_analysis)
    assert [(s.name, s.quotes) for s in annotated.speakers] == [("Hennadiy Trukhanov", 2), ("Officials", 1)]
    assert [f.speaker for f in annotated.layers[0].findings] == [1, 0, 0]


def test_findings_that_do_not_fit_the_text_are_listed_not_drawn(overlap_analysis):
    overlap_analysis["naming"].extend(
        [
            {"start": 5, "end": 2, "text": "", "canonical": "x", "convention": "y"},
            {"start": 0, "end": 9, "text": "Not this!", "canonical": "x", "convention": "y"},
            {"start": "0", "end": 9, "text": "Officials", "canonical": "x", "convention": "y"},
            {"start": 0, "end": 10_000, "text": "…", "canonical": "x", "convention": "y"},
        ]
    )
    annotated = annotate(overlap_analysis)
    assert len(annotated.layers[2].findings) == 2
    reasons = [item.reason for item in annotated.skipped]
    assert len(reasons) == 4
    assert "not the finding's text" in reasons[1] and "not integers" in reasons[2] and "outside" in reasons[3]


def test_an_absent_section_is_no_layer_and_an_empty_one_is_an_empty_layer(overlap_analysis):
    del overlap_analysis["quotes"]
    overlap_analysis["techniques"] = []
    annotated = annotate(overlap_analysis)
    assert annotated.layer("quotes") is None and annotated.speakers == ()
    assert annotated.layer("techniques") is not None and annotated.layer("techniques").findings == ()


@pytest.mark.parametrize("analysis", [[], {"article": {}}, {"article": {"text": 3}}])
def test_an_analysis_without_article_text_is_a_clear_error(analysis):
    with pytest.raises(ReportError, match="analysis"):
        annotate(analysis)

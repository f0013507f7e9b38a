"""Boilerplate removal on the real sample and on the variants scrapers produce."""

from __future__ import annotations

from presslens.ingest.clean import clean, identity
from presslens.ingest.evaluate import gold_boilerplate_spans


def test_sample_removes_exactly_the_gold_boilerplate(sample_path, sample_gold):
    text = sample_path.read_text(encoding="utf-8")
    result = clean(text)
    assert [(r.start, r.end) for r in result.removed] == gold_boilerplate_spans(text, sample_gold)
    assert [r.reason for r in result.removed] == [
        "photo caption and credit", "related-article widget", "related-article widget",
        "related-article widget", "outlet tag",
    ]
    for removal in result.removed:
        assert text[removal.start:removal.end] == removal.text


def test_sample_standfirst_is_split_from_the_glued_caption(sample_path, sample_gold):
    result = clean(sample_path.read_text(encoding="utf-8"))
    assert result.standfirst is not None
    assert result.standfirst.text == sample_gold["standfirst"]
    assert result.text.startswith(sample_gold["standfirst"] + "\n\nUkrainian President")
    assert "©" not in result.text and "Read more" not in result.text and "(RT)" not in result.text
    assert result.text.count("Ukraine not ready for offensive") == 0
    assert result.text.endswith("Zelensky rejected the call.")
    assert result.outlet_tag == "RT"


def test_source_map_points_every_kept_character_back(sample_path):
    text = sample_path.read_text(encoding="utf-8")
    result = clean(text)
    for clean_start, original_start, length in result.source_map.segments:
        assert result.text[clean_start:clean_start + length] == text[original_start:original_start + length]
    body_start = result.text.index("The battle for Artyomovsk")
    start, end = result.source_map.span_to_original(body_start, body_start + 10)
    assert text[start:end] == "The battle"


def test_standalone_caption_share_line_and_inline_credit():
    raw = (
        "Senate passes the budget bill after a long night\n\n"
        "Lawmakers voted 51-49 on Tuesday to approve the measure (AP Photo/Evan Vucci) after hours of debate.\n\n"
        "Senators leave the chamber on Tuesday. © Reuters / Jane Doe\n\n"
        "The bill now goes to the House, where its fate is uncertain.\n\n"
        "Share this story on Facebook\n"
    )
    result = clean(raw)
    assert [r.rule for r in result.removed] == ["inline-credit", "credit-line", "share-line"]
    assert "approve the measure after hours of debate." in result.text
    assert "Senators leave the chamber" not in result.text
    assert "Share this story" not in result.text
    assert result.standfirst is not None and result.standfirst.text.startswith("Senate passes")


def test_plain_article_is_left_untouched():
    raw = "The council met on Monday.\nIt approved the plan.\n\nThe mayor said it would cost $2m."
    result = clean(raw)
    assert result.removed == ()
    assert result.text == raw
    assert result.standfirst is None


def test_identity_normalises_crlf_and_maps_back():
    text, source_map = identity("one\r\ntwo\r\nthree")
    assert text == "one\ntwo\nthree"
    assert source_map.span_to_original(4, 7) == (5, 8)

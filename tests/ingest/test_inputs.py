"""Ingest of text, HTML and JSON Lines, and every kind of bad input."""

from __future__ import annotations

import gzip
import json

import pytest

from presslens.ingest import IngestError, IngestFailure, ingest_bytes, ingest_path, iter_inputs

ARTICLE_HTML = """<!DOCTYPE html><html><head><title>Kyiv braces for winter blackouts | Example News</title>
<meta property="og:site_name" content="Example News"><meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2023-03-22"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<script>window.tracker = "should not appear";</script>
<article><h1>Kyiv braces for winter blackouts</h1>
<p>Ukraine's energy ministry said on Wednesday that rolling blackouts would return to Kyiv as temperatures drop,
after a wave of strikes on power plants damaged much of the grid.</p>
<p>"We are preparing for the hardest winter," the minister told reporters in the capital, adding that repair crews
were working around the clock to restore supply to hospitals and schools.</p>
<p>Officials urged residents to stock up on water and batteries ahead of the cold season, which usually begins in
November and can last until March.</p></article>
<footer>Subscribe to our newsletter</footer></body></html>"""


def test_text_in_a_legacy_encoding_is_detected():
    text = "Le président a déclaré mercredi que l'économie française résisterait à la crise énergétique."
    article = ingest_bytes(text.encode("cp1252"), source="fr.txt")
    assert article.text == text
    assert article.encoding is not None and article.encoding.lower().replace("_", "") in {"cp1252", "latin1",
                                                                                          "iso88591"}


def test_html_keeps_metadata_and_drops_scripts_and_navigation():
    article = ingest_bytes(ARTICLE_HTML.encode(), source="page.html")
    assert article.input_format == "html"
    assert article.title == "Kyiv braces for winter blackouts"
    assert article.standfirst is not None and article.standfirst.text == "Kyiv braces for winter blackouts"
    assert "rolling blackouts would return to Kyiv" in article.text
    assert "tracker" not in article.text and "Home" not in article.text
    assert article.author == "Jane Roe"
    assert article.published == "2023-03-22"


def test_jsonl_reads_each_line_and_records_bad_lines(tmp_path):
    path = tmp_path / "feed.jsonl.gz"
    lines = [
        json.dumps({"id": "a1", "text": "The minister said the talks had failed.", "outlet": "AP",
                    "url": "https://apnews.com/x"}),
        "{not json",
        json.dumps({"id": "a2", "html": ARTICLE_HTML, "url": "https://www.rt.com/news/1/"}),
        json.dumps({"id": "a3", "title": "no body"}),
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    items = list(iter_inputs([path]))
    assert [type(item).__name__ for item in items] == ["Article", "IngestFailure", "Article", "IngestFailure"]
    assert items[0].id == "a1" and items[0].outlet == "AP"
    assert items[2].outlet == "RT"  # from the URL's domain
    assert items[1].source.endswith(":2") and "invalid JSON" in items[1].reason
    assert "neither a 'text' nor an 'html'" in items[3].reason


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty input"),
        ("blank.txt", b"   \n\n\t ", "empty input"),
        ("binary.bin", bytes(range(256)) * 8, "binary file"),
        ("broken.txt", "Zelensky said “no”. ".encode() + b"\xff\xfe more text", "invalid UTF-8 at byte"),
        ("nothing.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
        ("scripts.html", b"<html><head><script>alert(1)</script></head><body><script>document.write('x')"
                         b"</script></body></html>", "no article text"),
    ],
)
def test_bad_input_is_a_one_line_error_naming_the_file(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        ingest_path(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB on paper
    with pytest.raises(IngestError, match=r"too large: 50\.0 MB"):
        ingest_path(path)


def test_directory_reads_the_good_files_and_lists_the_bad(tmp_path, sample_path):
    (tmp_path / "good.txt").write_text(sample_path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "gold.json").write_text("{}", encoding="utf-8")  # not an article format: passed over
    items = list(iter_inputs([tmp_path]))
    failures = [item for item in items if isinstance(item, IngestFailure)]
    articles = [item for item in items if not isinstance(item, IngestFailure)]
    assert len(articles) == 1 and articles[0].outlet == "RT"
    assert [failure.source for failure in failures] == [str(tmp_path / "empty.txt")]


def test_no_clean_keeps_the_text_and_hash_is_of_the_input(sample_path):
    raw = sample_path.read_text(encoding="utf-8")
    article = ingest_path(sample_path, clean=False)
    assert article.text == raw
    assert article.removed == ()
    cleaned = ingest_path(sample_path)
    assert cleaned.content_hash == article.content_hash

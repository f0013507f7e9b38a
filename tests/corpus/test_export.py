"""Flat exports (Parquet, CSV, JSON Lines) with exact offsets, and the export / stats commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from presslens.corpus.export import FORMATS, STORIES, export, export_tables, table
from presslens.corpus.store import Store
from presslens.corpus.stories import update_stories
from presslens.ingest import ArticleMeta, ingest_text
from presslens.interfaces.cli.export import export as export_command
from presslens.interfaces.cli.stats import stats as stats_command


@pytest.fixture(scope="module")
def analyses(sample_analysis, entities_pipeline, paragraphs) -> list[dict[str, Any]]:
    """The full analysis of the sample, and an entities-only one of another article (other sections absent)."""
    other = ingest_text(f"{paragraphs[2]}\n\n{paragraphs[0]}", source="other.txt",
                        meta=ArticleMeta(outlet="Example News", published="2023-03-30"))
    return [sample_analysis, entities_pipeline.analyze(other).to_json()]


@pytest.fixture
def store_path(tmp_path, analyses) -> Path:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        for analysis in analyses:
            store.put_analysis(analysis, analysers=["entities"])
    return path


def expected_rows(table: str, analyses: list[dict[str, Any]]) -> int:
    if table == "articles":
        return len(analyses)
    if table == "speakers":
        return sum(len({(q["speaker"], q["speaker_type"]) for q in a.get("quotes") or ()}) for a in analyses)
    return sum(len(a.get(table) or ()) for a in analyses)


def read_back(path: Path, fmt: str) -> tuple[list[str], list[dict[str, Any]]]:
    if fmt == "parquet":
        table = pq.read_table(path)
        return table.schema.names, table.to_pylist()
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            return list(reader.fieldnames or ()), list(reader)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return (list(rows[0]) if rows else []), rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_table_exports_one_row_per_finding_with_a_fixed_schema(tmp_path, store_path, analyses, fmt):
    with Store.open(store_path) as store:
        for name, table in export_tables().items():
            path = tmp_path / f"{name}.{fmt}"
            written = export(store.iter_analyses(), name, fmt, path)
            header, rows = read_back(path, fmt)
            assert written == len(rows) == expected_rows(name, analyses), name
            if rows or fmt != "jsonl":  # JSON Lines has no header to show for an empty table
                assert header == [column.name for column in table.columns], name


def test_exported_offsets_point_at_the_exported_text(tmp_path, store_path, analyses):
    texts = {a["article"]["content_hash"]: a["article"]["text"] for a in analyses}
    checked = 0
    with Store.open(store_path) as store:
        for name in export_tables():
            if name == "articles":
                continue
            stream = io.StringIO()
            export(store.iter_analyses(), name, "jsonl", stream)
            for line in stream.getvalue().splitlines():
                row = json.loads(line)
                text = texts[row["content_hash"]]
                for column in row:  # every span in the row: (start, end, text) and (x_start, x_end, x_text)
                    if column == "start" or column.endswith("_start"):
                        prefix = column[: -len("start")]
                        if row[column] is not None and f"{prefix}text" in row:
                            assert text[row[column]:row[f"{prefix}end"]] == row[f"{prefix}text"], (name, column)
                            checked += 1
    assert checked >= len(analyses[0]["entities"])


def test_articles_table_tells_absent_sections_from_empty_ones(store_path, analyses):
    stream = io.StringIO()
    with Store.open(store_path) as store:
        export(store.iter_analyses(), "articles", "jsonl", stream)
    rows = {row["content_hash"]: row for row in map(json.loads, stream.getvalue().splitlines())}
    sample, other = (rows[a["article"]["content_hash"]] for a in analyses)
    assert other["n_entities"] == len(analyses[1]["entities"]) and other["text"] == analyses[1]["article"]["text"]
    assert other["outlet"] == "Example News" and other["published"] == "2023-03-30"
    for section in ("quotes", "naming", "sourcing", "techniques"):
        if f"n_{section}" in other:  # the analyser is installed: it did not run on "other"
            assert other[f"n_{section}"] is None
            assert sample[f"n_{section}"] == len(analyses[0][section])


def test_export_command_infers_the_format_and_rejects_bad_requests(tmp_path, store_path, analyses):
    runner = CliRunner()
    out = tmp_path / "entities.csv"
    result = runner.invoke(export_command, ["--store", str(store_path), "--table", "entities", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_back(out, "csv")[1]) == expected_rows("entities", analyses)
    only_one = runner.invoke(export_command, ["--store", str(store_path), "-t", "articles", "--outlet",
                                              "Example News", "-f", "jsonl"])
    assert [json.loads(line)["outlet"] for line in only_one.output.splitlines()] == ["Example News"]
    assert runner.invoke(export_command, ["--store", str(store_path), "-f", "parquet"]).exit_code == 2
    unknown = runner.invoke(export_command, ["--store", str(store_path), "-t", "paragraphs"])
    assert unknown.exit_code == 2 and "unknown table 'paragraphs'" in unknown.output


def test_export_to_a_folder_writes_every_table_and_skips_stories_until_clustered(tmp_path, store_path, analyses):
    out = tmp_path / "tables"
    result = CliRunner().invoke(export_command, ["--store", str(store_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "stories: skipped, the store has no story clusters: run `presslens stories` first" in result.output
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted(f"{name}.parquet" for name in export_tables())  # no stories file, no partial files
    for name, chosen in export_tables().items():
        header, rows = read_back(out / f"{name}.parquet", "parquet")
        assert header == [column.name for column in chosen.columns] and len(rows) == expected_rows(name, analyses)
    alone = CliRunner().invoke(export_command, ["--store", str(store_path), "-t", STORIES, "-f", "csv"])
    assert alone.exit_code == 0 and "stories: no rows" in alone.output
    assert alone.output.splitlines()[-1].startswith("story_id,story_title,story_size")  # the header, no rows
    both = CliRunner().invoke(export_command, ["--store", str(store_path), "--out", str(out), "-o", "x.csv"])
    assert both.exit_code == 2 and "not both" in both.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_a_folder_includes_the_stories_once_clustered(tmp_path, store_path, analyses, embedder, fmt):
    with Store.open(store_path) as store:
        clustered = update_stories(store, embedder)
    assert clustered.added == len(analyses)
    out = tmp_path / "tables"
    result = CliRunner().invoke(export_command, ["--store", str(store_path), "--out", str(out), "-f", fmt,
                                                 "-t", "entities", "-t", STORIES])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == [f"entities.{fmt}", f"{STORIES}.{fmt}"]
    assert f"stories: {len(analyses)} rows" in result.output
    header, rows = read_back(out / f"{STORIES}.{fmt}", fmt)
    assert header == [column.name for column in table(STORIES).columns]
    keys = {a["article"]["content_hash"] for a in analyses}
    assert {row["content_hash"] for row in rows} == keys  # every clustered article once, with its story
    assert {row["story_id"] for row in rows} <= keys  # a story is named by the article that opened it
    for row in rows:
        assert int(row["story_size"]) == sum(1 for other in rows if other["story_id"] == row["story_id"])
    outlet = analyses[1]["article"]["outlet"]
    one = CliRunner().invoke(export_command, ["--store", str(store_path), "-t", STORIES, "--outlet", outlet])
    assert [json.loads(line)["outlet"] for line in one.output.splitlines()] == [outlet]


def test_stats_command_prints_one_profile_per_outlet(store_path, analyses):
    result = CliRunner().invoke(stats_command, ["--store", str(store_path), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    profiles = {p["outlet"]: p for p in map(json.loads, result.output.splitlines())}
    assert profiles["Example News"]["articles"] == 1 and profiles["Example News"]["quotes_per_article"] is None
    assert profiles[analyses[0]["article"]["outlet"]]["articles"] == 1
    table = CliRunner().invoke(stats_command, ["--store", str(store_path), "--by", "month"])
    assert table.exit_code == 0 and "Example News" in table.output and "2023-03" in table.output

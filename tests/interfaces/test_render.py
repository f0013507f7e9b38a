"""``presslens render``: a saved analysis renders again, as html or text; bad files fail clearly."""

from __future__ import annotations

import json

from click.testing import CliRunner

from presslens.interfaces.cli import _load_commands, cli
from presslens.interfaces.cli.app import EXIT_ALL_FAILED, EXIT_SOME_FAILED, EXIT_USAGE
from presslens.outputs import output_formats
from tests.outputs import conftest as report_fixtures

_load_commands()
overlap_analysis = report_fixtures.overlap_analysis  # the hand-built analysis of the report tests


def test_a_saved_analysis_renders_as_it_did_when_fresh(tmp_path, sample_analysis):
    saved = tmp_path / "analysis.json"
    saved.write_text(json.dumps(sample_analysis, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["render", str(saved), "-o", str(report)])
    assert result.exit_code == 0, result.output
    assert report.read_text(encoding="utf-8") == output_formats()["html"].render(sample_analysis)
    text = CliRunner().invoke(cli, ["render", str(saved), "--format", "text"])
    assert text.exit_code == 0 and text.output == output_formats()["text"].render(sample_analysis)


def test_json_lines_render_one_page_per_analysis_into_a_directory(tmp_path, overlap_analysis):
    second = {**overlap_analysis, "article": {**overlap_analysis["article"], "id": "../../etc/passwd"}}
    saved = tmp_path / "batch.jsonl"
    saved.write_text("\n".join(json.dumps(a) for a in (overlap_analysis, second)) + "\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["render", str(saved)])
    assert refused.exit_code == EXIT_USAGE and "-o DIRECTORY" in refused.output
    pages = tmp_path / "pages"
    pages.mkdir()
    result = CliRunner().invoke(cli, ["render", str(saved), "-o", str(pages)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in pages.iterdir()) == ["0001-overlap-1.html", "0002-etc-passwd.html"]


def test_unreadable_or_foreign_files_fail_with_the_reason(tmp_path, overlap_analysis):
    cases = {
        "missing.json": None,
        "broken.json": "{not json",
        "list.json": "[1, 2]",
        "other.json": json.dumps({"hello": "world"}),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content, encoding="utf-8")
        result = CliRunner().invoke(cli, ["render", str(path)])
        assert result.exit_code == EXIT_ALL_FAILED, (name, result.output)
        assert str(path) in result.output and "Traceback" not in result.output
    # one analysis without text among good ones: the others render, the exit code says some failed
    broken = {"schema_version": "1.0", "article": {"id": "no-text"}}
    saved = tmp_path / "mixed.jsonl"
    saved.write_text(json.dumps(overlap_analysis) + "\n" + json.dumps(broken) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(saved), "-f", "text"])
    assert result.exit_code == EXIT_SOME_FAILED
    assert "Port shelled overnight" in result.output and "no article text" in result.output

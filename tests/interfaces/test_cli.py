"""The presslens command line: analyze, schema, eval, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from presslens.interfaces.cli import _load_commands, cli

_load_commands()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "presslens", *args], capture_output=True, text=True, timeout=300)


def test_analyze_json_is_the_contract_object_with_clean_text(sample_path, sample_gold):
    result = CliRunner().invoke(cli, ["analyze", str(sample_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.output)
    article = analysis["article"]
    assert article["outlet"] == "RT"
    assert article["standfirst"]["text"] == sample_gold["standfirst"]
    assert article["removed"][0]["reason"] == "photo caption and credit"
    for entry in sample_gold["boilerplate"]:
        assert entry["text"].split("\n")[0] not in article["text"]


def test_analyze_directory_lists_failures_and_exits_1(tmp_path, sample_path):
    (tmp_path / "a.txt").write_text(sample_path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    result = run("analyze", str(tmp_path), "--format", "json", "--only", "entities")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0]["article"]["outlet"] == "RT"
    assert "2 of 3 inputs failed" in result.stderr
    assert f"{tmp_path / 'empty.txt'}: empty input" in result.stderr
    assert f"{tmp_path / 'binary.txt'}: binary file" in result.stderr


def test_analyze_only_bad_input_exits_3_with_one_line_error(tmp_path):
    path = tmp_path / "bad.html"
    path.write_text("<html><body><script>alert(1)</script></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(path), "-f", "json", "--only", "entities"])
    assert result.exit_code == 3
    assert f"{path}: no article text found in the HTML" in result.output


def test_analyze_reads_stdin_and_no_clean_keeps_the_text():
    text = "The mayor said on Monday that the bridge would reopen.\n\nRead more\n"
    result = CliRunner().invoke(cli, ["analyze", "-", "-f", "json", "--only", "entities", "--no-clean"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["article"]["text"] == text


def test_unknown_analyser_and_format_are_usage_errors(sample_path):
    assert CliRunner().invoke(cli, ["analyze", str(sample_path), "--only", "nope"]).exit_code == 2
    assert CliRunner().invoke(cli, ["analyze", str(sample_path), "--format", "pdf"]).exit_code == 2


def test_schema_is_json_schema_with_every_section():
    result = CliRunner().invoke(cli, ["schema"])
    schema = json.loads(result.output)
    assert schema["title"].startswith("presslens analysis 1.")
    assert {"article", "entities", "profiles", "errors", "schema_version"} <= schema["properties"].keys()


def test_eval_boilerplate_prints_precision_recall_f1(tmp_path, sample_path, sample_gold):
    folder = tmp_path / "rt-bakhmut"
    folder.mkdir()
    (folder / "article.txt").write_text(sample_path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "gold.json").write_text(json.dumps(sample_gold), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "boilerplate", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["tables"]["removed spans"]["exact match"]
    assert scores == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "predicted": 5, "gold": 5}


def test_version():
    assert run("--version").stdout.strip() == "presslens, version 0.1.0"


def test_analyze_text_prints_the_clean_article_then_what_was_removed(sample_path, sample_gold):
    result = CliRunner().invoke(cli, ["analyze", str(sample_path), "--only", "entities"])
    assert result.exit_code == 0, result.output
    report, _, removed = result.output.partition("REMOVED BY INGEST (5)")
    flat_report, flat_removed = " ".join(report.split()), " ".join(removed.split())
    assert sample_gold["standfirst"] in flat_report
    assert "Zelensky rejected the call." in flat_report
    for entry in sample_gold["boilerplate"]:
        first_line = " ".join(entry["text"].split("\n")[0].split())
        assert first_line not in flat_report
        assert f"{entry['kind'].split(':')[0]}: “{first_line}”" in flat_removed

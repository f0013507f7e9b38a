"""``presslens eval boilerplate``: scores boilerplate removal against ``gold.json`` files.

The data folder holds one folder per article with ``article.txt`` and ``gold.json`` (its ``boilerplate`` list:
``text``, an exact substring of the article, and ``kind``). A gold entry whose kind says "only the first line is
boilerplate" quotes its context to locate the line: only that first line is gold.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from presslens.eval.metrics import PRF, exact_prf, overlap_prf, total
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task
from presslens.ingest import ingest_path


def gold_examples(data: Path) -> list[tuple[Path, dict[str, Any]]]:
    """``(article.txt, gold)`` pairs of a folder of annotated articles (or of one annotated article's folder)."""
    import json

    folders = [data] if (data / "gold.json").is_file() else sorted(p.parent for p in data.glob("*/gold.json"))
    return [(folder / "article.txt", json.loads((folder / "gold.json").read_text(encoding="utf-8")))
            for folder in folders]


def gold_boilerplate_spans(text: str, gold: Mapping[str, Any]) -> list[tuple[int, int]]:
    """Gold boilerplate spans (original offsets); a repeated text takes its first occurrence not yet used."""
    spans: list[tuple[int, int]] = []
    for entry in gold.get("boilerplate", []):
        needle = entry["text"]
        start = text.find(needle)
        while start != -1 and any(s <= start < e for s, e in spans):
            start = text.find(needle, start + 1)
        if start == -1:
            raise ValueError(f"gold boilerplate text not found in the article: {needle!r}")
        end = start + len(needle)
        if "only the first line" in entry.get("kind", ""):
            end = start + len(needle.split("\n", 1)[0])
        spans.append((start, end))
    return spans


def score(examples: list[tuple[str, list[tuple[int, int]], list[tuple[int, int]]]]) -> EvalReport:
    """Exact and character-overlap P/R/F1 of removed spans; examples are (text, predicted, gold)."""
    report = EvalReport(task="boilerplate", data="")
    exact = total(exact_prf(predicted, gold) for _, predicted, gold in examples)
    overlap = total(overlap_prf(text, predicted, gold) for text, predicted, gold in examples)
    table = report.table("removed spans")
    table.add("exact match", exact)
    table.add("token overlap", overlap)
    return report


@eval_task("boilerplate", help="folder of */article.txt + gold.json (its 'boilerplate' list)")
def evaluate_boilerplate(data: Path, options: Mapping[str, str]) -> EvalReport:
    examples = []
    leftovers: list[str] = []
    for path, gold in gold_examples(data):
        text = path.read_text(encoding="utf-8")
        article = ingest_path(path)
        predicted = [(removal.start, removal.end) for removal in article.removed]
        gold_spans = gold_boilerplate_spans(text, gold)
        examples.append((text, predicted, gold_spans))
        leftovers += [f"{path}: {text[s:e]!r} left in the clean text" for s, e in gold_spans
                      if text[s:e] in article.text]
    report = score(examples)
    report.data = str(data)
    report.figures["articles"] = len(examples)
    report.notes.extend(leftovers or ["no gold boilerplate span is left in any clean text"])
    return report


__all__ = ["PRF", "evaluate_boilerplate", "gold_boilerplate_spans", "gold_examples", "score"]

"""``presslens eval naming --data PATH``: P/R/F1 of the naming analyser per convention.

``PATH`` is one of:

- a labelled sentence set: a ``.jsonl`` file (or a folder of them), one sentence per line::

      {"id": "ru-001", "text": "...", "outlet": "Sputnik", "side": "Russian-state", "source": "https://...",
       "mentions": [{"text": "Artemovsk", "entity": "bakhmut", "convention": "soviet-era", "metonym": false}]}

  Every mention the analyser should report is listed; a mention's ``text`` is found in the sentence in order
  (``occurrence``, 1-based, picks another occurrence). Scored per mention: a prediction matches a gold mention
  when their spans overlap and entity and convention agree (exact-span and entity-only tables follow);
- a folder of annotated articles, ``*/article.txt`` + ``gold.json`` whose ``naming`` list gives ``text``,
  ``canonical`` and a ``convention`` in prose ("Russian transliteration; also used as a metonym ..."): the
  prose is mapped to convention tags and the canonical name to a knowledge-base entity; scored per distinct
  (text, entity, convention);
- a folder of unlabelled ``*.txt`` articles (e.g. PolNeAR): no gold, so every contested-name finding is listed
  for a reader to check; the figure to watch on articles that name no contested entity is 0.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presslens import knowledge
from presslens.analysers.naming.records import NamingMention
from presslens.eval.metrics import PRF, total
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task
from presslens.ingest import ingest_path, ingest_text

if TYPE_CHECKING:
    from presslens.analysis import AnalysisBase
    from presslens.pipeline import Pipeline

_PROSE_CONVENTIONS = (  # first matching phrase wins: the gold's prose names the convention in words
    ("soviet", "soviet-era"),
    ("self-designation", "self-designation"),
    ("euphemism", "euphemism"),
    ("distanc", "distanced"),
    ("russian transliteration", "russian-transliteration"),
    ("ukrainian official", "ukrainian-official"),
    ("russian state", "russian-state-term"),
    ("ukrainian state", "ukrainian-state-term"),
    ("wire", "wire-standard"),
    ("former name", "former-name"),
    ("official name", "official-name"),
)


def convention_from_prose(prose: str) -> str | None:
    """The convention tag a gold annotation's prose names ("Russian transliteration; ..." -> the tag)."""
    lowered = prose.lower().strip()
    if lowered in knowledge.conventions():
        return lowered
    for phrase, tag in _PROSE_CONVENTIONS:
        if phrase in lowered:
            return tag
    return None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: str
    convention: str
    metonym: bool = False


def _pipeline() -> Pipeline:
    from presslens.pipeline import Pipeline

    return Pipeline(only=["naming"])


def mentions_of(analysis: AnalysisBase) -> list[NamingMention]:
    """The naming records of an analysis."""
    return [record for record in analysis.section("naming") if isinstance(record, NamingMention)]


def _predicted(analysis: AnalysisBase) -> list[Mention]:
    return [Mention(r.start, r.end, r.entity_id, r.convention, r.metonym is not None) for r in mentions_of(analysis)]


def gold_mentions(text: str, mentions: Sequence[Mapping[str, Any]], where: str) -> list[Mention]:
    """Gold mentions with offsets: each ``text`` at its next unused position (or its ``occurrence``-th).

    Longer mentions are placed first, and a shorter one never lands inside a longer mention of the same entity
    ("Macedonia" is not the one inside "North Macedonia"); it may land inside another entity's mention ("Lugansk"
    inside "Lugansk People's Republic").
    """
    placed: dict[int, Mention] = {}
    used: set[tuple[int, str]] = set()
    for index in sorted(range(len(mentions)), key=lambda i: -len(mentions[i]["text"])):
        mention = mentions[index]
        needle = mention["text"]
        if knowledge.entities().get(mention["entity"]) is None:
            raise ValueError(f"{where}: unknown knowledge-base entity {mention['entity']!r}")
        if mention["convention"] not in knowledge.conventions():
            raise ValueError(f"{where}: unknown convention {mention['convention']!r}")
        starts = [i for i in range(len(text)) if text.startswith(needle, i)]
        if not starts:
            raise ValueError(f"{where}: gold mention {needle!r} is not in the sentence")
        if "occurrence" in mention:
            start = starts[int(mention["occurrence"]) - 1]
        else:
            inside_same = {s for s in starts for other in placed.values()
                           if other.entity == mention["entity"] and other.start <= s < other.end}
            free = [s for s in starts if (s, needle) not in used and s not in inside_same]
            if not free:
                raise ValueError(f"{where}: gold mention {needle!r} is listed more often than it occurs")
            start = free[0]
        used.add((start, needle))
        placed[index] = Mention(start, start + len(needle), mention["entity"], mention["convention"],
                                bool(mention.get("metonym")))
    return [placed[index] for index in range(len(mentions))]


def _overlap(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def match(predicted: list[Mention], gold: list[Mention], *, exact: bool = False,
          convention: bool = True) -> list[tuple[Mention, Mention]]:
    """One-to-one pairs of predicted and gold mentions (overlapping or exact spans, same entity[, convention])."""
    pairs = []
    free = list(gold)
    for guess in predicted:
        for truth in free:
            same_span = (guess.start, guess.end) == (truth.start, truth.end) if exact else _overlap(guess, truth)
            if same_span and guess.entity == truth.entity and (not convention or guess.convention == truth.convention):
                pairs.append((guess, truth))
                free.remove(truth)
                break
    return pairs


def score(examples: Iterable[tuple[str, list[Mention], list[Mention]]], data: str = "") -> EvalReport:
    """The report of (id, predicted, gold) examples: per-convention P/R/F1 and the errors."""
    report = EvalReport(task="naming", data=data)
    per_convention: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, predicted, gold
    exact_counts = [0, 0, 0]
    entity_counts = [0, 0, 0]
    metonym_counts = [0, 0, 0]
    errors: list[str] = []
    count = 0
    for example_id, predicted, gold in examples:
        count += 1
        pairs = match(predicted, gold)
        for guess in predicted:
            per_convention[guess.convention][1] += 1
        for truth in gold:
            per_convention[truth.convention][2] += 1
        for guess, _ in pairs:
            per_convention[guess.convention][0] += 1
        for counts, pairs_of in ((exact_counts, match(predicted, gold, exact=True)),
                                 (entity_counts, match(predicted, gold, convention=False))):
            counts[0] += len(pairs_of)
            counts[1] += len(predicted)
            counts[2] += len(gold)
        metonym_counts[0] += sum(guess.metonym and truth.metonym for guess, truth in pairs)
        metonym_counts[1] += sum(guess.metonym for guess in predicted)
        metonym_counts[2] += sum(truth.metonym for truth in gold)
        matched_predicted = {id(guess) for guess, _ in pairs}
        matched_gold = {id(truth) for _, truth in pairs}
        errors += [f"{example_id}: extra {g.entity}/{g.convention} at {g.start}:{g.end}"
                   for g in predicted if id(g) not in matched_predicted]
        errors += [f"{example_id}: missed {t.entity}/{t.convention} at {t.start}:{t.end}"
                   for t in gold if id(t) not in matched_gold]
        errors += [f"{example_id}: metonym {'missed' if truth.metonym else 'extra'} at {truth.start}:{truth.end}"
                   for guess, truth in pairs if guess.metonym != truth.metonym]
    table = report.table("naming mentions: overlapping span, same entity and convention")
    rows = {name: PRF.from_counts(*counts) for name, counts in sorted(per_convention.items())}
    for name, row in rows.items():
        table.add(name, row)
    table.add("micro", total(rows.values()))
    other = report.table("variants of the match")
    other.add("exact span, entity and convention", PRF.from_counts(*exact_counts))
    other.add("overlapping span and entity (any convention)", PRF.from_counts(*entity_counts))
    other.add("metonym flag on matched mentions", PRF.from_counts(*metonym_counts))
    report.figures["examples"] = count
    report.notes.extend(errors or ["no errors"])
    return report


def evaluate_sentences(files: list[Path]) -> EvalReport:
    rows = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    pipeline = _pipeline()
    articles = [ingest_text(row["text"], source=row["id"], clean=False) for row in rows]
    examples = []
    for row, analysis in zip(rows, pipeline.analyze_many(articles, batch_size=64), strict=True):
        gold = gold_mentions(row["text"], row.get("mentions", []), row["id"])
        examples.append((row["id"], _predicted(analysis), gold))
    report = score(examples, data=", ".join(str(path) for path in files))
    sides: dict[str, int] = defaultdict(int)
    for row in rows:
        sides[row.get("side", "unknown")] += 1
    report.figures["sentences by side"] = ", ".join(f"{side} {n}" for side, n in sorted(sides.items()))
    report.figures["outlets"] = len({row.get("outlet") for row in rows})
    return report


def evaluate_articles(folders: list[Path], data: Path) -> EvalReport:
    pipeline = _pipeline()
    examples = []
    unmapped: list[str] = []
    for folder in folders:
        gold_data = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        analysis = pipeline.analyze(ingest_path(folder / "article.txt"))
        predicted = {(r.text, r.entity_id, r.convention) for r in mentions_of(analysis)}
        metonyms = {r.text for r in mentions_of(analysis) if r.metonym}
        gold = set()
        for entry in gold_data.get("naming", []):
            entity = knowledge.find_entity(entry["canonical"])
            convention = convention_from_prose(entry["convention"])
            if entity is None or convention is None:
                unmapped.append(f"{folder.name}: cannot map {entry['canonical']!r} / {entry['convention']!r}")
                continue
            gold.add((entry["text"], entity.id, convention))
            if "metonym" in entry["convention"].lower() and entry["text"] not in metonyms:
                unmapped.append(f"{folder.name}: {entry['text']!r} is a metonym in the gold, not in the analysis")
        examples.append((folder.name, predicted, gold))
    report = EvalReport(task="naming", data=str(data))
    per_convention: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    notes = []
    for name, predicted, gold in examples:
        for item in predicted:
            per_convention[item[2]][1] += 1
            per_convention[item[2]][0] += item in gold
        for item in gold:
            per_convention[item[2]][2] += 1
        notes += [f"{name}: missed {text!r} {entity}/{convention}" for text, entity, convention in gold - predicted]
        notes += [f"{name}: extra {text!r} {entity}/{convention}" for text, entity, convention in predicted - gold]
    table = report.table("distinct (text, entity, convention) per article")
    rows = {name: PRF.from_counts(*counts) for name, counts in sorted(per_convention.items())}
    for name, row in rows.items():
        table.add(name, row)
    table.add("micro", total(rows.values()))
    report.figures["articles"] = len(examples)
    report.notes.extend(unmapped + notes or ["every gold naming entry found, nothing extra"])
    return report


def evaluate_unlabelled(paths: list[Path], data: Path) -> EvalReport:
    pipeline = _pipeline()
    articles = [ingest_text(path.read_text(encoding="utf-8"), source=path.name, clean=False) for path in paths]
    report = EvalReport(task="naming", data=str(data))
    findings = 0
    with_findings = 0
    for path, analysis in zip(paths, pipeline.analyze_many(articles), strict=True):
        records = mentions_of(analysis)
        findings += len(records)
        with_findings += bool(records)
        for record in records:
            report.notes.append(
                f"{path.name}: {record.text!r} -> {record.entity_id} / {record.convention}"
                + (" (quoted)" if record.quoted else "")
            )
    report.figures["articles"] = len(paths)
    report.figures["articles with a contested-name finding"] = with_findings
    report.figures["contested-name findings (each listed below for checking)"] = findings
    return report


@eval_task("naming", help="sentence set (.jsonl), folder of */article.txt + gold.json, or folder of *.txt "
                          "(unlabelled: lists every finding)")
def evaluate_naming(data: Path, options: Mapping[str, str]) -> EvalReport:
    if data.is_file():
        if data.suffix != ".jsonl":
            raise ValueError(f"{data}: expected a .jsonl sentence set or a folder")
        return evaluate_sentences([data])
    sentence_files = sorted(data.glob("*.jsonl"))
    if sentence_files:
        return evaluate_sentences(sentence_files)
    folders = [data] if (data / "gold.json").is_file() else sorted(p.parent for p in data.glob("*/gold.json"))
    if folders:
        return evaluate_articles(folders, data)
    texts = sorted(data.glob("*.txt"))
    if texts:
        return evaluate_unlabelled(texts, data)
    raise ValueError(f"{data}: no .jsonl sentence set, no */gold.json and no *.txt articles")


__all__ = ["convention_from_prose", "evaluate_naming", "gold_mentions", "match", "score"]

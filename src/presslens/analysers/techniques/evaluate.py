"""``presslens eval techniques``: the task's own scores on the PTC dev split, and the sample's gold techniques.

On a PTC folder (``articles/`` + ``labels-tc/``), the analyser runs through the pipeline on each article of the
split as is (``clean=False``: PTC's offsets are into the file), and the report gives:

- SI: SemEval-2020 Task 11 span identification, partial-overlap credit (gold spans merged, predicted spans
  merged too since SI ignores the technique), for model + rules, the model alone and the rules alone;
- TC: micro-F1 of the classifier head on the gold spans (a span with k gold techniques gets its k most probable),
  and P/R/F1 per technique;
- each rule alone: partial-credit P/R against all gold spans, and its precision against gold spans of its
  own technique.

On a folder of ``*/article.txt`` + ``gold.json`` (``../shared/samples``) it lists which gold techniques a
record covers. Options: ``split=dev|train|all`` (default dev), ``limit=N``, ``model_dir=DIR``, ``threshold=T``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from presslens.analysers.techniques.ptc import LabelledSpan, is_ptc_folder, read_ptc
from presslens.analysers.techniques.records import Technique
from presslens.analysers.techniques.rules import RULES
from presslens.analysers.techniques.scoring import TCCounts, si_score
from presslens.eval.metrics import PRF, ZERO, merge_intervals, partial_credit_prf
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task

SI_VIEWS = ("model + rules", "model", "rules")


def _analyser_config(options: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if options.get("model_dir"):
        config["model_dir"] = options["model_dir"]
    if options.get("threshold"):
        config["threshold"] = float(options["threshold"])
    if options.get("precision"):
        config["precision"] = options["precision"]
    if options.get("trim"):
        config["trim"] = float(options["trim"])
    return config


def _techniques(analysis: Any) -> list[Technique]:
    errors = [error.message for error in analysis.errors if error.analyser == "techniques"]
    if errors:
        raise RuntimeError(f"the techniques analyser failed: {errors[0]}")
    return [record for record in analysis.section("techniques") if isinstance(record, Technique)]


def evaluate_ptc(folder: Path, options: Mapping[str, str]) -> EvalReport:
    from presslens.analysers.techniques.analyser import TechniquesAnalyser, TechniquesConfig, set_threads, shared_model
    from presslens.analysers.techniques.training import score_gold_spans
    from presslens.ingest import ingest_text
    from presslens.pipeline import Pipeline

    split = options.get("split", "dev")
    limit = int(options["limit"]) if options.get("limit") else None
    config = _analyser_config(options)
    # The pipeline runs the rules; the model runs here, over all the articles as the analyser batches them, for its
    # spans (SI) and for the labels of the gold spans (TC).
    rules_pipeline = Pipeline(only=["techniques"], config={"techniques": {**config, "model": False}})
    analyser = TechniquesAnalyser(TechniquesConfig(**config))
    set_threads(analyser.config.threads)
    loaded = shared_model(analyser.folder, analyser.config.precision)
    si = dict.fromkeys(SI_VIEWS, ZERO)
    tc = TCCounts()
    rule_any = dict.fromkeys(RULES, ZERO)
    rule_same = dict.fromkeys(RULES, ZERO)
    articles = list(islice(read_ptc(folder, split), limit))
    ingested = []
    for ptc_article in articles:
        article = ingest_text(ptc_article.text, source=ptc_article.id, clean=False)
        if article.text != ptc_article.text:
            raise ValueError(f"article {ptc_article.id}: ingest changed the text, so PTC offsets would not hold")
        ingested.append(article)
    runs = loaded.run([article.text for article in ingested], analyser.config.window_batch)
    for ptc_article, article, run in zip(articles, ingested, runs, strict=True):
        model = analyser.model_records(article.text, run)
        ruled = _techniques(rules_pipeline.analyze(article))
        views = {"model + rules": model + ruled, "model": model, "rules": ruled}
        for view, chosen in views.items():
            si[view] += si_score(merge_intervals((record.start, record.end) for record in chosen), ptc_article.spans)
        _score_rules(views["rules"], ptc_article.spans, rule_any, rule_same)
        score_gold_spans(tc, loaded.model, run.encoded, run.hidden, ptc_article.spans)
    report = EvalReport(task="techniques", data=str(folder))
    table = report.table("SI: span identification, partial-overlap credit (SemEval-2020 Task 11)")
    for view in SI_VIEWS:
        table.add(view, si[view])
    micro = tc.micro()
    report.table("TC: technique classification of the gold spans").add("micro", micro)
    per_technique = report.table("TC per technique (gold spans)")
    for technique, score in tc.per_technique().items():
        per_technique.add(technique, score)
    rules = report.table("each rule alone, partial credit against all gold spans (any technique)")
    for rule in RULES:
        rules.add(rule, rule_any[rule])
        report.figures[f"rule '{rule}': precision against gold spans of its technique"] = (
            f"{rule_same[rule].precision:.3f} ({rule_same[rule].predicted:.0f} spans)"
        )
    report.figures["split"] = f"{split} ({len(articles)} articles, {sum(len(a.spans) for a in articles)} gold spans)"
    report.figures["SI F1 (model + rules)"] = round(si["model + rules"].f1, 4)
    report.figures["TC micro-F1"] = round(micro.f1, 4)
    report.figures["encoder precision"] = loaded.settings["precision"]
    report.figures["decoding"] = str(analyser.decoding(loaded.settings))
    report.notes.append(
        "dev split: article ids whose sha256 is 0 modulo 5; the model never trained on them, and its decoding "
        f"(thresholds, gap, trim) was chosen on them ({loaded.settings.get('dev_tuned', {}).get('precision', 'int8')}"
        "). Scored with the model as the analyser runs it, in the encoder precision above "
        "(`--option precision=int8|bf16|fp32` to choose)."
    )
    return report


def _score_rules(
    records: Sequence[Technique],
    gold: Sequence[LabelledSpan],
    rule_any: dict[str, PRF],
    rule_same: dict[str, PRF],
) -> None:
    for rule in RULES:
        spans = [(record.start, record.end) for record in records if record.evidence.rule == rule]
        technique = {record.technique for record in records if record.evidence.rule == rule}
        rule_any[rule] += si_score(spans, gold)
        same_gold = [(span.start, span.end) for span in gold if span.technique in technique]
        rule_same[rule] += PRF(partial_credit_prf(spans, same_gold).tp_p, len(spans), 0.0, 0.0)


def evaluate_samples(folder: Path, options: Mapping[str, str]) -> EvalReport:
    """Which of the samples' gold techniques (``gold.json`` "techniques": text + technique) a record covers."""
    from presslens.ingest import ingest_path
    from presslens.pipeline import Pipeline

    pipeline = Pipeline(only=["techniques"], config={"techniques": _analyser_config(options)})
    report = EvalReport(task="techniques", data=str(folder))
    found = total = 0
    for gold_path in sorted(folder.glob("*/gold.json")):
        items = json.loads(gold_path.read_text(encoding="utf-8")).get("techniques", [])
        if not items:
            continue
        article = ingest_path(gold_path.parent / "article.txt")
        records = _techniques(pipeline.analyze(article))
        for item in items:
            total += 1
            start = article.text.find(item["text"])
            end = start + len(item["text"])
            covering = [r for r in records if start >= 0 and r.start < end and start < r.end]
            found += bool(covering)
            what = "; ".join(f"{r.technique} by {r.evidence.rule} on {r.text[:40]!r}" for r in covering) or "missed"
            report.notes.append(f"{gold_path.parent.name}: {item['text']!r} ({item['technique']}): {what}")
    report.figures["sample gold techniques covered"] = f"{found} of {total}"
    return report


@eval_task(
    "techniques",
    help="PTC folder (articles/ + labels-tc/) or a folder of */article.txt + gold.json; "
    "options: split=dev|train|all, limit=N, model_dir=DIR, threshold=T, trim=S, precision=int8|bf16|fp32",
)
def evaluate(data: Path, options: Mapping[str, str]) -> EvalReport:
    """Score the techniques analyser on PTC (SI, TC, rules) or on the samples' gold techniques."""
    if is_ptc_folder(data):
        return evaluate_ptc(data, options)
    if data.is_dir() and any(data.glob("*/gold.json")):
        return evaluate_samples(data, options)
    raise ValueError(f"{data} is neither a PTC folder (articles/, labels-tc/) nor a folder of */gold.json")


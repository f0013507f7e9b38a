"""``presslens eval sourcing --data PATH``: the three scores of docs/sourcing-guideline.md §7.

``PATH`` is one of
- a folder of annotated samples (``*/article.txt`` + ``gold.json`` with a ``sourcing`` list, or one such folder):
  each gold claim right or wrong;
- a PolNeAR portion (``text/`` + ``attributions/``, e.g. ``../shared/eval/quotes/polnear/dev``): P/R/F1 of
  attributed sentences, and the named/anonymous split of PolNeAR's Source spans;
- the labelled set (a ``.jsonl`` file such as ``tests/analysers/data/sourcing-labelled.jsonl``): per-label
  P/R/F1 and macro F1; its articles are read from the PolNeAR folder given by ``--option polnear=PATH``
  (default ``$PRESSLENS_SHARED/eval/quotes/polnear``, else ``../shared/eval/quotes/polnear`` next to the repo).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from presslens.analysers.quotes.polnear import Attribution as PolnearAttribution
from presslens.analysers.quotes.polnear import is_polnear_folder, read_polnear
from presslens.analysers.sourcing.records import LABELS, SourcedClaim, SourcingLabel, SourcingProfile
from presslens.analysers.sourcing.rules import claim_units
from presslens.analysis import AnalysisBase
from presslens.eval.metrics import PRF, exact_prf
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task
from presslens.ingest import ingest_path, ingest_text
from presslens.pipeline import Pipeline
from presslens.records import Article

NOT_A_CLAIM = "not a claim"
_WORD = re.compile(r"\w+")
_NAME_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "PRODUCT", "WORK_OF_ART", "LAW", "EVENT"})
_NAMED_PRONOUNS = frozenset({"i", "me", "he", "him", "she", "her"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_UNRESOLVED_PRONOUNS = frozenset({"they", "them", "it", "we", "us", "you", "their", "its", "our", "your",
                                  "his", "hers", "theirs", "this", "these", "those", "one"})


# --- running the analyser ----------------------------------------------------------------------------------


def analyse(pipeline: Pipeline, articles: Sequence[Article]) -> Iterator[tuple[AnalysisBase, Doc]]:
    """Each article's analysis with its parse (the eval needs the parse's sentence units)."""
    texts = ((article.text, article) for article in articles)
    for doc, article in pipeline.nlp.pipe(texts, as_tuples=True, batch_size=16):
        yield pipeline.run(article, doc), doc


class AnalyserFailed(ValueError):
    """The analyser failed on an article of the eval data: the score would be wrong, so the eval stops."""


def claims_of(analysis: AnalysisBase) -> list[SourcedClaim]:
    """The sourcing claims of an analysis; :class:`AnalyserFailed` when the analyser (or one it needs) failed."""
    if analysis.errors:
        raise AnalyserFailed(f"{analysis.article.source or analysis.article.id}: {analysis.errors}")
    return [claim for claim in analysis.section("sourcing") if isinstance(claim, SourcedClaim)]


def best_overlap(claims: Sequence[SourcedClaim], start: int, end: int) -> SourcedClaim | None:
    """The claim that overlaps ``[start, end)`` most (None when none does)."""
    scored = [(min(end, claim.end) - max(start, claim.start), claim) for claim in claims]
    overlap, claim = max(scored, key=lambda pair: pair[0], default=(0, None))
    return claim if overlap > 0 else None


# --- 1. samples --------------------------------------------------------------------------------------------


def parse_gold_label(text: str) -> tuple[SourcingLabel, bool]:
    """A gold.json free-text label ("hedged, anonymous source") as (label, hedged), by the guideline's §7."""
    lower = text.lower()
    hedged = "hedged" in lower
    for word, label in (("quote", "quote"), ("anonymous", "anonymous source"), ("vague", "vague source"),
                        ("named source", "named source")):
        if word in lower:
            return label, hedged  # type: ignore[return-value]
    if any(word in lower for word in ("no source", "unsourced", "outlet")):
        return "outlet assertion", hedged
    raise ValueError(f"cannot read the gold sourcing label {text!r}")


def evaluate_samples(data: Path, pipeline: Pipeline) -> EvalReport:
    folders = [data] if (data / "gold.json").is_file() else sorted(p.parent for p in data.glob("*/gold.json"))
    if not folders:
        raise ValueError(f"{data} holds no gold.json (expected */article.txt + gold.json)")
    report = EvalReport(task="sourcing", data=str(data))
    labels = report.table("sample claims (gold label and hedged flag both right)")
    right = total = 0
    for folder in folders:
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        article = ingest_path(folder / "article.txt")
        analysis, _ = next(analyse(pipeline, [article]))
        claims = claims_of(analysis)
        for item in gold.get("sourcing", []):
            label, hedged = parse_gold_label(item["label"])
            start = article.text.find(item["text"])
            if start < 0:
                raise ValueError(f"{folder}: gold sourcing text not in the clean article: {item['text']!r}")
            claim = best_overlap(claims, start, start + len(item["text"]))
            ok = claim is not None and claim.label == label and claim.hedged == hedged
            right += ok
            total += 1
            previous = labels.rows.get(label, PRF(0, 0, 0, 0))
            labels.add(label, previous + PRF.from_counts(int(ok), 1, 1))
            if not ok:
                got = f"{claim.label}{', hedged' if claim.hedged else ''}" if claim else "no claim"
                report.notes.append(f"{folder.name}: {item['text'][:60]!r}: gold {item['label']!r}, got {got!r}")
    labels.add("all", PRF.from_counts(right, total, total))
    report.figures["sample labels right"] = f"{right}/{total}"
    return report


# --- 2. PolNeAR --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSplit:
    """Gold and predicted named/anonymous classes of one PolNeAR Source span (predicted None: not found)."""

    gold: str
    predicted: str | None


def gold_attributed(text: str, start: int, end: int, covered: set[int]) -> bool:
    """§7: at least half of the unit's word tokens lie inside PolNeAR's Source, Cue or Content spans."""
    tokens = [match.start() for match in _WORD.finditer(text, start, end)]
    return bool(tokens) and sum(position in covered for position in tokens) >= len(tokens) / 2


def _covered_characters(attributions: Iterable[PolnearAttribution]) -> set[int]:
    covered: set[int] = set()
    for attribution in attributions:
        for part in (attribution.source, attribution.cue, attribution.content):
            if part is not None:
                for start, end in part.fragments:
                    covered.update(range(start, end))
    return covered


def _has_name(tokens: Iterable[Token]) -> bool:
    return any(token.tag_ in ("NNP", "NNPS") or token.ent_type_ in _NAME_ENTITIES for token in tokens)


def _resolves_to_name(head: Token) -> bool:
    """A definite description ("the president", "the poll") whose head noun the article used before with a name.

    A mechanical stand-in for coreference: an earlier token with the same lemma that is part of a name or
    has a name among its modifiers ("President Obama", "the Quinnipiac poll", "the Clinton campaign").
    """
    definite = any(child.lower_ in ("the", "this", "that") or child.dep_ == "poss" for child in head.children)
    if not definite or head.tag_ not in ("NN", "NNP"):
        return False
    lemma = head.lemma_.lower()
    for earlier in head.doc[: head.i]:
        if earlier.lemma_.lower() == lemma and (
            _has_name([earlier])
            or _has_name(child for child in earlier.children if child.dep_ in ("compound", "poss", "appos", "nmod"))
            or (earlier.dep_ == "compound" and _has_name([earlier.head]))
        ):
            return True
    return False


def gold_source_class(doc: Doc, start: int, end: int) -> str | None:
    """§7: 'named', 'anonymous', or None for a pronoun PolNeAR gives no referent for."""
    tokens = doc.char_span(start, end, alignment_mode="expand")
    if tokens is None or len(tokens) == 0:
        return None
    if _has_name(tokens) or _resolves_to_name(tokens.root):
        return "named"
    words = [token.lower_ for token in tokens if not token.is_punct]
    if len(words) == 1 and words[0] in _NAMED_PRONOUNS:
        return "named"
    if len(words) == 1 and words[0] in _RELATIVE_PRONOUNS:
        relative = tokens[0] if tokens[0].lower_ == words[0] else tokens[-1]
        antecedent = relative.head.head if relative.head.dep_ == "relcl" else None
        if antecedent is not None and _has_name(token for token in antecedent.subtree if token.i <= antecedent.i):
            return "named"
        return "anonymous" if antecedent is not None else None
    if len(words) == 1 and words[0] in _UNRESOLVED_PRONOUNS:
        return None
    return "anonymous"


def _predicted_sources(profile: SourcingProfile | None) -> list[tuple[int, int, str]]:
    if profile is None:
        return []
    uses = (*profile.named_sources, *profile.anonymous_sources, *profile.vague_sources)
    return [(mention.start, mention.end, "named" if use.source_type == "named" else "anonymous")
            for use in uses for mention in use.mentions]


def evaluate_polnear(data: Path, pipeline: Pipeline) -> EvalReport:
    annotated = list(read_polnear(data))
    articles = [ingest_text(item.text, source=item.name, clean=False) for item in annotated]
    report = EvalReport(task="sourcing", data=str(data))
    attributed = PRF(0, 0, 0, 0)
    splits: list[SourceSplit] = []
    units = examples = 0
    for item, (analysis, doc) in zip(annotated, analyse(pipeline, articles), strict=True):
        claims = {claim.start: claim for claim in claims_of(analysis)}
        profile = getattr(getattr(analysis, "profiles", None), "sourcing", None)
        predicted_sources = _predicted_sources(profile)
        unit_spans = [(unit.start_char, unit.end_char) for unit in claim_units(doc)]
        for attributions in item.annotations.values():
            examples += 1
            covered = _covered_characters(attributions)
            gold_units = {span for span in unit_spans if gold_attributed(item.text, *span, covered)}
            predicted_units = {
                span for span in unit_spans
                if span[0] in claims and claims[span[0]].label != "outlet assertion"
            }
            units += len(unit_spans)
            attributed += exact_prf(predicted_units, gold_units)
            for attribution in attributions:
                if attribution.source is None:
                    continue
                start, end = attribution.source.start, attribution.source.end
                gold = gold_source_class(doc, start, end)
                if gold is None:
                    continue
                overlapping = [kind for s, e, kind in predicted_sources if s < end and e > start]
                splits.append(SourceSplit(gold, overlapping[0] if overlapping else None))
    table = report.table("PolNeAR sentences: attributed (§7)")
    table.add("attributed", attributed)
    split = report.table("PolNeAR Source spans: named vs anonymous (found sources)")
    for kind in ("named", "anonymous"):
        found = [s for s in splits if s.predicted is not None]
        split.add(kind, PRF.from_counts(
            sum(s.gold == kind and s.predicted == kind for s in found),
            sum(s.predicted == kind for s in found),
            sum(s.gold == kind for s in found),
        ))
    everything = report.table("PolNeAR Source spans: named vs anonymous (a missed source counts as wrong)")
    for kind in ("named", "anonymous"):
        everything.add(kind, PRF.from_counts(
            sum(s.gold == kind and s.predicted == kind for s in splits),
            sum(s.predicted == kind for s in splits),
            sum(s.gold == kind for s in splits),
        ))
    report.figures["articles"] = len(annotated)
    report.figures["annotations (article x annotator)"] = examples
    report.figures["sentence units"] = units
    report.figures["gold sources in the split (pronouns without referent left out)"] = len(splits)
    report.figures["gold sources with an overlapping predicted source"] = sum(
        s.predicted is not None for s in splits
    )
    return report


# --- 3. the labelled set -----------------------------------------------------------------------------------


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """The labelled set's lines; each has article, start, end, text, label, hedged, selection, split.

    ``split``: the development half's errors were read while writing the rules; the held-out half's were not.
    """
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if item["label"] not in (*LABELS, NOT_A_CLAIM):
            raise ValueError(f"{path}:{number}: unknown label {item['label']!r}")
        items.append(item)
    return items


def polnear_root(options: Mapping[str, str]) -> Path:
    if "polnear" in options:
        return Path(options["polnear"])
    shared = Path(os.environ.get("PRESSLENS_SHARED", Path(__file__).resolve().parents[4].parent / "shared"))
    return shared / "eval" / "quotes" / "polnear"


def labelled_articles(items: Sequence[dict[str, Any]], root: Path) -> dict[str, str]:
    """Article name -> text (from PolNeAR train), checking every labelled span against its text."""
    texts: dict[str, str] = {}
    for item in items:
        name = item["article"]
        if name not in texts:
            path = root / "train" / "text" / f"{name}.txt"
            if not path.is_file():
                raise ValueError(f"{path} is missing: pass --option polnear=PATH (the PolNeAR folder)")
            texts[name] = path.read_text(encoding="utf-8")
        if texts[name][item["start"]:item["end"]] != item["text"]:
            raise ValueError(f"labelled span {name}:{item['start']}:{item['end']} does not match the text")
    return texts


@dataclass(frozen=True)
class LabelledOutcome:
    """One labelled claim: gold and predicted label and hedged flag."""

    selection: str
    gold: str
    gold_hedged: bool
    predicted: str
    predicted_hedged: bool


def labelled_outcomes(items: Sequence[dict[str, Any]], texts: Mapping[str, str],
                      pipeline: Pipeline) -> list[LabelledOutcome]:
    names = sorted(texts)
    articles = [ingest_text(texts[name], source=name, clean=False) for name in names]
    claims_by_name = {name: claims_of(analysis)
                      for name, (analysis, _) in zip(names, analyse(pipeline, articles), strict=True)}
    outcomes = []
    for item in items:
        claim = best_overlap(claims_by_name[item["article"]], item["start"], item["end"])
        outcomes.append(LabelledOutcome(
            item["selection"], item["label"], item["hedged"],
            claim.label if claim else NOT_A_CLAIM, bool(claim and claim.hedged),
        ))
    return outcomes


def score_labelled(outcomes: Sequence[LabelledOutcome], title: str, report: EvalReport) -> float:
    """Per-label P/R/F1 over the claims (gold 'not a claim' left out) plus hedged; returns the macro F1."""
    claims = [outcome for outcome in outcomes if outcome.gold != NOT_A_CLAIM]
    table = report.table(title)
    for label in LABELS:
        table.add(label, PRF.from_counts(
            sum(o.gold == label and o.predicted == label for o in claims),
            sum(o.predicted == label for o in claims),
            sum(o.gold == label for o in claims),
        ))
    table.add("hedged", PRF.from_counts(
        sum(o.gold_hedged and o.predicted_hedged for o in claims),
        sum(o.predicted_hedged for o in claims),
        sum(o.gold_hedged for o in claims),
    ))
    return sum(score.f1 for score in table.rows.values()) / len(table.rows)


def evaluate_labelled(data: Path, pipeline: Pipeline, options: Mapping[str, str]) -> EvalReport:
    items = read_labelled(data)
    texts = labelled_articles(items, polnear_root(options))
    outcomes = labelled_outcomes(items, texts, pipeline)
    report = EvalReport(task="sourcing", data=str(data))
    report.figures["macro F1"] = score_labelled(outcomes, "labelled set: all claims", report)
    report.figures["macro F1, random selection only"] = score_labelled(
        [o for o in outcomes if o.selection == "random"], "labelled set: random selection only", report
    )
    for split in ("development", "held-out"):
        chosen = [o for o, item in zip(outcomes, items, strict=True) if item.get("split") == split]
        if chosen:
            report.figures[f"macro F1, {split} half"] = score_labelled(chosen, f"labelled set: {split} half",
                                                                       report)
    non_claims = [o for o in outcomes if o.gold == NOT_A_CLAIM]
    report.figures["claims"] = sum(o.gold != NOT_A_CLAIM for o in outcomes)
    report.figures["articles"] = len(texts)
    labelled_anyway = sum(o.predicted != NOT_A_CLAIM for o in non_claims)
    report.figures["gold non-claims the analyser labelled anyway"] = f"{labelled_anyway}/{len(non_claims)}"
    confusions = Counter((o.gold, o.predicted) for o in outcomes if o.gold != o.predicted and o.gold != NOT_A_CLAIM)
    report.notes.extend(f"gold {gold!r} predicted {predicted!r}: {count}"
                        for (gold, predicted), count in confusions.most_common(8))
    return report


@eval_task("sourcing", help="samples folder (gold.json), a PolNeAR portion (text/ + attributions/), or the "
           "labelled set (.jsonl, --option polnear=PATH)")
def evaluate(data: Path, options: Mapping[str, str]) -> EvalReport:
    pipeline = Pipeline(only=["sourcing"])
    if data.is_file() and data.suffix == ".jsonl":
        return evaluate_labelled(data, pipeline, options)
    if is_polnear_folder(data):
        return evaluate_polnear(data, pipeline)
    if data.is_dir():
        return evaluate_samples(data, pipeline)
    raise ValueError(f"{data}: expected a samples folder, a PolNeAR folder or a .jsonl labelled set")

"""``presslens eval compare --data POLNEAR``: same-story decisions and quote alignment on labelled PolNeAR pairs.

The labels ship with the package (``corpus/eval_data/polnear_pairs.json``: who labelled what, how the pairs were
sampled and what "same story" means are written in the file); the texts are PolNeAR's, so ``--data`` is the
PolNeAR folder holding ``train/`` and ``dev/`` (each with ``text/`` and ``attributions/``) and ``metadata.tsv``.

- **pairs**: the same-story decision of :func:`presslens.corpus.compare.story.same_story` on every labelled pair
  (P/R/F1 of "same story"), overall and per sampling stratum; and whether story clustering
  (:mod:`presslens.corpus.stories`, run over every labelled article in date order) puts each pair in one story.
  The shipped thresholds were chosen on the candidate, random and candidate-2 pairs, so their rows are in-sample;
  the wide pairs were labelled afterwards and never tuned on. The cross-validated row chooses the thresholds again
  on four fifths of all the pairs (stratified, 10 shuffles) and scores them on the fifth left out.
- **readers**: the pairs read by several readers (each pair's ``readers``) give the readers' agreement, each reader
  scored against another as the system is, and the system against each reader: what people (or reader sessions)
  following the same definition reach.
- **quote alignment**: for 10 same-story pairs, links between the attributions (PolNeAR's gold units) reporting
  the same statement. ``gold units`` aligns PolNeAR's attributions (scores the aligner alone), in-sample and with
  ``quote_threshold`` chosen on the other nine pairs (leave one pair out); ``system quotes`` aligns the quotes
  analyser's output, a link counting when both quotes overlap the gold link's units.

Options: ``labels=PATH`` (another labels file), ``quotes=gold|system|both`` (default both).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import combinations, product
from pathlib import Path
from typing import Any

from presslens.analysers.quotes.polnear import AnnotatedArticle, Attribution, parse_ann
from presslens.corpus.compare import CompareConfig, compare_pair
from presslens.corpus.compare.quotes import QuoteUnit, align_quotes, speaker_key
from presslens.corpus.compare.records import QuoteRef
from presslens.corpus.compare.story import StorySignature, is_same_story, same_story, signatures
from presslens.corpus.compare.text import tokens
from presslens.corpus.embeddings import SentenceEmbedder, load_embedder
from presslens.corpus.stories import StoryClusterer
from presslens.eval.metrics import PRF, exact_prf, total
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task
from presslens.ingest import ArticleMeta, ingest_text
from presslens.pipeline import Pipeline
from presslens.records import Span

LABELS = "polnear_pairs.json"
Interval = tuple[int, int]


def default_labels() -> dict[str, Any]:
    """The labelled pairs shipped with the package."""
    text = resources.files("presslens.corpus").joinpath("eval_data", LABELS).read_text(encoding="utf-8")
    labels: dict[str, Any] = json.loads(text)
    return labels


@dataclass(frozen=True)
class PolnearArticle:
    name: str
    portion: str
    text: str
    meta: ArticleMeta


class PolnearCorpus:
    """PolNeAR's texts, metadata and annotations, read on demand by article name."""

    def __init__(self, root: Path) -> None:
        metadata = root / "metadata.tsv"
        if not metadata.is_file():
            raise ValueError(f"{root} is not the PolNeAR folder: it has no metadata.tsv (expected train/, dev/ "
                             "and metadata.tsv)")
        self.root = root
        with metadata.open(encoding="utf-8", newline="") as stream:
            self.rows = {row["filename"]: row for row in csv.DictReader(stream, delimiter="\t")}

    def _row(self, name: str) -> dict[str, str]:
        row = self.rows.get(name)
        if row is None:
            raise ValueError(f"{name} is not in {self.root / 'metadata.tsv'}")
        return row

    def meta(self, name: str) -> ArticleMeta:
        """The article's outlet, title and publication date."""
        row = self._row(name)
        return ArticleMeta(id=name, outlet=row["publisher"], title=row["title"], published=row["publication_date"])

    def article(self, name: str) -> PolnearArticle:
        row = self._row(name)
        path = self.root / row["compartment"] / "text" / f"{name}.txt"
        return PolnearArticle(name, row["compartment"], path.read_text(encoding="utf-8"), self.meta(name))

    def annotated(self, name: str, annotator: str) -> AnnotatedArticle:
        article = self.article(name)
        path = self.root / article.portion / "attributions" / f"{name}_{annotator}.ann"
        return AnnotatedArticle(name, article.text, {annotator: parse_ann(path.read_text(encoding="utf-8"),
                                                                           str(path))})


# -- pairs ------------------------------------------------------------------------------------------------------


def analyse_articles(corpus: PolnearCorpus, names: Iterable[str], pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    """The analysis JSON of each named PolNeAR article (each once), by name."""
    names = sorted(set(names))
    articles = [ingest_text(article.text, source=article.name, clean=False, meta=article.meta)
                for article in map(corpus.article, names)]
    return {name: analysis.to_json()
            for name, analysis in zip(names, pipeline.analyze_many(articles), strict=True)}


def signatures_by_name(analyses: Mapping[str, dict[str, Any]], embedder: SentenceEmbedder,
                       config: CompareConfig) -> dict[str, StorySignature]:
    """Every labelled article's same-story signature (leads embedded in one batch)."""
    names = sorted(analyses)
    return dict(zip(names, signatures([analyses[name] for name in names], embedder, config), strict=True))


def score_pairs(pairs: Sequence[Mapping[str, Any]], decided: Sequence[bool]) -> dict[str, PRF]:
    """P/R/F1 of the same-story decisions (``decided``, one per pair): all pairs, then per sampling stratum."""
    scores: dict[str, PRF] = {}
    for stratum in (None, *sorted({p["stratum"] for p in pairs})):
        chosen = [k for k, p in enumerate(pairs) if stratum is None or p["stratum"] == stratum]
        label = "same story" if stratum is None else f"same story ({stratum} pairs)"
        scores[label] = exact_prf([k for k in chosen if decided[k]], [k for k in chosen if pairs[k]["same_story"]])
    return scores


def score_readers(pairs: Sequence[Mapping[str, Any]], decided: Sequence[bool]) -> dict[str, PRF]:
    """How far the readers agree: each reader scored against another on the pairs both read (P/R/F1 of "same
    story", the second reader as gold), then the decisions (``decided``) against each reader and against the
    readers' majority. A tie is broken by the pair's ``tie_break`` reader, who read only the tied pairs and so is
    compared with no one. Pairs without ``readers`` are left out."""
    read = [(k, p["readers"]) for k, p in enumerate(pairs) if p.get("readers")]
    names = sorted({name for _, readers in read for name in readers})
    scores: dict[str, PRF] = {}
    for first, second in combinations(names, 2):
        both = [(k, readers) for k, readers in read if first in readers and second in readers]
        if both:
            scores[f"{first} vs {second} ({len(both)} pairs)"] = exact_prf(
                [k for k, readers in both if readers[first]], [k for k, readers in both if readers[second]])
    for name in names:
        own = [(k, readers[name]) for k, readers in read if name in readers]
        scores[f"system vs {name} ({len(own)} pairs)"] = exact_prf([k for k, _ in own if decided[k]],
                                                                   [k for k, same in own if same])
    scores[f"system vs the readers' majority ({len(read)} pairs)"] = exact_prf(
        [k for k, _ in read if decided[k]], [k for k, _ in read if readers_majority(pairs[k])])
    return scores


def readers_majority(pair: Mapping[str, Any]) -> bool:
    """Whether most of a pair's readers call it the same story; a tie goes to its ``tie_break`` reader (not the
    same story without one)."""
    readers = pair["readers"]
    votes = 2 * sum(readers.values())
    if votes == len(readers):
        return bool(pair.get("tie_break", {}).get("same_story", False))
    return votes > len(readers)


#: Threshold values the cross-validation chooses from (the defaults are among them).
CV_GRID: dict[str, tuple[float, ...]] = {
    "story_entity_overlap": tuple(round(0.1 + 0.025 * step, 3) for step in range(17)),
    "story_text_similarity": tuple(round(0.3 + 0.05 * step, 2) for step in range(9)),
    "story_quote_words": (6, 8, 10, 12),
    "story_tense_difference": (0, 2, 3),
}


def folds(gold: Sequence[bool], k: int, seed: int) -> list[list[int]]:
    """``k`` folds of the pair indices, each with its share of same-story pairs (stratified)."""
    result: list[list[int]] = [[] for _ in range(k)]
    for label in (True, False):
        chosen = [index for index, value in enumerate(gold) if value is label]
        random.Random(f"{seed}-{label}").shuffle(chosen)
        for position, index in enumerate(chosen):
            result[position % k].append(index)
    return result


def cross_validate_pairs(
    pairs: Sequence[Mapping[str, Any]], signature: Mapping[str, StorySignature], config: CompareConfig, *,
    k: int = 5, repeats: int = 10,
) -> PRF:
    """P/R/F1 of "same story" with the thresholds of :data:`CV_GRID` chosen (best F1) on the other folds, summed
    over ``repeats`` shuffles."""
    gold = [bool(pair["same_story"]) for pair in pairs]
    decisions = []
    for words in CV_GRID["story_quote_words"]:  # measured once per quotation length, the rule re-applied
        measured = [(signature[p["a"]], signature[p["b"]],
                     same_story(signature[p["a"]], signature[p["b"]], config.model_copy(update={
                         "story_quote_words": words}))) for p in pairs]
        for overlap, similarity, tense in product(CV_GRID["story_entity_overlap"], CV_GRID["story_text_similarity"],
                                                  CV_GRID["story_tense_difference"]):
            chosen = config.model_copy(update={"story_entity_overlap": overlap, "story_text_similarity": similarity,
                                               "story_tense_difference": tense})
            decisions.append([
                is_same_story(record.text_similarity,
                              None if a.entities is None or b.entities is None else record.score,
                              record.shared_quotation is not None, record.days_apart, record.future_verbs, chosen)
                for a, b, record in measured
            ])

    def score(decided: Sequence[bool], indices: Iterable[int]) -> PRF:
        chosen = list(indices)
        return exact_prf([i for i in chosen if decided[i]], [i for i in chosen if gold[i]])

    result = PRF(0, 0, 0, 0)
    for seed in range(repeats):
        split = folds(gold, k, seed)
        for held_out in split:
            training = [i for fold in split if fold is not held_out for i in fold]
            best = max(decisions, key=lambda decided: score(decided, training).f1)  # first best in grid order
            result += score(best, held_out)
    return result


def score_clusters(pairs: Sequence[Mapping[str, Any]], analyses: Mapping[str, dict[str, Any]],
                   signature: Mapping[str, StorySignature], config: CompareConfig) -> PRF:
    """P/R/F1 of "in one story" after clustering every labelled article in date order."""
    clusterer = StoryClusterer(config)
    ordered = sorted(analyses, key=lambda name: (analyses[name]["article"].get("published") or "", name))
    story = {name: clusterer.add(name, signature[name]) for name in ordered}
    predicted = [k for k, p in enumerate(pairs) if story[p["a"]] == story[p["b"]]]
    return exact_prf(predicted, [k for k, p in enumerate(pairs) if p["same_story"]])


# -- quote alignment --------------------------------------------------------------------------------------------


def _gold_units(article: AnnotatedArticle) -> list[QuoteUnit]:
    """PolNeAR attributions as alignment units: the content extent, the source mention as speaker (a pronoun or
    a role noun names no one: the speaker is unknown)."""
    units = []
    text = article.text
    with_content = [a for a in article.first_annotation if a.content is not None]
    for index, attribution in enumerate(sorted(with_content, key=_extent)):
        content = attribution.content
        assert content is not None
        start, end = _extent(attribution)
        fragments = [text[s:e] for s, e in content.fragments]
        source = _span_of(text, attribution.source.fragments if attribution.source else None)
        cue = _span_of(text, attribution.cue.fragments if attribution.cue else None)
        ref = QuoteRef(index=index, kind=None, content=Span.of(text, start, end),
                       speaker=source.text if source else None, speaker_type=None, cue=cue, source=source)
        norms = tuple(token.norm for s, e in content.fragments for token in tokens(text, s, e))
        units.append(QuoteUnit(ref=ref, norms=norms, text=" ".join(fragments),
                               speaker_key=speaker_key(ref.speaker)))
    return units


def _extent(attribution: Attribution) -> Interval:
    assert attribution.content is not None
    return attribution.content.start, attribution.content.end


def _span_of(text: str, fragments: Sequence[Interval] | None) -> Span | None:
    return Span.of(text, fragments[0][0], fragments[-1][1]) if fragments else None


def _links(gold: Mapping[str, Any]) -> list[tuple[set[Interval], set[Interval]]]:
    return [({(u["start"], u["end"]) for u in link["a"]}, {(u["start"], u["end"]) for u in link["b"]})
            for link in gold["links"]]


def _overlaps(span: Interval, units: set[Interval]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in units)


def link_prf(predicted: Sequence[tuple[Interval, Interval]], gold: Sequence[tuple[set[Interval], set[Interval]]],
             *, exact: bool) -> PRF:
    """Predicted links that satisfy a gold link (each gold link once); ``exact`` compares unit offsets, else
    overlap (for system quotes, whose spans differ from PolNeAR's)."""
    used: set[int] = set()
    found = 0
    for left, right in predicted:
        for k, (units_a, units_b) in enumerate(gold):
            if k in used:
                continue
            hit = ((left in units_a and right in units_b) if exact
                   else (_overlaps(left, units_a) and _overlaps(right, units_b)))
            if hit:
                used.add(k)
                found += 1
                break
    return PRF.from_counts(found, len(predicted), len(gold))


UnitPair = tuple[list[QuoteUnit], list[QuoteUnit]]


def gold_unit_pairs(corpus: PolnearCorpus, alignments: Sequence[Mapping[str, Any]]) -> list[UnitPair]:
    """The PolNeAR attributions of each labelled alignment pair, as alignment units."""
    return [(_gold_units(corpus.annotated(gold["a"], gold["annotator_a"])),
             _gold_units(corpus.annotated(gold["b"], gold["annotator_b"]))) for gold in alignments]


def gold_unit_scores(units: Sequence[UnitPair], alignments: Sequence[Mapping[str, Any]], embedder: SentenceEmbedder,
                     config: CompareConfig) -> list[PRF]:
    """Link P/R/F1 counts of each labelled pair, aligning PolNeAR's attributions (the aligner alone)."""
    scores = []
    for (units_a, units_b), gold in zip(units, alignments, strict=True):
        matches, _ = align_quotes(units_a, units_b, embedder.encode, config)
        predicted = [((m.a.content.start, m.a.content.end), (m.b.content.start, m.b.content.end)) for m in matches]
        scores.append(link_prf(predicted, _links(gold), exact=True))
    return scores


#: Quote thresholds the alignment cross-validation chooses from.
CV_QUOTE_THRESHOLDS = tuple(round(0.5 + 0.02 * step, 2) for step in range(21))


def cross_validate_alignment(units: Sequence[UnitPair], alignments: Sequence[Mapping[str, Any]],
                             embedder: SentenceEmbedder, config: CompareConfig) -> PRF:
    """Link P/R/F1 with ``quote_threshold`` chosen (best F1 in :data:`CV_QUOTE_THRESHOLDS`) on the other labelled
    pairs: leave one pair out."""
    per_threshold = {threshold: gold_unit_scores(units, alignments, embedder,
                                                 config.model_copy(update={"quote_threshold": threshold}))
                     for threshold in CV_QUOTE_THRESHOLDS}
    result = PRF(0, 0, 0, 0)
    for held_out in range(len(alignments)):
        best = max(CV_QUOTE_THRESHOLDS, key=lambda threshold: total(
            score for index, score in enumerate(per_threshold[threshold]) if index != held_out).f1)
        result += per_threshold[best][held_out]
    return result


def score_system_quotes(analyses: Mapping[str, dict[str, Any]], alignments: Sequence[Mapping[str, Any]],
                        embedder: SentenceEmbedder, config: CompareConfig) -> PRF:
    total = PRF(0, 0, 0, 0)
    for gold in alignments:
        pair = compare_pair(analyses[gold["a"]], analyses[gold["b"]], embedder=embedder, config=config)
        predicted = [((m.a.content.start, m.a.content.end), (m.b.content.start, m.b.content.end))
                     for m in pair.quotes]
        total += link_prf(predicted, _links(gold), exact=False)
    return total


@eval_task("compare", help="PolNeAR folder (train/, dev/, metadata.tsv): same-story pairs and quote alignment")
def evaluate(data: Path, options: Mapping[str, str]) -> EvalReport:
    labels = (json.loads(Path(options["labels"]).read_text(encoding="utf-8")) if "labels" in options
              else default_labels())
    mode = options.get("quotes", "both")
    if mode not in ("gold", "system", "both"):
        raise ValueError(f"quotes={mode!r}: expected gold, system or both")
    corpus = PolnearCorpus(data)
    config = CompareConfig()
    embedder = load_embedder()
    report = EvalReport(task="compare", data=str(data))
    pairs = labels["pairs"]
    analyses = analyse_articles(corpus, (name for p in pairs for name in (p["a"], p["b"])), Pipeline(only=["entities"]))
    signature = signatures_by_name(analyses, embedder, config)
    decided = [same_story(signature[p["a"]], signature[p["b"]], config).same for p in pairs]
    table = report.table("pairs: same story")
    for label, score in score_pairs(pairs, decided).items():
        table.add(label, score)
    table.add("same story (story clusters)", score_clusters(pairs, analyses, signature, config))
    table.add("same story (5-fold CV x10, thresholds chosen on the other folds)",
              cross_validate_pairs(pairs, signature, config))
    readers = report.table("readers: each scored against another on the pairs both read, and the system against "
                           "each")
    for label, score in score_readers(pairs, decided).items():
        readers.add(label, score)
    alignments = labels["quote_alignment"]
    quotes = report.table("quote alignment: links between quotes reporting the same statement")
    if mode in ("gold", "both"):
        units = gold_unit_pairs(corpus, alignments)
        quotes.add("gold units (PolNeAR attributions)", total(gold_unit_scores(units, alignments, embedder, config)))
        quotes.add("gold units (leave-one-pair-out CV of the threshold)",
                   cross_validate_alignment(units, alignments, embedder, config))
    if mode in ("system", "both"):
        system = analyse_articles(corpus, (name for g in alignments for name in (g["a"], g["b"])), Pipeline())
        quotes.add("system quotes (overlap with gold units)",
                   score_system_quotes(system, alignments, embedder, config))
    report.figures["labelled pairs"] = len(pairs)
    report.figures["same-story pairs"] = sum(1 for p in pairs if p["same_story"])
    report.figures["pairs left out as undecidable"] = len(labels.get("excluded", ()))
    report.figures["quote alignment pairs"] = len(alignments)
    report.notes.append("thresholds (CompareConfig) were set on the candidate, random and candidate-2 pairs: their "
                        "rows are in-sample; the wide pairs' rows, and the CV rows, are not")
    return report

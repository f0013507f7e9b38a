"""``presslens eval quotes``: PolNeAR span scores and the samples' gold quotes, optionally beside textacy.

PolNeAR (a folder with ``text/`` and ``attributions/``) is scored span by span for content, source and cue:
exact match of the span (all its fragments) and token overlap (precision = shared tokens / predicted tokens,
recall = shared / gold tokens), all attributions and split into direct (the content holds a quotation mark)
and indirect. An article with several annotators' files is scored against each, weighted 1/n (option
``annotators=first`` takes the alphabetically first only). Quotes are mapped to PolNeAR's conventions first:
a continuation joins its quote as a further fragment, a direct quote's marks and indirect speech's "that"
are put back, a mixed quote counts its whole clause; the cue takes the auxiliaries and adverbs before its verb,
the preposition governing the content and a colon after it; a source with an apposition takes its closing
comma (docs/quotes.md has the counts behind each).

A folder of ``*/article.txt`` + ``gold.json`` (``../shared/samples``) is scored quote by quote: content found
exactly / by overlap, and the speaker, kind and cue of each found quote.

Options: ``baseline=textacy`` runs textacy's ``direct_quotations`` on the same parses, side by side;
``limit=N`` scores the first N articles only; ``annotators=average|first``; ``agreement=only`` skips the systems
and prints only the annotators' agreement.

The articles annotated by several annotators also give the annotators' agreement, each scored against another as
a system is: what two people following the same guidelines reach (train has 16 such articles, dev 2), beside the
systems on the same articles.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from presslens.analysers.quotes.assemble import verb_group_start
from presslens.analysers.quotes.marks import DASH_TOKENS, QUOTE_CHARACTERS, quotations
from presslens.analysers.quotes.polnear import ROLES, AnnotatedArticle, Attribution, is_polnear_folder, read_polnear
from presslens.analysers.quotes.records import Quote
from presslens.eval.metrics import PRF, ZERO, exact_prf, overlap_prf, tokens_of
from presslens.eval.report import EvalReport
from presslens.eval.tasks import eval_task

Fragments = tuple[tuple[int, int], ...]
SYSTEMS = ("presslens", "textacy")


@dataclass(frozen=True)
class Predicted:
    """An attribution in PolNeAR's terms: fragments per role (content always present)."""

    content: Fragments
    cue: Fragments | None
    source: Fragments | None
    speaker: str | None = None

    def role(self, name: str) -> Fragments | None:
        fragments: Fragments | None = getattr(self, name)
        return fragments


# --- quotes in PolNeAR's conventions ---------------------------------------------------------------------------


def polnear_view(quotes: Sequence[Quote], doc: Doc) -> list[Predicted]:
    """The analyser's quotes (of the parsed ``doc``) as PolNeAR attributions (see the module docstring)."""
    text = doc.text
    stretches = quotations(text)
    grouped: list[list[Quote]] = []
    for quote in quotes:
        if quote.continues and grouped:
            grouped[-1].append(quote)
        else:
            grouped.append([quote])
    predicted = []
    for group in grouped:
        first = group[0]
        contents = [_polnear_content(quote, text, stretches) for quote in group]
        cue = None
        if first.cue is not None:
            cue_end, contents[0] = _polnear_cue_end(doc, first.cue.end, contents[0])
            cue = ((_polnear_cue_start(doc, first.cue.start, cue_end), cue_end),)
        predicted.append(
            Predicted(
                content=tuple(sorted(contents)),
                cue=cue,
                source=_polnear_source(text, first.source.start, first.source.end) if first.source else None,
                speaker=first.speaker,
            )
        )
    return predicted


def _polnear_source(text: str, start: int, end: int) -> Fragments:
    """PolNeAR's source takes the comma closing an apposition ("Sanders, a Vermont senator,": 921 times to 106
    in train) but not a comma after a plain name (798 to 5), and the dash closing an aside ("Jason Sims — a
    teacher from Mount Pleasant —": 47 times to 2), which the analyser leaves out."""
    if "," in text[start:end] and text[end : end + 1] == ",":
        end += 1
    closing = _CLOSING_DASH.match(text, end)
    if closing is not None and _SPACED_DASH.search(text, start, end):
        end = closing.end()
    return ((start, end),)


_DASH = "|".join(re.escape(dash) for dash in sorted(DASH_TOKENS, key=len, reverse=True))  # "--" before "-"
_SPACED_DASH = re.compile(rf"\s(?:{_DASH})\s")
_CLOSING_DASH = re.compile(rf"\s*(?:{_DASH})(?=\s)")


_PREPOSITIONS = frozenset(("about", "of", "for", "on", "with", "against", "at", "over", "into", "from", "to"))


def _polnear_cue_start(doc: Doc, cue_start: int, cue_end: int) -> int:
    """PolNeAR's cue takes the auxiliaries, negation and adverbs right before its verb ("has also said": "also"
    is inside 281 times to 21 in train); the analyser's cue takes hedges only ("have reportedly urged")."""
    cue = doc.char_span(cue_start, cue_end, alignment_mode="expand")
    if cue is None or not len(cue):
        return cue_start
    start = verb_group_start(doc, cue.start, cue.root, lambda token: token.pos_ == "ADV")
    return min(cue_start, doc[start].idx)


def _polnear_cue_end(doc: Doc, cue_end: int, content: tuple[int, int]) -> tuple[int, tuple[int, int]]:
    """PolNeAR's cue takes the preposition governing the content ("complained about", "pointed to"), not an
    infinitive's "to" (that stays with its content: "declined | to step in"), and a colon right after it
    ("said:"); the analyser's cue stops at the verb."""
    text = doc.text
    content_start, content_end = content
    if text[cue_end : cue_end + 1] == ":":
        return cue_end + 1, content
    if content_start < cue_end or text[cue_end:content_start].strip():
        return cue_end, content
    first = doc.char_span(content_start, content_end, alignment_mode="expand")
    if first is None or not len(first) or first[0].pos_ != "ADP" or first[0].lower_ not in _PREPOSITIONS:
        return cue_end, content
    cue_end = first[0].idx + len(first[0])
    rest = text[cue_end:content_end]
    return cue_end, (cue_end + len(rest) - len(rest.lstrip()), content_end)


def _polnear_content(quote: Quote, text: str, stretches: Sequence[Any]) -> tuple[int, int]:
    span = quote.clause or quote.content
    start, end = span.start, span.end
    if quote.kind == "direct":
        for stretch in stretches:
            if stretch.inner_start <= start and end <= stretch.inner_end:
                return stretch.start, stretch.end
        return start, end
    before = text[:start].rstrip()
    if before[-5:].lower() == " that" or before.lower() == "that":
        start = len(before) - 4
    return start, end


# --- PolNeAR scoring ---------------------------------------------------------------------------------------------


#: A quotation mark, and not an apostrophe (’ and a lone ' are mostly apostrophes).
_QUOTATION_MARK = re.compile("[\"“”„‟«»‹›‘‚]|''|``")


def _is_direct(text: str, fragments: Fragments) -> bool:
    """PolNeAR's direct/indirect split: the content holds a quotation mark."""
    return any(_QUOTATION_MARK.search(text, a, b) for a, b in fragments)


@dataclass
class PolnearCounts:
    """Exact and overlap counts per role and split, and the speaker counts, of one system."""

    exact: dict[str, PRF]
    overlap: dict[str, PRF]
    speaker_right: float = 0.0
    speaker_resolved_right: float = 0.0
    speaker_found: float = 0.0
    speaker_gold: float = 0.0

    @classmethod
    def empty(cls) -> PolnearCounts:
        keys = [f"{role}{split}" for role in ROLES for split in ("", " direct", " indirect")]
        return cls({key: ZERO for key in keys}, {key: ZERO for key in keys})


def _scale(score: PRF, weight: float) -> PRF:
    return PRF(score.tp_p * weight, score.predicted * weight, score.tp_r * weight, score.gold * weight)


def score_polnear_article(
    counts: PolnearCounts,
    text: str,
    gold: Sequence[Attribution],
    predicted: Sequence[Predicted],
    weight: float,
    resolve: Callable[[Fragments, Fragments], str | None] | None = None,
) -> None:
    """Add one article's scores against one annotator's attributions (weighted) to ``counts``.

    ``resolve(source, content)`` names the speaker a gold source mention refers to, for the resolved-speaker
    accuracy (a gold "he" and a predicted "Johnson" are the same speaker when "he" is Johnson).
    """
    gold_direct = {id(a): a.content is not None and _is_direct(text, a.content.fragments) for a in gold}
    pred_direct = {id(p): _is_direct(text, p.content) for p in predicted}
    for split, keep_gold, keep_pred in (
        ("", lambda a: True, lambda p: True),
        (" direct", lambda a: gold_direct[id(a)], lambda p: pred_direct[id(p)]),
        (" indirect", lambda a: not gold_direct[id(a)], lambda p: not pred_direct[id(p)]),
    ):
        for role in ROLES:
            gold_spans = {
                span.id: span.fragments for a in gold if keep_gold(a) and (span := a.role(role)) is not None
            }
            pred_spans = {frags for p in predicted if keep_pred(p) and (frags := p.role(role)) is not None}
            key = f"{role}{split}"
            counts.exact[key] += _scale(exact_prf(pred_spans, gold_spans.values()), weight)
            counts.overlap[key] += _scale(
                overlap_prf(text, [f for s in pred_spans for f in s], [f for s in gold_spans.values() for f in s]),
                weight,
            )
    for attribution in gold:
        if not gold_direct[id(attribution)] or attribution.source is None or attribution.content is None:
            continue
        counts.speaker_gold += weight
        match = _best_match(text, attribution.content.fragments, predicted)
        if match is None:
            continue
        counts.speaker_found += weight
        if match.source is not None and tokens_of(text, match.source) & tokens_of(text, attribution.source.fragments):
            counts.speaker_right += weight
            counts.speaker_resolved_right += weight
        elif resolve is not None and match.speaker is not None:
            gold_speaker = resolve(attribution.source.fragments, attribution.content.fragments)
            counts.speaker_resolved_right += weight * (gold_speaker == match.speaker)


def score_agreement(counts: PolnearCounts, annotated: AnnotatedArticle) -> bool:
    """Add one article's annotator agreement to ``counts``: each annotator's attributions scored against each other
    annotator's, as a system's are, weighted so that the article counts once. False when it has one annotator."""
    annotations = [annotated.annotations[name] for name in sorted(annotated.annotations)]
    pairs = [(gold, other) for gold in annotations for other in annotations if other is not gold]
    for gold, other in pairs:
        as_predicted = [predicted for attribution in other if (predicted := _as_predicted(attribution)) is not None]
        score_polnear_article(counts, annotated.text, gold, as_predicted, 1 / len(pairs))
    return bool(pairs)


def _as_predicted(attribution: Attribution) -> Predicted | None:
    """An annotator's attribution as a system's; None without content (a system's quote always has one)."""
    if attribution.content is None:
        return None
    cue, source = attribution.cue, attribution.source
    return Predicted(
        attribution.content.fragments,
        None if cue is None else cue.fragments,
        None if source is None else source.fragments,
    )


def _best_match(text: str, gold: Fragments, predicted: Sequence[Predicted]) -> Predicted | None:
    """The prediction covering at least half of the gold content's tokens, the most covering first."""
    gold_tokens = tokens_of(text, gold)
    best, best_shared = None, 0
    for candidate in predicted:
        shared = len(gold_tokens & tokens_of(text, candidate.content))
        if shared > best_shared:
            best, best_shared = candidate, shared
    return best if gold_tokens and best_shared * 2 >= len(gold_tokens) else None


# --- systems ----------------------------------------------------------------------------------------------------


class _Runner:
    """Parses once and runs presslens (and textacy when asked) on the same parse."""

    def __init__(self, baseline: str | None) -> None:
        from presslens.pipeline import Pipeline

        self.pipeline = Pipeline(only=["quotes"])
        self.baseline = baseline
        self.textacy_failures = 0
        self.articles = 0
        self.seconds = {"parse": 0.0, "presslens": 0.0, "textacy": 0.0}

    def run(self, article: Any) -> tuple[Any, Doc, dict[str, list[Predicted] | None]]:
        started = time.perf_counter()
        doc = self.pipeline.nlp(article.text)
        parsed = time.perf_counter()
        analysis = self.pipeline.run(article, doc)
        done = time.perf_counter()
        self.seconds["parse"] += parsed - started
        self.seconds["presslens"] += done - parsed
        self.articles += 1
        quotes = [q for q in analysis.section("quotes") if isinstance(q, Quote)]
        results: dict[str, list[Predicted] | None] = {"presslens": polnear_view(quotes, doc)}
        if self.baseline == "textacy":
            results["textacy"] = self._textacy(doc)
            self.seconds["textacy"] += time.perf_counter() - done
        return analysis, doc, results

    def _textacy(self, doc: Doc) -> list[Predicted] | None:
        from textacy.extract.triples import direct_quotations

        try:
            triples = list(direct_quotations(doc))
        except Exception:  # textacy raises on many real articles: counted, and scored as finding nothing
            self.textacy_failures += 1
            return None
        return [
            Predicted(
                content=((triple.content.start_char, triple.content.end_char),),
                cue=_token_fragments(triple.cue),
                source=_token_fragments(triple.speaker),
                speaker=" ".join(token.text for token in triple.speaker) or None,
            )
            for triple in triples
        ]


def _token_fragments(tokens: Sequence[Any]) -> Fragments | None:
    fragments: list[tuple[int, int]] = []
    for token in sorted(tokens, key=lambda token: token.i):
        end = token.idx + len(token.text)
        if fragments and token.idx - fragments[-1][1] <= 1:
            fragments[-1] = (fragments[-1][0], end)
        else:
            fragments.append((token.idx, end))
    return tuple(fragments) or None


def _check_baseline(options: Mapping[str, str]) -> str | None:
    baseline = options.get("baseline")
    if baseline in (None, "", "none"):
        return None
    if baseline != "textacy":
        raise ValueError(f"unknown baseline {baseline!r}; known: textacy")
    try:
        import textacy  # noqa: F401
    except ImportError as exc:
        raise ValueError("baseline=textacy needs textacy: pip install textacy==0.13.0 (in the test extra)") from exc
    return baseline


def _limit(items: Iterable[Any], options: Mapping[str, str]) -> Iterator[Any]:
    limit = int(options["limit"]) if options.get("limit") else None
    for number, item in enumerate(items):
        if limit is not None and number >= limit:
            return
        yield item


# --- the eval task ---------------------------------------------------------------------------------------------


def evaluate_polnear(folder: Path, options: Mapping[str, str]) -> EvalReport:
    from presslens.ingest import ingest_text

    baseline = _check_baseline(options)
    annotators = options.get("annotators", "average")
    if annotators not in ("average", "first"):
        raise ValueError("annotators must be 'average' or 'first'")
    agreement_only = _check_agreement(options)
    runner = _Runner(baseline)
    counts = {system: PolnearCounts.empty() for system in SYSTEMS}
    agreement, agreed = PolnearCounts.empty(), 0
    on_agreed = {system: PolnearCounts.empty() for system in SYSTEMS}  # the systems on those same articles
    for annotated in _limit(read_polnear(folder), options):
        agreed += score_agreement(agreement, annotated)
        if agreement_only:
            continue
        article = ingest_text(annotated.text, source=annotated.name, clean=False)
        analysis, doc, results = runner.run(article)
        names = [(e.start, e.end, e.label, e.canonical) for e in analysis.section("entities")]
        resolve = gold_resolver(doc, names)
        chosen = _annotations(annotated, annotators)
        several = _annotations(annotated, "average") if len(annotated.annotations) > 1 else []
        for system, predicted in results.items():
            for gold in chosen:
                score_polnear_article(
                    counts[system], annotated.text, gold, predicted or [], 1 / len(chosen), resolve
                )
            for gold in several:
                score_polnear_article(on_agreed[system], annotated.text, gold, predicted or [], 1 / len(several))
    report = EvalReport(task="quotes", data=str(folder))
    systems = ["presslens", *([baseline] if baseline else [])]
    _agreement_table(report, agreement, agreed, {} if agreement_only else {s: on_agreed[s] for s in systems})
    if agreement_only:
        return report
    for system in systems:
        system_counts = counts[system]
        exact, overlap = report.table(f"exact match ({system})"), report.table(f"token overlap ({system})")
        for key in system_counts.exact:
            exact.add(key, system_counts.exact[key])
            overlap.add(key, system_counts.overlap[key])
        found = system_counts.speaker_found
        report.figures[f"direct-quote speaker accuracy, source span ({system})"] = (
            round(system_counts.speaker_right / found, 4) if found else 0.0
        )
        report.figures[f"direct-quote speaker accuracy, resolved speaker ({system})"] = (
            round(system_counts.speaker_resolved_right / found, 4) if found else 0.0
        )
        report.figures[f"gold direct quotes found ({system})"] = (
            f"{found:.1f} of {system_counts.speaker_gold:.1f}"
        )
    _timing_figures(report, runner)
    report.notes.append(
        "speaker accuracy is over the gold direct quotes with a source whose content a prediction covers (half "
        "its tokens or more). 'source span': right when the predicted source shares a token with the gold "
        "source span. 'resolved speaker': also right when the gold source mention, resolved by the same rules, "
        "names the predicted speaker (a gold 'he' that is the predicted 'Gary Johnson')"
    )
    if annotators == "average":
        report.notes.append("articles with several annotators are scored against each, weighted 1/n")
    return report


def _check_agreement(options: Mapping[str, str]) -> bool:
    value = options.get("agreement")
    if value not in (None, "only"):
        raise ValueError(f"agreement={value!r}: the only value is 'only' (the agreement table without the systems)")
    return value == "only"


def _agreement_table(
    report: EvalReport, agreement: PolnearCounts, articles: int, systems: Mapping[str, PolnearCounts]
) -> None:
    if not articles:
        return
    table = report.table("annotator agreement (one annotator scored against another), and the systems on the same "
                         "articles")
    for role in ROLES:
        for name, counts in (("annotators", agreement), *systems.items()):
            table.add(f"{role} exact ({name})", counts.exact[role])
            table.add(f"{role} overlap ({name})", counts.overlap[role])
    report.figures["articles with several annotators"] = articles
    report.notes.append(
        "annotator agreement: on the articles with several annotators, each annotator's attributions scored "
        "against another's as a system's are: what two people following the same guidelines reach; each system "
        "is scored on the same articles against every annotator"
    )


def gold_resolver(
    doc: Doc, names: Sequence[tuple[int, int, str, str]]
) -> Callable[[Fragments, Fragments], str | None]:
    """Resolves gold source mentions of one article with the analyser's own speaker rules."""
    from presslens.analysers.quotes.speakers import SpeakerResolver

    resolver = SpeakerResolver(doc, names)

    def resolve(source: Fragments, content: Fragments) -> str | None:
        mention = doc.char_span(source[0][0], source[-1][1], alignment_mode="expand")
        if mention is None or not len(mention):
            return None
        excluded = [
            (span.start, span.end)
            for start, end in content
            if (span := doc.char_span(start, end, alignment_mode="expand")) is not None
        ]
        return resolver.resolve(mention, excluded, ()).speaker

    return resolve


def _annotations(annotated: AnnotatedArticle, mode: str) -> list[tuple[Attribution, ...]]:
    if mode == "first":
        return [annotated.first_annotation]
    return [annotated.annotations[name] for name in sorted(annotated.annotations)]


def _timing_figures(report: EvalReport, runner: _Runner) -> None:
    report.figures["articles"] = runner.articles
    if runner.seconds["parse"]:
        share = runner.seconds["presslens"] / runner.seconds["parse"]
        report.figures["analysers time / parse time (entities + quotes)"] = round(share, 3)
    if runner.baseline:
        report.figures[f"{runner.baseline} failures (articles it raised on)"] = runner.textacy_failures


@dataclass
class _SampleCounts:
    predicted: int = 0
    gold: int = 0
    exact: int = 0
    overlap_found: int = 0
    speaker_right: int = 0
    kind_right: int = 0
    cue_right: int = 0


def evaluate_samples(folder: Path, options: Mapping[str, str]) -> EvalReport:
    from presslens.ingest import ingest_path

    baseline = _check_baseline(options)
    runner = _Runner(baseline)
    counts = {system: _SampleCounts() for system in SYSTEMS}
    misses: list[str] = []
    for gold_path in _limit(sorted(folder.glob("*/gold.json")), options):
        article = ingest_path(gold_path.parent / "article.txt")
        gold_quotes = json.loads(gold_path.read_text(encoding="utf-8")).get("quotes", [])
        analysis, _, results = runner.run(article)
        text = article.text
        systems: dict[str, list[tuple[int, int, str | None, str | None, str | None]]] = {
            "presslens": [
                (q.start, q.end, q.speaker, q.kind, q.cue.text if q.cue else None)
                for q in analysis.section("quotes")
                if isinstance(q, Quote)
            ]
        }
        if "textacy" in results:
            systems["textacy"] = [
                (*_inner(text, p.content[0]), p.speaker, "direct",
                 " ".join(text[a:b] for a, b in p.cue) if p.cue else None)
                for p in results["textacy"] or []
            ]
        for system, predictions in systems.items():
            _score_sample(counts[system], text, gold_quotes, predictions, misses if system == "presslens" else None,
                          gold_path.parent.name)
    report = EvalReport(task="quotes", data=str(folder))
    for system in ["presslens", *([baseline] if baseline else [])]:
        sample = counts[system]
        table = report.table(f"sample quotes ({system})")
        table.add("content exact", PRF.from_counts(sample.exact, sample.predicted, sample.gold))
        table.add("content found (overlap ≥ 50%)", PRF.from_counts(sample.overlap_found, sample.predicted, sample.gold))
        found = sample.overlap_found
        for name, right in (("speaker", sample.speaker_right), ("kind", sample.kind_right), ("cue", sample.cue_right)):
            report.figures[f"{name} accuracy on found quotes ({system})"] = round(right / found, 4) if found else 0.0
        report.figures[f"gold quotes found with the right speaker ({system})"] = (
            f"{sample.speaker_right} of {sample.gold}"
        )
    _timing_figures(report, runner)
    report.notes.extend(misses)
    return report


def _inner(text: str, fragment: tuple[int, int]) -> tuple[int, int]:
    start, end = fragment
    while start < end and text[start] in QUOTE_CHARACTERS:
        start += 1
    while end > start and text[end - 1] in QUOTE_CHARACTERS:
        end -= 1
    return start, end


def _score_sample(
    counts: _SampleCounts,
    text: str,
    gold_quotes: Sequence[Mapping[str, Any]],
    predictions: Sequence[tuple[int, int, str | None, str | None, str | None]],
    misses: list[str] | None,
    name: str,
) -> None:
    counts.predicted += len(predictions)
    counts.gold += len(gold_quotes)
    for gold in gold_quotes:
        where = _occurrences(text, gold["text"])
        exact = [p for p in predictions if (p[0], p[1]) in where]
        overlapping = exact or [
            p for p in predictions
            for start, end in where
            if 2 * len(tokens_of(text, [(start, end)]) & tokens_of(text, [(p[0], p[1])]))
            >= len(tokens_of(text, [(start, end)]))
        ]
        problem = None
        if not where:
            problem = "gold text not in the clean article text"
        elif not overlapping:
            problem = "not found"
        else:
            counts.exact += bool(exact)
            counts.overlap_found += 1
            _, _, speaker, kind, cue = overlapping[0]
            counts.speaker_right += speaker == gold.get("speaker")
            counts.kind_right += kind == gold.get("kind")
            counts.cue_right += cue == gold.get("cue")
            wrong = [
                f"{field} {value!r} (gold {gold.get(field)!r})"
                for field, value in (("speaker", speaker), ("kind", kind), ("cue", cue))
                if value != gold.get(field)
            ]
            if not exact:
                wrong.insert(0, f"content {text[overlapping[0][0]:overlapping[0][1]]!r}")
            problem = ", ".join(wrong) or None
        if problem and misses is not None:
            misses.append(f"{name}: {gold['text'][:60]!r}: {problem}")


def _occurrences(text: str, needle: str) -> set[tuple[int, int]]:
    found, start = set(), text.find(needle)
    while start >= 0:
        found.add((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


@eval_task(
    "quotes",
    help="PolNeAR folder (text/ + attributions/) or a folder of */article.txt + gold.json; "
    "options: baseline=textacy, limit=N, annotators=average|first, agreement=only",
)
def evaluate(data: Path, options: Mapping[str, str]) -> EvalReport:
    """Score the quotes analyser on PolNeAR or on gold-annotated sample articles."""
    if is_polnear_folder(data):
        return evaluate_polnear(data, options)
    if data.is_dir() and any(data.glob("*/gold.json")):
        return evaluate_samples(data, options)
    raise ValueError(f"{data} is neither a PolNeAR folder (text/, attributions/) nor a folder of */gold.json")


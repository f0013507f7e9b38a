"""The sourcing analyser: labels, hedges and their owners, evidence, profile, and its eval on real data."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from presslens.analysers.quotes import Quote
from presslens.analysers.registry import AnalysisContext
from presslens.analysers.sourcing import SourcedClaim, SourcingAnalyser, SourcingConfig, SourcingProfile
from presslens.analysers.sourcing.evaluate import (
    NOT_A_CLAIM,
    best_overlap,
    evaluate_polnear,
    gold_attributed,
    labelled_articles,
    labelled_outcomes,
    parse_gold_label,
    read_labelled,
)
from presslens.ingest import ingest_text
from presslens.records import Evidence, Span

LABELLED = Path(__file__).parent / "data" / "sourcing-labelled.jsonl"


def quote(text: str, content: str, *, kind: str = "direct", cue: str | None = None, source: str | None = None,
          speaker: str | None = None, speaker_type: str | None = None, continues: bool = False) -> Quote:
    """A quotes-section record over ``text`` (each part is the first occurrence of its words)."""

    def span(part: str | None) -> Span | None:
        if part is None:
            return None
        start = text.index(part)
        return Span(start=start, end=start + len(part), text=part)

    content_span = span(content)
    assert content_span is not None
    return Quote(kind=kind, start=content_span.start, end=content_span.end, text=content, content=content_span,
                 cue=span(cue), source=span(source), speaker=speaker, speaker_type=speaker_type,
                 continues=continues, evidence=Evidence(rule="test record"))


@pytest.fixture(scope="module")
def run(pipeline):  # type: ignore[no-untyped-def]
    """Run the sourcing analyser alone over a text, with the given quotes-section records."""
    analyser = SourcingAnalyser(SourcingConfig())

    def analyse(text: str, quotes: tuple[Quote, ...] = ()) -> tuple[list[SourcedClaim], SourcingProfile]:
        article = ingest_text(text, source="test", clean=False)
        context = AnalysisContext(article=article, doc=pipeline.nlp(article.text), sections={"quotes": quotes},
                                  allowed=frozenset({"quotes"}))
        output = analyser(context)
        assert isinstance(output.profile, SourcingProfile)
        return [claim for claim in output.records if isinstance(claim, SourcedClaim)], output.profile

    return analyse


def claim_with(claims: list[SourcedClaim], words: str) -> SourcedClaim:
    return next(claim for claim in claims if words in claim.text)


# --- the bundled sample, through the whole pipeline ---------------------------------------------------------


def test_the_six_gold_claims_of_the_sample_are_right(sample_analysis: dict[str, Any],
                                                     sample_gold: dict[str, Any]) -> None:
    claims = [SourcedClaim.model_validate(claim) for claim in sample_analysis["sourcing"]]
    text = sample_analysis["article"]["text"]
    for item in sample_gold["sourcing"]:
        label, hedged = parse_gold_label(item["label"])
        start = text.index(item["text"])
        claim = best_overlap(claims, start, start + len(item["text"]))
        assert claim is not None, item["text"]
        assert (claim.label, claim.hedged) == (label, hedged), item["text"]


def test_sample_evidence_points_at_the_cue_and_the_source(sample_analysis: dict[str, Any]) -> None:
    text = sample_analysis["article"]["text"]
    claims = {claim["text"][:25]: claim for claim in sample_analysis["sourcing"]}
    urged = claims["Behind closed doors, they"]
    assert urged["source"]["text"] == "they" and urged["speaker"].startswith("Western officials")
    assert [(hedge["text"], hedge["owner"]) for hedge in urged["hedges"]] == [("reportedly", "outlet")]
    media = claims["According to media report"]
    assert (media["cue"]["text"], media["source"]["text"]) == ("According to", "media reports")
    for claim in sample_analysis["sourcing"]:
        for span in (claim, claim["cue"], claim["source"], *claim["hedges"]):
            if span is not None:
                assert text[span["start"]:span["end"]] == span["text"]


def test_sample_profile_lists_sources_and_the_claims_to_check_first(sample_analysis: dict[str, Any]) -> None:
    profile = sample_analysis["profiles"]["sourcing"]
    anonymous = profile["anonymous_sources"]
    assert {use["source_type"] for use in anonymous} == {"anonymous"}
    assert sum(use["claims"] for use in anonymous if use["source"].startswith("Western officials")) == 2
    assert [use["source"] for use in profile["vague_sources"]] == ["media reports"]
    assert profile["named_sources"][0]["source"] == "Volodymyr Zelenskyy"
    assert sum(profile["shares"].values()) == pytest.approx(1.0)
    def check_first(prefix: str) -> dict[str, Any]:
        return next(item for item in profile["check_first"] if item["text"].startswith(prefix))

    assert "date" in check_first("Russia sent troops")["reasons"]
    assert {"casualties", "loaded language"} <= set(check_first("It has also allegedly")["reasons"])
    assert "stonewalling" in [cue["text"] for cue in check_first("While in office")["cues"]]
    assert all(item["start"] >= profile_body_start(sample_analysis) for item in profile["check_first"])


def profile_body_start(analysis: dict[str, Any]) -> int:
    standfirst = analysis["article"]["standfirst"]
    return standfirst["end"] if standfirst else 0


# --- rules, with quotes-section records built by hand -------------------------------------------------------


def test_a_hedge_inside_a_quote_is_the_speakers_and_one_outside_is_the_outlets(run) -> None:  # type: ignore[no-untyped-def]
    text = ("“The money allegedly vanished,” the mayor said. "
            "The council reportedly approved the budget on Monday.")
    claims, _ = run(text, (quote(text, "The money allegedly vanished,", cue="said", source="the mayor"),))
    quoted = claim_with(claims, "vanished")
    assert quoted.label == "quote" and not quoted.hedged
    assert [(hedge.text, hedge.owner) for hedge in quoted.hedges] == [("allegedly", "quoted")]
    outlet = claim_with(claims, "council")
    assert (outlet.label, outlet.hedged, outlet.cue and outlet.cue.text) == ("outlet assertion", True, "reportedly")


def test_a_quote_that_runs_on_takes_its_speaker_from_the_quotes_section(run) -> None:  # type: ignore[no-untyped-def]
    text = "“We will not leave,” one official said. “The talks are over.”"
    claims, _ = run(text, (
        quote(text, "We will not leave,", cue="said", source="one official", speaker="one official",
              speaker_type="anonymous"),
        quote(text, "The talks are over.", speaker="one official", speaker_type="anonymous", continues=True),
    ))
    assert [(claim.label, claim.source_type) for claim in claims] == [("quote", "anonymous"),
                                                                       ("quote", "anonymous")]


def test_a_quote_running_on_with_a_source_but_no_cue_shows_no_cue(run) -> None:  # type: ignore[no-untyped-def]
    # the sample's "Our society will push me …": the quotes section gives it the source "he" and no cue
    text = "“We will not leave,” he told reporters. “The talks are over.”"
    claims, _ = run(text, (
        quote(text, "We will not leave,", cue="told", source="he", speaker="Ivan Petrov", speaker_type="person"),
        quote(text, "The talks are over.", source="he", speaker="Ivan Petrov", speaker_type="person",
              continues=True),
    ))
    running = claim_with(claims, "talks")
    assert running.label == "quote" and running.speaker == "Ivan Petrov"
    assert running.cue is None and running.source is not None and running.source.text == "he"
    assert claim_with(claims, "leave").cue.text == "told"  # type: ignore[union-attr]


def test_an_indirect_quote_whose_cue_does_not_report_is_left_out(run) -> None:  # type: ignore[no-untyped-def]
    text = "While in office, he maintained the policy of his predecessor."
    record = quote(text, "the policy of his predecessor", kind="indirect", cue="maintained", source="he",
                   speaker="Petro Poroshenko", speaker_type="person")
    claims, _ = run(text, (record,))
    assert claims[0].label == "outlet assertion"


@pytest.mark.parametrize(("text", "label", "hedged"), [
    ("Western officials said the city was lost. They also said the army would retreat.", "anonymous source",
     False),
    ("According to media reports, the bridge was destroyed.", "vague source", False),
    ("It is believed that the bridge was destroyed.", "vague source", False),
    ("The commander is said to have fled the city.", "vague source", True),
    ("Critics argue that the plan will fail.", "vague source", False),
    ("The bridge was destroyed on Monday, a source close to the army said.", "anonymous source", False),
    ("The bridge was destroyed on Monday, Reuters reported.", "named source", False),
    ("A new Gallup poll showed his support falling to 44 percent.", "named source", False),
    ("Polls show voters trust her more than any rival.", "vague source", False),
    ("The army apparently withdrew from the city.", "outlet assertion", True),
    ("The president did not say whether he would veto the bill.", "outlet assertion", False),
])
def test_the_source_decides_the_label(run, text: str, label: str, hedged: bool) -> None:  # type: ignore[no-untyped-def]
    claims, _ = run(text)
    last = claims[-1]
    assert (last.label, last.hedged) == (label, hedged)
    if label != "outlet assertion":
        assert last.cue is not None and last.evidence.rule


def test_questions_and_instructions_of_the_outlet_are_not_claims(run) -> None:  # type: ignore[no-untyped-def]
    claims, _ = run("Will the ceasefire hold?\n\nFollow our live coverage on Twitter.\n\nThe ceasefire held.")
    assert [claim.text for claim in claims] == ["The ceasefire held."]


def test_a_report_tucked_into_a_subordinate_clause_leaves_the_claim_to_the_outlet(run) -> None:  # type: ignore[no-untyped-def]
    claims, _ = run("Twenty-nine people were injured tonight in a densely packed neighborhood of the city by an "
                    "explosion that the mayor described as an intentional act.")
    assert claims[0].label == "outlet assertion"


def test_config_is_validated() -> None:
    with pytest.raises(ValidationError):
        SourcingConfig(attributed_share=1.5)
    with pytest.raises(ValidationError):
        SourcingConfig.model_validate({"unknown": 1})


@pytest.mark.parametrize(("gold", "expected"), [
    ("hedged, anonymous source", ("anonymous source", True)),
    ("vague source (unnamed media reports)", ("vague source", False)),
    ("hedged, no source named", ("outlet assertion", True)),
    ("unsourced assertion by the outlet", ("outlet assertion", False)),
])
def test_gold_labels_are_read_by_the_guideline(gold: str, expected: tuple[str, bool]) -> None:
    assert parse_gold_label(gold) == expected


def test_a_sentence_is_attributed_when_half_its_words_are_in_attribution_spans() -> None:
    text = "Trump said he would win. The crowd cheered loudly."
    covered = set(range(0, 23))
    assert gold_attributed(text, 0, 24, covered)
    assert not gold_attributed(text, 25, len(text), covered)


# --- real data (../shared) -----------------------------------------------------------------------------------


def test_the_labelled_set_matches_polnear_train(shared_dir: Path) -> None:
    items = read_labelled(LABELLED)
    texts = labelled_articles(items, shared_dir / "eval" / "quotes" / "polnear")
    claims = [item for item in items if item["label"] != NOT_A_CLAIM]
    assert len(claims) >= 300
    assert {item["label"] for item in claims} == {"quote", "named source", "anonymous source", "vague source",
                                                  "outlet assertion"}
    assert all((shared_dir / "eval/quotes/polnear/train/text" / f"{name}.txt").is_file() for name in texts)


def test_labelled_claims_of_a_sample_of_articles_are_mostly_right(shared_dir: Path, pipeline) -> None:  # type: ignore[no-untyped-def]
    items = read_labelled(LABELLED)
    chosen = sorted({item["article"] for item in items}, key=lambda name: hashlib.md5(name.encode()).hexdigest())[:20]
    items = [item for item in items if item["article"] in chosen]
    texts = labelled_articles(items, shared_dir / "eval" / "quotes" / "polnear")
    outcomes = [o for o in labelled_outcomes(items, texts, pipeline) if o.gold != NOT_A_CLAIM]
    right = sum(o.gold == o.predicted and o.gold_hedged == o.predicted_hedged for o in outcomes)
    assert len(outcomes) >= 60
    assert right / len(outcomes) >= 0.8


def test_attributed_sentences_of_polnear_dev(shared_dir: Path, pipeline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dev = shared_dir / "eval" / "quotes" / "polnear" / "dev"
    names = sorted(path.stem for path in (dev / "text").glob("*.txt"))[:10]
    for folder in ("text", "attributions"):
        (tmp_path / folder).mkdir()
    for name in names:
        (tmp_path / "text" / f"{name}.txt").symlink_to(dev / "text" / f"{name}.txt")
        for ann in (dev / "attributions").glob(f"{name}_*.ann"):
            (tmp_path / "attributions" / ann.name).symlink_to(ann)
    report = evaluate_polnear(tmp_path, pipeline)
    attributed = report.tables[0].rows["attributed"]
    assert attributed.gold >= 80
    assert attributed.f1 >= 0.8

"""The ``techniques`` analyser on real text: the sample article's gold techniques, rules, offsets, the PTC eval."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import torch
from pydantic import ValidationError
from spacy.lang.en.stop_words import STOP_WORDS

from presslens.analysers.techniques import TECHNIQUES, Technique, TechniquesConfig
from presslens.analysers.techniques.analyser import TechniquesAnalyser, cue_words, shared_model
from presslens.analysers.techniques.encoder import (
    ModelFilesMissingError,
    Precision,
    decode_spans,
    encode,
    native_precision,
    span_features,
    window_batches,
    windows_at_once,
)
from presslens.analysers.techniques.ptc import DEV_MODULUS, LabelledSpan, PTCArticle, is_dev
from presslens.analysers.techniques.scoring import TCCounts
from presslens.analysers.techniques.training import dev_scores, gold_pieces, training_windows
from presslens.eval.tasks import run_eval_task
from presslens.ingest import ingest_path, ingest_text
from presslens.pipeline import Pipeline


def techniques_of(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    return list(analysis["techniques"])


def by_rule(analysis: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [record for record in techniques_of(analysis) if record["evidence"]["rule"] == rule]


@pytest.fixture(scope="module")
def rules_only() -> Pipeline:
    return Pipeline(only=["techniques"], config={"techniques": {"model": False}})


def test_sample_gold_distancing_cues_are_found_by_rules(sample_analysis: dict[str, Any]) -> None:
    found = {(r["text"], r["technique"], r["evidence"]["rule"]) for r in techniques_of(sample_analysis)}
    assert ("claimed", "Doubt", "doubt cue verb") in found
    assert ("“unite”", "Doubt", "scare quotes") in found
    assert ("so-called Minsk Agreements", "Doubt", "so-called") in found
    assert ("Russia sent troops into Ukraine", "Exaggeration,Minimisation", "euphemism") in found


def test_attributed_quotes_are_not_scare_quotes(sample_analysis: dict[str, Any]) -> None:
    scare = [record["text"] for record in by_rule(sample_analysis, "scare quotes")]
    # “morale-building journey” is what the agency "described" it as: a mixed quote, the agency's words
    assert all("morale-building" not in text for text in scare)
    assert all("Our society" not in text for text in scare)


def test_every_record_has_exact_offsets_and_evidence(sample_analysis: dict[str, Any]) -> None:
    text = sample_analysis["article"]["text"]
    records = techniques_of(sample_analysis)
    assert any(record["source"] == "model" for record in records)
    for record in records:
        assert text[record["start"] : record["end"]] == record["text"]
        assert record["technique"] in TECHNIQUES
        assert 0 <= record["score"] <= 1
        cues = record["evidence"]["cues"]
        assert cues, record
        for cue in cues:
            assert text[cue["start"] : cue["end"]] == cue["text"]
            assert record["start"] <= cue["start"] and cue["end"] <= record["end"]
        if record["source"] == "model":
            assert record["evidence"]["score"] == record["score"]
            assert 0 < record["technique_score"] <= 1
            # the words a reader checks, not "we", "are", "will" (every model span of the sample has some)
            assert all(cue["text"].lower() not in STOP_WORDS for cue in cues), record


def test_model_cues_fall_back_to_stop_words_when_the_span_has_nothing_else() -> None:
    loaded = shared_model()
    text = "He said it was all of them."
    run = loaded.run([text])[0]
    encoded, probabilities = run.encoded, run.probabilities
    start, end = text.index("all of them"), text.index(".")
    first, last = encoded.token_range(start, end)
    cues = cue_words(encoded, probabilities, first, last)
    assert 1 <= len(cues) <= 3 and all(cue.text in ("all", "of", "them") for cue in cues)


def test_profile_counts_add_up(sample_analysis: dict[str, Any]) -> None:
    profile = sample_analysis["profiles"]["techniques"]
    assert profile["spans"] == len(sample_analysis["techniques"]) == sum(c["spans"] for c in profile["counts"])
    assert profile["per_1000_words"] == pytest.approx(1000 * profile["spans"] / profile["words"], abs=0.01)


def test_so_called_takes_the_whole_name(rules_only: Pipeline) -> None:
    text = "The so-called Islamic State claimed the attack, which officials said killed 12 people."
    analysis = rules_only.analyze(ingest_text(text, source="test", clean=False)).to_json()
    assert [r["text"] for r in by_rule(analysis, "so-called")] == ["so-called Islamic State"]
    assert [r["text"] for r in by_rule(analysis, "doubt cue verb")] == []  # "claimed the attack": no attribution


def test_config_selects_techniques_and_rejects_unknown_ones(sample_path: Path) -> None:
    pipeline = Pipeline(only=["techniques"], config={"techniques": {"model": False, "techniques": ["Doubt"]}})
    analysis = pipeline.analyze(ingest_path(sample_path)).to_json()
    assert analysis["techniques"] and {r["technique"] for r in analysis["techniques"]} == {"Doubt"}
    with pytest.raises(ValidationError, match="unknown techniques"):
        TechniquesConfig(techniques=("Propaganda",))


def test_the_models_edge_trim_applies_and_the_config_overrides_it(sample_path: Path) -> None:
    model_trim = float(shared_model().settings["trim"])
    assert model_trim > 0  # chosen with the decoding on the dev split
    article = ingest_path(sample_path)

    def model_spans(config: dict[str, Any]) -> list[tuple[int, int]]:
        pipeline = Pipeline(only=["techniques"], config={"techniques": {"rules": False, **config}})
        return [(r["start"], r["end"]) for r in pipeline.analyze(article).to_json()["techniques"]]

    assert model_spans({}) == model_spans({"trim": model_trim})
    trimmed, untrimmed = model_spans({"trim": 0.9}), model_spans({"trim": 0.0})
    assert trimmed and trimmed != untrimmed
    # each trimmed span lies inside an untrimmed one (a span trimmed below min_chars is dropped)
    assert all(any(wide_start <= start < end <= wide_end for wide_start, wide_end in untrimmed)
               for start, end in trimmed)
    with pytest.raises(ValidationError):
        TechniquesConfig(trim=1.5)


def test_missing_model_files_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesMissingError, match="presslens train techniques"):
        TechniquesAnalyser(TechniquesConfig(model_dir=str(tmp_path)))


def test_windows_hold_whole_sentences_and_cover_the_article(sample_path: Path) -> None:
    text = ingest_path(sample_path).text
    loaded = shared_model()
    encoded = encode(loaded.tokenizer, text, 64)
    assert encoded.windows[0][0] == 0 and encoded.windows[-1][1] == len(encoded.ids)
    for (_, end), (start, _) in pairwise(encoded.windows):
        assert end == start
    assert all(end - start <= 62 for start, end in encoded.windows)
    # a window that is not cut mid-sentence starts a sentence: the piece before it ends one (or a line)
    starts = [text[encoded.offsets[start][0] - 2 : encoded.offsets[start][0]] for start, _ in encoded.windows[1:]]
    assert sum(before[-1].isspace() and before[0] in ".!?”\"\n" for before in starts) >= len(starts) // 2



@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_a_window_scores_the_same_whatever_follows_it(sample_path: Path, precision: Precision) -> None:
    # int8 dynamic quantization scales each input tensor as a whole: windows must not share one
    text = ingest_path(sample_path).text
    loaded = shared_model(precision=precision)
    whole = loaded.run([text])[0]
    assert len(whole.encoded.windows) > 1
    first_window_end = whole.encoded.windows[0][1]
    alone = loaded.run([text[: whole.encoded.offsets[first_window_end][0]]])[0]
    assert alone.encoded.windows == ((0, first_window_end),)
    assert alone.probabilities.tolist() == whole.probabilities[:first_window_end].tolist()


@pytest.mark.parametrize(("precision", "tolerance"), [("fp32", 1e-4), ("bf16", 0.02), ("int8", 0.0)])
def test_windows_batched_across_articles_score_as_one_at_a_time(
    sample_path: Path, precision: Precision, tolerance: float
) -> None:
    # the sample's windows (three, the last short) and a shorter article's: batches padded to their longest window
    texts = [ingest_path(sample_path).text, "The so-called experts lied again. Shameful!\nNobody believes it."]
    loaded = shared_model(precision=precision)
    alone = loaded.run(texts, window_batch=1)
    batched = loaded.run(texts, window_batch=8)
    assert sum(len(run.encoded.windows) for run in batched) == 4
    for one, together in zip(alone, batched, strict=True):
        assert one.encoded == together.encoded
        assert (one.probabilities - together.probabilities).abs().max() <= tolerance  # int8: never batched
        assert (one.hidden - together.hidden).abs().max() <= 50 * tolerance


def test_window_batches_keep_a_short_window_from_being_padded_to_a_full_ones_length() -> None:
    # (wordpieces, article, first wordpiece), longest first, as run_articles sorts them
    windows = [(254, 0, 0), (250, 1, 0), (248, 0, 254), (130, 1, 250), (36, 0, 502), (20, 2, 0), (18, 1, 380)]
    batches = window_batches(windows, 8)
    assert [[size for size, _, _ in batch] for batch in batches] == [[254, 250, 248, 130], [36, 20, 18]]
    assert [len(batch) for batch in window_batches(windows, 2)] == [2, 2, 2, 1]


def test_decoding_is_tuned_on_windows_batched_as_the_analyser_runs_them(sample_path: Path) -> None:
    text = ingest_path(sample_path).text
    gold = tuple(
        LabelledSpan(text.index(phrase), text.index(phrase) + len(phrase), "Loaded_Language")
        for phrase in ("stonewalling", "pouring in newly conscripted, untrained soldiers")
    )
    dev = [PTCArticle("sample", text, gold), PTCArticle("short", text[:400], ())]
    loaded = shared_model(precision="fp32")
    encoded = [encode(loaded.tokenizer, article.text, 256) for article in dev]
    ids = (loaded.tokenizer.cls_token_id, loaded.tokenizer.sep_token_id)
    alone = dev_scores(loaded.model, encoded, dev, *ids, window_batch=1)
    batched = dev_scores(loaded.model, encoded, dev, *ids, window_batch=8)
    assert batched["threshold"] == alone["threshold"] and batched["trim"] == alone["trim"]
    assert batched["si_f1"] == pytest.approx(alone["si_f1"], abs=1e-3) and alone["si_f1"] > 0
    assert (windows_at_once("int8", 8), windows_at_once("bf16", 8)) == (1, 8)


def test_the_analysers_batch_gives_each_article_its_own_records(sample_path: Path) -> None:
    pipeline = Pipeline(only=["techniques"], config={"techniques": {"precision": "fp32"}})
    articles = [ingest_path(sample_path), ingest_text("Crooked Hillary and her cronies lied. Lock her up!", source="t")]
    one_at_a_time = [pipeline.analyze(article).to_json()["techniques"] for article in articles]
    batched = [analysis.to_json()["techniques"] for analysis in pipeline.analyze_many(articles)]
    assert len(one_at_a_time[0]) > 5 and one_at_a_time[1]
    for alone, together in zip(one_at_a_time, batched, strict=True):
        assert [(r["start"], r["end"], r["technique"]) for r in together] == [
            (r["start"], r["end"], r["technique"]) for r in alone
        ]
        assert [r["score"] for r in together] == pytest.approx([r["score"] for r in alone], abs=1e-3)


def test_bf16_and_int8_encoders_stay_close_to_the_trained_fp32_one(sample_path: Path) -> None:
    text = ingest_path(sample_path).text
    runs = {precision: shared_model(precision=precision) for precision in ("fp32", "bf16", "int8")}
    assert {parameter.dtype for parameter in runs["bf16"].model.encoder.parameters()} == {torch.bfloat16}
    assert {parameter.dtype for parameter in runs["bf16"].model.tagger.parameters()} == {torch.float32}
    assert any("quantized" in type(module).__module__ for module in runs["int8"].model.encoder.modules())
    probabilities = {precision: loaded.run([text])[0].probabilities for precision, loaded in runs.items()}
    fp32 = probabilities["fp32"]
    assert (probabilities["bf16"] - fp32).abs().max() < 0.02  # measured 0.003
    assert (probabilities["int8"] - fp32).abs().max() < 0.2  # measured 0.09
    assert (probabilities["bf16"] - fp32).abs().mean() < (probabilities["int8"] - fp32).abs().mean()


def test_auto_precision_is_the_cpus_native_one() -> None:
    loaded = shared_model()
    assert loaded.settings["precision"] == native_precision() in ("bf16", "int8")
    assert shared_model(precision=native_precision()) is loaded
    with pytest.raises(ValidationError, match="precision"):
        TechniquesConfig(precision="fp8")  # type: ignore[arg-type]


def test_decoding_keeps_whole_words_and_bridges_one_word_gaps(sample_path: Path) -> None:
    import torch

    text = ingest_path(sample_path).text
    encoded = encode(shared_model().tokenizer, text, 128)
    start = text.index("stonewalling")
    first, last = encoded.token_range(start, start + len("stonewalling"))
    probabilities = torch.zeros(len(encoded.ids))
    probabilities[first] = 0.9  # the first wordpiece of one word only
    the = encoded.token_range(start + len("stonewalling the "), start + len("stonewalling the so"))[0]
    probabilities[the] = 0.8  # "so" of "so-called", one word ("the") after
    spans = decode_spans(encoded, probabilities, 0.5, max_gap=1)
    assert [text[s.start : s.end] for s in spans] == ["stonewalling the so"]
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.5, max_gap=0)] == [
        "stonewalling", "so",
    ]
    assert last - first >= 1
    # hysteresis: a span needs one word at the threshold and extends over neighbours at the low threshold
    maintained = encoded.token_range(start - len("of "), start - 1)[0]  # "of" before "stonewalling"
    probabilities[maintained] = 0.3
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.85, max_gap=0, low=0.25)] == [
        "of stonewalling",
    ]
    assert decode_spans(encoded, probabilities, 0.95, max_gap=0, low=0.25) == []
    # trim: the edge words below a share of the span's best word are cut off ("of" at 0.3 against 0.9)
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.85, 0, low=0.25, trim=0.5)] == [
        "stonewalling",
    ]
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.85, 0, low=0.25, trim=0.3)] == [
        "of stonewalling",
    ]
    # only the edges are trimmed: "the" (0) inside stays, while "so" (0.8) reaches 0.85 x 0.9 and not 0.95 x 0.9
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.5, max_gap=1, trim=0.85)] == [
        "stonewalling the so"
    ]
    assert [text[s.start : s.end] for s in decode_spans(encoded, probabilities, 0.5, max_gap=1, trim=0.95)] == [
        "stonewalling"
    ]


def test_span_features_see_repetition_and_the_title() -> None:
    text = "Build the wall!\n\nWe will build the wall, he said. Build the wall, they chanted."
    repeated = span_features(text, 0, len("Build the wall"))
    once = span_features(text, text.index("he said"), text.index("he said") + 7)
    assert repeated[2] > 0 and repeated[3] == 1.0 and repeated[4] == 1.0
    assert once[2] == 0 and once[3] == 0.0 and once[4] == 0.0
    assert span_features(text, 0, len("Build the wall!"))[5] == 1.0 and once[5] == 0.0


def test_dev_split_is_deterministic_and_about_a_fifth() -> None:
    ids = [str(111111111 + number) for number in range(1000)]
    share = sum(map(is_dev, ids)) / len(ids)
    assert abs(share - 1 / DEV_MODULUS) < 0.04
    assert [is_dev(i) for i in ids[:50]] == [is_dev(i) for i in ids[:50]]


def test_tc_counts_give_k_labels_to_a_span_with_k_techniques() -> None:
    counts = TCCounts()
    counts.add(["Doubt", "Loaded_Language"], ["Loaded_Language", "Repetition"])
    assert counts.micro().f1 == pytest.approx(0.5)
    assert counts.per_technique()["Loaded_Language"].f1 == 1.0


@pytest.mark.shared
def test_eval_smoke_on_three_dev_articles(shared_dir: Path) -> None:
    report = run_eval_task("techniques", shared_dir / "eval" / "techniques" / "ptc", {"limit": "3"})
    assert report.figures["split"].startswith("dev (3 articles")  # type: ignore[union-attr]
    tables = report.to_json()["tables"]
    si = tables["SI: span identification, partial-overlap credit (SemEval-2020 Task 11)"]
    assert si["model"]["predicted"] > 0 and si["model"]["gold"] > 0
    assert 0 < float(report.figures["TC micro-F1"]) <= 1


def test_records_are_typed() -> None:
    record = Technique(
        start=0, end=7, text="claimed", technique="Doubt", score=1.0, source="rule",
        evidence={"rule": "doubt cue verb", "cues": [{"start": 0, "end": 7, "text": "claimed"}]},  # type: ignore[arg-type]
    )
    assert record.technique_score is None


def test_training_weighs_each_gold_span_about_alike_in_the_si_loss() -> None:
    text = "They are traitors. The so-called experts lied to the whole nation again and again, he said."
    short = (text.index("traitors"), text.index("traitors") + len("traitors"))
    long = (text.index("The so-called"), text.index(", he said"))
    article = PTCArticle("1", text, (
        LabelledSpan(*short, "Name_Calling,Labeling"),
        LabelledSpan(*long, "Loaded_Language"),
        LabelledSpan(*long, "Doubt"),  # the same span twice: merged, as SI scores it
    ))
    encoded = encode(shared_model().tokenizer, text, 256)
    pieces = gold_pieces(encoded, article)
    assert len(pieces) == 2
    (short_first, short_last), (long_first, long_last) = pieces
    mean = ((short_last - short_first) + (long_last - long_first)) / 2
    [window] = training_windows(encoded, article, mean, span_weight=0.5)
    assert window.inside[short_first] == 1.0 and window.inside[0] == 0.0
    assert window.weights[0] == 1.0  # outside every span
    assert window.weights[short_first] == pytest.approx((mean / (short_last - short_first)) ** 0.5)
    assert window.weights[long_first] == pytest.approx((mean / (long_last - long_first)) ** 0.5)
    assert window.weights[short_first] > 1.0 > window.weights[long_first]
    assert len(window.spans) == 3  # TC still sees every labelled span
    [unweighted] = training_windows(encoded, article, mean, span_weight=0.0)
    assert set(unweighted.weights) == {1.0}

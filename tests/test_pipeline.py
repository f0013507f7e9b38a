"""The spine end to end on the sample: offsets exact, JSON valid against the published schema."""

from __future__ import annotations

import jsonschema
import pytest

from presslens.analysers.registry import AnalyserOutput
from presslens.analysis import iter_spans, json_schema, load_analysis
from presslens.ingest import ingest_path, ingest_text
from presslens.pipeline import Pipeline


def test_every_span_of_the_sample_analysis_is_exact(sample_analysis):
    analysis = load_analysis(sample_analysis)
    text = analysis.article.text
    checked = 0
    for name in analysis.section_names():
        for record in analysis.section(name):
            for span in iter_spans(record):
                assert text[span.start:span.end] == span.text  # type: ignore[attr-defined]
                checked += 1
    assert checked > 20
    assert analysis.errors == ()


def test_sample_analysis_validates_against_the_json_schema(sample_analysis):
    jsonschema.validate(sample_analysis, json_schema())
    assert sample_analysis["schema_version"].startswith("1.")
    assert {"article", "entities", "profiles", "errors"} <= sample_analysis.keys()


def test_a_saved_analysis_loads_back_identically(sample_analysis):
    assert load_analysis(sample_analysis).to_json() == sample_analysis


def test_gazetteer_fixes_the_small_model_on_contested_names(sample_analysis):
    labels = {(e["text"], e["label"]) for e in sample_analysis["entities"]}
    assert ("Kiev", "GPE") in labels
    assert ("Donbass", "LOC") in labels or ("Donbass", "GPE") in labels
    assert all(label != "PERSON" for text, label in labels if text in {"Kiev", "Donbass", "Lugansk", "Bakhmut"})
    canonical = {e["text"]: e["canonical"] for e in sample_analysis["entities"]}
    assert canonical["Kiev"] == "Kyiv" and canonical["Artyomovsk"] == "Bakhmut"


def test_only_runs_the_selected_analyser_and_sections_not_run_are_absent(sample_path):
    analysis = Pipeline(only=["entities"]).analyze(ingest_path(sample_path)).to_json()
    assert "entities" in analysis
    assert all(section not in analysis for section in ("quotes", "sourcing", "naming", "techniques"))


def test_a_failing_analyser_is_recorded_and_the_others_still_stand(sample_path, monkeypatch):
    pipeline = Pipeline(only=["entities"])
    spec, _ = pipeline.analysers[0]

    def broken(context):  # type: ignore[no-untyped-def]
        raise RuntimeError("model file missing")

    pipeline.analysers[0] = (spec, broken)
    analysis = pipeline.analyze(ingest_path(sample_path)).to_json()
    assert "entities" not in analysis
    assert analysis["errors"] == [{"analyser": "entities", "message": "RuntimeError: model file missing"}]


def test_a_batch_runs_each_analyser_over_all_its_articles_and_gives_what_one_at_a_time_gives(sample_path):
    pipeline = Pipeline(only=["entities", "quotes", "naming", "sourcing"])
    sample = ingest_path(sample_path)
    other = ingest_text('"We will not retreat," the mayor of Kyiv said. Officials in Kiev disagreed.', source="o")
    alone = [pipeline.analyze(article).to_json() for article in (sample, other, sample)]
    calls: list[str] = []
    pipeline.analysers = [(spec, _Logged(spec.name, run, calls)) for spec, run in pipeline.analysers]
    batched = [analysis.to_json() for analysis in pipeline.analyze_many([sample, other, sample], batch_size=3)]
    assert batched == alone
    assert calls == [name for name in pipeline.names for _ in range(3)]  # analyser by analyser, not article by article


class _Logged:
    def __init__(self, name, run, calls):  # type: ignore[no-untyped-def]
        self.name, self.run, self.calls = name, run, calls

    def __call__(self, context):  # type: ignore[no-untyped-def]
        self.calls.append(self.name)
        return self.run(context)


class _FailsOnOne:
    """An analyser whose batch fails because one article of it does."""

    def __call__(self, context):  # type: ignore[no-untyped-def]
        if "poison" in context.article.text:
            raise ValueError("cannot read this one")
        return AnalyserOutput(records=())

    def pipe(self, contexts):  # type: ignore[no-untyped-def]
        return [self(context) for context in contexts]


def test_a_batch_failing_on_one_article_records_it_there_only():
    pipeline = Pipeline(only=["entities"])
    spec, _ = pipeline.analysers[0]
    pipeline.analysers[0] = (spec, _FailsOnOne())
    texts = ["Zelensky spoke in Kyiv.", "This poison article breaks it.", "Putin spoke in Moscow."]
    articles = [ingest_text(text, source=str(number)) for number, text in enumerate(texts)]
    analyses = [analysis.to_json() for analysis in pipeline.analyze_many(articles)]
    failure = {"analyser": "entities", "message": "ValueError: cannot read this one"}
    assert [analysis["errors"] for analysis in analyses] == [[], [failure], []]
    assert ["entities" in analysis for analysis in analyses] == [True, False, True]


def test_an_analyser_without_pipe_runs_once_on_each_article_of_a_batch_even_when_one_fails():
    pipeline = Pipeline(only=["entities"])
    spec, _ = pipeline.analysers[0]
    seen: list[str] = []

    def fails_on_poison(context):  # type: ignore[no-untyped-def]
        seen.append(context.article.text)
        return _FailsOnOne()(context)

    pipeline.analysers[0] = (spec, fails_on_poison)
    texts = ["Zelensky spoke in Kyiv.", "This poison article breaks it.", "Putin spoke in Moscow."]
    analyses = list(pipeline.analyze_many([ingest_text(text, source=text) for text in texts]))
    assert seen == texts
    assert [len(analysis.errors) for analysis in analyses] == [0, 1, 0]


def test_unknown_analyser_is_a_clear_error():
    from presslens.analysers import UnknownAnalyserError

    with pytest.raises(UnknownAnalyserError, match="unknown analyser 'qotes'"):
        Pipeline(only=["qotes"])


def test_the_models_are_frozen_out_of_the_garbage_collector_after_an_article(sample_path):
    import gc

    pipeline = Pipeline(only=["entities"])
    pipeline.analyze(ingest_path(sample_path))
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the spaCy pipeline alone holds far more objects than this
    pipeline.analyze(ingest_path(sample_path))
    assert gc.get_freeze_count() == frozen  # once per process, not per article

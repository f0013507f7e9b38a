"""The entities analyser: spaCy's entities with canonical names, on the sample and on edge cases of the NER."""

from __future__ import annotations

from typing import Any

from presslens.ingest import ingest_text
from presslens.pipeline import Pipeline


def test_sample_entities_are_exact_spans_with_knowledge_base_names(sample_analysis: dict[str, Any]) -> None:
    text = sample_analysis["article"]["text"]
    entities = sample_analysis["entities"]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in entities)
    by_text = {e["text"]: e for e in entities}
    assert by_text["Artyomovsk"]["entity_id"] == "bakhmut" and by_text["Artyomovsk"]["canonical"] == "Bakhmut"
    assert by_text["Artyomovsk"]["evidence"]["rule"] == "knowledge base: bakhmut"


def test_an_entity_loses_the_punctuation_the_ner_takes_at_its_edges(sample_analysis: dict[str, Any]) -> None:
    # the sample's "he told the Associated Press (AP) in an interview": the NER's span ends with "("
    press = [e for e in sample_analysis["entities"] if "Associated Press" in e["text"]]
    assert [(e["text"], e["canonical"]) for e in press] == [("the Associated Press", "Associated Press")]
    assert all(e["text"][-1] not in "([{,;:" and e["text"][0] not in ")]},;:" for e in sample_analysis["entities"])


def test_an_article_without_names_has_no_entities() -> None:
    article = ingest_text("it rained all day and then it stopped.", source="test", clean=False)
    assert Pipeline(only=["entities"]).analyze(article).to_json()["entities"] == []

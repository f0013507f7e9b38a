"""The knowledge base in the shared parse: its entity ruler fixes the small model's NER on contested names."""

from __future__ import annotations

from presslens.ingest import ingest_path
from presslens.parse import load_nlp


def test_the_ruler_fixes_ner_on_the_sample(sample_path):
    doc = load_nlp()(ingest_path(sample_path).text)
    entities = {(ent.text, ent.label_, ent.ent_id_) for ent in doc.ents}
    # spaCy's small model alone tags Kiev and Donbass PERSON, Bakhmut ORG, "Lugansk People's Republics" PERSON
    assert ("Kiev", "GPE", "kyiv") in entities
    assert ("Donbass", "LOC", "donbas") in entities
    assert ("Bakhmut", "GPE", "bakhmut") in entities
    assert ("Artyomovsk", "GPE", "bakhmut") in entities
    assert ("Donetsk and Lugansk People’s Republics", "GPE", "dpr-lpr") in entities
    assert ("Vladimir Zelensky", "PERSON", "volodymyr-zelenskyy") in entities
    assert all(label != "PERSON" for text, label, _ in entities if "Lugansk" in text or text in {"Kiev", "Donbass"})

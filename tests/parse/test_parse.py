"""The shared parse: loaded once, with the knowledge-base ruler before the statistical NER."""

from __future__ import annotations

import pytest

from presslens.parse import DEFAULT_MODEL, ModelNotInstalledError, load_nlp


def test_parse_is_loaded_once_with_the_ruler_before_ner():
    nlp = load_nlp()
    assert load_nlp() is nlp
    assert nlp.pipe_names.index("presslens_names") < nlp.pipe_names.index("ner")
    assert nlp.meta["name"] == DEFAULT_MODEL.removeprefix("en_")


def test_ruler_overrides_the_small_models_person_tags():
    doc = load_nlp()("According to media reports, Kiev has lost troops in Donbass.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["Kiev"] == "GPE"
    assert labels["Donbass"] in {"GPE", "LOC"}


def test_missing_model_names_the_package_to_install():
    with pytest.raises(ModelNotInstalledError, match="pip install"):
        load_nlp("en_no_such_pipeline")

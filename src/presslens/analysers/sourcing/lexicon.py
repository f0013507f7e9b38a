"""The sourcing lexicon (``data/lexicon.yaml``): cue words, hedges, source nouns, check-first words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml
from spacy.tokens import Token


@dataclass(frozen=True)
class Lexicon:
    """Lemma sets of the guideline's categories (see the YAML file for what each list is for)."""

    speech: frozenset[str]
    belief: frozenset[str]
    finding: frozenset[str]
    cue_nouns: frozenset[str]
    documents: frozenset[str]
    data_sources: frozenset[str]
    hedge_adverbs: frozenset[str]
    raising_verbs: frozenset[str]
    appearance_verbs: frozenset[str]
    hedge_adjectives: frozenset[str]
    informants: frozenset[str]
    person_titles: frozenset[str]
    vague_groups: frozenset[str]
    organisations: frozenset[str]
    quantifiers: frozenset[str]
    casualties: frozenset[str]
    loaded: frozenset[str]
    loaded_phrases: tuple[tuple[str, ...], ...]
    verb_forms: dict[str, str]

    def verb_lemma(self, token: Token) -> str:
        """The token's lemma, or the cue verb it inflects when the lemmatizer missed it ("hopes" -> "hop")."""
        lemma = token.lemma_.lower()
        if lemma in self.speech or lemma in self.belief or lemma in self.finding:
            return lemma
        return self.verb_forms.get(token.lower_, lemma)


def inflections(lemma: str) -> set[str]:
    """Regular inflections of a verb: says, said is the lemmatizer's; hopes, hoped, hoping are these."""
    forms = {lemma, lemma + "s", lemma + "ed", lemma + "ing", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(lemma + "es")
    return forms


def _words(data: dict[str, Any], *keys: str) -> frozenset[str]:
    value: Any = data
    for key in keys:
        value = value[key]
    return frozenset(str(word).lower() for word in value)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, parsed once per process."""
    data = yaml.safe_load(files("presslens.analysers.sourcing").joinpath("data/lexicon.yaml").read_text("utf-8"))
    loaded = _words(data, "check_first", "loaded")
    verbs = _words(data, "cues", "speech") | _words(data, "cues", "belief") | _words(data, "cues", "finding")
    return Lexicon(
        speech=_words(data, "cues", "speech"),
        belief=_words(data, "cues", "belief"),
        finding=_words(data, "cues", "finding"),
        cue_nouns=_words(data, "cues", "nouns"),
        documents=_words(data, "cues", "documents"),
        data_sources=_words(data, "cues", "data_sources"),
        hedge_adverbs=_words(data, "hedges", "adverbs"),
        raising_verbs=_words(data, "hedges", "raising_verbs"),
        appearance_verbs=_words(data, "hedges", "appearance_verbs"),
        hedge_adjectives=_words(data, "hedges", "adjectives"),
        informants=_words(data, "sources", "informants"),
        person_titles=_words(data, "sources", "person_titles"),
        vague_groups=_words(data, "sources", "vague_groups"),
        organisations=_words(data, "sources", "organisations"),
        quantifiers=_words(data, "sources", "quantifiers"),
        casualties=_words(data, "check_first", "casualties"),
        loaded=frozenset(word for word in loaded if " " not in word),
        loaded_phrases=tuple(tuple(word.split()) for word in loaded if " " in word),
        verb_forms={form: verb for verb in sorted(verbs) for form in inflections(verb)},
    )

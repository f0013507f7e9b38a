"""The contested-names knowledge base: entities, their name variants and the convention each variant follows.

Data lives in ``data/*.yaml`` (schema: ``docs/knowledge-base.md``); this module loads it once and serves the
entity-ruler patterns of the shared parse and the lookups of the ``entities`` and ``naming`` analysers.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict


class Variant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    convention: str
    official: str | None = None  # years the name was official, e.g. "1924-2016" or "2016-"
    note: str | None = None


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    canonical: str
    kind: str  # place | person | organisation | entity | event
    label: str | None = None  # spaCy entity label the ruler assigns (None: not an entity, e.g. event terms)
    variants: tuple[Variant, ...]
    sources: tuple[str, ...]
    note: str | None = None


class Domain(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    domain: str
    description: str
    entities: tuple[Entity, ...]


@lru_cache(maxsize=1)
def domains() -> tuple[Domain, ...]:
    """Every knowledge-base domain shipped in the package."""
    folder = resources.files(__package__) / "data"
    loaded = []
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".yaml"):
            loaded.append(Domain.model_validate(yaml.safe_load(item.read_text(encoding="utf-8"))))
    return tuple(loaded)


@lru_cache(maxsize=1)
def entities() -> dict[str, Entity]:
    """Every entity by id."""
    return {entity.id: entity for domain in domains() for entity in domain.entities}


def entity_patterns() -> list[dict[str, Any]]:
    """spaCy EntityRuler patterns: every variant of every labelled entity, with the entity id."""
    return [
        {"label": entity.label, "pattern": variant.name, "id": entity.id}
        for entity in entities().values()
        if entity.label
        for variant in entity.variants
    ]

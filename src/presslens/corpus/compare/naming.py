"""Naming differences: the same entity named differently (Artyomovsk / Bakhmut, Kiev / Kyiv).

Mentions come from the ``naming`` section (canonical entity and convention of every contested name). Without it,
the ``entities`` section's knowledge-base entities stand in, their convention looked up in the knowledge base.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from presslens import knowledge
from presslens.corpus.compare.records import NamingDifference, NamingUse
from presslens.corpus.compare.text import Renaming
from presslens.records import Evidence, Span


@dataclass(frozen=True)
class Mention:
    """A mention of a known entity: where, as written, its canonical name and the convention of the form."""

    start: int
    end: int
    text: str
    canonical: str
    convention: str | None


def mentions(analysis: dict[str, Any]) -> tuple[list[Mention], str | None]:
    """The article's mentions of known entities, and a note when they come from a fallback (or nowhere)."""
    naming = analysis.get("naming")
    if isinstance(naming, list):
        return [
            Mention(record["start"], record["end"], record["text"], record["canonical"], record.get("convention"))
            for record in naming
            if isinstance(record.get("canonical"), str)
        ], None
    entities = analysis.get("entities")
    if not isinstance(entities, list):
        return [], "no naming or entities section: naming differences were not compared"
    known = knowledge.entities()
    found = []
    for record in entities:
        entry = known.get(record.get("entity_id") or "")
        if entry is None:
            continue
        convention = next((variant.convention for variant in entry.variants if variant.name == record["text"]), None)
        found.append(Mention(record["start"], record["end"], record["text"], entry.canonical, convention))
    return found, "no naming section: naming differences come from knowledge-base entities"


def renamings(found: Sequence[Mention]) -> list[Renaming]:
    """Each mention read as its canonical name, for comparing texts regardless of naming."""
    return [Renaming(mention.start, mention.end, mention.canonical) for mention in found]


def _uses(found: Sequence[Mention], text: str) -> dict[str, list[NamingUse]]:
    grouped: dict[str, dict[tuple[str, str | None], list[Span]]] = defaultdict(lambda: defaultdict(list))
    for mention in found:
        grouped[mention.canonical][mention.text, mention.convention].append(
            Span.of(text, mention.start, mention.end)
        )
    return {
        canonical: [NamingUse(text=form, convention=convention, spans=tuple(spans))
                    for (form, convention), spans in forms.items()]
        for canonical, forms in grouped.items()
    }


def _key(use: NamingUse) -> str:
    """What must be equal for two uses to be the same naming: the convention, else the spelling."""
    return use.convention if use.convention is not None else use.text.casefold()


def naming_differences(
    found_a: Sequence[Mention], text_a: str, found_b: Sequence[Mention], text_b: str
) -> list[NamingDifference]:
    """Entities both articles mention whose name forms (conventions) are not the same on both sides."""
    uses_a, uses_b = _uses(found_a, text_a), _uses(found_b, text_b)
    differences = []
    for canonical in uses_a.keys() & uses_b.keys():
        keys_a = {_key(use) for use in uses_a[canonical]}
        keys_b = {_key(use) for use in uses_b[canonical]}
        if keys_a == keys_b:
            continue
        only_a = sorted(keys_a - keys_b)
        only_b = sorted(keys_b - keys_a)
        note = "; ".join(filter(None, (
            f"only a uses {', '.join(only_a)}" if only_a else "",
            f"only b uses {', '.join(only_b)}" if only_b else "",
        )))
        differences.append(NamingDifference(
            canonical=canonical,
            a=tuple(uses_a[canonical]),
            b=tuple(uses_b[canonical]),
            evidence=Evidence(rule="naming conventions per canonical entity", note=note),
        ))
    return sorted(differences, key=lambda difference: difference.a[0].spans[0].start)

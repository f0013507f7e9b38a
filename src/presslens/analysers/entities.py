"""The ``entities`` analyser: named entities of the shared parse, with canonical names from the knowledge base.

The parse's entity ruler (fed by :mod:`presslens.knowledge`) has already fixed the statistical NER on contested
names (Kiev, Donbass, Lugansk, Artyomovsk are places); this analyser turns ``doc.ents`` into records.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Span

from presslens import knowledge
from presslens.analysers.registry import AnalyserOutput, AnalysisContext, analyser
from presslens.records import Evidence, Finding


class Entity(Finding):
    """A named-entity mention."""

    label: str = Field(description="spaCy label: PERSON, ORG, GPE, LOC, NORP, DATE, ...")
    canonical: str = Field(description="the canonical name: the knowledge base's, else the mention itself")
    entity_id: str | None = Field(default=None, description="knowledge-base id when the knowledge base knows it")


class EntitiesConfig(BaseModel):
    """Configuration of the ``entities`` analyser."""

    model_config = ConfigDict(extra="forbid")

    labels: tuple[str, ...] = Field(
        default=("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"),
        description="entity labels to report (numbers, dates and quantities are left out by default)",
    )


_LEADING_ARTICLE = ("the ", "The ")


@analyser("entities", assigns="entities", record=Entity, config=EntitiesConfig, order=10)
class EntitiesAnalyser:
    """Named entities (spaCy NER corrected by the knowledge-base ruler) with canonical names."""

    def __init__(self, config: EntitiesConfig) -> None:
        self.labels = frozenset(config.labels)
        self.known = knowledge.entities()

    def __call__(self, context: AnalysisContext) -> AnalyserOutput:
        records = []
        for found in context.doc.ents:
            if found.label_ not in self.labels:
                continue
            ent = _without_edge_punctuation(found)
            if ent is None:
                continue
            known = self.known.get(ent.ent_id_) if ent.ent_id_ else None
            if known is not None:
                canonical, rule = known.canonical, f"knowledge base: {known.id}"
            else:
                canonical = ent.text.removeprefix(_LEADING_ARTICLE[0]).removeprefix(_LEADING_ARTICLE[1])
                rule = "spaCy NER"
            records.append(
                Entity(
                    start=ent.start_char,
                    end=ent.end_char,
                    text=ent.text,
                    label=ent.label_,
                    canonical=canonical,
                    entity_id=known.id if known else None,
                    evidence=Evidence(rule=rule),
                )
            )
        return AnalyserOutput(records=tuple(records))


def _without_edge_punctuation(ent: Span) -> Span | None:
    """The entity without punctuation tokens at its edges: the NER takes "the Associated Press (" before an
    abbreviation in brackets. None when nothing else is left."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and doc[start].is_punct:
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    if start == end:
        return None
    if (start, end) == (ent.start, ent.end):
        return ent
    return Span(doc, start, end, label=ent.label, kb_id=ent.kb_id, span_id=ent.id)

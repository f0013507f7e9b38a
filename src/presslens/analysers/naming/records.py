"""The records of the ``naming`` analyser: one per contested-name mention, and the article's naming profile."""

from __future__ import annotations

from pydantic import Field

from presslens.records import Finding, Record, Span


class NamingMention(Finding):
    """A mention of a contested entity and the naming convention its surface form follows."""

    canonical: str = Field(description="the entity's canonical name (as major English wire services write it)")
    entity_id: str = Field(description="knowledge-base id of the entity")
    convention: str = Field(description="convention tag (docs/knowledge-base.md), e.g. russian-transliteration")
    perspective: str = Field(description="whose naming the convention is, e.g. 'Russian-state', 'Ukrainian'")
    domain: str = Field(description="knowledge-base domain, e.g. russia-ukraine")
    variant: str = Field(description="the knowledge-base variant the mention matched")
    official: str | None = Field(default=None, description="years the matched name was official")
    metonym: str | None = Field(default=None, description="what the name stands for, e.g. 'Government of Ukraine'")
    acknowledges: Span | None = Field(default=None, description="the other name of the entity given alongside")
    quoted: bool = Field(default=False, description="inside a quotation: someone else's words, not the outlet's")


class NamingProfile(Record):
    """The article's naming: conventions and perspectives of its contested names, and a one-line finding."""

    mentions: int = Field(description="contested-name mentions in the outlet's own voice (not quoted)")
    names: int = Field(description="distinct (entity, convention) name choices in the outlet's own voice")
    conventions: dict[str, int] = Field(description="mentions per convention (outlet's own voice)")
    perspectives: dict[str, int] = Field(description="name choices per perspective (outlet's own voice)")
    dominant: str | None = Field(description="the perspective of most name choices, when it has a clear majority")
    quoted: int = Field(description="contested-name mentions inside quotations")
    acknowledgements: tuple[str, ...] = Field(description="names given together, e.g. 'Artyomovsk / Bakhmut'")
    metonyms: int = Field(description="mentions of a capital standing for its government")
    finding: str = Field(description="one line, e.g. 'follows Russian-state naming in 8 of 9 contested names'")

"""The ``quotes`` analyser: who said what (direct, indirect and mixed quotes with resolved speakers).

Records only for now; the analyser itself is issue 3.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from presslens.records import Evidence, Record, Span

QuoteKind = Literal["direct", "indirect", "mixed"]
SpeakerType = Literal["person", "organisation", "anonymous", "vague"]


class Quote(Record):
    """One attribution: what was said (content), the cue that reports it, and who said it."""

    kind: QuoteKind
    start: int = Field(ge=0, description="start of the content span (for highlighting)")
    end: int = Field(ge=0, description="end of the content span")
    text: str = Field(description="the content text")
    content: Span
    cue: Span | None = Field(description="reporting verb or phrase, e.g. 'has reportedly urged', 'according to'")
    source: Span | None = Field(description="the source mention as written: 'he', 'the Ukrainian leader'")
    speaker: str | None = Field(description="resolved speaker: canonical name, or the anonymous/vague source")
    speaker_type: SpeakerType | None
    casts_doubt: bool = Field(default=False, description="the cue casts doubt on the speaker (claimed, alleged)")
    hedged: bool = Field(default=False, description="the attribution is hedged (reportedly urged)")
    continues: bool = Field(default=False, description="continues the previous quote with no cue of its own")
    evidence: Evidence

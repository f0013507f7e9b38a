"""Records of the ``quotes`` section and of the ``speakers`` profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from presslens.records import Evidence, Record, Span

QuoteKind = Literal["direct", "indirect", "mixed"]
SpeakerType = Literal["person", "organisation", "anonymous", "vague"]


class Quote(Record):
    """One attribution: what was said (content), the cue that reports it, and who said it.

    ``content`` is what the speaker said, as an analyst would cite it: a direct quote without its quotation
    marks, indirect speech without the complementiser ("said *that* …"), a mixed quote's quoted words only
    (the whole reported clause is in ``clause``).
    """

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
    clause: Span | None = Field(
        default=None, description="for a mixed quote: the whole reported clause the quoted words belong to"
    )
    evidence: Evidence


class SpeakerCount(Record):
    """How often one resolved speaker is quoted in the article."""

    speaker: str
    speaker_type: SpeakerType | None
    quotes: int
    direct: int = Field(description="direct quotes, continuations included")
    indirect: int
    mixed: int


class SpeakersProfile(Record):
    """Who is quoted in the article, most quoted first, and how (direct vs indirect)."""

    speakers: tuple[SpeakerCount, ...]
    quotes: int = Field(description="all quotes in the article")
    unattributed: int = Field(description="quotes whose speaker could not be resolved")
    direct_share: float = Field(description="share of quotes that are direct or mixed (0 when there are none)")

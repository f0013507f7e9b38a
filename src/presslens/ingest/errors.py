"""Ingest errors: one line naming the input and the reason."""

from __future__ import annotations

from presslens.records import Record


class IngestError(ValueError):
    """An input that cannot be turned into an article (empty, binary, undecodable, too large, no article)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IngestFailure(Record):
    """A per-input failure, reported instead of raised when many inputs are read."""

    source: str
    reason: str

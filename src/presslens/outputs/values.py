"""Arbitrary JSON values (article profiles) as a small tree of display nodes, for the html and text reports.

Profiles differ per analyser and grow over versions, so reports draw them from their shape, not their names:
a mapping of scalars is a list of key/value pairs, a list of objects or a mapping of objects is a table, a
mapping of numbers that add up to 1 is a set of shares. Floats named like shares are shown as percentages; a
span of the text is shown as its quoted words (its offsets say nothing to a reader).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from presslens.outputs.annotations import format_number, humanise

_SHARE_WORDS = ("share", "ratio", "rate", "fraction", "proportion")
_MAX_DEPTH = 6
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


@dataclass(frozen=True)
class Scalar:
    """One value: ``kind`` is "text", "number", "share" (``fraction`` in [0, 1]), "flag" or "empty"."""

    text: str
    kind: str = "text"
    fraction: float | None = None


@dataclass(frozen=True)
class Pairs:
    """Key/value pairs (a JSON object)."""

    items: tuple[tuple[str, Node], ...]

    def is_block(self, node: Node) -> bool:
        """Whether a value is drawn below its key rather than beside it (tables, lists, nested pairs)."""
        return not isinstance(node, Scalar)


@dataclass(frozen=True)
class Table:
    """Rows of the same columns (a list of objects, or an object of objects keyed by the first column)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Items:
    """A list of values."""

    items: tuple[Node, ...]


Node = Scalar | Pairs | Table | Items


def view(value: Any, key: str = "", depth: int = 0) -> Node:
    """The display tree of a JSON value; ``key`` is the name it was found under (it decides shares)."""
    if depth > _MAX_DEPTH:
        return Scalar("…", "empty")
    if _is_bare_span(value):
        return Scalar(_quoted(value["text"]))
    if isinstance(value, Mapping):
        value = _record(value)
        if len(value) == 1 and (depth == 0 or str(next(iter(value))).lower() == key.lower()):
            ((inner_key, inner),) = value.items()
            if not _is_scalar(inner):
                return view(inner, str(inner_key), depth + 1)  # {"speakers": [...]} under "speakers"
        if value and all(_is_fraction(item) for item in value.values()) and _adds_up_to_one(value.values()):
            return Pairs(tuple((label(str(name)), _share(item)) for name, item in value.items()))
        records = list(value.values())
        if len(records) > 1 and all(_is_row(item) for item in records):
            return _table([{"": name, **_record(item)} for name, item in value.items()], depth)
        return Pairs(tuple((label(str(name)), view(item, str(name), depth + 1)) for name, item in value.items()))
    if isinstance(value, list | tuple):
        if value and all(_is_row(item) and _has_span(item) for item in value):
            # passages of the text (claims to check first...) read better one under the other than in a table
            return Items(tuple(view(_record(item), key, depth + 1) for item in value))
        if value and all(_is_row(item) for item in value):
            return _table([_record(item) for item in value], depth)
        if all(_is_inline(item) for item in value):
            return Scalar(", ".join(_inline_text(item, key) for item in value) if value else "none", "text")
        return Items(tuple(view(item, key, depth + 1) for item in value))
    return scalar(value, key)


def scalar(value: Any, key: str = "") -> Scalar:
    """One JSON scalar for display (anything else is shown as its text)."""
    if value is None:
        return Scalar("—", "empty")
    if isinstance(value, bool):
        return Scalar("yes" if value else "no", "flag")
    if isinstance(value, int | float):
        if isinstance(value, float) and _is_fraction(value) and any(word in key.lower() for word in _SHARE_WORDS):
            return _share(value)
        if isinstance(value, float) and not math.isfinite(value):
            return Scalar(str(value), "number")
        return Scalar(format_number(value), "number")
    return Scalar(str(value), "text")


def label(key: str) -> str:
    """A profile key as a heading or column name: identifiers are humanised, data (names, labels) capitalised."""
    return humanise(key) if _IDENTIFIER.fullmatch(key) else key[:1].upper() + key[1:]


def _share(value: float) -> Scalar:
    return Scalar(f"{value * 100:.0f}%", "share", float(value))


def _table(rows: list[Mapping[str, Any]], depth: int) -> Table:
    columns: list[str] = []
    for row in rows:
        columns.extend(name for name in row if name not in columns)
    return Table(
        tuple(label(str(name)) for name in columns),
        tuple(tuple(view(row.get(name), str(name), depth + 1) for name in columns) for row in rows),
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _is_bare_span(value: Any) -> bool:
    """A SPAN and nothing else: shown as its quoted text (its offsets say nothing to a reader)."""
    return isinstance(value, Mapping) and set(value) == {"start", "end", "text"} and isinstance(value["text"], str)


def _has_span(value: Mapping[str, Any]) -> bool:
    return {"start", "end", "text"} <= value.keys() and isinstance(value["text"], str)


def _record(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record with a span (a finding-like object) shows its quoted words first, without the offsets."""
    if not _has_span(value):
        return value
    rest = {name: item for name, item in value.items() if name not in {"start", "end", "text"}}
    return {"text": _quoted(value["text"]), **rest}


def _is_inline(value: Any) -> bool:
    return _is_scalar(value) or _is_bare_span(value)


def _inline_text(value: Any, key: str) -> str:
    return _quoted(value["text"]) if _is_bare_span(value) else scalar(value, key).text


def _is_row(value: Any) -> bool:
    """An object that fits a table row: its values are scalars, spans, or lists of them."""
    return (
        isinstance(value, Mapping)
        and not _is_bare_span(value)
        and all(
            _is_inline(item) or (isinstance(item, list | tuple) and all(_is_inline(part) for part in item))
            for item in value.values()
        )
    )


def _quoted(text: str) -> str:
    return f"“{text}”"


def _is_fraction(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0


def _adds_up_to_one(values: Any) -> bool:
    return abs(sum(values) - 1.0) < 0.02

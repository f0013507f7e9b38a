"""Flat tables of a corpus, for pandas / DuckDB / spreadsheet users: Parquet, CSV or JSON Lines.

Each analyser's section is a table with one row per finding (``entities``, ``quotes``, ``sourcing``, ``naming``,
``techniques``…, whatever analysers are installed), led by the article's id, content hash, outlet and published
date and the finding's index; ``articles`` has one row per article (its metadata, text, records per section and
flattened profiles); ``speakers`` has one row per speaker per article (derived from ``quotes``).

Columns come from the record models of the installed analysers (not from the data), so every file of a table
has the same schema, and an article on which a section did not run simply adds no rows. Nested records are
flattened with their field name as prefix (a quote's ``cue`` span gives ``cue_start``, ``cue_end``,
``cue_text``; its evidence gives ``evidence_rule``, ``evidence_score``…); lists become JSON strings.
"""

from __future__ import annotations

import csv
import json
import os
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel

from presslens.analysers.registry import registered
from presslens.records import Article

Kind = Literal["string", "int", "float", "bool", "json"]
ExportFormat = Literal["parquet", "csv", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("parquet", "csv", "jsonl")

#: Article fields left out of the ``articles`` table (the offset map is for tools, not for tables).
_ARTICLE_SKIP = frozenset({"source_map"})
#: How deep nested records are flattened into columns; deeper ones become JSON strings.
_MAX_DEPTH = 2


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    path: tuple[str, ...]  # keys leading to the value in a finding (or article) JSON object


def _kind_of(annotation: Any) -> Kind | type[BaseModel]:
    """The column kind of a field annotation, or the model to flatten."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _kind_of(members[0]) if len(members) == 1 else "json"
    if origin is Literal:
        values = typing.get_args(annotation)
        return "string" if all(isinstance(value, str) for value in values) else "json"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return annotation
        for python_type, kind in ((bool, "bool"), (int, "int"), (float, "float"), (str, "string")):
            if issubclass(annotation, python_type):
                return kind  # type: ignore[return-value]
    return "json"


def model_columns(model: type[BaseModel], *, prefix: tuple[str, ...] = (),
                  skip: frozenset[str] = frozenset()) -> list[Column]:
    """The flat columns of a record model: nested records expanded (``cue_start``…), the rest typed."""
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        path = (*prefix, name)
        kind = _kind_of(field.annotation)
        if isinstance(kind, type):
            if len(path) < _MAX_DEPTH:
                columns += model_columns(kind, prefix=path)
                continue
            kind = "json"
        columns.append(Column("_".join(path), kind, path))
    return columns


def _value(data: Any, column: Column) -> Any:
    for key in column.path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    if data is None:
        return None
    if column.kind == "json":
        return json.dumps(data, ensure_ascii=False)
    return data


@dataclass(frozen=True)
class Table:
    """One exportable table: its columns and how to get its rows from an analysis JSON object."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[dict[str, Any]], Iterator[dict[str, Any]]]
    description: str


#: The columns every finding table starts with: which article the row belongs to.
_ARTICLE_LEAD = (
    Column("article_id", "string", ("article", "id")),
    Column("content_hash", "string", ("article", "content_hash")),
    Column("outlet", "string", ("article", "outlet")),
    Column("published", "string", ("article", "published")),
)


def _lead(analysis: dict[str, Any]) -> dict[str, Any]:
    article = {"article": analysis["article"]}
    return {column.name: _value(article, column) for column in _ARTICLE_LEAD}


def _section_table(section: str, record: type[BaseModel]) -> Table:
    columns = model_columns(record)

    def rows(analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
        lead = _lead(analysis)
        for index, finding in enumerate(analysis.get(section) or ()):
            yield {**lead, "index": index, **{column.name: _value(finding, column) for column in columns}}

    return Table(section, (*_ARTICLE_LEAD, Column("index", "int", ("index",)), *columns), rows,
                 f"one row per {section} finding")


def _articles_table() -> Table:
    specs = list(registered().values())
    article_columns = [
        Column(column.name, column.kind, ("article", *column.path))
        for column in model_columns(Article, skip=_ARTICLE_SKIP)
    ]
    count_columns = [Column(f"n_{spec.assigns}", "int", ("n", spec.assigns)) for spec in specs]
    profile_columns = [
        Column(f"profile_{column.name}", column.kind, ("profiles", *column.path))
        for spec in specs if spec.profile is not None
        for column in model_columns(spec.profile[1], prefix=(spec.profile[0],))
    ]
    columns = (*article_columns, *count_columns, Column("errors", "json", ("errors",)), *profile_columns)

    def rows(analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
        counts = {spec.assigns: len(analysis[spec.assigns]) for spec in specs
                  if isinstance(analysis.get(spec.assigns), list)}
        data = {**analysis, "n": counts, "errors": analysis.get("errors") or []}
        yield {column.name: _value(data, column) for column in columns}

    return Table("articles", columns, rows, "one row per article: metadata, text, records per section, profiles")


_SPEAKER_COLUMNS = (
    *_ARTICLE_LEAD,
    Column("speaker", "string", ("speaker",)),
    Column("speaker_type", "string", ("speaker_type",)),
    Column("quotes", "int", ("quotes",)),
    Column("direct", "int", ("direct",)),
    Column("indirect", "int", ("indirect",)),
    Column("mixed", "int", ("mixed",)),
    Column("first_start", "int", ("first_start",)),
    Column("first_end", "int", ("first_end",)),
)


def _speaker_rows(analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    speakers: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for quote in analysis.get("quotes") or ():
        speaker = speakers.setdefault(
            (quote.get("speaker"), quote.get("speaker_type")),
            {"quotes": 0, "direct": 0, "indirect": 0, "mixed": 0,
             "first_start": quote.get("start"), "first_end": quote.get("end")},
        )
        speaker["quotes"] += 1
        if quote.get("kind") in ("direct", "indirect", "mixed"):
            speaker[quote["kind"]] += 1
    lead = _lead(analysis)
    for (name, speaker_type), counts in speakers.items():
        yield {**lead, "speaker": name, "speaker_type": speaker_type, **counts}


def export_tables() -> dict[str, Table]:
    """Every exportable table by name: ``articles``, one per installed analyser's section, ``speakers``."""
    specs = registered().values()
    tables = {"articles": _articles_table()}
    tables.update((spec.assigns, _section_table(spec.assigns, spec.record)) for spec in specs)
    if "quotes" in tables:
        tables["speakers"] = Table("speakers", _SPEAKER_COLUMNS, _speaker_rows,
                                   "one row per speaker per article, from quotes (first quote's offsets)")
    return tables


class UnknownTableError(ValueError):
    pass


def table(name: str) -> Table:
    tables = export_tables()
    if name not in tables:
        raise UnknownTableError(f"unknown table {name!r}; known: {', '.join(tables)}")
    return tables[name]


# -- writers --------------------------------------------------------------------------------------------------

_ROW_GROUP = 5_000


def arrow_schema(columns: Iterable[Column]) -> Any:
    import pyarrow as pa

    types_ = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
              "json": pa.string()}
    return pa.schema([(column.name, types_[column.kind]) for column in columns])


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(rows: Iterable[dict[str, Any]], columns: tuple[Column, ...], path: Path) -> int:
    """Write rows to a Parquet file (atomically: a killed writer leaves no partial file); return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(columns)
    written = 0
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with pq.ParquetWriter(partial, schema) as writer:
        for batch in _batches(rows, _ROW_GROUP):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            written += len(batch)
        if not written:
            writer.write_table(schema.empty_table())
    os.replace(partial, path)
    return written


def write_text(rows: Iterable[dict[str, Any]], columns: tuple[Column, ...], fmt: Literal["csv", "jsonl"],
               stream: TextIO) -> int:
    """Write rows as CSV (with a header) or JSON Lines to ``stream``; return the row count."""
    written = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=[column.name for column in columns], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            written += 1
        return written
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False))
        stream.write("\n")
        written += 1
    return written


def export(analyses: Iterable[dict[str, Any]], name: str, fmt: ExportFormat, output: Path | TextIO) -> int:
    """Export table ``name`` of ``analyses`` as ``fmt`` to a file path (or a text stream for CSV/JSON Lines)."""
    chosen = table(name)
    rows = (row for analysis in analyses for row in chosen.rows(analysis))
    if fmt == "parquet":
        if not isinstance(output, Path):
            raise ValueError("Parquet is binary: give a file path (-o FILE.parquet), not a stream")
        return write_parquet(rows, chosen.columns, output)
    if isinstance(output, Path):
        with output.open("w", encoding="utf-8", newline="") as stream:
            return write_text(rows, chosen.columns, fmt, stream)
    return write_text(rows, chosen.columns, fmt, output)


def write_parquet_parts(analyses: list[dict[str, Any]], directory: Path, part: str) -> None:
    """Write every table of ``analyses`` as ``DIRECTORY/TABLE/part-PART.parquet`` (what batch workers do).

    Read a table back with ``pyarrow.dataset.dataset(DIRECTORY / "quotes")`` or DuckDB's
    ``read_parquet('DIRECTORY/quotes/*.parquet')``.
    """
    for name, chosen in export_tables().items():
        folder = directory / name
        folder.mkdir(parents=True, exist_ok=True)
        write_parquet((row for analysis in analyses for row in chosen.rows(analysis)), chosen.columns,
                      folder / f"part-{part}.parquet")

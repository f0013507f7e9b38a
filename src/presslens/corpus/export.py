"""Flat tables of a corpus, for pandas / DuckDB / spreadsheet users: Parquet, CSV or JSON Lines.

Each analyser's section is a table with one row per finding (``entities``, ``quotes``, ``sourcing``, ``naming``,
``techniques``…, whatever analysers are installed), led by the article's id, content hash, outlet and published
date and the finding's index; ``articles`` has one row per article (its metadata, text, records per section and
flattened profiles); ``speakers`` has one row per speaker per article (derived from ``quotes``); ``stories`` has
one row per clustered article with its story (read from the store's story clusters, see
:mod:`presslens.corpus.stories`: empty until ``presslens stories`` has run).

:func:`export` writes one table of a stream of analyses; :func:`export_store` one table of a store (stories
included); :func:`export_all` every table of a store into a folder, reading each analysis once. Files are written
atomically: a killed export leaves no partial file.

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
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from pydantic import BaseModel

from presslens.analysers.registry import registered
from presslens.records import Article

if TYPE_CHECKING:
    from presslens.corpus.store import Store

Kind = Literal["string", "int", "float", "bool", "json"]
ExportFormat = Literal["parquet", "csv", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("parquet", "csv", "jsonl")
#: The table read from the store's story clusters rather than from each analysis.
STORIES = "stories"

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
    """One exportable table: its columns and how to get its rows from an analysis JSON object (None: the rows
    come from the store, not from analyses: ``stories``)."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[dict[str, Any]], Iterator[dict[str, Any]]] | None
    description: str

    def rows_of(self, analyses: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The table's rows for ``analyses``."""
        if self.rows is None:
            raise UnknownTableError(f"{self.name!r} is read from a store, not from analyses: use export_store")
        return (row for analysis in analyses for row in self.rows(analysis))


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


def stories_table() -> Table:
    """The ``stories`` table: its rows come from the store (:func:`presslens.corpus.stories.story_rows`)."""
    from presslens.corpus.stories import STORY_COLUMNS

    columns = tuple(Column(name, kind, (name,)) for name, kind in STORY_COLUMNS)  # type: ignore[arg-type]
    return Table(STORIES, columns, None, "one row per clustered article with its story (`presslens stories`)")


class UnknownTableError(ValueError):
    pass


def all_tables() -> dict[str, Table]:
    """Every table a store can export by name: the analyses' tables, then ``stories``."""
    return {**export_tables(), STORIES: stories_table()}


def table(name: str) -> Table:
    tables = all_tables()
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


class TableWriter:
    """Writes the rows of one table as Parquet, CSV (with a header) or JSON Lines, to a file or a text stream.

    A file is written under a temporary name and renamed when :meth:`close` succeeds, so a killed or failed
    export leaves no partial file (and keeps an earlier complete one). Use as a context manager.
    """

    def __init__(self, columns: tuple[Column, ...], fmt: ExportFormat, output: Path | TextIO) -> None:
        if fmt == "parquet" and not isinstance(output, Path):
            raise ValueError("Parquet is binary: give a file path (-o FILE.parquet), not a stream")
        self.rows = 0
        self._path = output if isinstance(output, Path) else None
        self._partial = output.with_name(f".{output.name}.{os.getpid()}.partial") if isinstance(output, Path) else None
        self._pending: list[dict[str, Any]] = []
        self._parquet: Any = None
        self._stream: TextIO | None = None
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self._schema = arrow_schema(columns)
            self._parquet = pq.ParquetWriter(self._partial, self._schema)
            return
        if self._partial is not None:
            self._stream = self._partial.open("w", encoding="utf-8", newline="")
        else:
            self._stream = output  # type: ignore[assignment]
        if fmt == "csv":
            self._csv = csv.DictWriter(self._stream, fieldnames=[column.name for column in columns],  # type: ignore[arg-type]
                                       lineterminator="\n")
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        self.rows += 1
        if self._parquet is not None:
            self._pending.append(row)
            if len(self._pending) == _ROW_GROUP:
                self._flush()
        elif self._csv is not None:
            self._csv.writerow(row)
        else:
            assert self._stream is not None
            self._stream.write(json.dumps(row, ensure_ascii=False))
            self._stream.write("\n")

    def _flush(self) -> None:
        import pyarrow as pa

        self._parquet.write_table(pa.Table.from_pylist(self._pending, schema=self._schema))
        self._pending = []

    def close(self) -> int:
        """Finish the file (renaming it into place); return the row count."""
        if self._parquet is not None:
            if self._pending:
                self._flush()
            elif not self.rows:  # a file with the schema and no rows, not a missing file
                self._parquet.write_table(self._schema.empty_table())
            self._parquet.close()
        elif self._partial is not None and self._stream is not None:
            self._stream.close()
        if self._partial is not None and self._path is not None:
            os.replace(self._partial, self._path)
        return self.rows

    def abort(self) -> None:
        """Drop a file being written (the export failed)."""
        if self._parquet is not None:
            self._parquet.close()
        elif self._partial is not None and self._stream is not None:
            self._stream.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_rows(rows: Iterable[dict[str, Any]], columns: tuple[Column, ...], fmt: ExportFormat,
               output: Path | TextIO) -> int:
    """Write rows as ``fmt`` to a file path (atomically) or a text stream; return the row count."""
    with TableWriter(columns, fmt, output) as writer:
        for row in rows:
            writer.write(row)
    return writer.rows


def write_parquet(rows: Iterable[dict[str, Any]], columns: tuple[Column, ...], path: Path) -> int:
    """Write rows to a Parquet file (atomically); return the row count."""
    return write_rows(rows, columns, "parquet", path)


def export(analyses: Iterable[dict[str, Any]], name: str, fmt: ExportFormat, output: Path | TextIO) -> int:
    """Export table ``name`` of ``analyses`` as ``fmt`` to a file path (or a text stream for CSV/JSON Lines)."""
    chosen = table(name)
    return write_rows(chosen.rows_of(analyses), chosen.columns, fmt, output)


def has_stories(store: Store) -> bool:
    """Whether ``presslens stories`` has clustered any article of the store."""
    from presslens.corpus.stories import ensure_tables

    ensure_tables(store)
    return bool(store.execute("SELECT count(*) FROM story_members")[0][0])


def _story_rows(store: Store, outlet: str | None) -> Iterator[dict[str, Any]]:
    from presslens.corpus.stories import story_rows

    return (row for row in story_rows(store) if outlet is None or row["outlet"] == outlet)


def export_store(store: Store, name: str, fmt: ExportFormat, output: Path | TextIO, *,
                 outlet: str | None = None) -> int:
    """Export table ``name`` (``stories`` included) of the store's articles (of one ``outlet``)."""
    if name != STORIES:
        return export(store.iter_analyses(outlet=outlet), name, fmt, output)
    return write_rows(_story_rows(store, outlet), stories_table().columns, fmt, output)


def export_all(store: Store, fmt: ExportFormat, directory: Path, *, names: Iterable[str] | None = None,
               outlet: str | None = None) -> dict[str, int | None]:
    """Write every table (or those ``names``) of the store as ``DIRECTORY/TABLE.FMT``; read each analysis once.

    Returns the rows written per table; ``stories`` is None (and no file is written) when the store has no story
    clusters.
    """
    tables = all_tables()
    wanted = list(names) if names is not None else list(tables)
    chosen = [table(name) for name in wanted]  # unknown names fail before anything is written
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int | None] = {}
    per_analysis = [item for item in chosen if item.rows is not None]
    with ExitStack() as stack:  # every file is renamed into place at the end, or all are dropped on an error
        writers = [stack.enter_context(TableWriter(item.columns, fmt, directory / f"{item.name}.{fmt}"))
                   for item in per_analysis]
        if per_analysis:
            for analysis in store.iter_analyses(outlet=outlet):
                for item, writer in zip(per_analysis, writers, strict=True):
                    for row in item.rows_of((analysis,)):
                        writer.write(row)
    for item, writer in zip(per_analysis, writers, strict=True):
        counts[item.name] = writer.rows
    if STORIES in wanted:
        counts[STORIES] = (export_store(store, STORIES, fmt, directory / f"{STORIES}.{fmt}", outlet=outlet)
                           if has_stories(store) else None)
    return {name: counts[name] for name in wanted}


def write_parquet_parts(analyses: list[dict[str, Any]], directory: Path, part: str) -> None:
    """Write every table of ``analyses`` as ``DIRECTORY/TABLE/part-PART.parquet`` (what batch workers do).

    Read a table back with ``pyarrow.dataset.dataset(DIRECTORY / "quotes")`` or DuckDB's
    ``read_parquet('DIRECTORY/quotes/*.parquet')``.
    """
    for name, chosen in export_tables().items():
        folder = directory / name
        folder.mkdir(parents=True, exist_ok=True)
        write_parquet(chosen.rows_of(analyses), chosen.columns, folder / f"part-{part}.parquet")

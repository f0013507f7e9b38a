"""The corpus store: analyses keyed by content hash, per-input failures, and persisted jobs.

One interface over two databases: SQLite (the default, a file such as ``./presslens.db``, in WAL mode so that
readers never block the batch writer) and PostgreSQL (``postgresql://user@host/db``, through psycopg 3)::

    with Store.open("presslens.db") as store:
        store.put_analysis(analysis.to_json(), analysers=pipeline.names)
        store.list_articles(outlet="RT", speaker="Volodymyr Zelensky", limit=20)
        store.get_article("3f2a…")                      # the contract's JSON object, or None

The interface, used by ``presslens batch`` / ``export`` / ``stats`` / ``errors`` and by the service:

- **articles** (key = ``article.content_hash``): :meth:`Store.put` / :meth:`Store.put_analysis` (idempotent
  upserts, one transaction each), :meth:`Store.done` (which keys are stored, by which analysers),
  :meth:`Store.get_article`, :meth:`Store.list_articles` / :meth:`Store.count_articles` (filters: outlet,
  published date range, speaker, entity, naming convention, sourcing label, technique; limit/offset),
  :meth:`Store.iter_analyses` (every stored analysis, streamed), :meth:`Store.outlets`,
  :meth:`Store.outlet_profile` (an outlet's profile per month or year, see :mod:`presslens.corpus.stats`).
- **failures** (key = the input's source): :meth:`Store.record_failure`, :meth:`Store.failures`,
  :meth:`Store.count_failures`, :meth:`Store.clear_failures`. A later success for the same source or content
  clears its failure.
- **jobs**: :meth:`Store.create_job`, :meth:`Store.update_job`, :meth:`Store.get_job`, :meth:`Store.list_jobs`
  (persisted, so a job's state survives a restart of the service).
- **your own tables** (e.g. story clusters): :attr:`Store.dialect` is ``"sqlite"`` or ``"postgresql"``;
  :meth:`Store.execute` / :meth:`Store.executemany` run SQL written with ``?`` placeholders on either database;
  :meth:`Store.connection` is a context manager holding one transaction (committed on success, rolled back on
  an exception) in which ``execute`` calls share that transaction. Use portable SQL: ``TEXT``, ``INTEGER``,
  ``DOUBLE PRECISION``, ``CREATE TABLE IF NOT EXISTS``, ``INSERT … ON CONFLICT (…) DO UPDATE``.

Finding-level filters and profiles read the ``facets`` table: one row per (article, facet, value) with a count,
derived generically from the contract's sections (see :data:`FACETS`), so an absent section simply has no rows.
A ``section`` facet counts each section's records, which tells "ran and found nothing" from "did not run".
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from presslens.records import Record

if TYPE_CHECKING:
    from presslens.corpus.stats import OutletProfile

Dialect = Literal["sqlite", "postgresql"]
JobStatus = Literal["queued", "running", "done", "failed"]

#: The default store: a SQLite file in the working directory.
DEFAULT_STORE = "presslens.db"

#: Finding fields indexed for filtering and profiles: facet name -> (section, field of the section's records).
FACETS: dict[str, tuple[str, str]] = {
    "speaker": ("quotes", "speaker"),
    "speaker_type": ("quotes", "speaker_type"),
    "entity": ("entities", "canonical"),
    "convention": ("naming", "convention"),
    "sourcing": ("sourcing", "label"),
    "technique": ("techniques", "technique"),
}
#: Facets that are not finding fields: records per section, and analysers that failed on the article.
SECTION_FACET = "section"
ERROR_FACET = "analyser_error"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    outlet TEXT,
    published TEXT,
    title TEXT,
    url TEXT,
    source TEXT,
    analysers TEXT NOT NULL,
    errors INTEGER NOT NULL,
    analysed_at TEXT NOT NULL,
    analysis TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_id ON articles (id);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet, published);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE TABLE IF NOT EXISTS facets (
    key TEXT NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    folded TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, facet, value)
);
CREATE INDEX IF NOT EXISTS facets_lookup ON facets (facet, folded);
CREATE TABLE IF NOT EXISTS failures (
    source TEXT PRIMARY KEY,
    key TEXT,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_key ON failures (key);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    progress DOUBLE PRECISION NOT NULL,
    payload TEXT NOT NULL,
    result TEXT,
    error TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_kind ON jobs (kind, created);
"""
_ARTICLE_COLUMNS = "key, id, outlet, published, title, url, source, analysers, errors, analysed_at"


class StoreError(RuntimeError):
    """The store cannot be opened or used (bad URL, unreachable server, not a presslens store)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- records --------------------------------------------------------------------------------------------------


class StoredArticle(Record):
    """One stored article without its analysis: what lists and tables show."""

    key: str = Field(description="the content hash (sha256 of the input text): the store's key")
    id: str = Field(description="the article id (given by the input, else derived from the text)")
    outlet: str | None
    published: str | None
    title: str | None
    url: str | None
    source: str | None = Field(description="file name, URL or container position the article came from")
    analysers: tuple[str, ...] = Field(description="the analysers that ran")
    errors: int = Field(description="analysers that failed on this article (see the analysis 'errors')")
    analysed_at: str
    counts: dict[str, int] = Field(description="records per section that ran")


class Failure(Record):
    """An input that could not be analysed, with the reason."""

    source: str
    key: str | None = Field(description="content hash when the input was read, else None")
    stage: Literal["ingest", "analysis"]
    reason: str
    time: str


class Job(Record):
    """A long-running job (e.g. a batch started from the service), persisted in the store."""

    id: str
    kind: str
    status: JobStatus
    progress: float = Field(description="0 to 1")
    payload: Any
    result: Any = None
    error: str | None = None
    created: str
    updated: str


@dataclass(frozen=True)
class AnalysisRow:
    """One analysis ready to store: built where it was computed (a worker), written by the store's owner."""

    key: str
    id: str
    outlet: str | None
    published: str | None
    title: str | None
    url: str | None
    source: str | None
    analysers: tuple[str, ...]
    errors: int
    facets: tuple[tuple[str, str, int], ...]
    analysis: str

    @classmethod
    def from_json(cls, analysis: dict[str, Any], analysers: Iterable[str]) -> AnalysisRow:
        """The row of one analysis (the contract's JSON object) made by the named analysers."""
        article = analysis["article"]
        return cls(
            key=article["content_hash"],
            id=article["id"],
            outlet=article.get("outlet"),
            published=article.get("published"),
            title=article.get("title"),
            url=article.get("url"),
            source=article.get("source"),
            analysers=tuple(sorted(analysers)),
            errors=len(analysis.get("errors") or ()),
            facets=tuple(facets_of(analysis)),
            analysis=json.dumps(analysis, ensure_ascii=False, separators=(",", ":")),
        )


def facets_of(analysis: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """``(facet, value, count)`` of one analysis: indexed finding fields, records per section, failed analysers."""
    counts: dict[tuple[str, str], int] = {}
    for facet, (section, field) in FACETS.items():
        for finding in analysis.get(section) or ():
            value = finding.get(field) if isinstance(finding, dict) else None
            if isinstance(value, str) and value:
                counts[facet, value] = counts.get((facet, value), 0) + 1
    for key, value in analysis.items():
        if isinstance(value, list) and key != "errors":
            counts[SECTION_FACET, key] = len(value)
    for error in analysis.get("errors") or ():
        counts[ERROR_FACET, str(error.get("analyser"))] = 1
    for (facet, value), n in counts.items():
        yield facet, value, n


# -- the store ------------------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url


class Store:
    """The corpus store (see the module docstring for the whole interface).

    ``url`` is a file path or ``sqlite:///path`` for SQLite, or ``postgresql://…`` for PostgreSQL. The store
    creates its tables on first use. A Store may be shared by threads (calls are serialised); each process opens
    its own.
    """

    def __init__(self, url: str | Path = DEFAULT_STORE) -> None:
        self.url = str(url)
        self.dialect: Dialect = "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        if self.dialect == "sqlite" and "://" in self.url and not self.url.startswith("sqlite:///"):
            raise StoreError(f"unsupported store URL {self.display_url!r}: use a file path, sqlite:///PATH or "
                             "postgresql://…")
        self._lock = threading.RLock()
        self._depth = 0
        self._conn: Any = self._connect()
        with self.connection() as conn:
            if self.dialect == "postgresql":  # concurrent first opens must not race on CREATE TABLE
                conn.execute("SELECT pg_advisory_xact_lock(7301)")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)

    @classmethod
    def open(cls, url: str | Path = DEFAULT_STORE) -> Store:
        """Open (creating if needed) the store at ``url``."""
        return cls(url)

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            import psycopg

            try:
                return psycopg.connect(self.url)
            except psycopg.Error as exc:
                raise StoreError(f"cannot connect to {self.display_url}: {exc}".strip()) from None
        path = _sqlite_path(self.url)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")  # readers (service, export) never block the batch writer
            conn.execute("PRAGMA synchronous=NORMAL")  # a commit survives kill -9; only power loss can undo it
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from None
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw access ---------------------------------------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """One transaction on the DB-API connection: committed on success, rolled back on an exception.

        Nested uses (and :meth:`execute` calls inside) join the outer transaction. The connection's own
        ``execute`` takes the database's placeholders (``?`` for SQLite, ``%s`` for PostgreSQL); prefer
        :meth:`execute`, which takes ``?`` on both.
        """
        with self._lock:
            outermost = self._depth == 0
            if outermost and self.dialect == "sqlite":
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.rollback()
                raise
            self._depth -= 1
            if outermost:
                self._conn.commit()

    def sql(self, statement: str) -> str:
        """``statement`` with ``?`` placeholders rewritten for this database."""
        return statement.replace("?", "%s") if self.dialect == "postgresql" else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders) in a transaction of its own or the enclosing one; return rows."""
        with self.connection() as conn:
            cursor = conn.execute(self.sql(statement), tuple(params))
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement (``?`` placeholders) for each row of parameters, in one transaction."""
        rows = [tuple(row) for row in rows]
        if not rows:
            return
        with self.connection() as conn:
            conn.cursor().executemany(self.sql(statement), rows)

    # -- articles -----------------------------------------------------------------------------------------------

    def put(self, row: AnalysisRow) -> None:
        """Store one analysis (replacing any earlier one of the same content) and clear its failures."""
        with self.connection():
            self.execute(
                f"INSERT INTO articles ({_ARTICLE_COLUMNS}, analysis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET id = excluded.id, outlet = excluded.outlet, "
                "published = excluded.published, title = excluded.title, url = excluded.url, "
                "source = excluded.source, analysers = excluded.analysers, errors = excluded.errors, "
                "analysed_at = excluded.analysed_at, analysis = excluded.analysis",
                (row.key, row.id, row.outlet, row.published, row.title, row.url, row.source,
                 ",".join(row.analysers), row.errors, _now(), row.analysis),
            )
            self.execute("DELETE FROM facets WHERE key = ?", (row.key,))
            self.executemany(
                "INSERT INTO facets (key, facet, value, folded, n) VALUES (?, ?, ?, ?, ?)",
                ((row.key, facet, value, value.casefold(), n) for facet, value, n in row.facets),
            )
            self.clear_failures(key=row.key, source=row.source)

    def put_analysis(self, analysis: dict[str, Any], analysers: Iterable[str]) -> str:
        """Store one analysis JSON object made by ``analysers``; return its key."""
        row = AnalysisRow.from_json(analysis, analysers)
        self.put(row)
        return row.key

    def done(self, keys: Iterable[str]) -> dict[str, frozenset[str]]:
        """Of ``keys``, those already stored, with the analysers that ran on each."""
        found: dict[str, frozenset[str]] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self.execute(
                f"SELECT key, analysers FROM articles WHERE key IN ({', '.join('?' * len(chunk))})", chunk
            )
            found.update((key, frozenset(filter(None, names.split(",")))) for key, names in rows)
        return found

    def get_article(self, key_or_id: str) -> dict[str, Any] | None:
        """The stored analysis (the contract's JSON object) by content hash, else by article id."""
        rows = self.execute("SELECT analysis FROM articles WHERE key = ?", (key_or_id,)) or self.execute(
            "SELECT analysis FROM articles WHERE id = ? ORDER BY analysed_at DESC LIMIT 1", (key_or_id,)
        )
        return json.loads(rows[0][0]) if rows else None

    def _filters(
        self,
        outlet: str | None,
        since: str | None,
        until: str | None,
        finding_filters: dict[str, str | None],
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if outlet is not None:
            clauses.append("a.outlet = ?")
            params.append(outlet)
        if since is not None:
            clauses.append("a.published >= ?")
            params.append(since)
        if until is not None:  # compare as many characters as given: until="2023-05" includes 2023-05-31T…
            clauses.append("substr(a.published, 1, ?) <= ?")
            params += [len(until), until]
        for facet, value in finding_filters.items():
            if value is not None:
                clauses.append(
                    "EXISTS (SELECT 1 FROM facets f WHERE f.key = a.key AND f.facet = ? AND f.folded = ?)"
                )
                params += [facet, value.casefold()]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_articles(
        self,
        *,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        speaker: str | None = None,
        entity: str | None = None,
        convention: str | None = None,
        sourcing: str | None = None,
        technique: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[StoredArticle]:
        """Stored articles, newest published first, filtered.

        ``since``/``until`` bound the published date (ISO strings, inclusive; ``until="2023-05"`` includes all of
        May). ``speaker`` (a quote's resolved speaker), ``entity`` (an entity's canonical name), ``convention``
        (a naming convention), ``sourcing`` (a sourcing label) and ``technique`` match findings, ignoring case.
        """
        where, params = self._filters(
            outlet, since, until,
            {"speaker": speaker, "entity": entity, "convention": convention, "sourcing": sourcing,
             "technique": technique},
        )
        columns = ", ".join(f"a.{name.strip()}" for name in _ARTICLE_COLUMNS.split(","))
        rows = self.execute(
            f"SELECT {columns} FROM articles a{where} "
            "ORDER BY a.published IS NULL, a.published DESC, a.key LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        counts: dict[str, dict[str, int]] = {row[0]: {} for row in rows}
        if counts:
            for key, section, n in self.execute(
                f"SELECT key, value, n FROM facets WHERE facet = ? AND key IN ({', '.join('?' * len(counts))})",
                [SECTION_FACET, *counts],
            ):
                counts[key][section] = n
        return [
            StoredArticle(
                key=key, id=id_, outlet=outlet_, published=published, title=title, url=url, source=source,
                analysers=tuple(filter(None, analysers.split(","))), errors=errors, analysed_at=analysed_at,
                counts=counts[key],
            )
            for key, id_, outlet_, published, title, url, source, analysers, errors, analysed_at in rows
        ]

    def count_articles(
        self,
        *,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        speaker: str | None = None,
        entity: str | None = None,
        convention: str | None = None,
        sourcing: str | None = None,
        technique: str | None = None,
    ) -> int:
        """How many stored articles match (the same filters as :meth:`list_articles`)."""
        where, params = self._filters(
            outlet, since, until,
            {"speaker": speaker, "entity": entity, "convention": convention, "sourcing": sourcing,
             "technique": technique},
        )
        return int(self.execute(f"SELECT count(*) FROM articles a{where}", params)[0][0])

    def iter_analyses(self, *, outlet: str | None = None, page: int = 200) -> Iterator[dict[str, Any]]:
        """Every stored analysis JSON object (of one outlet), in key order, read a page at a time."""
        last = ""
        while True:
            where = "key > ?" + (" AND outlet = ?" if outlet is not None else "")
            params: list[Any] = [last] + ([outlet] if outlet is not None else [])
            rows = self.execute(f"SELECT key, analysis FROM articles WHERE {where} ORDER BY key LIMIT ?",
                                [*params, page])
            for _key, analysis in rows:
                yield json.loads(analysis)
            if len(rows) < page:
                return
            last = rows[-1][0]

    def outlets(self) -> list[tuple[str | None, int]]:
        """Each outlet (None for unknown) with its number of stored articles, most articles first."""
        rows = self.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY count(*) DESC, outlet")
        return [(outlet, int(n)) for outlet, n in rows]

    def outlet_profile(self, name: str, period: Literal["month", "year"] = "month") -> list[OutletProfile]:
        """One outlet's profile per month (or year) of publication, oldest first (see :mod:`.stats`)."""
        from presslens.corpus.stats import outlet_profiles

        return outlet_profiles(self, outlet=name, period=period)

    # -- failures -----------------------------------------------------------------------------------------------

    def record_failure(self, source: str, reason: str, *, key: str | None = None,
                       stage: Literal["ingest", "analysis"] = "ingest") -> None:
        """Record (or update) why the input ``source`` could not be analysed."""
        self.execute(
            "INSERT INTO failures (source, key, stage, reason, time) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (source) DO UPDATE SET key = excluded.key, stage = excluded.stage, "
            "reason = excluded.reason, time = excluded.time",
            (source, key, stage, reason, _now()),
        )

    def clear_failures(self, *, key: str, source: str | None) -> None:
        """Forget the failures of an input that has now been analysed (by its content or its source)."""
        self.execute("DELETE FROM failures WHERE key = ? OR source = ?", (key, source if source is not None else key))

    def failures(self, *, limit: int | None = None, offset: int = 0) -> list[Failure]:
        """Recorded failures, most recent first."""
        page = " LIMIT ? OFFSET ?" if limit is not None else ""
        rows = self.execute(
            f"SELECT source, key, stage, reason, time FROM failures ORDER BY time DESC, source{page}",
            (limit, offset) if limit is not None else (),
        )
        return [Failure(source=s, key=k, stage=st, reason=r, time=t) for s, k, st, r, t in rows]

    def count_failures(self) -> int:
        return int(self.execute("SELECT count(*) FROM failures")[0][0])

    # -- jobs ---------------------------------------------------------------------------------------------------

    def create_job(self, kind: str, payload: Any) -> str:
        """Create a queued job of ``kind`` with a JSON-serialisable ``payload``; return its id."""
        job_id = uuid.uuid4().hex
        now = _now()
        self.execute(
            "INSERT INTO jobs (id, kind, status, progress, payload, result, error, created, updated) "
            "VALUES (?, ?, 'queued', 0, ?, NULL, NULL, ?, ?)",
            (job_id, kind, json.dumps(payload), now, now),
        )
        return job_id

    def update_job(
        self,
        job_id: str,
        *,
        status: JobStatus | None = None,
        progress: float | None = None,
        result: Any = None,
        error: str | None = None,
    ) -> Job:
        """Update a job's status, progress (0 to 1), result (JSON-serialisable) or error; return the job.

        Raises ``KeyError`` for an unknown id.
        """
        with self.connection():
            job = self.get_job(job_id)
            if job is None:
                raise KeyError(f"no job {job_id!r}")
            self.execute(
                "UPDATE jobs SET status = ?, progress = ?, result = ?, error = ?, updated = ? WHERE id = ?",
                (
                    status or job.status,
                    job.progress if progress is None else progress,
                    json.dumps(job.result if result is None else result),
                    job.error if error is None else error,
                    _now(),
                    job_id,
                ),
            )
            updated = self.get_job(job_id)
        assert updated is not None
        return updated

    def get_job(self, job_id: str) -> Job | None:
        rows = self.execute(
            "SELECT id, kind, status, progress, payload, result, error, created, updated FROM jobs WHERE id = ?",
            (job_id,),
        )
        return _job(rows[0]) if rows else None

    def list_jobs(self, *, kind: str | None = None, status: JobStatus | None = None,
                  limit: int = 100) -> list[Job]:
        """Jobs, most recent first, optionally of one kind and/or status."""
        clauses, params = [], []
        for column, value in (("kind", kind), ("status", status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.execute(
            "SELECT id, kind, status, progress, payload, result, error, created, updated FROM jobs"
            f"{where} ORDER BY created DESC, id LIMIT ?",
            [*params, limit],
        )
        return [_job(row) for row in rows]


def _job(row: Sequence[Any]) -> Job:
    job_id, kind, status, progress, payload, result, error, created, updated = row
    return Job(
        id=job_id, kind=kind, status=status, progress=progress, payload=json.loads(payload),
        result=json.loads(result) if result is not None else None, error=error, created=created, updated=updated,
    )

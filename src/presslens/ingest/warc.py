"""WARC archives (``.warc``, ``.warc.gz``): every archived HTML or plain-text page is one article.

Crawls hold much more than articles: only ``response`` records with HTTP status 200 and ``resource`` records whose
content type is HTML or plain text are read; redirects, errors, images, scripts and request/metadata records are
passed over. Each page goes through the same ingest as a file (:func:`presslens.ingest.ingest_bytes`), with the
record's target URI as the article URL; its source is ``ARCHIVE#URL``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from presslens.ingest import (
    DEFAULT_MAX_BYTES,
    ArticleMeta,
    IngestError,
    IngestFailure,
    InputKind,
    ingest_bytes,
    input_reader,
)
from presslens.records import Article

_KINDS: dict[str, InputKind] = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
_BROKEN = (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError)


def _page_kind(record: Any) -> InputKind | None:
    """``"html"`` or ``"text"`` for a record holding a page, else None."""
    if record.rec_type == "response":
        if record.http_headers is None or record.http_headers.get_statuscode() != "200":
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    return _KINDS.get(content_type.split(";")[0].strip().lower())


@input_reader(".warc", ".warc.gz")
def read_warc(path: Path, clean: bool) -> Iterator[Article | IngestFailure]:
    """The pages of a WARC archive as articles; a bad page or a broken archive is an :class:`IngestFailure`."""
    pages = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                kind = _page_kind(record)
                if kind is None:
                    continue
                pages += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                source = f"{path}#{url or pages}"
                data = record.content_stream().read(DEFAULT_MAX_BYTES + 1)
                try:
                    yield ingest_bytes(data, source=source, kind=kind, clean=clean, meta=ArticleMeta(url=url))
                except IngestError as exc:
                    yield IngestFailure(source=exc.source, reason=exc.reason)
    except _BROKEN as exc:
        yield IngestFailure(source=str(path), reason=f"broken WARC archive after {pages} pages: {exc}")


def count_pages(path: Path) -> int:
    """How many pages :func:`read_warc` would read (a quick pass over the record headers, for progress bars)."""
    pages = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                pages += _page_kind(record) is not None
    except _BROKEN:
        pass
    return pages

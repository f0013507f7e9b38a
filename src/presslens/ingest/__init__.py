"""Ingest: plain text (any encoding), HTML and JSON Lines corpora to clean :class:`~presslens.records.Article`\\ s.

Raw scraped text is cleaned of captions, related-article widgets, share lines and outlet tags
(:mod:`presslens.ingest.clean`), every removed span kept with its reason; ``clean=False`` keeps the decoded text
as it is (for evaluation against gold offsets).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from presslens.ingest.clean import clean as clean_text
from presslens.ingest.clean import identity
from presslens.ingest.decode import decode
from presslens.ingest.errors import IngestError, IngestFailure
from presslens.ingest.html import extract
from presslens.ingest.outlets import known_outlet, outlet_from_url
from presslens.records import Article, Span

#: Inputs larger than this are refused (an article is kilobytes; a 50 MB "article" is a mistake or an attack).
DEFAULT_MAX_BYTES = 10_000_000
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

InputKind = Literal["auto", "text", "html"]


class ArticleMeta(BaseModel):
    """What the caller already knows about an article (JSON Lines fields, HTTP metadata)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head


def ingest_text(text: str, *, source: str, clean: bool = True, meta: ArticleMeta | None = None,
                encoding: str | None = None, input_format: str = "text") -> Article:
    """An article from decoded text: cleaned of boilerplate unless ``clean`` is False."""
    meta = meta or ArticleMeta()
    if not text.strip():
        raise IngestError(source, "empty input (only whitespace)")
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if clean:
        cleaned = clean_text(text)
        body, standfirst, removed, source_map = cleaned.text, cleaned.standfirst, cleaned.removed, cleaned.source_map
        tag_outlet = cleaned.outlet_tag
    else:
        body, source_map = identity(text)
        standfirst, removed, tag_outlet = None, (), None
    if not body.strip():
        raise IngestError(source, "no article text left after removing boilerplate")
    return Article(
        id=meta.id or content_hash[:16],
        outlet=meta.outlet or outlet_from_url(meta.url) or tag_outlet,
        url=meta.url,
        title=meta.title or (standfirst.text if standfirst else None),
        author=meta.author,
        published=meta.published,
        text=body,
        standfirst=standfirst,
        removed=removed,
        source_map=source_map,
        source=source,
        input_format=input_format,
        encoding=encoding,
        content_hash=content_hash,
    )


def ingest_html(html: str, *, source: str, clean: bool = True, meta: ArticleMeta | None = None,
                encoding: str | None = None) -> Article:
    """An article from an HTML page: trafilatura's main text, then the same cleaning as plain text.

    The title becomes the headline (first paragraph) unless the text already starts with it. Offsets of
    ``removed`` and ``source_map`` refer to the extracted text (headline included), not to the HTML source.
    """
    meta = meta or ArticleMeta()
    page = extract(html, source, url=meta.url)
    text = page.text
    if page.title and not text.startswith(page.title):
        text = f"{page.title}\n\n{text}"
    article = ingest_text(
        text, source=source, clean=clean, encoding=encoding, input_format="html",
        meta=ArticleMeta(
            id=meta.id, outlet=meta.outlet or known_outlet(meta.url or page.url) or page.site_name,
            url=meta.url or page.url,
            title=meta.title or page.title, author=meta.author or page.author,
            published=meta.published or page.published,
        ),
    )
    if article.standfirst is None and page.title and article.text.startswith(page.title):
        article = article.model_copy(update={"standfirst": Span.of(article.text, 0, len(page.title))})
    return article.model_copy(update={"site_name": page.site_name})


def ingest_bytes(data: bytes, *, source: str, kind: InputKind = "auto", clean: bool = True,
                 meta: ArticleMeta | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An article from raw bytes: size check, encoding detection, then text or HTML ingest."""
    if len(data) > max_bytes:
        raise IngestError(source, f"too large: {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit")
    text, encoding = decode(data, source)
    if kind == "html" or (kind == "auto" and _looks_like_html(text)):
        return ingest_html(text, source=source, clean=clean, meta=meta, encoding=encoding)
    return ingest_text(text, source=source, clean=clean, meta=meta, encoding=encoding)


def ingest_path(path: str | Path, *, clean: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
                meta: ArticleMeta | None = None) -> Article:
    """An article from a text or HTML file (HTML by suffix or content)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(source, f"too large: {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(source, f"cannot read: {exc.strerror or exc}") from None
    kind: InputKind = "html" if path.suffix.lower() in HTML_SUFFIXES else "auto"
    return ingest_bytes(data, source=source, kind=kind, clean=clean, meta=meta, max_bytes=max_bytes)


# -- many inputs -------------------------------------------------------------------------------------------------

Reader = Callable[[Path, bool], Iterator[Article | IngestFailure]]
_READERS: dict[str, Reader] = {}


def input_reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader for a container format (one file, many articles), by file-name suffix."""

    def register(reader: Reader) -> Reader:
        for suffix in suffixes:
            _READERS[suffix.lower()] = reader
        return reader

    return register


def _load_readers() -> None:
    """Import the modules of this package, so that readers registered in them (e.g. WARC) are known."""
    for module in pkgutil.iter_modules(__path__, __name__ + "."):
        importlib.import_module(module.name)


def _reader_for(path: Path) -> Reader | None:
    name = path.name.lower()
    for suffix in sorted(_READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return _READERS[suffix]
    return None


@input_reader(".jsonl", ".jsonl.gz", ".ndjson")
def read_jsonl(path: Path, clean: bool) -> Iterator[Article | IngestFailure]:
    """One article per line: ``text`` or ``html``, plus optional ``id``, ``url``, ``outlet``, ``published``…"""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="strict") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield _jsonl_record(line, f"{path}:{number}", clean)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        yield IngestFailure(source=str(path), reason=f"cannot read JSON Lines: {exc}")


def _jsonl_record(line: str, source: str, clean: bool) -> Article | IngestFailure:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return IngestFailure(source=source, reason=f"invalid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return IngestFailure(source=source, reason="a JSON Lines record must be an object")
    meta = ArticleMeta.model_validate({key: str(value) for key, value in record.items()
                                       if key in ArticleMeta.model_fields and value is not None})
    try:
        if isinstance(record.get("text"), str):
            return ingest_text(record["text"], source=source, clean=clean, meta=meta, input_format="jsonl")
        if isinstance(record.get("html"), str):
            return ingest_html(record["html"], source=source, clean=clean, meta=meta)
    except IngestError as exc:
        return IngestFailure(source=source, reason=exc.reason)
    return IngestFailure(source=source, reason="record has neither a 'text' nor an 'html' string")


def _expand(inputs: Iterable[str | Path]) -> Iterator[Path | str]:
    for item in inputs:
        name = str(item)
        if name == "-":
            yield "-"
            continue
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif not path.exists() and any(char in name for char in "*?["):
            yield from sorted(Path(match) for match in glob.glob(name, recursive=True) if Path(match).is_file())
        else:
            yield path


def _wanted_in_directory(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES or _reader_for(path) is not None or "." not in name


def iter_inputs(inputs: Iterable[str | Path], *, clean: bool = True,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | IngestFailure]:
    """Articles from files, directories (recursive), globs, ``-`` (stdin) and container files.

    A failing input yields an :class:`IngestFailure` and the rest go on. In directories, files whose suffix is not
    a known text, HTML or container format (e.g. ``gold.json``) are passed over.
    """
    _load_readers()
    inputs = list(inputs)
    explicit = {str(item) for item in inputs}
    for path in _expand(inputs):
        if path == "-":
            try:
                yield ingest_bytes(sys.stdin.buffer.read(), source="<stdin>", clean=clean, max_bytes=max_bytes)
            except IngestError as exc:
                yield IngestFailure(source=exc.source, reason=exc.reason)
            continue
        assert isinstance(path, Path)
        if str(path) not in explicit and not _wanted_in_directory(path):
            continue
        if not path.exists():
            yield IngestFailure(source=str(path), reason="no such file or directory")
            continue
        reader = _reader_for(path)
        if reader is not None:
            yield from reader(path, clean)
            continue
        try:
            yield ingest_path(path, clean=clean, max_bytes=max_bytes)
        except IngestError as exc:
            yield IngestFailure(source=exc.source, reason=exc.reason)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "ArticleMeta",
    "IngestError",
    "IngestFailure",
    "ingest_bytes",
    "ingest_html",
    "ingest_path",
    "ingest_text",
    "input_reader",
    "iter_inputs",
]

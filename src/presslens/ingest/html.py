"""HTML to article text with trafilatura, keeping title, author, date and site name when present."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from presslens.ingest.errors import IngestError

#: Fewer words than this is a menu, a cookie notice or an error page, not an article.
MIN_ARTICLE_WORDS = 8


@dataclass(frozen=True)
class ExtractedPage:
    text: str
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    url: str | None


def extract(html: str, source: str, url: str | None = None) -> ExtractedPage:
    """Main text and metadata of an HTML page; :class:`IngestError` when the page holds no article."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, deduplicate=True
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text.split()) < MIN_ARTICLE_WORDS:
        raise IngestError(source, "no article text found in the HTML (only navigation, scripts or markup)")
    return ExtractedPage(
        text=text,
        title=getattr(document, "title", None) or None,
        author=getattr(document, "author", None) or None,
        published=getattr(document, "date", None) or None,
        site_name=getattr(document, "sitename", None) or None,
        url=getattr(document, "url", None) or url,
    )

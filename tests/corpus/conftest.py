"""Corpus fixtures: small real articles (paragraph pairs of the bundled RT sample), an entities-only pipeline,
the sentence embedder (skipped without the optional extra), and store URLs for SQLite and, when
$PRESSLENS_TEST_POSTGRES names a server, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from presslens.corpus.embeddings import EmbeddingsUnavailableError, SentenceEmbedder, load_embedder
from presslens.pipeline import Pipeline

POSTGRES_ENV = "PRESSLENS_TEST_POSTGRES"


@pytest.fixture(scope="session")
def paragraphs(sample_path: Path) -> list[str]:
    """The news paragraphs of the sample article (long enough to be one)."""
    text = sample_path.read_text(encoding="utf-8")
    return [part.strip() for part in text.split("\n\n") if len(part.strip()) >= 120]


@pytest.fixture(scope="session")
def entities_pipeline() -> Pipeline:
    return Pipeline(only=["entities"])


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    try:
        return load_embedder()
    except EmbeddingsUnavailableError as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: a SQLite file, or a schema of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (scripts/start-postgres.sh starts one)")
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")

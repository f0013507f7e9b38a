"""Shared fixtures: the bundled sample article, the shared data folder (skipped when absent), one pipeline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "examples" / "rt-bakhmut"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return EXAMPLE_DIR / "article.txt"


@pytest.fixture(scope="session")
def sample_gold() -> dict[str, Any]:
    return json.loads((EXAMPLE_DIR / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (or $PRESSLENS_SHARED); tests that need it are skipped with a reason when it is absent."""
    path = Path(os.environ.get("PRESSLENS_SHARED", REPO.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} is absent (set PRESSLENS_SHARED to run this test)")
    return path


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    from presslens.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def sample_analysis(pipeline, sample_path):  # type: ignore[no-untyped-def]
    """The full analysis of the bundled sample article, as the contract's JSON dict."""
    from presslens.ingest import ingest_path

    return pipeline.analyze(ingest_path(sample_path)).to_json()

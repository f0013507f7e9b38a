"""The analyser registry: declared requirements decide the run order and what may be skipped."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from presslens.analysers import registry
from presslens.analysers.registry import AnalyserOutput, UnknownAnalyserError, analyser, resolve
from presslens.records import Evidence, Finding


class Note(Finding):
    pass


class LimitConfig(BaseModel):
    limit: int = 3


@pytest.fixture
def toy_registry(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "_DISCOVERED", True)

    @analyser("first", assigns="first", record=Note, config=LimitConfig, order=90)
    class First:
        def __init__(self, config: LimitConfig) -> None:
            self.limit = config.limit

        def __call__(self, context):  # type: ignore[no-untyped-def]
            return AnalyserOutput(records=(Note(start=0, end=1, text="x", evidence=Evidence(rule="r")),))

    @analyser("second", assigns="second", record=Note, requires=("first",), order=10)
    class Second:
        def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
            pass

    @analyser("third", assigns="third", record=Note, order=50)
    class Third:
        def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
            pass

    return First


def test_requirements_order_before_declared_order(toy_registry):
    assert [spec.name for spec in resolve()] == ["third", "first", "second"]


def test_only_pulls_in_what_is_required(toy_registry):
    assert [spec.name for spec in resolve(only=["second"])] == ["first", "second"]


def test_skipping_a_required_analyser_is_refused(toy_registry):
    with pytest.raises(UnknownAnalyserError, match="'second' requires it"):
        resolve(only=["second"], skip=["first"])


def test_config_is_validated_with_defaults(toy_registry):
    spec = registry.registered()["first"]
    assert spec.create().limit == 3
    assert spec.create({"limit": 7}).limit == 7
    with pytest.raises(ValueError):
        spec.create({"limit": "many"})

"""The analysis record: one article's findings, assembled from the analyser registry.

``analysis_model()`` builds the pydantic model with one optional section per registered analyser, so the JSON
Schema (``presslens schema``) and validation of saved analyses always match the installed analysers.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from types import GenericAlias
from typing import Any, Protocol, cast

from pydantic import BaseModel, create_model

from presslens.analysers.registry import registered
from presslens.records import SCHEMA_VERSION, AnalysisError, Article, Record


class AnalysisBase(Record):
    """Fields every analysis has; sections are added per registered analyser by :func:`analysis_model`."""

    schema_version: str = SCHEMA_VERSION
    article: Article
    errors: tuple[AnalysisError, ...] = ()

    def section_names(self) -> list[str]:
        """Names of the sections that ran (present in the JSON), in registry order."""
        return [spec.assigns for spec in registered().values() if getattr(self, spec.assigns, None) is not None]

    def section(self, name: str) -> tuple[Record, ...]:
        """The records of one section; empty when the analyser did not run."""
        return tuple(getattr(self, name, None) or ())

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object: sections that did not run are absent."""
        absent = {spec.assigns for spec in registered().values() if getattr(self, spec.assigns, None) is None}
        data = self.model_dump(mode="json", exclude=absent)
        data["profiles"] = {key: value for key, value in data.get("profiles", {}).items() if value is not None}
        return data


@lru_cache(maxsize=1)
def analysis_model() -> type[AnalysisBase]:
    """The Analysis model for the installed analysers."""
    specs = registered().values()
    profile_fields: dict[str, Any] = {
        spec.profile[0]: (spec.profile[1] | None, None) for spec in specs if spec.profile is not None
    }
    profiles = create_model("Profiles", __base__=Record, **profile_fields)
    sections: dict[str, Any] = {spec.assigns: (GenericAlias(tuple, (spec.record, ...)) | None, None) for spec in specs}
    return create_model(
        "Analysis",
        __base__=AnalysisBase,
        profiles=(profiles, profiles()),
        **sections,
    )


def load_analysis(data: dict[str, Any]) -> AnalysisBase:
    """Validate a saved analysis JSON object (e.g. for ``presslens render``)."""
    return analysis_model().model_validate(data)


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the analysis JSON."""
    schema = analysis_model().model_json_schema(mode="serialization")
    schema["$id"] = f"https://presslens.invalid/schema/analysis-{SCHEMA_VERSION}.json"
    schema["title"] = f"presslens analysis {SCHEMA_VERSION}"
    return schema


class SpanLike(Protocol):
    start: int
    end: int
    text: str


def iter_spans(record: BaseModel) -> Iterator[SpanLike]:
    """Every span-like part of a record (a Span, or a record with start/end/text), recursively."""
    fields = type(record).model_fields
    if {"start", "end", "text"} <= fields.keys():
        yield cast(SpanLike, record)
    for name in fields:
        value = getattr(record, name)
        items = value if isinstance(value, tuple | list) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                yield from iter_spans(item)

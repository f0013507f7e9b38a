"""The analyser registry: analysers declare themselves by name, like spaCy factories.

An analyser is one module in :mod:`presslens.analysers` (or a package exposing the ``presslens.analysers``
entry point) with a class decorated by :func:`analyser`::

    @analyser(
        "quotes",
        assigns="quotes",             # the JSON section it writes
        record=Quote,                 # the record type of that section
        requires=("entities",),       # sections it reads (through the context, never by calling)
        config=QuotesConfig,          # pydantic model: the documented config with its defaults
        profile=("speakers", SpeakersProfile),  # optional article profile it adds under "profiles"
    )
    class QuotesAnalyser:
        def __init__(self, config: QuotesConfig) -> None: ...
        def __call__(self, context: AnalysisContext) -> AnalyserOutput: ...

Analysers run in the order their ``requires`` impose, ties broken by ``order`` then name. Like a spaCy component,
an analyser may also define ``pipe(contexts)``, returning one output per context in order, when several articles
at once cost less than one at a time (the techniques encoder batches their windows); :func:`run_many` uses it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from spacy.tokens import Doc

from presslens.records import Article, Record


class AnalyserOutput(BaseModel):
    """What one analyser returns for one article: its section's records and, optionally, a profile."""

    model_config = {"frozen": True, "arbitrary_types_allowed": True}

    records: tuple[Record, ...]
    profile: BaseModel | None = None


@dataclass(frozen=True)
class AnalysisContext:
    """What an analyser sees: the clean article, its one shared parse, and earlier analysers' records."""

    article: Article
    doc: Doc
    sections: Mapping[str, tuple[Record, ...]]
    allowed: frozenset[str] = field(default_factory=frozenset)

    def section(self, name: str) -> tuple[Record, ...]:
        """Records of an earlier analyser's section; only sections the analyser declared in ``requires``."""
        if name not in self.allowed:
            raise KeyError(f"section {name!r} was not declared in this analyser's requires")
        return self.sections.get(name, ())


class Analyser(Protocol):
    def __call__(self, context: AnalysisContext) -> AnalyserOutput: ...


def run_many(analyser: Analyser, contexts: Sequence[AnalysisContext]) -> list[AnalyserOutput]:
    """The analyser's outputs for ``contexts``, in order: through its ``pipe`` where it has one and there are
    several, else one call per context."""
    pipe: Callable[[Sequence[AnalysisContext]], Iterable[AnalyserOutput]] | None = getattr(analyser, "pipe", None)
    if pipe is None or len(contexts) < 2:
        return [analyser(context) for context in contexts]
    outputs = list(pipe(contexts))
    if len(outputs) != len(contexts):
        name = type(analyser).__name__
        raise RuntimeError(f"{name}.pipe returned {len(outputs)} outputs for {len(contexts)} articles")
    return outputs


@dataclass(frozen=True)
class AnalyserSpec:
    """An analyser's declaration (see :func:`analyser`)."""

    name: str
    factory: Callable[[Any], Analyser]
    assigns: str
    record: type[Record]
    requires: tuple[str, ...]
    config: type[BaseModel]
    profile: tuple[str, type[BaseModel]] | None
    order: int
    description: str

    def create(self, overrides: Mapping[str, Any] | None = None) -> Analyser:
        """An instance configured from the defaults updated with ``overrides`` (validated)."""
        return self.factory(self.config.model_validate(dict(overrides or {})))


class _NoConfig(BaseModel):
    """This analyser takes no configuration."""

    model_config = {"extra": "forbid"}


_REGISTRY: dict[str, AnalyserSpec] = {}
_DISCOVERED = False
AnalyserClass = TypeVar("AnalyserClass", bound=type)


def analyser(
    name: str,
    *,
    assigns: str,
    record: type[Record],
    requires: Sequence[str] = (),
    config: type[BaseModel] = _NoConfig,
    profile: tuple[str, type[BaseModel]] | None = None,
    order: int = 100,
) -> Callable[[AnalyserClass], AnalyserClass]:
    """Register an analyser class under ``name`` (see the module docstring)."""

    def register(cls: AnalyserClass) -> AnalyserClass:
        if name in _REGISTRY and _REGISTRY[name].factory is not cls:
            raise ValueError(f"analyser {name!r} is registered twice")
        _REGISTRY[name] = AnalyserSpec(
            name=name,
            factory=cls,
            assigns=assigns,
            record=record,
            requires=tuple(requires),
            config=config,
            profile=profile,
            order=order,
            description=(cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        )
        return cls

    return register


def discover() -> None:
    """Import every analyser module of this package and of installed ``presslens.analysers`` entry points."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    import presslens.analysers as package

    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not module.name.rsplit(".", 1)[-1].startswith("_") and module.name != __name__:
            importlib.import_module(module.name)
    for entry in entry_points(group="presslens.analysers"):
        entry.load()
    _DISCOVERED = True


def registered() -> dict[str, AnalyserSpec]:
    """All registered analysers by name."""
    discover()
    return dict(_REGISTRY)


class UnknownAnalyserError(ValueError):
    pass


def resolve(only: Iterable[str] | None = None, skip: Iterable[str] = ()) -> list[AnalyserSpec]:
    """The analysers to run, in run order: ``only`` (plus what they require) minus ``skip``.

    Raises :class:`UnknownAnalyserError` for an unknown name, or when a skipped analyser is required by a
    selected one.
    """
    specs = registered()
    by_section = {spec.assigns: spec for spec in specs.values()}
    for name in [*(only or ()), *skip]:
        if name not in specs:
            raise UnknownAnalyserError(f"unknown analyser {name!r}; known: {', '.join(sorted(specs))}")
    wanted = set(only) if only else set(specs)
    skipped = set(skip)
    pending = list(wanted)
    while pending:  # close over requirements
        spec = specs[pending.pop()]
        for section in spec.requires:
            needed = by_section.get(section)
            if needed is None:
                raise UnknownAnalyserError(f"{spec.name} requires section {section!r}, which no analyser assigns")
            if needed.name in skipped:
                raise UnknownAnalyserError(f"cannot skip {needed.name!r}: {spec.name!r} requires it")
            if needed.name not in wanted:
                wanted.add(needed.name)
                pending.append(needed.name)
    wanted -= skipped
    ordered: list[AnalyserSpec] = []
    done: set[str] = set()
    remaining = sorted((specs[name] for name in wanted), key=lambda s: (s.order, s.name))
    while remaining:
        ready = next((s for s in remaining if all(by_section[r].name in done for r in s.requires)), None)
        if ready is None:
            raise UnknownAnalyserError(f"circular requires among: {', '.join(s.name for s in remaining)}")
        ordered.append(ready)
        done.add(ready.name)
        remaining.remove(ready)
    return ordered

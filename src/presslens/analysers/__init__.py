"""Analysers: one module each, registered by name (see :mod:`presslens.analysers.registry`)."""

from presslens.analysers.registry import (
    AnalyserOutput,
    AnalyserSpec,
    AnalysisContext,
    UnknownAnalyserError,
    analyser,
    registered,
    resolve,
)

__all__ = [
    "AnalyserOutput",
    "AnalyserSpec",
    "AnalysisContext",
    "UnknownAnalyserError",
    "analyser",
    "registered",
    "resolve",
]

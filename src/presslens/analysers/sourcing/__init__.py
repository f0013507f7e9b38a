"""The ``sourcing`` analyser: how each claim is sourced and hedged, and the article's sourcing profile.

Labels and their definitions: docs/sourcing-guideline.md. Scored by ``presslens eval sourcing``.
"""

from presslens.analysers.sourcing import evaluate
from presslens.analysers.sourcing.analyser import SourcingAnalyser, SourcingConfig
from presslens.analysers.sourcing.records import (
    CheckFirst,
    Hedge,
    SourcedClaim,
    SourceUse,
    SourcingLabel,
    SourcingProfile,
)

__all__ = [
    "CheckFirst",
    "Hedge",
    "SourceUse",
    "SourcedClaim",
    "SourcingAnalyser",
    "SourcingConfig",
    "SourcingLabel",
    "SourcingProfile",
    "evaluate",
]

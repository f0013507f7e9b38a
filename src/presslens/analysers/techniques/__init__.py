"""The ``techniques`` analyser: persuasion techniques at span level (the Propaganda Techniques Corpus's 14).

A fine-tuned all-MiniLM-L6-v2 reads each article once (:mod:`.encoder`): a tagger head finds technique spans
(SI), a classifier head labels them (TC). Rules over the parse and the ``quotes``/``naming`` sections add
distancing cues the sample's gold lists (:mod:`.rules`). ``presslens train techniques`` fine-tunes the model on
PTC (:mod:`.training`); ``presslens eval techniques`` scores the dev split (:mod:`.evaluate`). The model
inherits PTC's research-use condition (docs/techniques.md).
"""

from presslens.analysers.techniques import evaluate as _evaluate  # noqa: F401  (registers `presslens eval techniques`)
from presslens.analysers.techniques.analyser import TechniquesAnalyser, TechniquesConfig, techniques_profile
from presslens.analysers.techniques.ptc import TECHNIQUES
from presslens.analysers.techniques.records import Technique, TechniqueCount, TechniquesProfile

__all__ = [
    "TECHNIQUES",
    "Technique",
    "TechniqueCount",
    "TechniquesAnalyser",
    "TechniquesConfig",
    "TechniquesProfile",
    "techniques_profile",
]

"""The ``quotes`` analyser: who said what (direct, indirect and mixed quotes with resolved speakers).

A CRF tagger trained on PolNeAR marks source, cue and content tokens (:mod:`.tagger`, features in
:mod:`.features`); the parse links them into attributions (:mod:`.assemble`); quotation marks decide the kind
(:mod:`.marks`); rules over the parse resolve each source mention to a speaker (:mod:`.speakers`).
``presslens eval quotes`` scores it (:mod:`.evaluate`); ``presslens train quotes`` retrains the tagger.
"""

from presslens.analysers.quotes import evaluate as _evaluate  # noqa: F401  (registers `presslens eval quotes`)
from presslens.analysers.quotes.analyser import QuotesAnalyser, QuotesConfig, speakers_profile
from presslens.analysers.quotes.records import Quote, QuoteKind, SpeakerCount, SpeakersProfile, SpeakerType

__all__ = [
    "Quote",
    "QuoteKind",
    "QuotesAnalyser",
    "QuotesConfig",
    "SpeakerCount",
    "SpeakerType",
    "SpeakersProfile",
    "speakers_profile",
]

"""The documented thresholds of the comparison (and of story clustering, which shares the same-story test)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CompareConfig(BaseModel):
    """Thresholds of ``presslens compare`` and ``presslens stories``.

    Set on the sample fixture and the labelled PolNeAR pairs (``presslens eval compare``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    edited_ratio: float = Field(
        default=0.6,
        description="token sequence similarity (difflib ratio) from which two sentences are one edited sentence",
    )
    fact_similarity: float = Field(
        default=0.78,
        description="embedding cosine from which two differently worded sentences state the same fact",
    )
    fact_shared_words: int = Field(
        default=3, description="content words two sentences must share to be compared as the same fact (only those "
                               "are embedded)"
    )
    min_sentence_tokens: int = Field(
        default=3, description="shorter sentences (datelines, 'Read more') are not aligned unless identical"
    )
    quote_threshold: float = Field(
        default=0.64,
        description="score (best of token similarity, containment and embedding cosine, adjusted for the "
                    "speaker) from which two quotes are the same statement (chosen by leave-one-pair-out "
                    "cross-validation on the labelled PolNeAR alignments: `presslens eval compare`)",
    )
    min_quote_tokens: int = Field(
        default=2, description="a shorter quote content matches only one with the same source words and reporting verb"
    )
    min_trimmed_tokens: int = Field(
        default=4,
        description="a shorter content, unless at least half as long as the other, is not compared by containment "
                    "(unless the same source words and reporting verb attribute both): a two- or three-word phrase "
                    "found in a longer quote ('the listing') is a shared phrase, not a trimmed quote",
    )
    trimmed_containment: float = Field(
        default=0.9, description="share of the shorter quote's tokens found in order in the longer one for 'trimmed'"
    )
    same_speaker_bonus: float = Field(default=0.05, description="added to a quote pair's score when the speakers match")
    other_speaker_penalty: float = Field(
        default=0.3,
        description="taken from a paraphrased quote pair's score when both speakers are named and differ",
    )
    same_attribution_bonus: float = Field(
        default=0.15,
        description="added when the source mention and the reporting verb are the same words (a trimmed quote keeps "
                    "its attribution)",
    )
    story_entity_overlap: float = Field(
        default=0.25,
        description="Jaccard overlap of canonical entity names from which two articles are the same story",
    )
    story_text_similarity: float = Field(
        default=0.4, description="lead embedding cosine the articles must also reach to be the same story"
    )
    story_quote_words: int = Field(
        default=8,
        description="consecutive words inside quotation marks two articles must share to quote the same statement "
                    "(with leads reaching story_text_similarity, a shared quotation makes them the same story)",
    )
    story_copy_similarity: float = Field(
        default=0.9,
        description="lead embedding cosine from which two articles are the same story whatever their entities "
                    "(republications, wire copy)",
    )
    story_fallback_similarity: float = Field(
        default=0.75, description="lead embedding cosine used alone when an article has no entities section"
    )
    story_tense_difference: int = Field(
        default=2,
        ge=0,
        description="leads whose counts of future-tense verbs ('will' + verb) differ by this many or more are a "
                    "preview and what followed, not the same story unless near copies (0: no such rule)",
    )
    story_window_days: int = Field(
        default=2, description="articles published further apart are never the same story"
    )
    lead_characters: int = Field(
        default=600, description="characters of the article (title first) embedded as its lead (about the 128 "
                                 "word pieces the sentence encoder was trained on)"
    )

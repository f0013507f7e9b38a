"""Quote alignment: the statements both articles report (verbatim, trimmed or paraphrased) and how each
attributes them.

Two quotes are scored by the best of three similarities of their content (token sequence ratio, containment of
the shorter in the longer, embedding cosine), raised when the speakers match or when the source mention and
reporting verb are the same words, lowered when both speakers are named and differ (unless the words are the
same: that is an attribution change to report). Pairs reaching ``quote_threshold`` are matched one to one, best
first. A shorter quote whose missing words stand right next to it in its own article is verbatim, not trimmed:
the quotes analyser only delimited it differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.records import (
    AttributionChange,
    QuoteMatch,
    QuoteOnly,
    QuoteRef,
    QuoteStatus,
)
from presslens.corpus.compare.text import Renaming, containment, content_words, ratio, tokens
from presslens.records import Evidence, Span

Encode = Callable[[Sequence[str]], np.ndarray]

#: Capitalised words of a speaker mention that do not identify the speaker.
_NOT_NAMES = frozenset({
    "the", "a", "an", "mr", "mrs", "ms", "dr", "president", "vice", "gov", "governor", "sen", "senator", "rep",
    "representative", "secretary", "former", "chairman", "chief", "director", "minister", "prime", "general",
    "democratic", "democrat", "republican", "gop", "u.s", "us", "state", "house", "white", "new", "his", "her",
    "their", "its", "justice", "judge", "spokesman", "spokeswoman", "official", "officials", "he", "she", "they",
    "it", "who", "which", "that", "this", "these", "those", "we", "i", "you", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
})
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*")
_WORD = re.compile(r"[a-z]+")
_POSSESSIVE = re.compile(r"['’]s?$")
_AUXILIARIES = frozenset({
    "has", "have", "had", "is", "are", "was", "were", "be", "been", "will", "would", "also", "reportedly",
    "allegedly", "later", "again", "then", "once", "further", "not", "never", "did", "does", "do", "to",
})
_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "tells": "tell", "wrote": "write", "written": "write",
              "spoke": "speak", "spoken": "speak", "thought": "think", "felt": "feel", "gave": "give"}
_UNNAMED = frozenset({"anonymous", "vague"})
_NAMED = frozenset({"person", "organisation"})
#: Characters around a quote's content kept as its context.
_CONTEXT = 200


@dataclass(frozen=True)
class QuoteUnit:
    """One quote to align: its content (normalised tokens), who said it and the reporting verb."""

    ref: QuoteRef
    norms: tuple[str, ...]
    text: str
    speaker_key: frozenset[str]
    casts_doubt: bool = False
    hedged: bool = False
    context: tuple[str, ...] = ()
    """Normalised tokens of the text around the content: tells a quote one outlet trimmed from one the quotes
    analyser merely delimited differently (the missing words are there, just outside the span)."""


def speaker_key(speaker: str | None, speaker_type: str | None = None) -> frozenset[str]:
    """The name words identifying a speaker ("New Jersey Gov. Chris Christie" -> jersey, chris, christie);
    empty when the speaker is unknown, a pronoun or an unnamed source."""
    if not speaker or speaker_type in _UNNAMED:
        return frozenset()
    words = {_POSSESSIVE.sub("", word).rstrip(".").casefold() for word in _NAME_WORD.findall(speaker)}
    return frozenset(word for word in words if word and word not in _NOT_NAMES)


def cue_stem(cue: str | None) -> str | None:
    """The stem of a cue's reporting verb, for comparing cues: "has reportedly urged" and "urges" -> "urg";
    "said" and "says" -> "say"."""
    if not cue:
        return None
    words = [word for word in _WORD.findall(cue.casefold()) if word not in _AUXILIARIES]
    if not words:
        return None
    word = words[0]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, replacement in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def _span(value: Any) -> Span | None:
    if isinstance(value, dict) and {"start", "end", "text"} <= value.keys():
        return Span(start=value["start"], end=value["end"], text=value["text"])
    return None


def quote_units(analysis: dict[str, Any], renamings: Sequence[Renaming]) -> list[QuoteUnit]:
    """The quotes of an analysis (its ``quotes`` section) as alignment units."""
    text = analysis["article"]["text"]
    units = []
    for index, quote in enumerate(analysis.get("quotes") or ()):
        content = _span(quote.get("content")) or Span(start=quote["start"], end=quote["end"], text=quote["text"])
        ref = QuoteRef(
            index=index, kind=quote.get("kind"), content=content, speaker=quote.get("speaker"),
            speaker_type=quote.get("speaker_type"), cue=_span(quote.get("cue")), source=_span(quote.get("source")),
        )
        around = max(0, content.start - _CONTEXT), min(len(text), content.end + _CONTEXT)
        units.append(QuoteUnit(
            ref=ref,
            norms=tuple(token.norm for token in tokens(text, content.start, content.end, renamings)),
            text=content.text,
            speaker_key=speaker_key(ref.speaker, ref.speaker_type),
            casts_doubt=bool(quote.get("casts_doubt")),
            hedged=bool(quote.get("hedged")),
            context=tuple(token.norm for token in tokens(text, *around, renamings)),
        ))
    return units


@dataclass(frozen=True)
class _Scored:
    score: float
    lexical: float
    status: QuoteStatus
    note: str


def _within(words: Sequence[str], context: Sequence[str]) -> bool:
    """``words`` occur, in a row, in ``context``."""
    return bool(context) and f" {' '.join(words)} " in f" {' '.join(context)} "


def _same_words(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and a.text.casefold() == b.text.casefold()


def _score(a: QuoteUnit, b: QuoteUnit, cosine: float, config: CompareConfig) -> _Scored | None:
    """The pair's score, or None when a content is too short to compare and the attributions differ."""
    lexical = ratio(a.norms, b.norms)
    short, long = sorted((len(a.norms), len(b.norms)))
    same_attribution = _same_words(a.ref.source, b.ref.source) and _same_words(a.ref.cue, b.ref.cue)
    # "the listing" inside "We want no part in the listing ..." is a shared phrase, not a trimmed quote, unless the
    # same words attribute both
    contained = (containment(a.norms, b.norms)
                 if short >= config.min_trimmed_tokens or 2 * short >= long or same_attribution else 0.0)
    if short < config.min_quote_tokens and not (contained == 1.0 and same_attribution):
        return None  # "them", "Trump": only the same source and verb make such a content the same quote
    if a.norms == b.norms:
        status: QuoteStatus = "verbatim"
    elif contained >= config.trimmed_containment:
        longer, shorter = (a, b) if len(a.norms) > len(b.norms) else (b, a)
        status = "verbatim" if _within(longer.norms, shorter.context) else "trimmed"
    else:
        status = "paraphrased"
    score = 1.0 if status == "verbatim" else max(lexical, contained, cosine)
    if a.speaker_key and b.speaker_key:
        speakers = "same" if a.speaker_key & b.speaker_key else "different"
        if speakers == "same":
            score += config.same_speaker_bonus
        elif status == "paraphrased":  # the same words under another name are an attribution change, not noise
            score -= config.other_speaker_penalty
    else:
        speakers = "unknown"
    if same_attribution:
        score += config.same_attribution_bonus
        speakers += ", same source words and reporting verb"
    note = f"token similarity {lexical:.2f}, containment {contained:.2f}, embedding {cosine:.2f}, speaker {speakers}"
    return _Scored(round(score, 4), lexical, status, note)


def _assign(scored: list[tuple[_Scored, int, int]], pairs: dict[int, tuple[_Scored, int]], taken_b: set[int],
            threshold: float) -> None:
    """One to one, best first (ties: the closer wording)."""
    for result, i, j in sorted(scored, key=lambda item: (-item[0].score, -item[0].lexical, item[1], item[2])):
        if result.score < threshold:
            break
        if i not in pairs and j not in taken_b:
            pairs[i] = (result, j)
            taken_b.add(j)


def align_quotes(
    a: Sequence[QuoteUnit], b: Sequence[QuoteUnit], encode: Encode, config: CompareConfig,
) -> tuple[list[QuoteMatch], list[QuoteOnly]]:
    """Quotes both sides report (in a's order) and those only one side reports.

    Quotes matched on their words alone (verbatim, trimmed, lightly edited) are paired first; of the rest, pairs
    sharing a content word or a speaker are embedded (``encode``: texts to unit vectors) and paired on meaning.
    """
    pairs: dict[int, tuple[_Scored, int]] = {}
    taken_b: set[int] = set()
    lexical = [(result, i, j) for i, left in enumerate(a) for j, right in enumerate(b)
               if (result := _score(left, right, 0.0, config)) is not None]
    _assign(lexical, pairs, taken_b, config.quote_threshold)
    # A paraphrase keeps a name, a number or a key word, or has the same speaker: only such pairs are embedded.
    words_a = {i: content_words(a[i].norms) for i in range(len(a)) if i not in pairs}
    words_b = {j: content_words(b[j].norms) for j in range(len(b)) if j not in taken_b}
    candidates = [(i, j) for i, found in words_a.items() for j, other in words_b.items()
                  if found & other or a[i].speaker_key & b[j].speaker_key]
    closest: dict[tuple[str, int], float] = {}
    if candidates:
        rest_a = sorted({i for i, _ in candidates})
        rest_b = sorted({j for _, j in candidates})
        cosine = encode([a[i].text for i in rest_a]) @ encode([b[j].text for j in rest_b]).T
        row, column = {i: x for x, i in enumerate(rest_a)}, {j: y for y, j in enumerate(rest_b)}
        scored = [(result, i, j) for i, j in candidates
                  if (result := _score(a[i], b[j], float(cosine[row[i], column[j]]), config)) is not None]
        _assign(scored, pairs, taken_b, config.quote_threshold)
        closest.update((("a", i), round(float(cosine[x].max()), 4)) for x, i in enumerate(rest_a))
        closest.update((("b", j), round(float(cosine[:, y].max()), 4)) for y, j in enumerate(rest_b))
    matches = [
        QuoteMatch(
            status=result.status, a=a[i].ref, b=b[j].ref, similarity=min(result.score, 1.0),
            evidence=Evidence(rule="quote alignment: speaker + token similarity + embedding",
                              score=min(result.score, 1.0), note=result.note),
        )
        for i, (result, j) in sorted(pairs.items())
    ]
    only = [QuoteOnly(side="a", quote=a[i].ref, closest=closest.get(("a", i), 0.0))
            for i in range(len(a)) if i not in pairs]
    only += [QuoteOnly(side="b", quote=b[j].ref, closest=closest.get(("b", j), 0.0))
             for j in range(len(b)) if j not in taken_b]
    return matches, only


def attribution_changes(
    matches: Sequence[QuoteMatch], units_a: Sequence[QuoteUnit], units_b: Sequence[QuoteUnit]
) -> list[AttributionChange]:
    """For each aligned quote: a speaker named on one side only or different, another reporting verb, hedging."""
    by_index_a = {unit.ref.index: unit for unit in units_a}
    by_index_b = {unit.ref.index: unit for unit in units_b}
    changes = []
    for number, match in enumerate(matches):
        left, right = by_index_a[match.a.index], by_index_b[match.b.index]
        qa, qb = match.a, match.b
        types = {qa.speaker_type, qb.speaker_type}
        if types & _NAMED and types & _UNNAMED:
            changes.append(AttributionChange(
                kind="named vs unnamed", quote=number, a=qa.source, b=qb.source,
                a_value=qa.speaker, b_value=qb.speaker,
                note=f"{qa.speaker_type} source in a, {qb.speaker_type} source in b",
            ))
        elif left.speaker_key and right.speaker_key and not left.speaker_key & right.speaker_key:
            changes.append(AttributionChange(
                kind="different speaker", quote=number, a=qa.source, b=qb.source,
                a_value=qa.speaker, b_value=qb.speaker, note="the same words are attributed to different speakers",
            ))
        stem_a = cue_stem(qa.cue.text if qa.cue else None)
        stem_b = cue_stem(qb.cue.text if qb.cue else None)
        if qa.cue and qb.cue and stem_a and stem_b and stem_a != stem_b:
            doubt = [side for side, unit in (("a", left), ("b", right)) if unit.casts_doubt]
            changes.append(AttributionChange(
                kind="reporting verb", quote=number, a=qa.cue, b=qb.cue, a_value=qa.cue.text, b_value=qb.cue.text,
                note=f"{qa.cue.text!r} vs {qb.cue.text!r}"
                     + (f"; the cue casts doubt in {' and '.join(doubt)}" if doubt else ""),
            ))
        if left.hedged != right.hedged:
            changes.append(AttributionChange(
                kind="hedging", quote=number, a=qa.cue, b=qb.cue, a_value=str(left.hedged).lower(),
                b_value=str(right.hedged).lower(), note=f"hedged in {'a' if left.hedged else 'b'} only",
            ))
    return changes

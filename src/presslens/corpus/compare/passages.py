"""Passage alignment: which sentences two articles share (as written, edited or reworded) and which they don't.

Sentences are matched one to one, best pairs first: identical token sequences (names mapped to their canonical
form), then edited sentences (``edited_ratio``); only the sentences left over are embedded, and matched when they
state the same fact in other words (embedding cosine ``fact_similarity``). A sentence still left over that
restates one matched that way (one article splits what the other says in one sentence) is a shared fact too. Runs
of consecutive sentences left over are the passages only one article has: added background, or material the
other dropped. Embedding only the leftovers keeps a republication or an edited wire copy almost free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from presslens.corpus.compare.config import CompareConfig
from presslens.corpus.compare.records import Edit, PassageMatch, PassageOnly, PassageStatus, Side
from presslens.corpus.compare.text import Renaming, Sentence, content_words, dice, diff, ratio, tokens
from presslens.records import Evidence, Span

Encode = Callable[[Sequence[str]], np.ndarray]

#: Below this token-set overlap two sentences are not compared token by token (they cannot reach edited_ratio).
_DICE_FILTER = 0.4


@dataclass(frozen=True)
class AlignedText:
    """One article's text prepared for alignment."""

    text: str
    sentences: list[Sentence]
    renamings: Sequence[Renaming]

    def vectors(self, indices: Sequence[int], encode: Encode) -> np.ndarray:
        return encode([self.text[self.sentences[i].start:self.sentences[i].end] for i in indices])


@dataclass(frozen=True)
class _Candidate:
    score: float
    status: PassageStatus
    i: int
    j: int


def _lexical_candidates(a: AlignedText, b: AlignedText, config: CompareConfig) -> list[_Candidate]:
    found = []
    for i, left in enumerate(a.sentences):
        for j, right in enumerate(b.sentences):
            if left.norms == right.norms and left.norms:
                found.append(_Candidate(2.0, "identical", i, j))
                continue
            if min(len(left.tokens), len(right.tokens)) < config.min_sentence_tokens:
                continue
            if dice(left.norms, right.norms) >= _DICE_FILTER:
                lexical = ratio(left.norms, right.norms)
                if lexical >= config.edited_ratio:
                    found.append(_Candidate(1.0 + lexical, "edited", i, j))
    return found


def _fact_candidates(a: AlignedText, b: AlignedText, left: list[int], right: list[int], encode: Encode,
                     config: CompareConfig) -> list[_Candidate]:
    """Shared-fact candidates among sentences the lexical pass left over: pairs sharing ``fact_shared_words``
    content words (a fact restated keeps its names and numbers), the only sentences embedded."""
    words_a = {i: content_words(a.sentences[i].norms) for i in left
               if len(a.sentences[i].tokens) >= config.min_sentence_tokens}
    words_b = {j: content_words(b.sentences[j].norms) for j in right
               if len(b.sentences[j].tokens) >= config.min_sentence_tokens}
    pairs = [(i, j) for i, found in words_a.items() for j, other in words_b.items()
             if len(found & other) >= config.fact_shared_words]
    if not pairs:
        return []
    rows = sorted({i for i, _ in pairs})
    columns = sorted({j for _, j in pairs})
    cosine = a.vectors(rows, encode) @ b.vectors(columns, encode).T
    row, column = {i: x for x, i in enumerate(rows)}, {j: y for y, j in enumerate(columns)}
    return [_Candidate(float(cosine[row[i], column[j]]), "shared fact", i, j) for i, j in pairs
            if cosine[row[i], column[j]] >= config.fact_similarity]


def _assign(candidates: list[_Candidate], matched_a: dict[int, _Candidate], matched_b: set[int]) -> None:
    """One to one, best first."""
    for candidate in sorted(candidates, key=lambda c: (-c.score, c.i, c.j)):
        if candidate.i not in matched_a and candidate.j not in matched_b:
            matched_a[candidate.i] = candidate
            matched_b.add(candidate.j)


def _match(a: AlignedText, b: AlignedText, candidate: _Candidate) -> PassageMatch:
    left, right = a.sentences[candidate.i], b.sentences[candidate.j]
    status = candidate.status
    edits: tuple[Edit, ...] = ()
    if status == "identical" and " ".join(a.text[left.start:left.end].split()) != " ".join(
        b.text[right.start:right.end].split()
    ):
        status = "naming"
    if status in ("naming", "edited"):
        edits = tuple(
            Edit(
                a=Span.of(a.text, *a_span) if a_span else None,
                b=Span.of(b.text, *b_span) if b_span else None,
                naming=_renamed(a.renamings, a_span) and _renamed(b.renamings, b_span),
            )
            for a_span, b_span in diff(tokens(a.text, left.start, left.end), tokens(b.text, right.start, right.end))
        )
    similarity = 1.0 if candidate.status == "identical" else round(candidate.score - (candidate.status == "edited"), 4)
    rule = {"identical": "same words", "naming": "same words once names are mapped to their canonical form",
            "edited": "token sequence similarity", "shared fact": "embedding cosine"}[status]
    return PassageMatch(
        status=status,
        a=Span.of(a.text, left.start, left.end),
        b=Span.of(b.text, right.start, right.end),
        similarity=similarity,
        edits=edits,
        evidence=Evidence(rule=f"passage alignment: {rule}", score=similarity),
    )


def _renamed(renamings: Sequence[Renaming], span: tuple[int, int] | None) -> bool:
    if span is None:
        return False
    return any(renaming.start < span[1] and span[0] < renaming.end for renaming in renamings)


def _only(text: AlignedText, unmatched: list[int], side: Side, min_tokens: int) -> list[PassageOnly]:
    """Runs of consecutive unmatched sentences; a run of short fragments only (a dateline) is no passage."""
    runs: list[list[int]] = []
    for index in unmatched:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return [
        PassageOnly(
            side=side,
            span=Span.of(text.text, text.sentences[run[0]].start, text.sentences[run[-1]].end),
            sentences=len(run),
        )
        for run in runs
        if any(len(text.sentences[index].tokens) >= min_tokens for index in run)
    ]


def align_passages(
    a: AlignedText, b: AlignedText, encode: Encode, config: CompareConfig
) -> tuple[list[PassageMatch], list[PassageOnly]]:
    """Aligned sentence pairs (in a's order) and the passages only one side has (a's first, then b's).

    ``encode`` embeds sentences (unit vectors); it is called for the sentences the lexical pass leaves over.
    """
    matched_a: dict[int, _Candidate] = {}
    matched_b: set[int] = set()
    _assign(_lexical_candidates(a, b, config), matched_a, matched_b)
    facts = _fact_candidates(a, b, [i for i in range(len(a.sentences)) if i not in matched_a],
                             [j for j in range(len(b.sentences)) if j not in matched_b], encode, config)
    _assign(facts, matched_a, matched_b)
    extra = []  # a leftover sentence restating one matched as a shared fact: many-to-one shared facts
    used_a, used_b = set(matched_a), set(matched_b)
    for candidate in sorted(facts, key=lambda c: (-c.score, c.i, c.j)):
        if candidate.i not in used_a and candidate.j in matched_b:
            used_a.add(candidate.i)
            extra.append(candidate)
        elif candidate.j not in used_b and candidate.i in matched_a:
            used_b.add(candidate.j)
            extra.append(candidate)
    chosen = sorted([*matched_a.values(), *extra], key=lambda candidate: (candidate.i, candidate.j))
    matches = [_match(a, b, candidate) for candidate in chosen]
    unmatched_a = [i for i in range(len(a.sentences)) if i not in used_a]
    unmatched_b = [j for j in range(len(b.sentences)) if j not in used_b]
    minimum = config.min_sentence_tokens
    return matches, [*_only(a, unmatched_a, "a", minimum), *_only(b, unmatched_b, "b", minimum)]

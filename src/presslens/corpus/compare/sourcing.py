"""Sourcing differences: how each article sources its claims, label by label and passage by passage.

A sourcing finding is shared when the other article's aligned sentence carries a finding with the same label;
relabelled when it carries one with another label (a named source became an anonymous one); only in one article
otherwise, noting whether its sentence is shared (the other article states the claim without that sourcing) or
not (the claim itself is missing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from presslens.corpus.compare.records import PassageMatch, SourcingChange, SourcingProfile
from presslens.corpus.compare.text import Sentence
from presslens.records import Span


def _findings(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    return [record for record in analysis.get("sourcing") or () if isinstance(record.get("label"), str)]


def _sentences_of(record: dict[str, Any], sentences: Sequence[Sentence]) -> list[int]:
    return [s.index for s in sentences if s.start < record["end"] and record["start"] < s.end]


def sourcing_profile(analysis_a: dict[str, Any], analysis_b: dict[str, Any]) -> list[SourcingProfile]:
    counts_a = Counter(record["label"] for record in _findings(analysis_a))
    counts_b = Counter(record["label"] for record in _findings(analysis_b))
    return [SourcingProfile(label=label, a=counts_a[label], b=counts_b[label])
            for label in sorted(counts_a.keys() | counts_b.keys())]


def sourcing_changes(
    analysis_a: dict[str, Any], sentences_a: Sequence[Sentence],
    analysis_b: dict[str, Any], sentences_b: Sequence[Sentence],
    matches: Sequence[PassageMatch],
) -> list[SourcingChange]:
    """Sourcing findings that are not shared by the aligned passage of the other article."""
    index_a = {s.start: s.index for s in sentences_a}
    index_b = {s.start: s.index for s in sentences_b}
    a_to_b: dict[int, set[int]] = {}
    b_to_a: dict[int, set[int]] = {}
    for match in matches:
        i, j = index_a[match.a.start], index_b[match.b.start]
        a_to_b.setdefault(i, set()).add(j)
        b_to_a.setdefault(j, set()).add(i)
    found_a, found_b = _findings(analysis_a), _findings(analysis_b)
    sentences_of_a = [_sentences_of(record, sentences_a) for record in found_a]
    sentences_of_b = [_sentences_of(record, sentences_b) for record in found_b]
    text_a, text_b = analysis_a["article"]["text"], analysis_b["article"]["text"]

    def counterparts(sentences: list[int], mapping: dict[int, set[int]], others: list[list[int]]) -> list[int]:
        aligned = set().union(*(mapping.get(index, set()) for index in sentences)) if sentences else set()
        return [k for k, other in enumerate(others) if aligned & set(other)]

    changes: list[SourcingChange] = []
    relabelled_b: set[int] = set()
    shared_b: set[int] = set()
    for k, record in enumerate(found_a):
        others = counterparts(sentences_of_a[k], a_to_b, sentences_of_b)
        same = [o for o in others if found_b[o]["label"] == record["label"]]
        span_a = Span.of(text_a, record["start"], record["end"])
        if same:
            shared_b.update(same)
        elif others:
            other = found_b[others[0]]
            relabelled_b.add(others[0])
            changes.append(SourcingChange(
                kind="label changed", a=span_a, b=Span.of(text_b, other["start"], other["end"]),
                a_label=record["label"], b_label=other["label"], in_shared_passage=True,
            ))
        else:
            in_shared = any(index in a_to_b for index in sentences_of_a[k])
            changes.append(SourcingChange(kind="only in a", a=span_a, b=None, a_label=record["label"],
                                          b_label=None, in_shared_passage=in_shared))
    for k, record in enumerate(found_b):
        if k in shared_b or k in relabelled_b:
            continue
        others = counterparts(sentences_of_b[k], b_to_a, sentences_of_a)
        if any(found_a[o]["label"] == record["label"] for o in others):
            continue
        changes.append(SourcingChange(
            kind="only in b", a=None, b=Span.of(text_b, record["start"], record["end"]), a_label=None,
            b_label=record["label"], in_shared_passage=any(index in b_to_a for index in sentences_of_b[k]),
        ))
    return changes

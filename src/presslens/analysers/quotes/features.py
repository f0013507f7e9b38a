"""Token features for the attribution tagger: words, the parse, quotation marks, and the reporting verbs near.

One sequence is one paragraph (quotes run over sentences, rarely over paragraphs). Besides the token itself,
each token sees its syntactic way up to the nearest cue-like word ("nsubj of say", "inside the ccomp of
tell"), which side of the sentence's cue-like words it stands on, and whether it sits inside quotation marks.
Cue-likeness is a lexicon learned from the training data (how often each lemma heads an annotated cue). Two
clusterings of the parser's contextual token vectors (``doc.tensor``, k-means learned at training time) stand in
for word embeddings: "said", "told" and "noted" fall in one cluster, the CRF learns the cluster. Word clusters of
all-MiniLM-L6-v2's input embeddings do the same for the word itself and for its head, out of context and for words
PolNeAR's train hardly has ("lauded" beside "praised", "skeptical" beside "doubtful"): each token and its next
neighbours see the clusters of its word, and each token the clusters of its head word with its dependency.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np
from spacy.attrs import (
    DEP,
    ENT_IOB,
    ENT_TYPE,
    HEAD,
    IDX,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    LEMMA,
    LENGTH,
    LOWER,
    ORTH,
    POS,
    SENT_START,
    TAG,
)
from spacy.tokens import Doc
from threadpoolctl import ThreadpoolController

from presslens.analysers.quotes.marks import QUOTE_CHARACTERS, quotations

#: Lemmas scored at least this often as cue heads count as "cue-like" for the relative features.
CUE_LIKE = 0.25
_ANCESTOR_DEPTH = 6
#: The neighbours a token sees, and the prefix of their features ("-1:w=said").
_NEIGHBOURS = tuple((offset, f"{offset}:") for offset in (-2, -1, 1, 2))
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "agent", "parataxis", "prep", "advcl"})


@dataclass(frozen=True)
class TokenSequence:
    """One tagging unit: the token indices of a paragraph (space tokens left out) and their features."""

    tokens: tuple[int, ...]
    features: list[list[str]]


def cue_score_bucket(score: float) -> str:
    if score >= 0.5:
        return "hi"
    if score >= CUE_LIKE:
        return "mid"
    if score >= 0.05:
        return "lo"
    return "no"


_PARAGRAPHS = "presslens.quotes.paragraphs"
_SENTENCES = "presslens.quotes.sentences"


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """``(start, end)`` token indices of the parser's sentences, as ``doc.sents`` gives them, without a Token per
    word. Computed once per doc."""
    cached: list[tuple[int, int]] | None = doc.user_data.get(_SENTENCES)
    if cached is not None:
        return cached
    flags = cast(list[int], doc.to_array(SENT_START).astype(np.int64).tolist())  # 1: starts a sentence
    starts = [index for index, flag in enumerate(flags) if index == 0 or flag == 1]
    bounds = list(zip(starts, [*starts[1:], len(doc)], strict=True))
    doc.user_data[_SENTENCES] = bounds
    return bounds


def paragraph_token_ranges(doc: Doc) -> list[tuple[int, ...]]:
    """Token indices of each paragraph (a newline starts a new one), space tokens left out. Computed once per doc
    (the tagger, the rules and the linking all ask)."""
    cached: list[tuple[int, ...]] | None = doc.user_data.get(_PARAGRAPHS)
    if cached is not None:
        return cached
    paragraphs: list[tuple[int, ...]] = []
    current: list[int] = []
    for index, space in enumerate(doc.to_array(IS_SPACE).tolist()):
        if space:
            if current and "\n" in doc[index].text:
                paragraphs.append(tuple(current))
                current = []
            continue
        current.append(index)
    if current:
        paragraphs.append(tuple(current))
    doc.user_data[_PARAGRAPHS] = paragraphs
    return paragraphs


def quote_states(doc: Doc) -> list[str]:
    """Per token: ``open``/``close`` (a mark of a top-level quote), ``in`` (inside one) or ``out``."""
    states = ["out"] * len(doc)
    stretches = quotations(doc.text)
    if not stretches:
        return states
    offsets = doc.to_array([IDX, LENGTH])  # token character offsets and lengths, without a Token each
    starts = cast(list[int], offsets[:, 0].tolist())
    ends = cast(list[int], (offsets[:, 0] + offsets[:, 1]).tolist())
    for stretch in stretches:
        # the tokens overlapping the stretch (char_span's "expand")
        first = bisect_right(ends, stretch.start)
        last = bisect_left(starts, stretch.end)
        for index in range(first, last):
            if starts[index] < stretch.inner_start:
                states[index] = "open"
            elif starts[index] >= stretch.inner_end:
                states[index] = "close"
            else:
                states[index] = "in"
    return states


class FeatureExtractor:
    """Turns a parsed document into tagging sequences (see the module docstring)."""

    def __init__(
        self,
        cue_scores: Mapping[str, float],
        centroids: Sequence[np.ndarray] = (),
        word_clusters: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        self.cue_scores = dict(cue_scores)
        self.centroids = tuple(centroids)
        self.word_clusters = {
            word: tuple(f"v{number}={cluster}" for number, cluster in enumerate(clusters))
            for word, clusters in (word_clusters or {}).items()
        }
        self.cluster_names = tuple(
            tuple(f"k{number}={cluster}" for cluster in range(len(matrix))) for number, matrix in enumerate(centroids)
        )

    def clusters(self, doc: Doc) -> list[list[str]]:
        """Per token: its cluster in each clustering of the parser's contextual vectors (``doc.tensor``).

        A document without vectors (a pipeline without tok2vec) gets no cluster features, not an error.
        """
        tensor = doc.tensor
        if not self.centroids or tensor is None or len(tensor) != len(doc) or not len(doc):
            return [[] for _ in range(len(doc))]
        names = [
            [table[cluster] for cluster in nearest_centroids(tensor, centroids).tolist()]
            for table, centroids in zip(self.cluster_names, self.centroids, strict=True)
        ]
        return [list(per_token) for per_token in zip(*names, strict=True)]

    def word_cluster_names(self, parse: _Parse) -> list[tuple[str, ...]]:
        """Per token: the feature names of its word's clusters (its lower-case form, else its lemma; none for a
        word the clustering does not know)."""
        if not self.word_clusters:
            return [()] * len(parse.lower)
        empty: tuple[str, ...] = ()
        return [
            self.word_clusters.get(lower) or self.word_clusters.get(lemma, empty)
            for lower, lemma in zip(parse.lower, parse.lemma, strict=True)
        ]

    def sequences(self, doc: Doc) -> list[TokenSequence]:
        parse = _Parse(doc)
        buckets = {lemma: cue_score_bucket(self.cue_scores.get(lemma, 0.0)) for lemma in set(parse.lemma)}
        cue_like = [
            self.cue_scores.get(lemma, 0.0) >= CUE_LIKE and not punct
            for lemma, punct in zip(parse.lemma, parse.is_punct, strict=True)
        ]
        # what the next neighbours see of a token: its word, parse, quotation state and cue score
        near = [
            [f"w={lower}", f"p={pos}", f"d={dep}", f"q={state}", f"c={buckets[lemma]}"]
            for lower, pos, dep, state, lemma in zip(
                parse.lower, parse.pos, parse.dep, quote_states(doc), parse.lemma, strict=True
            )
        ]
        words = self.word_cluster_names(parse)
        for token_near, word_names in zip(near, words, strict=True):
            token_near.extend(word_names)
        own: list[list[str]] = [[] for _ in near]
        for start, end in sentence_bounds(doc):
            cues = [index for index in range(start, end) if cue_like[index]]
            for index in range(start, end):
                own[index] = self._token_features(parse, index, near[index], cue_like, cues, (start, end))
        for index, (head, dep) in enumerate(zip(parse.head, parse.dep, strict=True)):
            if head != index:
                own[index].extend(f"h{dep}|{name}" for name in words[head])  # "hnsubj|v1=323": subject of a say-verb
        far = [shared[:1] + shared[3:4] for shared in near]  # two tokens away: the word and its quotation state
        for token_own, token_near, token_far, names in zip(own, near, far, self.clusters(doc), strict=True):
            token_own.extend(names)
            token_near.extend(names)
            token_far.extend(names[:1])  # two tokens away, the coarse clustering only
        # each token's features as each neighbour sees them ("-1:w=said"), built once
        seen = {
            offset: [[prefix + feature for feature in features] for features in (near if offset in (-1, 1) else far)]
            for offset, prefix in _NEIGHBOURS
        }
        sequences = []
        for indices in paragraph_token_ranges(doc):
            for position, index in enumerate(indices):
                token_features = own[index]  # each token is in one paragraph: extended in place
                for offset, prefix in _NEIGHBOURS:
                    neighbour = position + offset
                    if 0 <= neighbour < len(indices):
                        token_features.extend(seen[offset][indices[neighbour]])
                    else:
                        token_features.append(prefix + "edge")
                if position == 0:
                    token_features.append("para_start")
            sequences.append(TokenSequence(indices, [own[index] for index in indices]))
        return sequences

    def _token_features(
        self,
        parse: _Parse,
        i: int,
        shared: list[str],
        cue_like: list[bool],
        cues: list[int],
        sentence: tuple[int, int],
    ) -> list[str]:
        """The token's own features (``shared``: those its next neighbours see too); ``cues``: its sentence's
        cue-like tokens, in order."""
        lemma, dep, pos, head = parse.lemma, parse.dep, parse.pos, parse.head
        h = head[i]
        text = parse.text[i]
        own = [
            "bias",
            *shared,
            f"l={lemma[i]}",
            f"t={parse.tag[i]}",
            f"hl={lemma[h]}",
            f"dhl={dep[i]}|{lemma[h]}",
            f"hp={pos[h]}",
            f"hd={dep[h]}",
            f"e={parse.ent_type[i] or 'O'}",
            f"ei={parse.ent_iob[i]}",
            f"cap={parse.is_title[i]}",
        ]
        if text and text[0] in QUOTE_CHARACTERS and all(char in QUOTE_CHARACTERS for char in text):
            own.append("mark")
        if i == sentence[0]:
            own.append("sent_start")
        if i == sentence[1] - 1:
            own.append("sent_end")
        if i > sentence[0] and parse.text[i - 1] == ":":
            own.append("after_colon")
        # the first two steps up, whatever the words: "wants" governs its xcomp as content
        if h != i:
            own.append(f"a1={dep[i]}|{lemma[h]}")
            if head[h] != h:
                own.append(f"a2={dep[h]}|{lemma[head[h]]}")
        # a verb's own arguments: an attribution has a source-like subject and a complement
        if pos[i] in ("VERB", "AUX", "NOUN"):
            for child in parse.children[i]:
                if dep[child] in _ARGUMENT_DEPS:
                    own.append(f"kid={dep[child]}")
                    if dep[child] in ("nsubj", "nsubjpass"):
                        own.append(f"subj={parse.ent_type[child] or pos[child]}")
        # the syntactic way up to the nearest cue-like ancestor
        child, ancestor, depth = i, h, 0
        while ancestor != child and depth < _ANCESTOR_DEPTH:
            if cue_like[ancestor]:
                own.append(f"anc={dep[child]}|{lemma[ancestor]}")
                own.append(f"ancd={dep[child]}|{min(depth, 3)}")
                own.append(f"anc_dep={dep[child]}")
                break
            child, ancestor, depth = ancestor, head[ancestor], depth + 1
        else:
            own.append("anc=none")
        if cue_like[i]:
            own.append("is_cue_like")
        if cues:
            nearest = _nearest(cues, i)
            distance = i - nearest
            side = "C" if distance == 0 else ("R" if distance > 0 else "L")
            bucket = min(abs(distance), 6) if abs(distance) < 6 else (10 if abs(distance) < 15 else 20)
            own.extend(
                (f"side={side}", f"side_dist={side}{bucket}", f"side_cue={side}|{lemma[nearest]}",
                 f"cue_dep={dep[nearest]}")
            )
            cue_head = head[nearest]
            if cue_head != nearest and _is_ancestor_or_self(parse.head, cue_head, i):
                own.append(f"under_cue_head={dep[nearest]}")
        else:
            own.append("side=none")
        return own


def _nearest(indices: list[int], index: int) -> int:
    """The item of the sorted, non-empty ``indices`` nearest to ``index`` (the earlier one on a tie)."""
    position = bisect_left(indices, index)
    if position == len(indices):
        return indices[-1]
    if position == 0 or indices[position] == index:
        return indices[position]
    before, after = indices[position - 1], indices[position]
    return before if index - before <= after - index else after


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The process's thread pools, inspected once (``threadpool_limits`` inspects them again on every call)."""
    return ThreadpoolController()


def nearest_centroids(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid (Euclidean) of each row of ``vectors``.

    One BLAS thread: a product this small gains nothing from more, and a multithreaded call can stall for
    milliseconds on a busy machine (NumPy's own einsum, used before, took ten times as long as this).
    """
    with _blas().limit(limits=1, user_api="blas"):
        products = vectors @ centroids.T
    distances = -2 * products + (centroids**2).sum(1)[None, :]
    return np.asarray(distances.argmin(1))


def kmeans(vectors: np.ndarray, clusters: int, iterations: int = 15, seed: int = 0) -> np.ndarray:
    """Lloyd's k-means: ``clusters`` centroids of ``vectors`` (deterministic for a seed)."""
    generator = np.random.default_rng(seed)
    centroids = vectors[generator.choice(len(vectors), clusters, replace=False)].astype(np.float32)
    for _ in range(iterations):
        assigned = nearest_centroids(vectors, centroids)
        counts = np.bincount(assigned, minlength=clusters)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assigned, vectors)
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
    return centroids


#: ``Token.ent_iob_`` of the ENT_IOB codes.
_IOB = ("", "I", "O", "B")


class _Parse:
    """The token attributes the features read, as plain lists (one pass over the doc, no Token per lookup)."""

    def __init__(self, doc: Doc) -> None:
        # One to_array call, not a Token object per attribute read: the features' main cost before.
        columns = doc.to_array([ORTH, LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE, ENT_IOB, IS_TITLE, IS_PUNCT])
        rows = cast(list[list[int]], columns.reshape(len(doc), 10).T.tolist())
        orth, lower, lemma, pos, tag, dep, ent_type, ent_iob, is_title, is_punct = rows
        offsets = cast(list[int], doc.to_array(HEAD).astype(np.int64).tolist())  # negative ones wrap in uint64
        strings = doc.vocab.strings
        self.text = [strings[value] for value in orth]
        self.lower = [strings[value] for value in lower]
        self.lemma = [strings[value].lower() for value in lemma]
        self.pos = [strings[value] if value else "" for value in pos]
        self.tag = [strings[value] if value else "" for value in tag]
        self.dep = [strings[value] if value else "" for value in dep]
        self.head = [index + offset for index, offset in enumerate(offsets)]
        self.ent_type = [strings[value] if value else "" for value in ent_type]
        self.ent_iob = [_IOB[value] for value in ent_iob]
        self.is_title = [bool(value) for value in is_title]
        self.is_punct = [bool(value) for value in is_punct]
        self.children: list[list[int]] = [[] for _ in orth]
        for index, head_index in enumerate(self.head):
            if head_index != index:
                self.children[head_index].append(index)


def _is_ancestor_or_self(heads: list[int], candidate: int, index: int) -> bool:
    while True:
        if index == candidate:
            return True
        if heads[index] == index:
            return False
        index = heads[index]

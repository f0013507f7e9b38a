"""Corpus scale: the store, batch analysis (local or Dask), flat exports and outlet profiles.

- :mod:`presslens.corpus.store`: :class:`Store` (SQLite by default, PostgreSQL by URL), its interface documented
  in the module docstring;
- :mod:`presslens.corpus.batch`: :func:`run_batch` (``presslens batch``);
- :mod:`presslens.corpus.engines` / :mod:`presslens.corpus.dask_engine`: where the analysis runs;
- :mod:`presslens.corpus.export`: flat tables (``presslens export``);
- :mod:`presslens.corpus.stats`: outlet profiles (``presslens stats``).
"""

from __future__ import annotations

from presslens.corpus.store import DEFAULT_STORE, Failure, Job, Store, StoredArticle, StoreError

__all__ = ["DEFAULT_STORE", "Failure", "Job", "Store", "StoreError", "StoredArticle"]

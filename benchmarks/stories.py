"""Story clustering of a 2,000-article store: time and peak memory (the bar: it fits in 2 GB).

    nice .venv/bin/python benchmarks/stories.py [--articles 2000] [--store /tmp/presslens-stories.db]

Store: the PolNeAR texts (``../shared/eval/quotes/polnear``, 924 articles; the sample's paragraphs otherwise)
analysed once with the ``entities`` analyser, cycled to ``--articles`` rows: each copy gets its own content hash
and its publication dates moved by 400 days, so the copies are new articles to cluster. The store is built once
and reused. Clustering (``update_stories`` with ``--rebuild``: every article, model load included) runs in a child
process whose peak RSS is its ``ru_maxrss``.

:func:`cluster_benchmark` (store URL -> figures) is what ``benchmarks/corpus.py`` can call on the store it built.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from presslens.ingest import ArticleMeta

REPO = Path(__file__).resolve().parent.parent
POLNEAR = REPO.parent / "shared" / "eval" / "quotes" / "polnear"
BUDGET_MB = 2048


def _texts() -> list[tuple[str, str, ArticleMeta]]:
    """(name, text, metadata) of the source articles."""
    if (POLNEAR / "metadata.tsv").is_file():
        from presslens.corpus.evaluate import PolnearCorpus

        corpus = PolnearCorpus(POLNEAR)
        return [(name, (article := corpus.article(name)).text, article.meta) for name in corpus.rows]
    sample = (REPO / "examples" / "rt-bakhmut" / "article.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in sample.split("\n\n") if len(p.split()) > 20]
    return [(f"sample-{i}-{j}", f"{paragraphs[i]}\n\n{paragraphs[j]}",
             ArticleMeta(id=f"sample-{i}-{j}", outlet="RT", published=(date(2023, 3, 1) + timedelta(i)).isoformat()))
            for i in range(len(paragraphs)) for j in range(len(paragraphs)) if i != j]


def build_store(url: str, articles: int) -> None:
    from presslens.corpus.store import Store
    from presslens.ingest import ingest_text
    from presslens.pipeline import Pipeline

    sources = _texts()
    pipeline = Pipeline(only=["entities"])
    inputs = (ingest_text(text, source=name, clean=False, meta=meta) for name, text, meta in sources)
    analyses = [analysis.to_json() for analysis in pipeline.analyze_many(inputs)]
    with Store.open(url) as store, store.connection():
        for index in range(articles):
            copy, analysis = divmod(index, len(analyses))
            data = json.loads(json.dumps(analyses[analysis]))
            article = data["article"]
            if copy:
                article["content_hash"] = hashlib.sha256(f"{article['content_hash']}/{copy}".encode()).hexdigest()
                article["id"] = f"{article['id']}-copy{copy}"
                if article.get("published"):
                    moved = date.fromisoformat(article["published"][:10]) + timedelta(days=400 * copy)
                    article["published"] = moved.isoformat()
            store.put_analysis(data, analysers=pipeline.names)


def _cluster(url: str) -> None:
    """Child process: cluster every stored article; print the figures as JSON."""
    from presslens.corpus.embeddings import load_embedder
    from presslens.corpus.store import Store
    from presslens.corpus.stories import update_stories

    started = time.perf_counter()
    embedder = load_embedder()
    loaded = time.perf_counter()
    with Store.open(url) as store:
        update = update_stories(store, embedder, rebuild=True)
    done = time.perf_counter()
    print(json.dumps({
        "articles": update.added, "stories": update.total_stories,
        "model_load_s": round(loaded - started, 2), "cluster_s": round(done - loaded, 2),
        "cpu_s": round(time.process_time(), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


def cluster_benchmark(url: str) -> dict[str, Any]:
    """Cluster the store at ``url`` from scratch in a child process: articles, stories, seconds, peak RSS (MB)."""
    result = subprocess.run([sys.executable, __file__, "--cluster", url], check=True, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--store", default="/tmp/presslens-stories-benchmark.db")
    parser.add_argument("--cluster", metavar="URL", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.cluster:
        _cluster(args.cluster)
        return
    if not Path(args.store).exists():
        started = time.perf_counter()
        build_store(args.store, args.articles)
        print(f"built {args.store}: {args.articles} articles in {time.perf_counter() - started:.0f} s")
    figures = cluster_benchmark(args.store)
    rate = figures["articles"] / figures["cluster_s"] if figures["cluster_s"] else float("inf")
    print(f"clustered {figures['articles']} articles into {figures['stories']} stories in {figures['cluster_s']} s "
          f"({rate:.0f} articles/s; model load {figures['model_load_s']} s, CPU {figures['cpu_s']} s); "
          f"peak RSS {figures['peak_rss_mb']} MB (budget {BUDGET_MB} MB: "
          f"{'within' if figures['peak_rss_mb'] <= BUDGET_MB else 'OVER'})")
    print(f"load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

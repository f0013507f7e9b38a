"""Throughput of the bare spaCy parse vs the full ``presslens analyze`` pipeline, in one run.

    .venv/bin/python benchmarks/throughput.py [--copies 500] [--article examples/rt-bakhmut/article.txt]

Prints articles/s and words/s for (1) the bare parse of the clean text (the shared spaCy pipeline with the
knowledge-base ruler), (2) the full pipeline from raw text (ingest + parse + every analyser), the cost of each
analyser as a share of the parse time, and the process's peak memory (max RSS). Single process, one core.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from timing import timed

from presslens.ingest import ingest_text
from presslens.pipeline import Pipeline

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--article", type=Path, default=REPO / "examples" / "rt-bakhmut" / "article.txt")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    raw = args.article.read_text(encoding="utf-8")
    pipeline = Pipeline()
    clean = ingest_text(raw, source=str(args.article)).text
    words = len(clean.split()) * args.copies
    pipeline.nlp(clean)  # warm up the parse
    pipeline.analyze(ingest_text(raw, source="warm-up"))  # and the analysers' lazily loaded models (not throughput)

    started = time.perf_counter()
    for _ in pipeline.nlp.pipe([clean] * args.copies, batch_size=args.batch_size):
        pass
    parse_seconds = time.perf_counter() - started

    spent: dict[str, float] = dict.fromkeys(pipeline.names, 0.0)
    pipeline.analysers = timed(pipeline, spent)
    started = time.perf_counter()
    articles = (ingest_text(raw, source=f"copy-{i}") for i in range(args.copies))
    for analysis in pipeline.analyze_many(articles, batch_size=args.batch_size):
        analysis.to_json()
    full_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"article: {args.article} ({len(clean.split())} words clean), copies: {args.copies}")
    print(f"spaCy model: {pipeline.nlp.meta['name']} {pipeline.nlp.meta['version']}; analysers: "
          f"{', '.join(pipeline.names)}")
    print(f"bare parse:     {args.copies / parse_seconds:8.1f} articles/s  {words / parse_seconds:9.0f} words/s")
    print(f"full pipeline:  {args.copies / full_seconds:8.1f} articles/s  {words / full_seconds:9.0f} words/s  "
          f"({full_seconds / parse_seconds:.2f}x the parse time)")
    for name in pipeline.names:
        print(f"  {name:<12} {spent[name]:7.2f} s  = {100 * spent[name] / parse_seconds:5.1f}% on top of the parse")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

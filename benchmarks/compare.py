"""Time of ``compare`` on two ~1,000-word articles once the embedding model is loaded.

    nice .venv/bin/python benchmarks/compare.py [--runs 10] [--polnear ../shared/eval/quotes/polnear]

Articles: with PolNeAR, two pairs of real ~1,000-word articles (an edited republication: NYT 2016-03-15/16, and
a reworded one: AP vs WaPo on the Iowa caucus result); without it, the sample and its rewrite used in the tests,
each doubled to ~900 words. The analyses (ingest + analysers) are made first and not timed. Each run compares
with an empty sentence cache (a fresh :class:`SentenceEmbedder` on the loaded model), so the encoding of every
sentence and quote is counted; the embedding share and the warm time (everything cached) are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from tests.corpus.rewritten_sample import rewrite  # noqa: E402

from presslens.corpus.compare import compare  # noqa: E402
from presslens.corpus.embeddings import SentenceEmbedder, load_embedder  # noqa: E402
from presslens.ingest import ingest_text  # noqa: E402
from presslens.pipeline import Pipeline  # noqa: E402

POLNEAR_PAIRS = (  # (portion, name) of a and b
    ("train", "nyt_2016-03-15_sanders-advances-agenda-via-side",
     "train", "nyt_2016-03-16_via-legislative-side-doors-sande"),
    ("train", "usa-today_2016-02-02_maybe-trump-hasn-t-rewritten-rul",
     "train", "wash-post_2016-02-02_no-clear-favorites-going-into-ne"),
)


def article_pairs(polnear: Path | None) -> list[tuple[str, str, str]]:
    if polnear is not None and polnear.is_dir():
        return [(f"{a} / {b}", (polnear / pa / "text" / f"{a}.txt").read_text(encoding="utf-8"),
                 (polnear / pb / "text" / f"{b}.txt").read_text(encoding="utf-8")) for pa, a, pb, b in POLNEAR_PAIRS]
    sample = (REPO / "examples" / "rt-bakhmut" / "article.txt").read_text(encoding="utf-8")
    doubled = sample + "\n\n" + sample
    return [("sample / rewritten sample, doubled", doubled, rewrite(doubled))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--polnear", type=Path, default=REPO.parent / "shared" / "eval" / "quotes" / "polnear")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (load_embedder's default: 1)")
    args = parser.parse_args()

    pipeline = Pipeline()
    started = time.perf_counter()
    model = load_embedder(threads=args.threads).model
    print(f"model load: {time.perf_counter() - started:.1f} s")
    for label, text_a, text_b in article_pairs(args.polnear):
        analyses: list[dict[str, Any]] = [pipeline.analyze(ingest_text(text, source=name)).to_json()
                                          for name, text in (("a", text_a), ("b", text_b))]
        words = [len(analysis["article"]["text"].split()) for analysis in analyses]
        compare(analyses, embedder=SentenceEmbedder(model))  # warm-up (first torch call)
        cold, encoding, cpu = [], [], []
        for _ in range(args.runs):
            embedder = SentenceEmbedder(model)
            encode = embedder.encode
            spent = [0.0]

            def timed_encode(texts: Any, encode: Any = encode, spent: list[float] = spent) -> Any:
                begin = time.perf_counter()
                try:
                    return encode(texts)
                finally:
                    spent[0] += time.perf_counter() - begin

            embedder.encode = timed_encode  # type: ignore[method-assign]
            begin, begin_cpu = time.perf_counter(), time.process_time()
            comparison = compare(analyses, embedder=embedder)
            cold.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
            encoding.append(spent[0])
        warm_embedder = SentenceEmbedder(model)
        compare(analyses, embedder=warm_embedder)
        begin = time.perf_counter()
        compare(analyses, embedder=warm_embedder)
        warm = time.perf_counter() - begin
        pair = comparison.pairs[0]
        print(f"{label}: {words[0]} + {words[1]} words; {len(pair.passages)} passages aligned, "
              f"{len(pair.quotes)} quotes in both")
        print(f"  compare, empty cache: median {statistics.median(cold):.3f} s wall (min {min(cold):.3f}, "
              f"max {max(cold):.3f}) over {args.runs} runs, of which embedding {statistics.median(encoding):.3f} s; "
              f"CPU time median {statistics.median(cpu):.3f} s ({torch.get_num_threads()} torch threads)")
        print(f"  compare, sentences cached: {warm:.3f} s wall")
        print(f"  load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""Speed of the ``naming`` analyser against the parse it runs on: ``python benchmarks/bench_naming.py [FILES...]``.

Parses each article once with the shared pipeline (``presslens.parse.load_nlp``), then times the two things the
knowledge base adds: its entity ruler inside the parse (run alone on tokenized docs, since the difference of two
whole parses is lost in the noise) and the naming analyser on the parsed docs. Also times building the matcher
(pipeline start). Default input: the bundled sample plus ../shared's PolNeAR dev texts when present.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from presslens.analysers.naming import NamingAnalyser, NamingConfig
from presslens.analysers.registry import AnalysisContext
from presslens.ingest import ingest_text
from presslens.parse import load_nlp

REPO = Path(__file__).resolve().parent.parent


def inputs(argv: list[str]) -> list[Path]:
    if argv:
        return [Path(arg) for arg in argv]
    found = [REPO / "examples" / "rt-bakhmut" / "article.txt"]
    polnear = REPO.parent / "shared" / "eval" / "quotes" / "polnear" / "dev" / "text"
    return found + sorted(polnear.glob("*.txt"))


def main(argv: list[str]) -> None:
    paths = inputs(argv)
    articles = [ingest_text(path.read_text(encoding="utf-8"), source=path.name, clean=False) for path in paths]
    words = sum(len(article.text.split()) for article in articles)
    nlp = load_nlp()
    nlp(articles[0].text)  # warm up

    started = time.perf_counter()
    analyser = NamingAnalyser(NamingConfig())
    analyser.matcher(nlp.vocab)
    build = time.perf_counter() - started

    started = time.perf_counter()
    docs = [nlp(article.text) for article in articles]
    parse = time.perf_counter() - started

    ruler = nlp.get_pipe("presslens_names")
    tokenized = [nlp.make_doc(article.text) for article in articles]
    started = time.perf_counter()
    for doc in tokenized:
        ruler(doc)
    ruler_time = time.perf_counter() - started

    contexts = [AnalysisContext(article=article, doc=doc, sections={}, allowed=frozenset())
                for article, doc in zip(articles, docs, strict=True)]
    started = time.perf_counter()
    analyser(contexts[0])  # the first call in a process pays one-off costs (regex compilation, first use)
    first_call = time.perf_counter() - started

    rounds = max(1, 50 // len(contexts))  # a few articles: average several rounds, the timer is coarse
    started = time.perf_counter()
    for _ in range(rounds):
        findings = sum(len(analyser(context).records) for context in contexts)
    naming = (time.perf_counter() - started) / rounds

    print(f"articles: {len(articles)}, words: {words}, naming findings: {findings}")
    print(f"matcher build (pipeline start): {build * 1000:.0f} ms; first analysis in a process: "
          f"{first_call * 1000:.0f} ms")
    print(f"parse: {parse:.2f} s ({words / parse:.0f} words/s)")
    print(f"knowledge-base entity ruler inside it: {ruler_time * 1000:.0f} ms = {ruler_time / parse:.1%} of the parse")
    print(f"naming analyser: {naming * 1000:.0f} ms = {naming / parse:.1%} on top of the parse")


if __name__ == "__main__":
    main(sys.argv[1:])

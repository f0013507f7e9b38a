"""Small real test articles: pairs of paragraphs of the bundled RT sample (see the ``paragraphs`` fixture)."""

from __future__ import annotations

from pathlib import Path


def article_texts(paragraphs: list[str], count: int) -> list[str]:
    """``count`` distinct short articles: pairs of real paragraphs."""
    size = len(paragraphs)
    assert count <= size * (size - 1), "not enough distinct paragraph pairs"
    return [f"{paragraphs[i % size]}\n\n{paragraphs[(i + 1 + i // size) % size]}" for i in range(count)]


def write_articles(folder: Path, paragraphs: list[str], count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, text in enumerate(article_texts(paragraphs, count)):
        path = folder / f"article-{index:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths

"""``presslens train NAME --data PATH``: rebuild a model that ships in the package from its training data.

Each trainable analyser adds its command to the :func:`train` group (``train quotes``, ``train techniques``);
the command writes the model where the analyser loads it (or to ``--out``) and prints what it trained on.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from presslens.interfaces.cli.app import EXIT_ALL_FAILED, cli


@cli.group("train")
def train() -> None:
    """Retrain a model shipped in the package (tests and CI only load models, never train them)."""


@train.command("quotes")
@click.option(
    "--data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="PolNeAR train/ folder (text/ + attributions/)",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="model folder to write [default: the package's own model folder]")
@click.option("--c1", type=float, default=None, help="L1 regularisation [default: the shipped model's]")
@click.option("--c2", type=float, default=None, help="L2 regularisation [default: the shipped model's]")
@click.option("--iterations", type=int, default=None, help="L-BFGS iterations [default: the shipped model's]")
def train_quotes(data: Path, out: Path | None, c1: float | None, c2: float | None, iterations: int | None) -> None:
    """Train the quotes attribution tagger (CRF) on PolNeAR: a few minutes on one CPU core."""
    from presslens.analysers.quotes.polnear import PolnearFormatError
    from presslens.analysers.quotes.tagger import TrainingSettings, default_model_dir, train_polnear

    console = Console(stderr=True)
    defaults = TrainingSettings()
    settings = replace(
        defaults,
        c1=defaults.c1 if c1 is None else c1,
        c2=defaults.c2 if c2 is None else c2,
        max_iterations=defaults.max_iterations if iterations is None else iterations,
    )
    target = out or default_model_dir()
    try:
        summary = train_polnear(data, target, settings, progress=lambda message: console.print(message))
    except PolnearFormatError as exc:
        console.print(f"[red]train quotes: {exc}[/red]")
        sys.exit(EXIT_ALL_FAILED)
    console.print(
        f"trained on {summary['documents']} articles ({summary['tokens']} tokens), "
        f"cue lexicon of {summary['lexicon']} lemmas; model written to {target}"
    )

"""``presslens train NAME --data PATH``: rebuild a model that ships in the package from its training data.

Each trainable analyser adds its command to the :func:`train` group (``train quotes``, ``train techniques``);
the command writes the model where the analyser loads it (or to ``--out``) and prints what it trained on.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

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
        summary = train_polnear(data, target, settings, progress=console.print)
    except PolnearFormatError as exc:
        console.print(f"[red]train quotes: {exc}[/red]")
        sys.exit(EXIT_ALL_FAILED)
    console.print(
        f"trained on {summary['documents']} articles ({summary['tokens']} tokens), "
        f"cue lexicon of {summary['lexicon']} lemmas; model written to {target}"
    )


@train.command("techniques")
@click.option(
    "--data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="PTC folder (articles/ + labels-tc/); trains on the articles outside the dev split",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="model folder to write [default: the package's own model folder]")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="passes over the training articles")
@click.option("--learning-rate", type=float, default=None, help="encoder learning rate (AdamW)")
@click.option("--window", type=click.IntRange(min=16, max=512), default=None,
              help="wordpieces per window, [CLS]/[SEP] included")
@click.option("--layers", type=click.IntRange(min=1, max=6), default=None,
              help="encoder layers kept (of MiniLM's 6): fewer run faster")
@click.option("--seed", type=int, default=None, help="random seed (initialisation and batch order)")
@click.option("--span-weight", type=click.FloatRange(min=0), default=None,
              help="SI loss weight of a gold span's wordpieces: (mean length / its length) ** this [default 0.5]")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="torch CPU threads")
@click.option("--device", default=None, help="torch device: cpu, cuda…")
@click.option("--window-at-run-time", "run_window", type=click.IntRange(min=16, max=512), default=256,
              show_default=True, help="wordpieces per window when the analyser runs (the refit and tuning use it)")
@click.option("--finish-only", is_flag=True,
              help="only the steps after fine-tuning (linear TC head refit, SI decoding) on the model in --out")
def train_techniques(
    data: Path, out: Path | None, epochs: int | None, learning_rate: float | None, window: int | None,
    layers: int | None, seed: int | None, span_weight: float | None, threads: int | None, device: str | None,
    run_window: int,
    finish_only: bool,
) -> None:
    """Fine-tune the techniques model (MiniLM, SI tagger + TC classifier) on PTC; saves after every epoch.

    Then a linear TC head is fitted on the int8 encoder's vectors of the training spans and averaged with the MLP
    head, and the SI decoding (thresholds, gap, edge trim) is chosen on the dev split in the precision the
    analyser runs on this CPU (bf16 where it multiplies bf16 natively, else int8).
    """
    import torch

    from presslens.analysers.techniques.encoder import TechniquesModel, default_model_dir, save_model
    from presslens.analysers.techniques.ptc import PTCFormatError, read_ptc
    from presslens.analysers.techniques.training import (
        TrainingSettings,
        refit_classifier,
        train_model,
        tune_decoding,
    )

    console = Console(stderr=True)
    given: dict[str, Any] = {"epochs": epochs, "learning_rate": learning_rate, "window": window, "layers": layers,
                             "seed": seed, "span_weight": span_weight, "threads": threads, "device": device}
    settings = replace(TrainingSettings(), **{name: value for name, value in given.items() if value is not None})
    target = out or default_model_dir()
    try:
        train_articles, dev_articles = list(read_ptc(data, "train")), list(read_ptc(data, "dev"))
    except PTCFormatError as exc:
        console.print(f"[red]train techniques: {exc}[/red]")
        sys.exit(EXIT_ALL_FAILED)

    def finish() -> None:
        torch.set_num_threads(settings.threads)
        refit_classifier(target, train_articles, run_window, progress=console.print)
        tune_decoding(target, dev_articles, run_window, progress=console.print)

    if finish_only:
        finish()
        return
    console.print(f"settings: {settings}")

    def save(model: TechniquesModel, summary: dict[str, Any]) -> None:
        save_model(model, target, summary)
        console.print(f"saved to {target}")

    _, summary = train_model(
        train_articles, dev_articles, settings, progress=console.print, after_epoch=save
    )
    finish()
    console.print(f"trained in {summary['training_seconds']} s; model written to {target}")

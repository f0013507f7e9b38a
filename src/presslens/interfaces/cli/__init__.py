"""The ``presslens`` command line (see :mod:`presslens.interfaces.cli.app`)."""

from __future__ import annotations

import importlib
import pkgutil

from presslens.interfaces.cli.app import cli


def _load_commands() -> None:
    for module in pkgutil.iter_modules(__path__, __name__ + "."):
        if module.name.rsplit(".", 1)[-1] not in {"app", "__main__"}:
            importlib.import_module(module.name)


def main() -> None:
    _load_commands()
    cli()


__all__ = ["cli", "main"]

"""The ``presslens`` command group. Each command lives in its own module of this package and attaches itself
to :data:`cli` with ``@cli.command()``; :func:`presslens.interfaces.cli.main` imports them all.

Exit codes (documented in the README):

- 0: every input was analysed (or the command succeeded)
- 1: some inputs failed; the others were analysed and the failures listed at the end
- 2: usage error (unknown option, analyser or task)
- 3: nothing could be analysed (every input failed, or the data path is unusable)
"""

from __future__ import annotations

import click

from presslens import __version__

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_ALL_FAILED = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="presslens")
def cli() -> None:
    """presslens: read news articles like a media analyst, and show the evidence."""

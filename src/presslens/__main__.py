"""``python -m presslens``."""

from presslens.interfaces.cli import main

main()

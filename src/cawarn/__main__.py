"""``python -m cawarn``: the same as the ``cawarn`` command."""

from cawarn.cli.main import run

run()

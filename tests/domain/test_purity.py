"""The domain layer imports only the standard library: the core knows no framework."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "pandas", "fastapi", "numpy", "shapely", "typer", "pydantic", "httpx")


def test_domain_imports_no_framework() -> None:
    code = f"import sys, cawarn.domain; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_ingest_and_geo_do_not_import_the_cli_or_web() -> None:
    # (rich and click may come in through httpx, which loads its own command line when it can.)
    code = (
        "import sys, cawarn.ingest.pipeline, cawarn.geo.assign, cawarn.sources.ucdp_ged; "
        "print(','.join(m for m in ('typer', 'cawarn.cli', 'fastapi') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

"""Running the real ``cawarn`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cawarn(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``cawarn --home HOME ARGS...`` and return what it printed and its exit code."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CAWARN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cawarn", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        check=False,
    )


def one_sentence_error(result: subprocess.CompletedProcess[str]) -> str:
    """Assert the command failed with one clear error line and no traceback; return it."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]

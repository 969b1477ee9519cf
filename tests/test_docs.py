"""The docs cover every command and every setting (a new one without docs fails here)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from cawarn.cli.main import app
from cawarn.config import FileConfig, Settings

REPO = Path(__file__).resolve().parent.parent
DOCS = "\n".join(
    path.read_text(encoding="utf-8")
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
)


def _commands(group: object, prefix: str) -> list[str]:
    found = []
    # Typer ships its own copy of click, so look for sub-commands rather than a click class.
    for name, command in getattr(group, "commands", {}).items():
        path = f"{prefix} {name}"
        found.append(path)
        found.extend(_commands(command, path))
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(typer.main.get_command(app), "cawarn")
    assert "cawarn ingest ucdp-ged" in commands  # the walk itself works
    missing = [command for command in commands if f"`{command}" not in DOCS]
    assert missing == []


def test_every_setting_is_documented() -> None:
    keys = set(Settings.model_fields) | set(FileConfig.model_fields)
    missing = sorted(key for key in keys if f"`{key}`" not in DOCS)
    assert missing == []
    env_only = {"ucdp_token"}
    assert all(f"CAWARN_{key.upper()}" in DOCS for key in env_only)

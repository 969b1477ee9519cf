"""Panels on disk and in the store: a Parquet file per panel, a ``panels`` row per build.

The file is ``HOME/panels/<level>[-<name>].parquet``, written to a temporary file beside it and
renamed over the old one, so a reader never sees half a file. Each build or import adds a row to
the ``panels`` table with what it was built from and the file's sha256; a rebuild replaces the
file and adds a row, so the history of builds stays listed. :func:`load_panel` reads the newest
row's file and refuses one whose checksum no longer matches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, desc, insert, select

from cawarn.config import Settings
from cawarn.domain import InputError, NotFoundError, StoreError
from cawarn.panel.model import Panel
from cawarn.panel.units import check_level
from cawarn.store.tables import panels

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def check_name(name: str | None) -> str | None:
    """A panel name safe in a file name, or None."""
    if name is not None and not _NAME.match(name):
        raise InputError(
            f"{name!r} is not a usable panel name; use letters, digits, '.', '_' and '-' "
            "(at most 100, starting with a letter or digit)."
        )
    return name


def panel_path(settings: Settings, level: str, name: str | None) -> Path:
    """Where the panel of this level and name is kept."""
    stem = level if name is None else f"{level}-{name}"
    return settings.home / "panels" / f"{stem}.parquet"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_parquet(frame: pd.DataFrame, path: Path) -> str:
    """Write the frame atomically (temporary file, then rename); return the file's sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        frame.to_parquet(tmp, engine="pyarrow", index=True)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)  # mkstemp makes it private; panels are not secret
        digest = _sha256(Path(tmp))
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def save_panel(
    conn: Connection,
    settings: Settings,
    panel: Panel,
    *,
    batch_id: int | None = None,
    input_sha256: str | None = None,
) -> Panel:
    """Write the panel's file and record it; returns the panel with its id, path and checksum."""
    path = panel_path(settings, panel.level, check_name(panel.name))
    digest = write_parquet(panel.frame, path)
    report = {k: v for k, v in panel.report.items() if k not in ("events_digest",)}
    new_id = conn.execute(
        insert(panels).returning(panels.c.id),
        {
            "label": panel.name,
            "level": panel.level,
            "built_at": dt.datetime.now(dt.UTC),
            "first_month_id": panel.first_month_id,
            "last_month_id": panel.last_month_id,
            "units": len(panel.units),
            "rows": len(panel.frame),
            "columns": [*panel.frame.index.names, *panel.frame.columns],
            "sources": list(panel.sources),
            "synthetic": panel.synthetic,
            "path": str(path),
            "sha256": digest,
            "events_used": int(panel.report.get("events_selected", 0)),
            "events_max_batch_id": panel.report.get("events_max_batch_id"),
            "events_digest": panel.report.get("events_digest"),
            "batch_id": batch_id,
            "input_sha256": input_sha256,
            "feature_version": panel.feature_version,
            "report": report,
        },
    ).scalar_one()
    return dataclasses.replace(panel, id=int(new_id), path=path, sha256=digest)


def list_panels(conn: Connection, *, level: str | None = None) -> list[dict[str, Any]]:
    """Every recorded build, newest first."""
    query = select(panels).order_by(desc(panels.c.id))
    if level is not None:
        query = query.where(panels.c.level == check_level(level))
    return [dict(row) for row in conn.execute(query).mappings()]


def latest_record(conn: Connection, level: str, name: str | None) -> dict[str, Any] | None:
    """The newest build of this level and name, if any."""
    label = panels.c.label.is_(None) if name is None else panels.c.label == name
    query = (
        select(panels).where(panels.c.level == level, label).order_by(desc(panels.c.id)).limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def load_panel(engine: Engine, settings: Settings, level: str, name: str | None = None) -> Panel:
    """The newest panel of a level (and name) as built or imported."""
    check_level(level)
    with engine.connect() as conn:
        record = latest_record(conn, level, check_name(name))
    key = level if name is None else f"{level}-{name}"
    if record is None:
        hint = f"cawarn panel build --level {level}" if name is None else "cawarn panel list"
        raise NotFoundError(f"There is no panel {key}; build or import it first (see '{hint}').")
    path = Path(record["path"])
    if not path.is_file():
        raise StoreError(f"The file of panel {key} is missing ({path}); build or import it again.")
    if _sha256(path) != record["sha256"]:
        raise StoreError(
            f"The file of panel {key} ({path}) is not the one recorded (its checksum differs); "
            "build or import it again."
        )
    frame = pd.read_parquet(path, engine="pyarrow")
    report = dict(record["report"])
    return Panel(
        frame=frame,
        level=level,
        name=record["label"],
        sources=tuple(record["sources"]),
        synthetic=bool(record["synthetic"]),
        first_month_id=int(record["first_month_id"]),
        last_month_id=int(record["last_month_id"]),
        targets=tuple(report.get("targets", ())),
        feature_version=str(record["feature_version"]),
        report=report,
        id=int(record["id"]),
        path=path,
        sha256=str(record["sha256"]),
    )

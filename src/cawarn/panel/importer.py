"""Importing an external unit-month series (CSV: unit, month or month_id, value) as a panel.

Each import is a batch (source ``panel-import``) in the batches table. A row that cannot be used
is never dropped: an unknown unit, a bad month, a value that is not a non-negative number, or a
unit-month given twice with different values (every occurrence) goes to the quarantine with the
reason; a unit-month repeated with the same value is kept once and counted. Unit-months the file
does not give are 0 and counted. The imported target is ``fatalities``, with the temporal features
of a built panel; spatial and static features are not computed for imported series.

Importing the very same file again under the same name, while its panel is still the newest one
of that name, records an ``unchanged`` batch and adds no panel row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, insert, select, update

from cawarn.config import Settings
from cawarn.domain import InputError
from cawarn.geo.countries import GED_NAME_TO_ISO3, iso3_from_ged_name
from cawarn.geo.priogrid import MAX_GID
from cawarn.ingest.records import raw_hash
from cawarn.panel import features as feat
from cawarn.panel.model import Panel, assemble
from cawarn.panel.months import month_id
from cawarn.panel.storage import check_name, latest_record, panel_path, save_panel
from cawarn.panel.units import check_level
from cawarn.store import events as store_events
from cawarn.store.tables import admin_units, batches, quarantine

SOURCE = "panel-import"
UNIT_COLUMNS = ("unit", "country", "admin1", "priogrid_gid", "gid")
VALUE_COLUMNS = ("value", "fatalities", "fatalities_best", "best")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_KNOWN_ISO3 = frozenset(GED_NAME_TO_ISO3.values())


@dataclass
class ImportReport:
    """What an import did with every row."""

    batch_id: int
    location: str
    sha256: str
    rows_read: int = 0
    rows_quarantined: int = 0
    duplicate_rows: int = 0
    filled_zero: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    same_as_batch_id: int | None = None
    panel: Panel | None = None


def _read_csv(path: Path) -> tuple[str, list[str], list[dict[str, str]]]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"Cannot read {path}: {err.strerror or err}.") from None
    if b"\x00" in data[:4096]:
        raise InputError(f"{path} is not a CSV text file; give a CSV with a header row.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if len(header) < 2:
        raise InputError(
            f"{path} has no CSV header with columns for unit, month and value; "
            "the first line must name them, e.g. country,month_id,fatalities_best."
        )
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    return hashlib.sha256(data).hexdigest(), header, rows


def _pick(header: list[str], given: str | None, candidates: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in header:
            raise InputError(
                f"The file has no column {given!r} for the {what}; its columns are "
                f"{', '.join(header)}."
            )
        return given
    for name in candidates:
        if name in header:
            return name
    raise InputError(
        f"The file has no {what} column (looked for {', '.join(candidates)}; it has "
        f"{', '.join(header)}); name it with --{what}-column."
    )


class _UnitMapper:
    def __init__(self, conn: Connection, level: str) -> None:
        self.level = level
        self.admin1: set[str] = set()
        if level == "admin1":
            self.admin1 = set(conn.execute(select(admin_units.c.code)).scalars())

    def __call__(self, text: str) -> str | int | None:
        if self.level == "country":
            if _ISO3.match(text) and text in _KNOWN_ISO3:
                return text
            return iso3_from_ged_name(text) if text else None
        if self.level == "admin1":
            return text.upper() if text.upper() in self.admin1 else None
        return int(text) if text.isdigit() and 1 <= int(text) <= MAX_GID else None


def _month(row: dict[str, str]) -> int | str:
    """The row's month_id, or the reason it has none."""
    if "month_id" in row:
        text = row["month_id"]
        return (
            int(text)
            if text.isdigit() and int(text) >= 1
            else f"month_id {text!r} is not a month number"
        )
    year, month = row.get("year", ""), row.get("month", "")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return month_id(int(year), int(month))
    return f"year {year!r} and month {month!r} are not a month"


def _value(text: str) -> float | str:
    try:
        value = float(text)
    except ValueError:
        return f"value {text!r} is not a number"
    if not np.isfinite(value) or value < 0:
        return f"value {text!r} is not a non-negative number"
    return value


def import_series(
    engine: Engine,
    settings: Settings,
    path: Path,
    level: str,
    *,
    name: str | None = None,
    unit_column: str | None = None,
    value_column: str | None = None,
) -> ImportReport:
    """Import a unit-month series as a panel; bad rows go to the quarantine with a reason."""
    check_level(level)
    name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "import"
    check_name(name)
    sha, header, rows = _read_csv(path)
    unit_col = _pick(header, unit_column, UNIT_COLUMNS, "unit")
    value_col = _pick(header, value_column, VALUE_COLUMNS, "value")
    if "month_id" not in header and not {"year", "month"} <= set(header):
        raise InputError(
            f"The file has neither a month_id column nor year and month columns; it has "
            f"{', '.join(header)}."
        )
    fingerprint = hashlib.blake2b(
        f"{level}|{name}|{unit_col}|{value_col}|{feat.FEATURE_VERSION}".encode(), digest_size=16
    ).hexdigest()
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        batch_id = conn.execute(
            insert(batches).returning(batches.c.id),
            {
                "uid": str(uuid.uuid4()),
                "source": SOURCE,
                "location": str(path),
                "sha256": sha,
                "fingerprint": fingerprint,
                "status": "running",
                "started_at": now,
            },
        ).scalar_one()
        report = ImportReport(batch_id=batch_id, location=str(path), sha256=sha)
        earlier = store_events.same_file_batch(conn, SOURCE, sha, fingerprint)
        record = latest_record(conn, level, name)
        if (
            earlier is not None
            and record is not None
            and record["input_sha256"] == sha
            and panel_path(settings, level, name).is_file()
        ):
            report.same_as_batch_id = int(earlier["id"])
            report.rows_read = int(earlier["rows_read"])
            report.rows_quarantined = int(earlier["rows_quarantined"])
            _finish(conn, report, "unchanged", f"the same file as batch {earlier['id']}")
            return report
        run = _Run(conn, report, fingerprint, now)
        values = run.read(rows, _UnitMapper(conn, level), unit_col, value_col)
        panel = _panel(values, report, level, name, path)
        report.panel = save_panel(conn, settings, panel, batch_id=batch_id, input_sha256=sha)
        _finish(conn, report, "committed", None)
    return report


class _Run:
    def __init__(self, conn: Connection, report: ImportReport, salt: str, now: dt.datetime):
        self.conn, self.report, self.salt, self.now = conn, report, salt, now
        self.before = store_events.quarantine_keys(conn, SOURCE)
        self.values: dict[tuple[Any, int], float] = {}

    def read(
        self, rows: list[dict[str, str]], unit_of: _UnitMapper, unit_col: str, value_col: str
    ) -> dict[tuple[Any, int], float]:
        """Check every row; return the usable value of each unit-month."""
        seen: dict[tuple[Any, int], list[tuple[int, dict[str, str], float]]] = {}
        for number, row in enumerate(rows, start=1):
            self.report.rows_read += 1
            unit = unit_of(row.get(unit_col, ""))
            mid = _month(row)
            value = _value(row.get(value_col, ""))
            if unit is None:
                self._quarantine(
                    number,
                    row,
                    f"unit {row.get(unit_col, '')!r} is not a {unit_of.level} unit cawarn knows",
                )
            elif isinstance(mid, str):
                self._quarantine(number, row, mid)
            elif isinstance(value, str):
                self._quarantine(number, row, value)
            else:
                seen.setdefault((unit, mid), []).append((number, row, value))
        for key, occurrences in seen.items():
            values = {v for _, _, v in occurrences}
            if len(values) == 1:
                self.values[key] = occurrences[0][2]
                self.report.duplicate_rows += len(occurrences) - 1
                continue
            numbers = ", ".join(str(n) for n, _, _ in occurrences)
            for number, row, _ in occurrences:
                self._quarantine(
                    number,
                    row,
                    f"unit {key[0]} month_id {key[1]} appears {len(occurrences)} times with "
                    f"different values (rows {numbers}); none of them was used",
                )
        if not self.values:
            raise InputError(
                f"No row of {self.report.location} could be used; see the reasons with "
                f"'cawarn quarantine --batch {self.report.batch_id}'."
            )
        return self.values

    def _quarantine(self, number: int, row: dict[str, str], reason: str) -> None:
        self.report.rows_quarantined += 1
        family = reason.split(" ", 1)[0]
        self.report.reasons[family] = self.report.reasons.get(family, 0) + 1
        hashed = raw_hash(list(row.values()), self.salt)
        key = (hashed, number, reason)
        if key in self.before:
            store_events.quarantine_seen_again(self.conn, SOURCE, key, self.report.batch_id)
            return
        self.conn.execute(
            insert(quarantine),
            {
                "batch_id": self.report.batch_id,
                "last_batch_id": self.report.batch_id,
                "source": SOURCE,
                "row_number": number,
                "reason": reason,
                "raw": row,
                "raw_hash": hashed,
                "created_at": self.now,
            },
        )


def _panel(
    values: dict[tuple[Any, int], float], report: ImportReport, level: str, name: str, path: Path
) -> Panel:
    """The dense panel of the usable values: every unit × every month of the file's range."""
    codes = sorted({unit for unit, _ in values})
    position = {code: k for k, code in enumerate(codes)}
    first = min(m for _, m in values)
    last = max(m for _, m in values)
    y = np.zeros((last - first + 1, len(codes)), dtype=np.float64)
    for (unit, mid), value in values.items():
        y[mid - first, position[unit]] = value
    report.filled_zero = y.size - len(values)
    target: npt.NDArray[Any] = y.astype(np.int64) if np.all(y == np.floor(y)) else y
    matrices: dict[str, npt.NDArray[Any]] = {"fatalities": target}
    matrices.update(feat.temporal_features(target))
    frame = assemble(
        np.arange(first, last + 1, dtype=np.int64),
        codes,
        list(codes) if level == "country" else None,
        matrices,
    )
    return Panel(
        frame=frame,
        level=level,
        name=name,
        sources=(f"{SOURCE}:{path.name}",),
        synthetic=False,
        first_month_id=first,
        last_month_id=last,
        targets=("fatalities",),
        feature_version=feat.FEATURE_VERSION,
        report={
            "targets": ["fatalities"],
            "rows_read": report.rows_read,
            "rows_quarantined": report.rows_quarantined,
            "duplicate_rows": report.duplicate_rows,
            "unit_months_filled_with_zero": report.filled_zero,
            "units": len(codes),
            "months": last - first + 1,
            "spatial_features": False,
        },
    )


def _finish(conn: Connection, report: ImportReport, status: str, message: str | None) -> None:
    conn.execute(
        update(batches)
        .where(batches.c.id == report.batch_id)
        .values(
            status=status,
            message=message,
            finished_at=dt.datetime.now(dt.UTC),
            rows_read=report.rows_read,
            rows_quarantined=report.rows_quarantined,
            duplicate_rows=report.duplicate_rows,
            same_as_batch_id=report.same_as_batch_id,
        )
    )

"""The shareable-objects store: versions, date_added, audience, expiry, revocation, markings."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cawarn.domain.events import Marking
from cawarn.network import objects
from cawarn.store.schema_taxii import taxii_objects
from tests.network.stixdata import KAZ, KGZ, UN, incident

NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)


def _visible_ids(conn: sa.Connection, org: str, now: dt.datetime = NOW) -> list[str]:
    query = objects.visible(org, now=now).order_by(taxii_objects.c.added_us)
    return [row.stix_id for row in conn.execute(query)]


def test_put_is_idempotent_per_version(engine: sa.Engine) -> None:
    first = incident("a", KAZ, Marking.AMBER)
    second = incident("a", KAZ, Marking.AMBER, modified="2026-11-02T10:00:00Z")
    with engine.begin() as conn:
        assert objects.put(conn, first, audience=[KGZ], marking=Marking.AMBER, origin="local")
        assert not objects.put(conn, first, audience=[KGZ], marking=Marking.AMBER, origin="local")
        assert objects.put(conn, second, audience=[KGZ], marking=Marking.AMBER, origin="local")
        rows = list(conn.execute(select(taxii_objects).order_by(taxii_objects.c.added_us)))
    assert [(r.modified, r.is_latest) for r in rows] == [
        ("2026-11-01T10:00:00.000000Z", False),
        ("2026-11-02T10:00:00.000000Z", True),
    ]
    # date_added is strictly increasing and unique, even within one microsecond.
    assert rows[0].added_us < rows[1].added_us


def test_an_older_version_arriving_late_is_not_the_latest(engine: sa.Engine) -> None:
    newer = incident("a", KAZ, Marking.GREEN, modified="2026-11-05T00:00:00Z")
    with engine.begin() as conn:
        objects.put(conn, newer, audience=[KGZ], marking=Marking.GREEN, origin="local")
        objects.put(
            conn,
            incident("a", KAZ, Marking.GREEN),
            audience=[KGZ],
            marking=Marking.GREEN,
            origin="local",
        )
        latest = (
            conn.execute(select(taxii_objects.c.modified).where(taxii_objects.c.is_latest))
            .scalars()
            .all()
        )
    assert latest == ["2026-11-05T00:00:00.000000Z"]


def test_reads_follow_audience_expiry_revocation_and_red(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        objects.put(
            conn,
            incident("to-kgz", KAZ, Marking.AMBER),
            audience=[KGZ],
            marking=Marking.AMBER,
            origin="local",
        )
        objects.put(
            conn,
            incident("to-both", KAZ, Marking.GREEN),
            audience=[KGZ, UN],
            marking=Marking.GREEN,
            origin="local",
        )
        objects.put(
            conn,
            incident("red", KAZ, Marking.RED),
            audience=[KGZ, UN],
            marking=Marking.RED,
            origin="local",
        )
        objects.put(
            conn,
            incident("expiring", KAZ, Marking.GREEN),
            audience=[UN],
            marking=Marking.GREEN,
            origin="local",
            expires_at=NOW + dt.timedelta(hours=1),
        )
        objects.put(
            conn,
            incident("revoked", KAZ, Marking.GREEN),
            audience=[UN],
            marking=Marking.GREEN,
            origin="local",
        )
        assert objects.revoke(conn, incident("revoked", KAZ, Marking.GREEN)["id"]) == 1
    with engine.connect() as conn:
        kgz = _visible_ids(conn, KGZ)
        un = _visible_ids(conn, UN)
        un_later = _visible_ids(conn, UN, NOW + dt.timedelta(hours=2))
    name = lambda n: incident(n, KAZ, Marking.GREEN)["id"]  # noqa: E731
    assert kgz == [name("to-kgz"), name("to-both")]
    assert un == [name("to-both"), name("expiring")]
    assert un_later == [name("to-both")]
    with engine.connect() as conn:
        assert _visible_ids(conn, KAZ) == []  # the audience decides, not the owner


def test_a_marking_is_never_lowered(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        objects.put(
            conn,
            incident("a", KAZ, Marking.AMBER),
            audience=[KGZ],
            marking=Marking.AMBER,
            origin="local",
        )
    lower = incident("a", KAZ, Marking.GREEN, modified="2026-11-03T00:00:00Z")
    with engine.begin() as conn, pytest.raises(objects.MarkingError, match="TLP:AMBER"):
        objects.put(conn, lower, audience=[KGZ], marking=Marking.GREEN, origin="local")
    higher = incident("a", KAZ, Marking.RED, modified="2026-11-04T00:00:00Z")
    with engine.begin() as conn:
        assert objects.put(conn, higher, audience=[KGZ], marking=Marking.RED, origin="local")
        assert objects.held_marking(conn, higher["id"]) is Marking.RED


def test_timestamps_round_trip() -> None:
    us = objects.parse_timestamp("2026-11-27T03:00:00.123456Z")
    assert objects.format_timestamp(us) == "2026-11-27T03:00:00.123456Z"
    assert objects.normal_version("2026-11-27T03:00:00Z") == "2026-11-27T03:00:00.000000Z"
    with pytest.raises(objects.InputError):
        objects.parse_timestamp("yesterday")


def test_put_many_stores_as_put_does(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        objects.put(
            conn,
            incident("held", KAZ, Marking.AMBER),
            audience=[KGZ],
            marking=Marking.AMBER,
            origin="local",
        )
    items = [
        objects.Shareable(incident(f"n{i}", KAZ, Marking.GREEN), [KGZ, UN], Marking.GREEN, "local")
        for i in range(5)
    ]
    again = objects.Shareable(incident("held", KAZ, Marking.AMBER), [KGZ], Marking.AMBER, "local")
    newer = objects.Shareable(
        incident("held", KAZ, Marking.AMBER, modified="2026-11-08T00:00:00.000Z"),
        [UN],
        Marking.AMBER,
        "local",
    )
    with engine.begin() as conn:
        assert objects.put_many(conn, [*items[:2], again, newer, *items[2:]], batch=3) == 6
        assert objects.put_many(conn, items) == 0
        rows = list(conn.execute(select(taxii_objects).order_by(taxii_objects.c.added_us)))
    added = [r.added_us for r in rows]
    assert added == sorted(set(added)) and len(rows) == 7
    with engine.connect() as conn:
        assert len(_visible_ids(conn, UN)) == 6  # five new ones and the newer version
        assert sum(r.is_latest for r in rows) == 6

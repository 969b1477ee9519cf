"""``cawarn sync``: poll each peer's collections, and push what was released to the peer.

Pull: each readable collection is read with ``added_after`` = the stored cursor, then page by
page with ``next``. A page's objects and the cursor move in one transaction, so a kill -9 at any
point loses nothing (the cursor never passes an uncommitted object) and duplicates nothing
(:func:`cawarn.network.objects.put` is idempotent). The cursor is kept one microsecond before
the page's last date_added, so objects a server gave the same date_added are read again rather
than skipped. Every received object passes the same checks as a POST to this node's server; a
refused one goes to quarantine with its reason.

Push: this node's own objects (origin ``local``) released to the peer's organisation are POSTed
in batches; the push cursor moves past a batch only once the peer's status resource says it
processed every object of it.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, select

from cawarn.config import Settings
from cawarn.domain import CawarnError, ConfigError
from cawarn.network import objects
from cawarn.network.peers import Peer, list_peers
from cawarn.network.stix.ids import identity_id
from cawarn.network.taxii.reads import TAXII_MEDIA
from cawarn.network.taxii.signature import Verifier, public_key_bytes, verify_signature
from cawarn.network.taxii.validate import validate_stix
from cawarn.network.taxii.writes import Validator, quarantine, take
from cawarn.store.schema_taxii import sync_cursors, taxii_objects

PAGE_SIZE = 500
PUSH_BATCH = 200
STATUS_WAIT_SECONDS = 60.0


class SyncError(CawarnError):
    """A peer could not be reached or answered with an error."""

    exit_code = 6
    http_status = 502


@dataclass
class SyncReport:
    """What one sync with one peer did."""

    peer: str
    pulled_new: int = 0
    pulled_known: int = 0
    quarantined: int = 0
    pushed: int = 0
    push_refused: int = 0
    events_new: int = 0  # received incidents imported as events
    events_quarantined: int = 0
    events_withdrawn: int = 0  # received events revoked by their origin or expired
    errors: list[str] = field(default_factory=list)


def _cursor(conn: Connection, peer: Peer, collection: str, direction: str) -> str | None:
    return conn.execute(
        select(sync_cursors.c.position).where(
            sync_cursors.c.peer_id == peer.id,
            sync_cursors.c.collection == collection,
            sync_cursors.c.direction == direction,
        )
    ).scalar()


def _set_cursor(
    conn: Connection, peer: Peer, collection: str, direction: str, position: str
) -> None:
    key = (
        (sync_cursors.c.peer_id == peer.id)
        & (sync_cursors.c.collection == collection)
        & (sync_cursors.c.direction == direction)
    )
    now = dt.datetime.now(dt.UTC)
    if not conn.execute(
        sync_cursors.update().where(key).values(position=position, updated_at=now)
    ).rowcount:
        conn.execute(
            sync_cursors.insert().values(
                peer_id=peer.id,
                collection=collection,
                direction=direction,
                position=position,
                updated_at=now,
            )
        )


def _tls_context(ca_file: Path | None) -> ssl.SSLContext | bool:
    """Verify peers against the system's CAs, or only against the given CA file."""
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as err:
        raise ConfigError(
            f"Cannot read the peers' CA certificates from {ca_file} (peer_ca_file): "
            f"{getattr(err, 'strerror', None) or err}; give a PEM file of CA certificates."
        ) from None


class PeerClient:
    """TAXII requests to one peer, with its credentials and the TAXII media types."""

    def __init__(
        self, peer: Peer, client: httpx.Client | None = None, *, ca_file: Path | None = None
    ) -> None:
        self.peer = peer
        self.http = client or httpx.Client(timeout=60.0, verify=_tls_context(ca_file))
        self.auth = (peer.username, peer.api_key())

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; SyncError for a transport failure or an error answer."""
        headers = {"Accept": TAXII_MEDIA, **kwargs.pop("headers", {})}
        try:
            response = self.http.request(method, url, headers=headers, auth=self.auth, **kwargs)
        except httpx.HTTPError as err:
            if "CERTIFICATE_VERIFY_FAILED" in str(err):
                raise SyncError(
                    f"Peer {self.peer.label}'s TLS certificate at {url} is not signed by a CA "
                    "this node trusts; set peer_ca_file to the CA certificates (PEM) that sign "
                    "the peers' certificates."
                ) from None
            raise SyncError(f"Peer {self.peer.label} at {url} did not answer: {err}.") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("description") or response.text[:200]
            except ValueError:
                detail = response.text[:200]
            raise SyncError(
                f"Peer {self.peer.label} answered {response.status_code} to {method} {url}: "
                f"{detail}"
            )
        return response


def _senders(conn: Connection, fallback: Peer) -> dict[str, tuple[str, bytes | None]]:
    """Organisation code and public key by identity id, for every registered peer."""
    found: dict[str, tuple[str, bytes | None]] = {}
    for peer in list_peers(conn):
        key = public_key_bytes(peer.public_key) if peer.public_key else None
        found.setdefault(identity_id(peer.org), (peer.org, key))
    found.setdefault(identity_id(fallback.org), (fallback.org, None))
    return found


def pull(
    engine: Engine,
    settings: Settings,
    client: PeerClient,
    collection: str,
    report: SyncReport,
    *,
    validator: Validator = validate_stix,
    verifier: Verifier = verify_signature,
) -> None:
    """Read one collection of the peer from the stored cursor to its end."""
    peer = client.peer
    url = f"{peer.root_url}collections/{collection}/objects/"
    with engine.connect() as conn:
        start = _cursor(conn, peer, collection, "pull")
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if start is not None:
        params["added_after"] = start
    while True:
        response = client.request("GET", url, params=params)
        envelope = response.json() if response.content else {}
        page: list[Any] = envelope.get("objects", [])
        last = response.headers.get("X-TAXII-Date-Added-Last")
        with engine.begin() as conn:
            senders = _senders(conn, peer)
            ids = {str(o.get("id")) for o in page if isinstance(o, dict)}
            for obj in page:
                sender = senders.get(
                    str(obj.get("created_by_ref")) if isinstance(obj, dict) else ""
                )
                sender_org, key = sender if sender is not None else (peer.org, None)
                try:
                    if not isinstance(obj, dict):
                        raise SyncError("An envelope entry is not a JSON object.")
                    new = take(
                        conn,
                        obj,
                        sender_org=sender_org,
                        origin=peer.label,
                        node_org=settings.organisation,
                        known_ids=ids,
                        public_key=key,
                        validator=validator,
                        verifier=verifier,
                    )
                except CawarnError as err:
                    quarantine(conn, peer.label, obj, err.message)
                    report.quarantined += 1
                    continue
                if new:
                    report.pulled_new += 1
                else:
                    report.pulled_known += 1
            if page and last:
                position = objects.format_timestamp(objects.parse_timestamp(last) - 1)
                _set_cursor(conn, peer, collection, "pull", position)
        if not envelope.get("more") or not envelope.get("next"):
            return
        params = {"limit": PAGE_SIZE, "next": envelope["next"]}
        if start is not None:
            params["added_after"] = start


def _wait_status(client: PeerClient, status: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + STATUS_WAIT_SECONDS
    while status.get("status") != "complete":
        if time.monotonic() > deadline:
            raise SyncError(
                f"Peer {client.peer.label} had not finished status {status.get('id')} "
                f"within {STATUS_WAIT_SECONDS:.0f} s; the batch is pushed again next time."
            )
        time.sleep(0.5)
        status = client.request("GET", f"{client.peer.root_url}status/{status['id']}/").json()
    return status


def push(engine: Engine, client: PeerClient, collection: str, report: SyncReport) -> None:
    """POST this node's objects released to the peer's organisation that it has not confirmed."""
    peer = client.peer
    url = f"{peer.root_url}collections/{collection}/objects/"
    while True:
        with engine.connect() as conn:
            after = int(_cursor(conn, peer, collection, "push") or 0)
            rows = list(
                conn.execute(
                    objects.visible(peer.org)
                    .where(
                        taxii_objects.c.origin == objects.LOCAL_ORIGIN,
                        taxii_objects.c.added_us > after,
                    )
                    .order_by(taxii_objects.c.added_us)
                    .limit(PUSH_BATCH)
                )
            )
        if not rows:
            return
        body = '{"objects":[' + ",".join(row.body for row in rows) + "]}"
        response = client.request(
            "POST", url, content=body.encode("utf-8"), headers={"Content-Type": TAXII_MEDIA}
        )
        status = _wait_status(client, response.json())
        report.pushed += int(status.get("success_count", 0))
        for failure in status.get("failures") or []:
            report.push_refused += 1
            report.errors.append(f"{failure.get('id')}: {failure.get('message', 'refused')}")
        with engine.begin() as conn:
            _set_cursor(conn, peer, collection, "push", str(rows[-1].added_us))


def sync_peer(
    engine: Engine,
    settings: Settings,
    peer: Peer,
    *,
    http: httpx.Client | None = None,
    validator: Validator = validate_stix,
    verifier: Verifier = verify_signature,
) -> SyncReport:
    """Pull from and push to every collection of one peer."""
    client = PeerClient(peer, http, ca_file=settings.peer_ca_path)
    report = SyncReport(peer.label)
    answer = client.request("GET", f"{peer.root_url}collections/").json()
    for collection in answer.get("collections", []):
        if collection.get("can_read"):
            pull(
                engine,
                settings,
                client,
                str(collection["id"]),
                report,
                validator=validator,
                verifier=verifier,
            )
        if collection.get("can_write"):
            push(engine, client, str(collection["id"]), report)
    from cawarn.network.received import import_received

    imported = import_received(engine, settings, peer)
    report.events_withdrawn += imported.withdrawn
    if imported.report is not None:
        report.events_new = imported.report.events_new
        report.events_quarantined = imported.report.rows_quarantined
    return report


def sync_all(
    engine: Engine,
    settings: Settings,
    *,
    only: str | None = None,
    note: Callable[[str], None] | None = None,
) -> list[SyncReport]:
    """Sync with every peer (or one); a peer that fails is reported and the others still run."""
    from cawarn.network.received import withdraw_lapsed

    with engine.connect() as conn:
        targets = [p for p in list_peers(conn) if only is None or p.label == only]
    if only is not None and not targets:
        from cawarn.network.peers import get_peer

        with engine.connect() as conn:
            get_peer(conn, only)  # raises the not-found sentence
    reports = []
    for peer in targets:
        if note is not None:
            note(f"Syncing with {peer.label} ({peer.root_url}) …")
        try:
            report = sync_peer(engine, settings, peer)
        except CawarnError as err:
            report = SyncReport(peer.label, errors=[err.message])
        # Expiry is honoured even while the origin cannot be reached.
        report.events_withdrawn += withdraw_lapsed(engine, peer)
        reports.append(report)
    return reports


def describe(report: SyncReport) -> str:
    """One line about one peer's sync."""
    line = (
        f"{report.peer}: {report.pulled_new} new objects pulled ({report.pulled_known} already "
        f"held, {report.quarantined} quarantined), {report.pushed} pushed"
        f" ({report.push_refused} refused), {report.events_new} new events imported"
        f" ({report.events_quarantined} quarantined), {report.events_withdrawn} withdrawn"
    )
    if report.errors:
        line += "; " + "; ".join(report.errors[:3])
    return line


def as_json(reports: list[SyncReport]) -> str:
    """The reports as JSON."""
    return json.dumps([report.__dict__ for report in reports], indent=2)

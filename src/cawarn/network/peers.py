"""Peers: the other nodes this node syncs with, their TAXII address, account and public key.

The API key a peer gave this node is never stored in the database; only the name of the
variable or the path of the file that holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Connection, select

from cawarn.accounts import audit
from cawarn.domain import ConfigError, InputError, NotFoundError
from cawarn.network.objects import LOCAL_ORIGIN
from cawarn.network.taxii.signature import public_key_bytes
from cawarn.store.schema_taxii import peers

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Peer:
    """A registered peer node."""

    id: int
    label: str
    url: str
    api_root: str
    org: str
    username: str
    key_env: str | None
    key_file: str | None
    public_key: str | None

    @property
    def root_url(self) -> str:
        """The URL of the peer's API root, ending in a slash."""
        return f"{self.url.rstrip('/')}/{self.api_root.strip('/')}/"

    def api_key(self) -> str:
        """The API key this node uses on the peer, read from its variable or file."""
        if self.key_env:
            value = os.environ.get(self.key_env, "").strip()
            if not value:
                raise ConfigError(
                    f"The API key of peer {self.label} is expected in ${self.key_env}, "
                    "which is not set."
                )
            return value
        assert self.key_file is not None
        try:
            return Path(self.key_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise ConfigError(
                f"Cannot read the API key of peer {self.label} from {self.key_file}: "
                f"{err.strerror}."
            ) from None


#: Hosts a peer may be reached on over plain http (this machine).
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def add_peer(
    conn: Connection,
    label: str,
    *,
    url: str,
    org: str,
    username: str,
    api_root: str = "cawarn",
    key_env: str | None = None,
    key_file: str | None = None,
    public_key: str | None = None,
    allow_http: bool = False,
    actor: audit.Actor = audit.CLI,
) -> Peer:
    """Register a peer; its label must be new.

    The URL must use https, except on this machine's loopback or when ``allow_http`` says the
    network is a test one: API keys and released objects would otherwise cross it in clear.
    """
    if not _LABEL.match(label) or label == LOCAL_ORIGIN:
        raise InputError(
            f"The peer name {label!r} is not usable; give up to 64 letters, digits, '.', '_' "
            f"or '-' (and not {LOCAL_ORIGIN!r}), e.g. kgz-node."
        )
    if not url.startswith(("http://", "https://")):
        raise InputError(f"The peer URL {url!r} must start with https://.")
    host = urlsplit(url).hostname or ""
    if url.startswith("http://") and not allow_http and host not in _LOOPBACK:
        raise InputError(
            f"The peer URL {url!r} is plain http, so the API key and the released objects would "
            "cross the network in clear; use https:// (or --allow-http on a test network)."
        )
    if (key_env is None) == (key_file is None):
        raise InputError("Give exactly one of --key-env and --key-file for the peer's API key.")
    if public_key is not None:
        public_key_bytes(public_key)
    if conn.execute(select(peers.c.id).where(peers.c.label == label)).first():
        raise InputError(f"There is already a peer {label!r}; 'cawarn peer list' lists them.")
    values = {
        "label": label,
        "url": url if url.endswith("/") else url + "/",
        "api_root": api_root.strip("/") or "cawarn",
        "org": org,
        "username": username,
        "key_env": key_env,
        "key_file": str(Path(key_file).resolve()) if key_file else None,
        "public_key": public_key.strip() if public_key else None,
    }
    new_id = conn.execute(
        peers.insert().values(**values, created_at=dt.datetime.now(dt.UTC))
    ).inserted_primary_key
    assert new_id is not None
    audit.append(
        conn,
        actor,
        "peer.add",
        object_type="peer",
        object_id=label,
        details={k: v for k, v in values.items() if k != "public_key"},
    )
    return get_peer(conn, label)


def _peer(row: object) -> Peer:
    return Peer(**{f.name: getattr(row, f.name) for f in fields(Peer)})


def list_peers(conn: Connection) -> list[Peer]:
    """Every registered peer, by label."""
    return [_peer(row) for row in conn.execute(select(peers).order_by(peers.c.label))]


def get_peer(conn: Connection, label: str) -> Peer:
    """The peer with this label, or NotFoundError."""
    row = conn.execute(select(peers).where(peers.c.label == label)).first()
    if row is None:
        raise NotFoundError(f"There is no peer {label!r}; 'cawarn peer list' lists them.")
    return _peer(row)

"""The node's Ed25519 key pair, kept in the node home, and the public keys it held before.

The private key is ``HOME/keys/node.ed25519`` (PEM, PKCS#8, mode 0600). When a new key replaces
it, the old public key is kept in ``HOME/keys/retired/`` so signatures made before still verify.
The trusted keys come from files only, never from the database: whoever can change rows cannot
also add a key that would make their changes verify.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from cawarn.domain import ConfigError
from cawarn.network.signing import key_id

KEY_DIR = "keys"
KEY_FILE = "node.ed25519"
RETIRED_DIR = "retired"


@dataclass(frozen=True)
class NodeKey:
    """The node's signing key and its id."""

    private: Ed25519PrivateKey
    key_id: str

    @property
    def public(self) -> Ed25519PublicKey:
        """The public half."""
        return self.private.public_key()


def key_path(home: Path) -> Path:
    """Where the node's private key lives."""
    return home / KEY_DIR / KEY_FILE


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Created with 0600 from the start, so the key is never readable by others even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    tmp.replace(path)


def _retire(home: Path, key: NodeKey, at: dt.datetime) -> Path:
    folder = home / KEY_DIR / RETIRED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key.key_id.replace(':', '-')}.pub"
    pem = key.public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    target.write_bytes(pem)
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    target.with_suffix(".retired").write_text(stamp + "\n", encoding="utf-8")
    return target


def generate(home: Path, *, force: bool = False, now: dt.datetime | None = None) -> NodeKey:
    """A new key pair; refused over an existing one unless ``force``, which retires the old."""
    path = key_path(home)
    if path.exists():
        if not force:
            raise ConfigError(
                f"{path} already holds the node key; give --force to replace it (its public "
                "key is kept, so what it signed still verifies)."
            )
        _retire(home, load(home), now or dt.datetime.now(dt.UTC))
    private = Ed25519PrivateKey.generate()
    _write_private(path, private)
    return NodeKey(private, key_id(private.public_key()))


def load(home: Path) -> NodeKey:
    """The node's key; ConfigError when there is none or it cannot be read."""
    path = key_path(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"There is no node key at {path}; create one with 'cawarn node keygen'."
        ) from None
    except OSError as err:
        raise ConfigError(f"Cannot read the node key {path}: {err.strerror}.") from None
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{path} is not a PEM PKCS#8 private key.") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 key.")
    return NodeKey(private, key_id(private.public_key()))


def ensure(home: Path) -> tuple[NodeKey, bool]:
    """The node's key, created when missing; the flag says whether it was created now."""
    if key_path(home).exists():
        return load(home), False
    return generate(home), True


def known_public_keys(home: Path) -> dict[str, Ed25519PublicKey]:
    """Every public key this node signed with: the current one and the retired ones, by id."""
    keys: dict[str, Ed25519PublicKey] = {}
    folder = home / KEY_DIR / RETIRED_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.pub")):
            public = load_pem_public_key(path.read_bytes())
            if isinstance(public, Ed25519PublicKey):
                keys[key_id(public)] = public
    if key_path(home).exists():
        current = load(home)
        keys[current.key_id] = current.public
    return keys

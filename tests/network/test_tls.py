"""TLS between nodes: plain http refused for a remote peer, ``cawarn serve`` over HTTPS, and
``cawarn sync`` trusting a closed network's own CA through ``peer_ca_file``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cawarn.domain import InputError
from cawarn.domain.events import Marking
from cawarn.network.peers import add_peer
from tests.network.servers import cawarn, free_port, init_node, serving
from tests.network.stixdata import KAZ, KGZ, incident, release, setup_node

_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate it signed for 127.0.0.1: (CA file, certificate, key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test network CA"))
        .issuer_name(_name("Test network CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "node.pem", folder / "node.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def test_a_remote_peer_over_plain_http_is_refused(engine: sa.Engine) -> None:
    args = {"org": KAZ, "username": "node.kgz-nctc", "key_env": "KEY"}
    with engine.begin() as conn:
        with pytest.raises(InputError, match="cross the network in clear"):
            add_peer(conn, "kaz", url="http://node.ctc.kz/taxii2/", **args)
        add_peer(conn, "kaz-tls", url="https://node.ctc.kz/taxii2/", **args)
        add_peer(conn, "kaz-here", url="http://127.0.0.1:9000/taxii2/", **args)
        add_peer(conn, "kaz-test", url="http://node.test/taxii2/", allow_http=True, **args)


@pytest.mark.slow
def test_sync_over_https_trusts_the_configured_ca_only(tmp_path: Path) -> None:
    ca_file, cert, key = _certificates(tmp_path)
    homes = {org: tmp_path / org for org in (KAZ, KGZ)}
    engines = {org: init_node(home, org) for org, home in homes.items()}
    port = free_port()
    with engines[KAZ].begin() as conn:
        keys = setup_node(conn, KAZ, [KGZ]).keys
        sent = release(conn, incident("tls", KAZ, Marking.GREEN), KAZ, [KGZ], Marking.GREEN)
    with engines[KGZ].begin() as conn:
        setup_node(conn, KGZ, [KAZ], register_peers={KAZ: f"https://127.0.0.1:{port}/taxii2/"})
    env = {"KEY_KGZ_NCTC_AT_KAZ_CTC": keys[KGZ]}
    with serving(homes[KAZ], port=port, tls=(cert, key)):
        untrusted = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert "not signed by a CA this node trusts" in untrusted.stdout + untrusted.stderr
        assert "Traceback" not in untrusted.stderr
        trusted = cawarn(
            homes[KGZ], "sync", "--json", env={**env, "CAWARN_PEER_CA_FILE": str(ca_file)}
        )
        assert trusted.returncode == 0, trusted.stderr
    report = json.loads(trusted.stdout)[0]
    assert report["pulled_new"] == 1 and not report["errors"], report
    with engines[KGZ].connect() as conn:
        held = conn.execute(sa.text("SELECT stix_id FROM taxii_objects")).scalars().all()
    assert held == [sent["id"]]
    for engine in engines.values():
        engine.dispose()

"""The twin's certificate authority and per-endpoint server certificates.

Clients verify the twin exactly as they verify a real lab: against a CA file the
inventory names (``pool.tls.ca_file``). The CA lives in the twin's state directory
and is reused while that lasts; the copy clients read is published through the twin
(``Twin.publish``) once the twin owns its addresses, so a twin that fails to start
never replaces a running twin's CA. Server certificates carry IP SANs, because
clients connect by address.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from xenlab.inventory.loader import inventory_path
from xenlab.inventory.schema import Inventory

_VALID = dt.timedelta(days=3650)
Publish = Callable[[Path, Callable[[bytes | None], bytes]], None]
_LOCK = threading.Lock()


def ca_path(inventory: Inventory, state_dir: Path) -> Path:
    """Where the CA certificate goes: the inventory's ca_file, else the twin's state dir."""
    if inventory.pool.tls.ca_file:
        return inventory_path(inventory, inventory.pool.tls.ca_file)
    return state_dir / "ca.pem"


def _write(path: Path, data: bytes, private: bool = False) -> None:
    # Write then rename: a client reading the CA never sees half a file; a key is never readable by others.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    tmp.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "simlab"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


class Authority:
    """A CA on disk (certificate where clients look for it, key in the state dir)."""

    def __init__(self, inventory: Inventory, state_dir: Path, publish: Publish | None = None) -> None:
        self.cert_path = ca_path(inventory, state_dir)  # where clients look
        self.own_path = state_dir / "tls" / "ca.pem"
        self.key_path = state_dir / "tls" / "ca-key.pem"
        self.dir = state_dir / "tls"
        self.lab = inventory.lab.name
        with _LOCK:
            self._cert, self._key = self._load() or self._create()
        pem = self._cert.public_bytes(serialization.Encoding.PEM)
        if publish is None:
            _write(self.cert_path, pem)
        else:
            publish(self.cert_path, lambda _old: pem)

    def _load(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
        try:
            cert = x509.load_pem_x509_certificate(self.own_path.read_bytes())
            key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        except (OSError, ValueError):
            return None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.public_key() != key.public_key():
            return None
        if cert.not_valid_after_utc < dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            return None
        return cert, key

    def _create(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        name = _name(f"simlab CA for {self.lab}")
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + _VALID)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write(self.key_path, _key_pem(key), private=True)
        _write(self.own_path, cert.public_bytes(serialization.Encoding.PEM))
        return cert, key

    def server_files(self, name: str, addresses: list[str]) -> tuple[Path, Path]:
        """(certificate, key) files for an endpoint; reused while issued by this CA for these addresses."""
        cert_file, key_file = self.dir / f"{name}.pem", self.dir / f"{name}-key.pem"
        wanted = {ipaddress.ip_address(a) for a in addresses}
        with _LOCK:
            try:
                cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
                sans = set(
                    cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
                        x509.IPAddress
                    )
                )
                if cert.issuer == self._cert.subject and sans == wanted and key_file.exists():
                    cert.verify_directly_issued_by(self._cert)
                    return cert_file, key_file
            except (OSError, ValueError, x509.ExtensionNotFound, TypeError, InvalidSignature):
                pass  # missing, stale or issued by an earlier CA: issue a new one
            key = ec.generate_private_key(ec.SECP256R1())
            now = dt.datetime.now(dt.UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(name))
                .issuer_name(self._cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + _VALID)
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(a) for a in sorted(wanted)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
                )
                .sign(self._key, hashes.SHA256())
            )
            _write(key_file, _key_pem(key), private=True)
            _write(cert_file, cert.public_bytes(serialization.Encoding.PEM))
            return cert_file, key_file

    def server_context(self, name: str, addresses: list[str]) -> ssl.SSLContext:
        cert_file, key_file = self.server_files(name, addresses)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        return context


def authority(twin: object) -> Authority:
    """The twin's CA, created on first use and shared by every face of that twin."""
    existing = getattr(twin, "_simlab_tls", None)
    if existing is None:
        existing = Authority(twin.inventory, Path(twin.state_dir), twin.publish)  # type: ignore[attr-defined]
        twin._simlab_tls = existing  # type: ignore[attr-defined]
    return existing

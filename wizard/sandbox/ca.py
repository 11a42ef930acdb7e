"""The sandbox's certificate authority: one trustme CA whose PEM the demo sprint trusts through
`network.ca_bundle`, leaf certificates for the zones' hosts, deliberately bad origin
certificates (expired, wrong name, self-signed) so strict SSL has something to refuse (526), and
good ones that expire in a chosen number of days (`days_left`) for the expiry checks.
"""

from __future__ import annotations

import datetime
import ssl
import threading
import warnings
from enum import Enum
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


class BadCert(Enum):
    """What is wrong with a bad origin certificate; every one fails strict verification."""

    EXPIRED = "expired"
    WRONG_NAME = "wrong_name"
    SELF_SIGNED = "self_signed"


def zone_names(zone: str) -> tuple[str, str]:
    """The names a zone certificate covers: the apex and one level of subdomains."""
    return (zone, f"*.{zone}")


def server_context(cert_pem: bytes, key_pem: bytes, minimum: str = "1.0",
                   maximum: str = "1.3") -> ssl.SSLContext:
    """A server context holding one certificate, accepting TLS versions minimum..maximum.

    TLS 1.0 and 1.1 need security level 0 on Debian's OpenSSL; the older versions' deprecation
    warnings are silenced because offering them is the point of the sandbox."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = TLS_VERSIONS[minimum]
        ctx.maximum_version = TLS_VERSIONS[maximum]
    _load_chain(ctx, cert_pem, key_pem)
    return ctx


def _load_chain(ctx: ssl.SSLContext, cert_pem: bytes, key_pem: bytes) -> None:
    """ssl can only load a chain from files; trustme's Blob handles the temporary files."""
    with trustme.Blob(cert_pem).tempfile() as cert, trustme.Blob(key_pem).tempfile() as key:
        ctx.load_cert_chain(cert, key)


class SandboxCA:
    """The CA and the certificates it issues, cached per set of names (issuing takes ~ms)."""

    def __init__(self):
        self.ca = trustme.CA(organization_name="launch-ready sandbox")
        self._lock = threading.Lock()
        self._leaves: dict[tuple, tuple[bytes, bytes]] = {}
        self._contexts: dict[tuple, ssl.SSLContext] = {}

    @property
    def cert_pem(self) -> bytes:
        return self.ca.cert_pem.bytes()

    def write_pem(self, path: Path) -> Path:
        """Write the CA certificate where a sprint's `network.ca_bundle` points."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.cert_pem)
        return path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts only this CA and checks host names (strict SSL)."""
        return ssl.create_default_context(cadata=self.cert_pem.decode("ascii"))

    def leaf(self, names: tuple[str, ...], bad: BadCert | None = None,
             days_left: int | None = None) -> tuple[bytes, bytes]:
        """(certificate chain PEM, private key PEM) for names, good or deliberately bad; a good
        one with `days_left` expires that many days after it is first issued."""
        key = (names, bad, days_left)
        with self._lock:
            if key not in self._leaves:
                self._leaves[key] = self._issue(names, bad, days_left)
            return self._leaves[key]

    def context(self, names: tuple[str, ...], bad: BadCert | None = None, minimum: str = "1.0",
                maximum: str = "1.3", days_left: int | None = None) -> ssl.SSLContext:
        """A server context for names; built once per combination (loading a chain writes files)."""
        key = (names, bad, minimum, maximum, days_left)
        with self._lock:
            cached = self._contexts.get(key)
        if cached is None:
            cached = server_context(*self.leaf(names, bad, days_left), minimum=minimum, maximum=maximum)
            with self._lock:
                cached = self._contexts.setdefault(key, cached)
        return cached

    def _issue(self, names: tuple[str, ...], bad: BadCert | None,
               days_left: int | None) -> tuple[bytes, bytes]:
        now = datetime.datetime.now(datetime.UTC)
        if bad is BadCert.SELF_SIGNED:
            return _self_signed(names)
        if bad is BadCert.EXPIRED:
            leaf = self.ca.issue_cert(*names, not_before=now - datetime.timedelta(days=400),
                                      not_after=now - datetime.timedelta(days=35))
        elif bad is BadCert.WRONG_NAME:
            leaf = self.ca.issue_cert("origin.invalid")
        elif days_left is not None:  # trustme >= 1.1 takes not_before / not_after
            leaf = self.ca.issue_cert(*names, not_before=now - datetime.timedelta(days=80),
                                      not_after=now + datetime.timedelta(days=days_left, hours=1))
        else:
            leaf = self.ca.issue_cert(*names)
        chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
        return chain, leaf.private_key_pem.bytes()


def _self_signed(names: tuple[str, ...]) -> tuple[bytes, bytes]:
    """A certificate for the right names that signs itself: valid-looking, trusted by nobody."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem

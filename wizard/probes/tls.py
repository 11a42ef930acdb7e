"""A host's TLS certificate as a browser meets it: the connection goes where the sprint's
resolver and connect_to send it, SNI and verification use the host's real name. When the chain
does not verify, the certificate is fetched again unverified so the evidence shows what is
actually served (issuer, names, expiry) next to the reason it was refused.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from wizard.net import NetContext, close_stream


class TlsUnreachable(Exception):
    """No TLS handshake happened at all (refused, timeout, no address, protocol failure)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


@dataclass
class Certificate:
    host: str
    verified: bool
    reason: str = ""  # why verification failed
    issuer: str = ""
    subject: str = ""
    names: list[str] = field(default_factory=list)
    not_after: datetime | None = None
    tls_version: str = ""
    address: str = ""

    @property
    def days_left(self) -> int | None:
        if self.not_after is None:
            return None
        return (self.not_after - datetime.now(UTC)).days

    def evidence(self) -> dict:
        return {"verified": self.verified, **({"reason": self.reason} if self.reason else {}),
                "issuer": self.issuer, "subject": self.subject, "names": self.names,
                "not_after": self.not_after.isoformat() if self.not_after else None,
                "days_left": self.days_left, "tls_version": self.tls_version,
                "connected_to": self.address}


def _unverified_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    orgs = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    parts = [str(a.value) for a in common + orgs]
    return ", ".join(parts) or name.rfc4514_string()


def _describe(cert: Certificate, der: bytes) -> None:
    parsed = x509.load_der_x509_certificate(der)
    cert.issuer, cert.subject = _name(parsed.issuer), _name(parsed.subject)
    cert.not_after = parsed.not_valid_after_utc
    try:
        san = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        cert.names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        cert.names = []


async def _handshake(net: NetContext, host: str, port: int, context: ssl.SSLContext) -> tuple[bytes, str, str]:
    """(leaf DER, TLS version, address) of one handshake with host, routed like HTTP is."""
    net.check_scope(host)
    net.budget.spend(f"TLS handshake {host}:{port}")
    target, target_port = net.route(host, port)
    try:
        async with asyncio.timeout(net.timeout_s):
            addresses = await net.addresses(target)
            address = addresses[0]
            reader, writer = await asyncio.open_connection(
                address, target_port, ssl=context, server_hostname=host)
    except ssl.SSLCertVerificationError:
        raise
    except TimeoutError as exc:
        raise TlsUnreachable("timeout", f"no TLS handshake with {host} within {net.timeout_s:g} s") from exc
    except ConnectionRefusedError as exc:
        raise TlsUnreachable("refused", f"{host}:{port} refused the connection") from exc
    except ssl.SSLError as exc:
        raise TlsUnreachable("tls", f"TLS handshake with {host} failed: {exc.reason or exc}") from exc
    except Exception as exc:  # DNS failures come as httpcore errors from net.addresses
        text = " ".join(str(exc).split()) or type(exc).__name__
        kind = "dns" if "resolve" in text or "DNS" in text else "other"
        raise TlsUnreachable(kind, text) from exc
    try:
        tls = writer.get_extra_info("ssl_object")
        return tls.getpeercert(binary_form=True), tls.version() or "", f"{address}:{target_port}"
    finally:
        await close_stream(writer, net.timeout_s)


async def inspect_certificate(net: NetContext, host: str, port: int = 443) -> Certificate:
    """The certificate host serves, verified for its name; raises TlsUnreachable without one."""
    try:
        der, version, address = await _handshake(net, host, port, net.ssl_context)
        cert = Certificate(host, verified=True)
    except ssl.SSLCertVerificationError as exc:
        cert = Certificate(host, verified=False, reason=exc.verify_message or str(exc))
        der, version, address = await _handshake(net, host, port, _unverified_context())
    cert.tls_version, cert.address = version, address
    _describe(cert, der)
    return cert

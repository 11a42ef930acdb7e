"""The zone's DNSSEC endpoint. Enabling signs with a fresh ECDSA P-256 key (algorithm 13, as
Cloudflare does) and shows the DS record to give the registrar; the status then stays "pending"
until the registrar publishes the DS, which in the sandbox only `registrar_has_ds` says."""

from __future__ import annotations

import base64
from typing import Any

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
from cryptography.hazmat.primitives.asymmetric import ec

from ..state import Zone, timestamp
from .envelope import validation_error
from .routing import ROUTES, Request

DNSSEC = "/zones/{zone_id}/dnssec"
KEY_FIELDS = ("algorithm", "digest", "digest_algorithm", "digest_type", "ds", "flags", "key_tag",
              "key_type", "public_key")


def _signing_key(zone: Zone) -> dict[str, Any]:
    """A KSK as Cloudflare publishes it: flags 257, ECDSAP256SHA256, its SHA-256 DS."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    raw = point.x.to_bytes(32, "big") + point.y.to_bytes(32, "big")
    dnskey = dns.rdtypes.ANY.DNSKEY.DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, 257, 3,
                                           dns.dnssec.Algorithm.ECDSAP256SHA256, raw)
    ds = dns.dnssec.make_ds(dns.name.from_text(zone.name), dnskey, "SHA256")
    return {"algorithm": "13", "digest": ds.digest.hex().upper(), "digest_algorithm": "SHA256",
            "digest_type": "2", "ds": f"{zone.name}. 3600 IN DS {ds.to_text().upper()}", "flags": 257,
            "key_tag": ds.key_tag, "key_type": "ECDSAP256SHA256",
            "public_key": base64.b64encode(raw).decode()}


def _status(zone: Zone) -> str:
    return str(zone.dnssec.get("status", "disabled"))


def _set_status(zone: Zone, status: str) -> None:
    zone.dnssec["status"], zone.dnssec["modified_on"] = status, timestamp()


def registrar_has_ds(zone: Zone) -> None:
    """The registrar published the DS (the sandbox has no registrar): pending -> active."""
    if _status(zone) == "pending":
        _set_status(zone, "active")


def _serialize(zone: Zone) -> dict[str, Any]:
    key = zone.dnssec.get("key") or {}
    return {"status": _status(zone), "modified_on": zone.dnssec.get("modified_on"),
            "dnssec_multi_signer": False, "dnssec_presigned": False, "dnssec_use_nsec3": False,
            **{name: key.get(name) for name in KEY_FIELDS}}


# Cloudflare's schema asks for #zone_settings:read / :edit on this path, not the DNS groups.
@ROUTES.add("GET", DNSSEC, "Zone Settings Read")
def get_dnssec(req: Request) -> dict[str, Any]:
    return _serialize(req.zone())


@ROUTES.add("PATCH", DNSSEC, "Zone Settings Write")
def edit_dnssec(req: Request) -> dict[str, Any]:
    zone, body = req.zone(), req.object_body()
    status = body.get("status")
    if status not in (None, "active", "disabled"):
        raise validation_error("status must be active or disabled", pointer="/status")
    for flag in ("dnssec_multi_signer", "dnssec_presigned", "dnssec_use_nsec3"):
        if body.get(flag):
            raise validation_error(f"{flag} is not served by the sandbox", pointer=f"/{flag}")
    current = _status(zone)
    if status == "active" and current == "disabled":
        zone.dnssec["key"] = _signing_key(zone)
        _set_status(zone, "pending")
    elif status == "disabled" and current != "disabled":
        _disable(zone)
    return _serialize(zone)


@ROUTES.add("DELETE", DNSSEC, "Zone Settings Write")
def delete_dnssec(req: Request) -> str:
    """Cloudflare answers an empty string once the zone's DNSSEC records are gone."""
    _disable(req.zone())
    return ""


def _disable(zone: Zone) -> None:
    """Immediate, as on Cloudflare: a DS still at the registrar now breaks resolution."""
    zone.dnssec.pop("key", None)
    _set_status(zone, "disabled")

"""DNS record rules as Cloudflare enforces them: names inside the zone, content per type, TTL,
proxying, and the conflicts (CNAME exclusivity, duplicates). Pure functions over a record dict,
so the single-record endpoints and the batch share them."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any

from ..state import DnsRecord, Zone, new_id, timestamp
from .envelope import ApiError, validation_error

TYPES = frozenset({"A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA"})
ADDRESS_TYPES = frozenset({"A", "AAAA", "CNAME"})
CAA_TAGS = ("issue", "issuewild", "iodef")
EDITABLE = ("type", "name", "content", "ttl", "proxied", "priority", "comment", "tags", "data")


def dns_error(code: int, detail: str) -> ApiError:
    return validation_error("DNS Validation Error", detail=(code, detail))


def fqdn(zone: Zone, name: Any) -> str:
    """`@`, a label relative to the zone, or a name inside it, as a lower-case FQDN."""
    if not isinstance(name, str) or not name.strip():
        raise dns_error(9007, "Content for name is required.")
    name = name.strip().lower()
    if name == "@":
        return zone.name
    absolute = name.endswith(".")
    name = name.rstrip(".")
    if zone.contains(name):
        return name
    if not absolute and "." not in name:
        return f"{name}.{zone.name}"
    raise dns_error(9007, f"The record name {name} is not inside the zone {zone.name}.")


def _caa_content(data: Any) -> str:
    """CAA content as Cloudflare derives it from data: `0 issue "letsencrypt.org"`."""
    if not isinstance(data, dict) or not {"flags", "tag", "value"} <= data.keys():
        raise dns_error(9101, "CAA records need data with flags, tag and value.")
    flags, tag, value = data["flags"], data["tag"], data["value"]
    if isinstance(flags, bool) or not isinstance(flags, int | float) or flags != int(flags) \
            or not 0 <= flags <= 255:
        raise dns_error(9101, "CAA flags must be an integer between 0 and 255.")
    if tag not in CAA_TAGS:
        raise dns_error(9101, f"CAA tag must be one of {', '.join(CAA_TAGS)}.")
    if not isinstance(value, str) or not value or '"' in value:
        raise dns_error(9101, "CAA value must be a non-empty string without double quotes.")
    return f'{int(flags)} {tag} "{value}"'


def _check_content(rtype: str, content: Any, data: Any) -> str:
    if rtype == "CAA":
        return _caa_content(data)
    if not isinstance(content, str) or not content:
        raise dns_error(9007, f"Content for {rtype} record is required.")
    if rtype in ("A", "AAAA"):
        version = 4 if rtype == "A" else 6
        try:
            if ipaddress.ip_address(content).version != version:
                raise ValueError
        except ValueError:
            raise dns_error(9005 if rtype == "A" else 9006,
                            f"Content for {rtype} record must be a valid IPv{version} address.") from None
    if rtype in ("CNAME", "MX", "NS"):
        return content.lower().rstrip(".")
    return content


def _caa_data(data: Any) -> dict[str, Any]:
    return {"flags": int(data["flags"]), "tag": data["tag"], "value": data["value"]}


def build(zone: Zone, fields: dict[str, Any], existing: DnsRecord | None = None, *,
          merge: bool = False) -> DnsRecord:
    """A record from request fields, validated, not yet stored: new (no `existing`), replacing
    `existing` (PUT: its type is kept when omitted) or merged over it (PATCH)."""
    unknown = set(fields) - set(EDITABLE) - {"id", "zone_id", "zone_name", "proxiable", "settings",
                                            "meta", "created_on", "modified_on"}
    if unknown:
        raise validation_error(f"Unknown field(s): {', '.join(sorted(unknown))}")
    base = {k: getattr(existing, k) for k in EDITABLE} if existing and merge else {}
    if existing:
        base.setdefault("type", existing.type)
    merged = {**base, **{k: v for k, v in fields.items() if k in EDITABLE}}
    rtype = merged.get("type")
    if rtype not in TYPES:
        raise dns_error(9000, f"DNS record type {rtype!r} is invalid or not served by the sandbox.")
    if existing and rtype != existing.type:
        raise dns_error(9000, "Changing a record's type is deprecated: delete it and create the new one "
                              "(one batch does both).")
    ttl = merged.get("ttl", 1)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not (ttl == 1 or 60 <= ttl <= 86400):
        raise dns_error(9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.")
    proxied = merged.get("proxied") or False
    if not isinstance(proxied, bool):
        raise dns_error(9003, "Invalid 'proxied' value, must be a boolean.")
    if proxied and rtype not in ADDRESS_TYPES:
        raise dns_error(9004, "This record type cannot be proxied.")
    priority = merged.get("priority")
    if rtype == "MX" and not (isinstance(priority, int) and 0 <= priority <= 65535):
        raise dns_error(9100, "MX records need a priority between 0 and 65535.")
    record = DnsRecord(
        id=existing.id if existing else new_id(), type=rtype, name=fqdn(zone, merged.get("name")),
        content=_check_content(rtype, merged.get("content"), merged.get("data")), ttl=ttl,
        proxied=proxied, priority=priority if rtype == "MX" else None,
        comment=merged.get("comment") or None, tags=list(merged.get("tags") or []),
        data=_caa_data(merged.get("data")) if rtype == "CAA" else None)
    if existing:
        record = replace(record, created_on=existing.created_on, modified_on=timestamp())
    return record


def check_conflicts(records: dict[str, DnsRecord], record: DnsRecord, *, creating: bool) -> None:
    """Refuse what Cloudflare refuses: CNAME beside anything, or a second identical record."""
    others = [r for r in records.values() if r.name == record.name and r.id != record.id]
    for other in others:
        if (other.type, other.content, other.priority) == (record.type, record.content, record.priority):
            if creating:
                raise validation_error("Record already exists.", code=81057)
            raise validation_error("A record with those settings already exists.", code=81058)
    if any("CNAME" in (o.type, record.type) for o in others):
        if record.type in ADDRESS_TYPES and any(o.type in ADDRESS_TYPES for o in others):
            raise validation_error("An A, AAAA, or CNAME record with that host already exists.",
                                   code=81053)
        raise validation_error("A CNAME record with that host already exists.", code=81054)


def serialize(zone: Zone, record: DnsRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id, "zone_id": zone.id, "zone_name": zone.name, "name": record.name,
        "type": record.type, "content": record.content, "proxiable": record.proxiable,
        "proxied": record.proxied, "ttl": record.ttl, "settings": {}, "meta": {},
        "tags": list(record.tags), "created_on": record.created_on, "modified_on": record.modified_on,
    }
    if record.comment is not None:
        out["comment"] = record.comment
    if record.priority is not None:
        out["priority"] = record.priority
    if record.data is not None:
        out["data"] = record.data
    return out

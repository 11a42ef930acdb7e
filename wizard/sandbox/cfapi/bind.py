"""The zone as BIND text, laid out as Cloudflare's export is (SOA, NS, then records by type)."""

from __future__ import annotations

from itertools import groupby

from ..state import DnsRecord, Zone, timestamp


def _rdata(record: DnsRecord) -> str:
    if record.type in ("CNAME", "NS"):
        return record.content + "."
    if record.type == "MX":
        return f"{record.priority} {record.content}."
    if record.type == "TXT" and not record.content.startswith('"'):
        return '"' + record.content.replace('"', '\\"') + '"'
    return record.content


def _line(record: DnsRecord) -> str:
    tags = f" ; cf_tags=cf-proxied:{'true' if record.proxied else 'false'}" if record.proxiable else ""
    return f"{record.name}.\t{record.ttl}\tIN\t{record.type}\t{_rdata(record)}{tags}"


def export_zone(zone: Zone) -> str:
    ns = zone.name_servers
    lines = [
        ";;", f";; Domain:     {zone.name}.", f";; Exported:   {timestamp()}", ";;",
        ";; This file is intended for use for informational and archival",
        ";; purposes ONLY and MUST be edited before use on a production",
        ";; DNS server.", ";;", "",
        ";; SOA Record",
        f"{zone.name}.\t3600\tIN\tSOA\t{ns[0]}. dns.cloudflare.com. 2050000000 10000 2400 604800 3600",
        "", ";; NS Records", *(f"{zone.name}.\t86400\tIN\tNS\t{n}." for n in ns),
    ]
    ordered = sorted(zone.records.values(), key=lambda r: (r.type, r.name, r.content))
    for rtype, group in groupby(ordered, key=lambda r: r.type):
        lines += ["", f";; {rtype} Records", *(_line(r) for r in group)]
    return "\n".join(lines) + "\n"

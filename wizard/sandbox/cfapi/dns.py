"""DNS record endpoints: list with filters and paging, the single-record verbs, and the batch
(deletes, patches, puts, posts in that order, on a copy swapped in only if all succeed)."""

from __future__ import annotations

from typing import Any

from ..state import DnsRecord, Zone
from .bind import export_zone
from .envelope import ApiError, Page, Text, validation_error
from .records import build, check_conflicts, fqdn, serialize
from .routing import ROUTES, Request

RECORDS = "/zones/{zone_id}/dns_records"
RECORD = RECORDS + "/{dns_record_id}"


def _record(records: dict[str, DnsRecord], record_id: Any) -> DnsRecord:
    record = records.get(record_id) if isinstance(record_id, str) else None
    if record is None:
        raise ApiError(404, 81044, "Record does not exist.")
    return record


@ROUTES.add("GET", RECORDS, "DNS Read")
def list_records(req: Request) -> Page:
    zone = req.zone()
    found = sorted(zone.records.values(), key=lambda r: (r.type, r.name, r.content, r.id))
    name = req.arg("name.exact", req.arg("name"))
    if name is not None:
        target = fqdn(zone, name)
        found = [r for r in found if r.name == target]
    if (rtype := req.arg("type")) is not None:
        found = [r for r in found if r.type == rtype.upper()]
    page = req.int_arg("page", 1, 1, 1_000_000)
    per_page = req.int_arg("per_page", 100, 5, 5_000_000)
    return Page.of([serialize(zone, r) for r in found], page, per_page)


@ROUTES.add("GET", RECORD, "DNS Read")
def get_record(req: Request) -> dict[str, Any]:
    zone = req.zone()
    return serialize(zone, _record(zone.records, req.params["dns_record_id"]))


def _put(zone: Zone, records: dict[str, DnsRecord], fields: dict[str, Any],
         existing: DnsRecord | None, *, merge: bool) -> DnsRecord:
    """Create (existing None), replace (merge False) or edit (merge True) one record in records."""
    record = build(zone, fields, existing, merge=merge)
    check_conflicts(records, record, creating=existing is None)
    records[record.id] = record
    return record


@ROUTES.add("POST", RECORDS, "DNS Write")
def create_record(req: Request) -> dict[str, Any]:
    zone = req.zone()
    return serialize(zone, _put(zone, zone.records, req.object_body(), None, merge=False))


@ROUTES.add("PUT", RECORD, "DNS Write")
def update_record(req: Request) -> dict[str, Any]:
    zone = req.zone()
    existing = _record(zone.records, req.params["dns_record_id"])
    return serialize(zone, _put(zone, zone.records, req.object_body(), existing, merge=False))


@ROUTES.add("PATCH", RECORD, "DNS Write")
def edit_record(req: Request) -> dict[str, Any]:
    zone = req.zone()
    existing = _record(zone.records, req.params["dns_record_id"])
    return serialize(zone, _put(zone, zone.records, req.object_body(), existing, merge=True))


@ROUTES.add("DELETE", RECORD, "DNS Write")
def delete_record(req: Request) -> dict[str, str]:
    zone = req.zone()
    record = _record(zone.records, req.params["dns_record_id"])
    del zone.records[record.id]
    return {"id": record.id}


@ROUTES.add("GET", RECORDS + "/export", "DNS Read")
def export_records(req: Request) -> Text:
    return Text(export_zone(req.zone()))


BATCH_ORDER = ("deletes", "patches", "puts", "posts")


@ROUTES.add("POST", RECORDS + "/batch", "DNS Write")
def batch(req: Request) -> dict[str, list[dict[str, Any]]]:
    zone = req.zone()
    body = req.object_body()
    records = dict(zone.records)  # records are replaced, never mutated, so a shallow copy is a snapshot
    done: dict[str, list[dict[str, Any]]] = {key: [] for key in BATCH_ORDER}
    for key in BATCH_ORDER:
        operations = body.get(key) or []
        if not isinstance(operations, list):
            raise validation_error(f"{key} must be a list")
        for index, op in enumerate(operations):
            try:
                done[key].append(serialize(zone, _batch_op(zone, records, key, op)))
            except ApiError as error:
                error.message = f"{key}[{index}]: {error.message}"
                raise
    zone.records = records
    return done


def _batch_op(zone: Zone, records: dict[str, DnsRecord], key: str, op: Any) -> DnsRecord:
    if not isinstance(op, dict):
        raise validation_error("each operation must be a JSON object")
    if key == "posts":
        return _put(zone, records, op, None, merge=False)
    existing = _record(records, op.get("id"))
    if key == "deletes":
        return records.pop(existing.id)
    fields = {k: v for k, v in op.items() if k != "id"}
    return _put(zone, records, fields, existing, merge=key == "patches")


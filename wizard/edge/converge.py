"""Bring the objects a plan touches to one side of it: `after` (apply, finish) or `before`
(rollback), from whatever the live zone holds now, one write per object (one batch for DNS).

Everything is decided from a fresh read, never from memory of what was sent: an object already
on the target side is skipped, so a step interrupted by a timeout, a dropped connection or a
SIGKILL is never applied twice. Each object is judged "dst" (on the target side), "src" (on
the other side) or "other" (someone else changed it). Rules are handled rule by rule: only the
rules the plan adds, changes or removes are touched; other rules of the phase keep their ids,
content and order.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.edge.api import EdgeApi, EdgeApiError, WriteUnknown, rule_fields
from wizard.edge.journal import Journal
from wizard.edge.plan import BATCH_LIMIT, OBJECT_KINDS, Change, Plan

Side = Literal["before", "after"]
RECORD_FIELDS = ("type", "name", "content", "proxied", "ttl", "priority", "data")
MAX_SENDS = 2  # a write whose first attempt provably did not take effect is sent once more


class Drift(Exception):
    """Objects hold neither side of the plan: someone changed them. `objects` names them."""

    def __init__(self, objects: list[str], why: str):
        super().__init__(f"{why}: {', '.join(objects)}")
        self.objects = objects


@dataclass
class Live:
    """What the zone holds now, for the objects a plan touches (all DNS records)."""

    records: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)
    phases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    bot_management: dict[str, Any] | None = None
    healthchecks: list[dict[str, Any]] | None = None  # read when the plan touches one
    policies: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"records": self.records, "settings": self.settings, "phases": self.phases,
                "bot_management": self.bot_management, "healthchecks": self.healthchecks,
                "policies": self.policies}

    def objects(self, kind: str) -> list[dict[str, Any]]:
        return (self.healthchecks if kind == "healthcheck" else self.policies) or []


async def read_live(api: EdgeApi, plan: Plan) -> Live:
    settings = [c.target for c in plan.of_kind("setting")]
    phases = [c.target for c in plan.of_kind("rules")]
    records, bot, *values = await asyncio.gather(
        api.records(),
        api.bot_management() if plan.of_kind("bot_management") else _none(),
        *(api.setting(s) for s in settings), *(api.rules(p) for p in phases))
    live = Live(records=records, settings=dict(zip(settings, values[:len(settings)], strict=True)),
                phases=dict(zip(phases, values[len(settings):], strict=True)), bot_management=bot)
    if any(c.kind in OBJECT_KINDS for c in plan.changes):
        await _read_objects(api, live)
    return live


async def _read_objects(api: EdgeApi, live: Live) -> None:
    live.healthchecks = await api.healthchecks()
    live.policies = await api.policies(live.healthchecks)


async def _none() -> None:
    return None


# ---------------------------------------------------------------------- identity and matching


def record_key(record: dict[str, Any]) -> str:
    content = record["content"]
    if record["type"] in ("CNAME", "MX", "NS"):
        content = content.lower().rstrip(".")
    return f"dns {record['type']} {record['name'].lower().rstrip('.')} {content}"


def rule_key(phase: str, rule: dict[str, Any]) -> str:
    body = {"action": rule.get("action"), "expression": rule.get("expression"),
            "action_parameters": rule.get("action_parameters") or {},
            "description": rule.get("description") or "", "enabled": rule.get("enabled", True)}
    return f"rule {phase} {json.dumps(body, sort_keys=True)}"


def matches(want: Any, got: Any) -> bool:
    """Every field of `want` holds in `got` (server-set extras in `got` are ignored)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(matches(v, got.get(k)) for k, v in want.items())
    return want == got


def _same_record(want: dict[str, Any], got: dict[str, Any]) -> bool:
    return record_key(want) == record_key(got) and all(
        want[k] == got.get(k) for k in RECORD_FIELDS if k in want and k not in ("name", "content"))


def _find_record(spec: dict[str, Any], live: list[dict], known: dict[str, str]) -> dict | None:
    ids = [i for i in (spec.get("id"), known.get(record_key(spec))) if i]
    for record_id in ids:
        for record in live:
            if record["id"] == record_id:
                return record
    key = record_key(spec)
    return next((r for r in live if record_key(r) == key), None)


def _find_rule(phase: str, spec: dict[str, Any], live: list[dict], known: dict[str, str]) -> int | None:
    ids = [i for i in (spec.get("id"), known.get(rule_key(phase, spec))) if i]
    for rule_id in ids:
        for index, rule in enumerate(live):
            if rule.get("id") == rule_id:
                return index
    key = rule_key(phase, spec)
    return next((i for i, r in enumerate(live) if rule_key(phase, r) == key), None)


def object_key(kind: str, spec: dict[str, Any]) -> str:
    return f"{kind} {spec['name']}"


def _find_object(kind: str, spec: dict[str, Any], live: list[dict], known: dict[str, str]) -> dict | None:
    """By the spec's id, the id the journal recorded for it, else by its name."""
    for object_id in (i for i in (spec.get("id"), known.get(object_key(kind, spec))) if i):
        for obj in live:
            if obj.get("id") == object_id:
                return obj
    return next((o for o in live if o["name"] == spec["name"]), None)


def _object_state(kind: str, src, dst, live: Live, known) -> str:
    items = live.objects(kind)

    def holds(spec, other) -> bool:
        if spec is None:
            return _find_object(kind, other, items, known) is None
        found = _find_object(kind, spec, items, known)
        return found is not None and matches({k: v for k, v in spec.items() if k != "id"}, found)
    return "dst" if holds(dst, src) else "src" if holds(src, dst) else "other"


# ---------------------------------------------------------------------- one object, both sides


def sides(change: Change, target: Side) -> tuple[dict | None, dict | None]:
    """(src, dst): where the object comes from and where it must end up."""
    return (change.before, change.after) if target == "after" else (change.after, change.before)


def _wanted(change: Change, target: Side) -> dict[str, Any]:
    """What a setting or bot management change sets: both sides are there in the plans the tool
    makes (those objects are never created or deleted), not always in a plan file edited since."""
    dst = sides(change, target)[1]
    if dst is None:
        raise EdgeApiError(f"{change.kind} {change.target}: the plan has no value to set")
    return dst


def _record_state(src, dst, live: Live, known) -> str:
    def holds(spec, other) -> bool:
        if spec is None:
            return _find_record(other, live.records, known) is None
        found = _find_record(spec, live.records, known)
        return found is not None and _same_record(spec, found)
    return "dst" if holds(dst, src) else "src" if holds(src, dst) else "other"


def _rule_diff(phase: str, src: list[dict], dst: list[dict]):
    """(removed, added, changed): the rules the plan itself touches, from src to dst."""
    src_ids = {r["id"]: r for r in src if r.get("id")}
    dst_ids = {r["id"]: r for r in dst if r.get("id")}
    src_keys = {rule_key(phase, r) for r in src}
    dst_keys = {rule_key(phase, r) for r in dst}
    removed = [r for r in src if (r["id"] not in dst_ids if r.get("id") else rule_key(phase, r) not in dst_keys)]
    added = [r for r in dst if (r["id"] not in src_ids if r.get("id") else rule_key(phase, r) not in src_keys)]
    changed = [r for r in dst if r.get("id") in src_ids and rule_key(phase, r) != rule_key(phase, src_ids[r["id"]])]
    return removed, added, changed


def _rules_state(phase: str, src, dst, live: Live, known) -> str:
    rules = live.phases.get(phase, [])

    def holds(side: list[dict], other: list[dict]) -> bool:
        gone, present, edited = _rule_diff(phase, other, side)
        for spec in present + edited:
            index = _find_rule(phase, spec, rules, known)
            if index is None or rule_key(phase, rules[index]) != rule_key(phase, spec):
                return False
        return all(_find_rule(phase, spec, rules, known) is None for spec in gone)
    src_rules, dst_rules = (src or {}).get("rules", []), (dst or {}).get("rules", [])
    return ("dst" if holds(dst_rules, src_rules) else "src" if holds(src_rules, dst_rules) else "other")


def state(change: Change, target: Side, live: Live, known: dict[str, str]) -> str:
    src, dst = sides(change, target)
    if change.kind == "dns":
        return _record_state(src, dst, live, known)
    if change.kind == "rules":
        return _rules_state(change.target, src, dst, live, known)
    if change.kind in OBJECT_KINDS:
        return _object_state(change.kind, src, dst, live, known)
    current = ({"value": live.settings.get(change.target)} if change.kind == "setting"
               else live.bot_management)
    return "dst" if matches(dst, current) else "src" if matches(src, current) else "other"


def objects(plan: Plan, target: Side, live: Live, known: dict[str, str],
            states: tuple[str, ...] = ("other",)) -> list[str]:
    """The plan's objects in one of `states` (default: changed by someone else)."""
    return [f"{c.kind} {c.target}" for c in plan.changes if state(c, target, live, known) in states]


def merged_rules(change: Change, target: Side, live: Live, known: dict[str, str]) -> list[dict]:
    """The phase's live rules with only the plan's own rules moved to the target side."""
    phase = change.target
    src, dst = ((s or {}).get("rules", []) for s in sides(change, target))
    removed, added, changed = _rule_diff(phase, src, dst)
    rules = [dict(r) for r in live.phases.get(phase, [])]
    for spec in removed:
        if (index := _find_rule(phase, spec, rules, known)) is not None:
            del rules[index]
    for spec in changed:
        if (index := _find_rule(phase, spec, rules, known)) is not None:
            rules[index] = {**rule_fields(spec), "id": rules[index]["id"]}
    for spec in added:
        if _find_rule(phase, spec, rules, known) is not None:
            continue
        position = dst.index(spec)
        before = [_find_rule(phase, r, rules, known) for r in dst[:position]]
        anchor = max((i for i in before if i is not None), default=-1)
        # the server gives the id; the ref is ours, so the planner finds its own rule again
        rules.insert(anchor + 1, {k: v for k, v in rule_fields(spec).items() if k != "id"})
    return rules


def _record_body(spec: dict[str, Any]) -> dict[str, Any]:
    """What a POST or PATCH sends: a record with structured data (CAA) sends it instead of the
    content Cloudflare derives from it."""
    body = {k: spec[k] for k in RECORD_FIELDS if k in spec}
    if "data" in body:
        body.pop("content", None)
    return body


def dns_ops(changes: list[Change], target: Side, live: Live, known: dict[str, str]):
    """(deletes, patches, posts) moving these record changes to the target side."""
    deletes, patches, posts = [], [], []
    for change in changes:
        src, dst = sides(change, target)
        current = _find_record(src, live.records, known) if src else None
        if dst is None:
            if current is not None:
                deletes.append(current["id"])
            continue
        here = _find_record(dst, live.records, known)
        if here is not None and _same_record(dst, here):
            continue
        existing = current or here
        if existing is not None:
            patches.append({"id": existing["id"], **_record_body(dst)})
        else:
            posts.append(_record_body(dst))
    return deletes, patches, posts


# ---------------------------------------------------------------------- the loop


@dataclass
class Converger:
    """Moves a plan's objects to one side; `force` also moves objects someone else changed."""

    api: EdgeApi
    plan: Plan
    journal: Journal
    target: Side
    force: bool = False

    async def run(self, live: Live | None = None) -> None:
        """Every object to the target side; `live` is a read made just before, if any."""
        live = live or await read_live(self.api, self.plan)
        self._check(live)
        dns = [c for c in self.plan.of_kind("dns") if self._todo(c, live)]
        for start in range(0, len(dns), BATCH_LIMIT):
            chunk = dns[start:start + BATCH_LIMIT]
            live = await self._step(f"dns batch {start // BATCH_LIMIT + 1}", chunk, live, self._dns)
        singles = [c for c in self.plan.changes if c.kind != "dns"]
        if self.target == "before":  # policies name health checks: undo them first
            singles.sort(key=lambda c: c.kind == "healthcheck")
        for change in singles:
            if self._todo(change, live):
                live = await self._step(f"{change.kind} {change.target}", [change], live,
                                        self._single)

    def _known(self) -> dict[str, str]:
        return self.journal.created()

    def _todo(self, change: Change, live: Live) -> bool:
        return state(change, self.target, live, self._known()) != "dst"

    def _check(self, live: Live) -> None:
        if not self.force and (names := objects(self.plan, self.target, live, self._known())):
            raise Drift(names, "changed by someone else since")

    async def _step(self, name: str, changes: list[Change], live: Live, send) -> Live:
        """intent -> send -> done; an unanswered write is judged from a re-read, never resent
        blindly: done if it took effect, sent again only if it provably did not."""
        for attempt in range(1, MAX_SENDS + 1):
            self.journal.write("intent", step=name, target=self.target, attempt=attempt)
            self.api.on_step(f"sending {name}")
            try:
                created = await send(changes, live)
            except WriteUnknown as exc:
                self.journal.write("unknown", step=name, why=str(exc))
                live = await read_live(self.api, self.plan)
                states = {state(c, self.target, live, self._known()) for c in changes}
                if states == {"dst"}:
                    self.journal.write("done", step=name, confirmed="re-read")
                    return live
                if not self.force and states != {"src"}:
                    raise Drift([f"{c.kind} {c.target}" for c in changes],
                                f"{name} left in an unknown state") from None
                continue
            self.journal.write("done", step=name, created=created)
            self.api.on_step(f"done {name}")
            return await _updated(self.api, live, changes, self.target)
        raise WriteUnknown(f"{name}: no answer after {MAX_SENDS} attempts, and it did not take effect")

    async def _dns(self, changes: list[Change], live: Live) -> dict[str, str]:
        deletes, patches, posts = dns_ops(changes, self.target, live, self._known())
        answer = await self.api.batch(deletes, patches, posts)
        return {record_key(r): r["id"] for r in answer["posts"]}

    async def _single(self, changes: list[Change], live: Live) -> dict[str, str]:
        change = changes[0]
        if change.kind == "setting":
            await self.api.edit_setting(change.target, _wanted(change, self.target)["value"])
        elif change.kind == "bot_management":
            await self.api.put_bot_management(_wanted(change, self.target))
        elif change.kind in OBJECT_KINDS:
            return await self._object(change, live)
        else:
            phase = change.target
            rules = await self.api.put_rules(phase, merged_rules(change, self.target, live, self._known()))
            src, dst = ((s or {}).get("rules", []) for s in sides(change, self.target))
            added = {rule_key(phase, r) for r in _rule_diff(phase, src, dst)[1]}
            return {key: r["id"] for r in rules if (key := rule_key(phase, r)) in added}
        return {}

    async def _object(self, change: Change, live: Live) -> dict[str, str]:
        src, dst = sides(change, self.target)
        spec = src or dst
        if spec is None:
            raise EdgeApiError(f"{change.kind} {change.target}: the plan has neither side")
        items = live.objects(change.kind)
        current = _find_object(change.kind, spec, items, self._known())
        new_id = await self.api.put_object(change.kind, current["id"] if current else None, dst,
                                           live.healthchecks or [])
        if dst and not current and new_id is not None:  # put_object gives an id when given dst
            return {object_key(change.kind, dst): new_id}
        return {}


async def _updated(api: EdgeApi, live: Live, changes: list[Change], target: Side) -> Live:
    """The working view after a confirmed write: DNS re-read (its ids), the rest from the plan.
    (The verification after the last write is a fresh read of everything.)"""
    for change in changes:
        if change.kind == "dns":
            live.records = await api.records()
            return live
        if change.kind == "setting":
            live.settings[change.target] = _wanted(change, target)["value"]
        elif change.kind == "bot_management":
            live.bot_management = {**(live.bot_management or {}), **_wanted(change, target)}
        elif change.kind in OBJECT_KINDS:
            await _read_objects(api, live)
        else:
            live.phases[change.target] = await api.rules(change.target)
    return live

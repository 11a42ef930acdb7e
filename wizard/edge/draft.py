"""The desired zone, built by applying each fix's intent to a copy of the live one, then diffed.

Fixes are planned one after the other on the same draft, so they compose: cf.dns-www creates a
proxied www and cf.proxy then finds nothing left to do; two fixes never emit two changes for one
object. Each object's change is credited to the first fix that touched it.
"""

from __future__ import annotations

import copy
from typing import Any

from wizard.edge.live_zone import PHASES, LiveZone
from wizard.edge.plan import OBJECT_KINDS, Change, Kind, ObjectKind
from wizard.edge.zone_state import SETTINGS

WEB_TYPES = ("A", "AAAA", "CNAME")
AUTO_TTL = 1  # Cloudflare's "auto", the only TTL a proxied record keeps


class Draft:
    def __init__(self, live: LiveZone):
        self.live = live
        self.records = copy.deepcopy(live.records)
        self.settings = copy.deepcopy(live.settings)
        self.bot_fight_mode = live.bot_fight_mode
        self.rules = {p: copy.deepcopy(live.rules.get(p, [])) for p in PHASES}
        self.objects: dict[str, list[dict[str, Any]]] = {  # named objects, by kind
            "healthcheck": copy.deepcopy(live.healthchecks or []),
            "notification_policy": copy.deepcopy(live.policies or [])}
        self.notes: list[str] = []
        self._owner: dict[tuple[Kind, str], str] = {}
        self._change_notes: dict[tuple[Kind, str], str] = {}
        self._deleted: list[dict[str, Any]] = []

    # reading
    def at(self, name: str, *types: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["name"] == name and (not types or r["type"] in types)]

    def web(self, name: str) -> list[dict[str, Any]]:
        return self.at(name, *WEB_TYPES)

    # writing (fix: the fix id; note: what to know before applying this object's change)
    def note(self, fix: str, text: str) -> None:
        self.notes.append(f"{fix}: {text}")

    def _touch(self, kind: Kind, key: str, fix: str, note: str) -> None:
        self._owner.setdefault((kind, key), fix)
        if note:
            self._change_notes[(kind, key)] = note

    def create_record(self, fix: str, rtype: str, name: str, content: str, proxied: bool, note: str = "",
                      data: dict[str, Any] | None = None) -> None:
        key = f"new:{len(self._owner)}"
        self.records.append({"type": rtype, "name": name, "content": content, "proxied": proxied,
                             "ttl": AUTO_TTL, "_key": key, **({"data": data} if data else {})})
        self._touch("dns", key, fix, note)

    def update_record(self, fix: str, record: dict[str, Any], note: str = "", **fields: Any) -> None:
        record.update(fields)
        self._touch("dns", record.get("id") or record["_key"], fix, note)

    def delete_record(self, fix: str, record: dict[str, Any], note: str = "") -> None:
        self.records.remove(record)
        if "id" in record:
            self._deleted.append(record)
            self._touch("dns", record["id"], fix, note)

    def set_setting(self, fix: str, setting: str, value: Any, note: str = "") -> None:
        self.settings[setting] = value
        self._touch("setting", setting, fix, note)

    def set_rules(self, fix: str, phase: str, rules: list[dict[str, Any]], note: str = "") -> None:
        self.rules[phase] = rules
        self._touch("rules", phase, fix, note)

    def set_bot_fight_mode(self, fix: str, on: bool, note: str = "") -> None:
        self.bot_fight_mode = on
        self._touch("bot_management", "bot_management", fix, note)

    def put_object(self, fix: str, kind: ObjectKind, obj: dict[str, Any], note: str = "") -> None:
        """Create the named object, or replace the one of that name."""
        items = self.objects[kind]
        items[:] = [o for o in items if o["name"] != obj["name"]] + [obj]
        self._touch(kind, obj["name"], fix, note)

    # the diff
    def changes(self) -> list[Change]:
        """Live -> draft, in the apply's order: DNS deletes, updates, creates; settings; rules;
        bot management; health checks, then notification policies (which name them). Objects a
        fix touched but left as they were give no change."""
        live_by_id = {r["id"]: r for r in self.live.records}
        out = [self._change("dns", r["id"], _label(r), r, None) for r in self._deleted]
        for r in self.records:
            if "id" in r and r != live_by_id[r["id"]]:
                out.append(self._change("dns", r["id"], _label(r), live_by_id[r["id"]], r))
        for r in self.records:
            if "_key" in r:
                after = {k: v for k, v in r.items() if k != "_key"}
                out.append(self._change("dns", r["_key"], _label(r), None, after))
        for setting in SETTINGS:
            if self.settings.get(setting) != self.live.settings.get(setting):
                out.append(self._change("setting", setting, setting, {"value": self.live.settings.get(setting)},
                                        {"value": self.settings[setting]}))
        for phase in PHASES:
            if self.rules[phase] != self.live.rules.get(phase, []):
                out.append(self._change("rules", phase, phase, {"rules": self.live.rules.get(phase, [])},
                                        {"rules": self.rules[phase]}))
        if self.bot_fight_mode != self.live.bot_fight_mode:
            out.append(self._change("bot_management", "bot_management", "bot_management",
                                    {"fight_mode": self.live.bot_fight_mode}, {"fight_mode": self.bot_fight_mode}))
        live_objects = {"healthcheck": self.live.healthchecks or [], "notification_policy": self.live.policies or []}
        for kind in OBJECT_KINDS:
            before = {o["name"]: o for o in live_objects[kind]}
            for obj in self.objects[kind]:
                if obj != before.get(obj["name"]):
                    out.append(self._change(kind, obj["name"], obj["name"], before.get(obj["name"]), obj))
        return out

    def _change(self, kind: Kind, key: str, target: str, before: dict | None, after: dict | None) -> Change:
        return Change(kind=kind, target=target, before=copy.deepcopy(before), after=copy.deepcopy(after),
                      fix=self._owner[(kind, key)], note=self._change_notes.get((kind, key), ""))


def _label(record: dict[str, Any]) -> str:
    return f"{record['type']} {record['name']}"

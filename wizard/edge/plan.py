"""A plan: what a set of fixes would change in the live zone, object by object, before -> after.

Plans are computed against the live zone (an empty plan means already fixed), shown for review,
written to the change set's folder as plan.json, and applied as: one DNS batch (chunked only past
the batch limit), then each setting, then each ruleset phase (one PUT carrying every rule of the
phase: others' rules kept, with their ids and order), then bot management.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

PLAN_SCHEMA: Final = "launch-ready/plan@1"
BATCH_LIMIT = 200  # operations per DNS batch call; a bigger DNS part is split into chunks

Kind = Literal["dns", "setting", "rules", "bot_management", "healthcheck", "notification_policy"]
ObjectKind = Literal["healthcheck", "notification_policy"]  # named objects, one API write each
OBJECT_KINDS: tuple[ObjectKind, ...] = ("healthcheck", "notification_policy")


class Change(BaseModel):
    """One object's change. `before` is None for a creation, `after` None for a deletion.

    dns: a record {"id", "type", "name", "content", "proxied", "ttl", ["priority"]} (`after` of a
    creation has no id); setting: {"value": ...} with `target` the setting id; rules: {"rules":
    [...]} with `target` the phase (the whole phase, since a PUT replaces every rule);
    bot_management: the fields that change; healthcheck / notification_policy: the object
    (zone_state.healthcheck_dict / policy_dict) with `target` its name."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    target: str  # record "TYPE name", setting id, phase name, or "bot_management"
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fix: str  # the fix id that asked for it
    note: str = ""  # what to know before applying (risk)

    @property
    def op(self) -> Literal["create", "update", "delete"]:
        if self.before is None:
            return "create"
        return "delete" if self.after is None else "update"

    def describe(self) -> str:
        """`update setting ssl: flexible -> strict`: one line for reviews and logs."""
        return f"{self.op} {self.kind.replace('_', ' ')} {self.target}: {_short(self.before)} -> {_short(self.after)}"


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["launch-ready/plan@1"] = Field(default=PLAN_SCHEMA, alias="schema")
    zone: str
    zone_id: str
    fixes: list[str]
    changes: list[Change] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # risks, and fixes that could not be planned
    created_at: datetime

    @property
    def empty(self) -> bool:
        return not self.changes

    def of_kind(self, kind: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def api_calls(self) -> int:
        """Writes the apply makes: DNS batches, one per setting, one PUT per phase, bot once,
        one per health check or notification policy."""
        dns = self.of_kind("dns")
        return (math.ceil(len(dns) / BATCH_LIMIT) + len(self.changes) - len(dns))


def _short(value: dict[str, Any] | None) -> str:
    if value is None:
        return "(none)"
    if set(value) == {"value"}:
        return str(value["value"])
    if "rules" in value:
        return f"{len(value['rules'])} rule(s)"
    if "address" in value:  # a health check
        config = value.get("http_config") or {}
        return f"{value.get('type')} {value['address']}{config.get('path', '')} every {value.get('interval')} s"
    if "alert_type" in value:
        return f"{value['alert_type']} for {len(value.get('watches') or [])} health check(s)"
    if "type" in value and "content" in value:
        proxied = " proxied" if value.get("proxied") else ""
        return f"{value['type']} {value['content']}{proxied}"
    return ", ".join(f"{k}={v}" for k, v in value.items())

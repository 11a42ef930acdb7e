"""Apply a reviewed plan: snapshot, write, re-read and compare; any failure restores the snapshot.

The zone ends on one side of the plan, never in between: "applied" (every object as the plan's
`after`, verified by a re-read), "rolled-back" (every object as the snapshot, with the reason),
"not-applied" (the zone had changed since the plan: nothing was written), or "rollback-failed"
(the objects still to restore are named; `recover` can finish the job later).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cloudflare import Cloudflare

from wizard.edge.api import MAX_WAIT_S, EdgeApi, EdgeApiError, Step
from wizard.edge.converge import Converger, Drift, Live, Side, objects, read_live
from wizard.edge.journal import Journal, read_json, write_json
from wizard.edge.plan import Plan
from wizard.sprint import write_atomic
from wizard.vault import redact

RESULT_SCHEMA = "launch-ready/change-result@1"


@dataclass
class Outcome:
    change_id: str
    state: str  # applied | rolled-back | not-applied | rollback-failed
    message: str  # one line
    mismatches: list[str] = field(default_factory=list)  # objects not as intended afterwards
    calls: int = 0  # API calls this operation made

    def to_json(self) -> dict[str, Any]:
        return {"schema": RESULT_SCHEMA, **asdict(self)}


async def apply_plan(plan: Plan, client: Cloudflare, change_dir: Path, *, on_step: Step | None = None,
                     sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                     max_wait_s: float = MAX_WAIT_S) -> Outcome:
    """Snapshot into change_dir, apply DNS (one batch), settings, phases, bot management, verify.

    max_wait_s bounds the rate-limit waiting of the apply (0: stop at the first 429); a restore
    after a failure may always wait up to MAX_WAIT_S, since only it brings the zone back."""
    change_dir = Path(change_dir)
    change_dir.mkdir(parents=True, exist_ok=True)
    api = EdgeApi(client, plan.zone_id, on_step=on_step, sleep=sleep, max_wait_s=max_wait_s)
    journal = Journal(change_dir)
    write_json(change_dir / "plan.json", plan.model_dump(mode="json", by_alias=True))
    journal.write("begin", action="apply")
    try:
        snapshot = await read_live(api, plan)
        write_json(change_dir / "snapshot.json", snapshot.to_json())
        write_atomic(change_dir / "snapshot.zone", redact(await api.export()))
    except EdgeApiError as exc:
        return finish(change_dir, journal, api, "not-applied", f"nothing changed: could not take the snapshot ({exc})")
    journal.write("snapshot")
    api.on_step("snapshot taken")
    if changed := objects(plan, "after", snapshot, {}):
        return finish(change_dir, journal, api, "not-applied",
                      f"nothing changed: the zone changed since the plan ({', '.join(changed)}); plan again")
    return await drive(plan, api, change_dir, journal, "after", live=snapshot)


async def drive(plan: Plan, api: EdgeApi, change_dir: Path, journal: Journal, target: Side,
                *, force: bool = False, live: Live | None = None) -> Outcome:
    """Converge to target and verify by a fresh read; on failure converge back to the other side."""
    try:
        await Converger(api, plan, journal, target, force).run(live)
        live = await read_live(api, plan)
        if mismatches := drifted_from(plan, target, live, journal):
            raise Drift(mismatches, "not as planned after the writes")
        return finish(change_dir, journal, api, "applied" if target == "after" else "rolled-back",
                      _done_message(plan, target))
    except (EdgeApiError, Drift) as exc:
        reason = str(exc)
    back: Side = "before" if target == "after" else "after"
    if target == "before":  # a rollback that failed is not undone by re-applying: say what is left
        return await _left(plan, api, change_dir, journal, f"rollback stopped: {reason}")
    api.on_step(f"failed ({reason}); restoring the snapshot")
    api.waited_s, api.max_wait_s = 0.0, max(api.max_wait_s, MAX_WAIT_S)  # the restore may wait
    try:
        await Converger(api, plan, journal, back, force=True).run()
        live = await read_live(api, plan)
    except (EdgeApiError, Drift) as exc:
        return await _left(plan, api, change_dir, journal, f"{reason}; restoring failed: {exc}")
    if mismatches := drifted_from(plan, back, live, journal):
        return finish(change_dir, journal, api, "rollback-failed",
                      f"{reason}; still to restore: {', '.join(mismatches)}", mismatches)
    return finish(change_dir, journal, api, "rolled-back", f"restored the snapshot: {reason}")


def drifted_from(plan: Plan, target: Side, live: Live, journal: Journal) -> list[str]:
    """The objects not on the target side (the verification's mismatches)."""
    return objects(plan, target, live, journal.created(), ("src", "other"))


async def _left(plan: Plan, api: EdgeApi, change_dir: Path, journal: Journal, message: str) -> Outcome:
    """rollback-failed, naming what still differs from the snapshot (when it can be read)."""
    try:
        live = await read_live(api, plan)
        left = drifted_from(plan, "before", live, journal)
    except EdgeApiError:
        left = [f"{c.kind} {c.target}" for c in plan.changes]
    return finish(change_dir, journal, api, "rollback-failed", message, left)


def _done_message(plan: Plan, target: Side) -> str:
    if target == "after":
        return f"applied and verified {len(plan.changes)} change(s) for {', '.join(plan.fixes)}"
    return f"restored the snapshot of {len(plan.changes)} object(s)"


def finish(change_dir: Path, journal: Journal, api: EdgeApi, state: str, message: str,
           mismatches: list[str] | None = None) -> Outcome:
    outcome = Outcome(change_dir.name, state, message, mismatches or [], api.calls)
    write_json(change_dir / "result.json", outcome.to_json())
    journal.write("end", state=state, message=message)
    api.on_step(message)
    return outcome


def load_plan(change_dir: Path) -> Plan:
    return Plan.model_validate(read_json(Path(change_dir) / "plan.json"))

"""Undo an applied change set from its snapshot, and finish or undo one a crash interrupted.

A rollback first checks that every object still holds what the plan wrote: an object someone
changed since is a conflict, refused by name unless forced. Rules others added to a phase since
are kept: only the plan's own rules are removed or restored. Recovery re-reads the zone and moves
each object that is not yet on the chosen side; objects already there are skipped, so nothing is
applied twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from cloudflare import Cloudflare

from wizard.edge.api import EdgeApi, EdgeApiError, Step
from wizard.edge.apply import Outcome, drive, load_plan
from wizard.edge.converge import objects, read_live
from wizard.edge.journal import Journal


class RollbackConflict(Exception):
    """Objects changed since the apply; `objects` names them."""

    def __init__(self, objects: list[str]):
        super().__init__("changed since this change set was applied (roll back with --force to "
                         f"overwrite): {', '.join(objects)}")
        self.objects = objects


async def rollback_change_set(change_dir: Path, client: Cloudflare, *, force: bool = False,
                              on_step: Step | None = None,
                              sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> Outcome:
    change_dir = Path(change_dir)
    plan, journal = load_plan(change_dir), Journal(change_dir)
    api = EdgeApi(client, plan.zone_id, on_step=on_step, sleep=sleep)
    try:
        live = await read_live(api, plan)
    except EdgeApiError as exc:
        raise RollbackConflict([f"zone {plan.zone} could not be read ({exc})"]) from None
    conflicts = objects(plan, "after", live, journal.created())
    if conflicts and not force:
        raise RollbackConflict(conflicts)
    journal.write("begin", action="rollback", force=force)
    return await drive(plan, api, change_dir, journal, "before", force=force)


async def recover(change_dir: Path, client: Cloudflare,
                  action: Literal["rollback", "finish"] = "rollback", *, on_step: Step | None = None,
                  sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> Outcome:
    """Bring an interrupted change set's objects to the snapshot ("rollback") or to the plan's
    full desired state ("finish"), from a re-read; the outcome says which was reached."""
    change_dir = Path(change_dir)
    plan, journal = load_plan(change_dir), Journal(change_dir)
    api = EdgeApi(client, plan.zone_id, on_step=on_step, sleep=sleep)
    journal.write("begin", action=f"recover-{action}")
    # The interrupted run may have written anything the plan names: objects in between are ours.
    return await drive(plan, api, change_dir, journal, "after" if action == "finish" else "before",
                       force=True)

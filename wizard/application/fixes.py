"""Fixing the edge, the one path the CLI and the TUI share: plan against the live zone, apply
after review, re-run the checks that asked for the fixes, and log what really happened.

wizard.edge knows the zone; this module adds what only stages know: which checks a fix answers,
how to run them, and the sprint's change log in progress.yaml.

The Cloudflare SDK and the fix catalogue load inside the functions that use them: the TUI
imports this module for its first screen, which needs none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wizard.application.checks import run_sprint
from wizard.application.open_sprint import OpenSprint
from wizard.edge.journal import ChangeSet, list_change_sets, new_change_id, unfinished, write_json
from wizard.edge.plan import Change, Plan
from wizard.errors import EnvironmentProblem, LaunchReadyError, UsageError
from wizard.findings import Finding, Status
from wizard.sprint import ChangeLogEntry, Progress, Sprint, now

if TYPE_CHECKING:
    from wizard.edge.apply import Outcome

Step = Callable[[str], None]

# What the faces show of plans and change sets, from here rather than from wizard.edge.
__all__ = ["Change", "ChangeRefused", "ChangeSet", "FixResult", "Plan", "apply_fixes", "asked_fixes",
           "change_sets", "finish", "fixes_to_plan", "has_unfinished", "make_plan", "rollback"]


def change_sets(sprint: Sprint) -> list[ChangeSet]:
    """The sprint's applied change sets, newest first."""
    return list_change_sets(sprint.changes_dir)


def has_unfinished(sprint: Sprint) -> bool:
    """An apply was interrupted: the faces offer to finish it or roll it back."""
    return bool(unfinished(sprint.changes_dir))


class ChangeRefused(LaunchReadyError):
    """The change set was not applied or rolled back as asked (exit 1): the message says why."""

    exit_code = 1


@dataclass
class FixResult:
    outcome: Outcome
    checks: list[Finding] = field(default_factory=list)  # the re-run of the checks that asked
    fixes: list[str] = field(default_factory=list)  # the fixes judged

    @property
    def still_asking(self) -> list[Finding]:
        """Findings that still fail and still name one of the fixes: what the fix did not fix.
        (A finding failing for another reason, e.g. a host that does not resolve yet, names
        another fix or none, and is not this fix's to answer.)"""
        from wizard.edge.fixes import ALIASES

        return [f for f in self.checks if f.status is Status.FAIL
                and f.fix is not None and ALIASES.get(f.fix, f.fix) in self.fixes]

    @property
    def verified(self) -> bool | None:
        return None if not self.checks else not self.still_asking


def asked_fixes(progress: Progress) -> list[str]:
    """The fixes the last saved results ask for, in catalogue order."""
    return fixes_asked_by(progress.findings())


def fixes_asked_by(findings: list[Finding]) -> list[str]:
    """The fixes failing or warning findings name, in catalogue order."""
    from wizard.edge.fixes import ALIASES, FIXES

    wanted = {ALIASES.get(f.fix, f.fix) for f in findings
              if f.fix and f.is_problem}
    return [fix for fix in FIXES if fix in wanted]


async def fixes_to_plan(op: OpenSprint, on_step: Step | None = None, *,
                        save: bool = False) -> list[str]:
    """The fixes the saved results ask for; when no check that can ask for a fix has a saved
    result (a fresh sprint), those checks run first, so `plan` and `apply` are never a dead end.
    Their results are recorded only with `save` (apply does; plan writes nothing)."""
    from wizard.edge.fixes import FIXES

    fix_checks = checks_for(list(FIXES))
    if any(f.id in fix_checks for f in op.progress.findings()):
        return asked_fixes(op.progress)
    if on_step:
        on_step(f"no saved results: running the {len(fix_checks)} checks that can ask for a fix")
    run = await run_sprint(op, only=fix_checks, save=save)
    return fixes_asked_by(run.findings)


def checks_for(fix_ids: list[str]) -> list[str]:
    from wizard.edge.fixes import FIXES

    return list(dict.fromkeys(c for fix in fix_ids for c in FIXES[fix].checks))


async def make_plan(op: OpenSprint, fix_ids: list[str]) -> Plan:
    """The plan for these fixes against the live zone; writes nothing anywhere."""
    from wizard.edge.fixes import plan_fixes, resolve_fix_ids
    from wizard.edge.live_zone import read_live_zone
    from wizard.edge.origin_facts import gather_facts
    from wizard.edge.zone_state import ZoneStateError

    try:
        ids = resolve_fix_ids(fix_ids)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not ids:
        raise UsageError("no fix asked for: name one with --fix")
    async with op.cloudflare() as (client, net):
        try:
            live = await read_live_zone(client, net, op.zone, monitoring="cf.healthchecks" in ids)
        except ZoneStateError as exc:
            problem = EnvironmentProblem if exc.rejected else UsageError
            raise problem(f"Cloudflare zone {op.zone}: {exc}") from None
        facts = await gather_facts(net, live, op.config, ids)
    return plan_fixes(live, op.config, ids, facts)


async def apply_fixes(op: OpenSprint, plan: Plan, on_step: Step | None = None) -> FixResult:
    """Snapshot, apply, verify by re-reading, then re-run the checks that asked; log the truth."""
    from wizard.edge.apply import apply_plan

    change_dir = op.sprint.changes_dir / new_change_id()
    async with op.cloudflare() as (client, _net):
        outcome = await apply_plan(plan, client, change_dir, on_step=on_step)
    changed = [fix for fix in plan.fixes if any(c.fix == fix for c in plan.changes)]
    return await _after(op, change_dir.name, plan.fixes, outcome, on_step, verify=changed)


async def rollback(op: OpenSprint, change_id: str | None, *, force: bool = False,
                   on_step: Step | None = None) -> FixResult:
    """Restore a change set's snapshot; an unfinished one is recovered to its snapshot."""
    from wizard.edge.rollback import RollbackConflict, recover, rollback_change_set

    change = find_change_set(op.sprint, change_id)
    async with op.cloudflare() as (client, _net):
        try:
            if change.state == "unfinished":
                outcome = await recover(change.path, client, "rollback", on_step=on_step)
            else:
                outcome = await rollback_change_set(change.path, client, force=force, on_step=on_step)
        except RollbackConflict as exc:
            raise ChangeRefused(f"rollback of {change.id} refused: {exc}") from None
    return await _after(op, change.id, change.fixes, outcome, on_step)


async def finish(op: OpenSprint, change_id: str, on_step: Step | None = None) -> FixResult:
    """Bring an interrupted change set to its plan's full desired state."""
    from wizard.edge.rollback import recover

    change = find_change_set(op.sprint, change_id)
    if change.state != "unfinished":
        raise UsageError(f"change set {change.id} is {change.state}, not unfinished")
    async with op.cloudflare() as (client, _net):
        outcome = await recover(change.path, client, "finish", on_step=on_step)
    return await _after(op, change.id, change.fixes, outcome, on_step)


def find_change_set(sprint: Sprint, change_id: str | None) -> ChangeSet:
    """By id, or the newest applied (or unfinished) one when no id is given."""
    changes = list_change_sets(sprint.changes_dir)
    if change_id is None:
        candidates = [c for c in changes if c.state in ("applied", "unfinished")]
        if not candidates:
            raise UsageError(f"{sprint.changes_dir}: no applied change set to roll back")
        return candidates[0]
    for change in changes:
        if change.id == change_id:
            return change
    known = ", ".join(c.id for c in changes[:5]) or "none yet"
    raise UsageError(f"no change set {change_id!r} in {sprint.changes_dir} (newest: {known})")


async def _after(op: OpenSprint, change_id: str, fixes: list[str], outcome: Outcome,
                 on_step: Step | None, verify: list[str] | None = None) -> FixResult:
    """Re-run the checks of the fixes that changed something (a fix whose plan is only a note,
    like an SPF over the limit, is not judged here), write them beside the change set, log it."""
    judged = fixes if verify is None else verify
    result = FixResult(outcome, fixes=judged)
    if outcome.state in ("applied", "rolled-back"):
        if on_step:
            on_step("re-running the checks that asked for the fixes")
        run = await run_sprint(op, only=checks_for(judged), save=True)
        result.checks = run.findings
        write_json(op.sprint.changes_dir / change_id / "verification.json", {
            "schema": "launch-ready/change-verification@1", "after": outcome.state,
            "checks": [f.model_dump(mode="json") for f in run.findings]})
    op.progress.log_change(ChangeLogEntry(
        id=change_id, fixes=fixes, state=outcome.state, summary=outcome.message, at=now(),
        verified=result.verified if outcome.state == "applied" else None))
    op.save()
    return result

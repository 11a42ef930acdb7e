"""Work shared by several checks of one run (the zone state, the mail policy, whether the domain
resolves at all), done once.

Keyed on the run's NetContext (one per run): the first check to ask starts the work, the others
await the same task. The task is shielded, so one check timing out does not cancel it for the rest.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from stages.base import Check, Probe
from wizard.engine import RunContext
from wizard.findings import Finding, Status
from wizard.net import NetContext

if TYPE_CHECKING:
    from wizard.probes.nameservers import Apex

T = TypeVar("T")

_RUNS: weakref.WeakKeyDictionary[NetContext, dict[str, asyncio.Future]] = weakref.WeakKeyDictionary()


async def once(net: NetContext, key: str, work: Callable[[], Awaitable[T]]) -> T:
    slots = _RUNS.setdefault(net, {})
    task = slots.get(key)
    if task is None:
        task = slots[key] = asyncio.ensure_future(work())
    return await asyncio.shield(task)


# ---------------------------------------------------------------- does the domain resolve?

async def domain_status(ctx: RunContext) -> Apex:
    """The apex's NS question, asked once per run (dns.nameservers reads the same answer).

    Every check of names under the domain waits for this one question, so a domain that does not
    exist or a resolver that does not answer costs one timeout in the run, not one per check."""
    from wizard.probes.nameservers import apex_ns  # dnspython: only for runs that ask DNS

    return await once(ctx.net, "domain-status",
                      lambda: apex_ns(ctx.net, ctx.config.target.domain))


def unresolved_cause(ctx: RunContext, apex: Apex) -> str:
    """Why nothing under the domain can be looked up, in the words every finding about it uses."""
    asked = ", ".join(apex.asked) if ctx.net.nameservers else f"the system resolver {', '.join(apex.asked)}"
    if apex.outcome == "nxdomain":
        return f"{apex.domain} does not exist in DNS (NXDOMAIN)"
    if apex.outcome == "timeout":
        return f"the resolver is unreachable (no answer from {asked} within {ctx.net.timeout_s:g} s)"
    return f"the resolver could not answer for {apex.domain} (SERVFAIL or refused by {asked})"


def needs_domain(probe: Probe) -> Probe:
    """probe, run only when target.domain exists in DNS.

    Otherwise the check gives one finding naming the cause instead of false failures ("no SPF
    record" of a domain that does not exist): skipped when the domain does not exist, error when
    DNS could not tell. dns.nameservers carries the one failing finding and what to do."""
    async def guarded(ctx: RunContext, check: Check) -> list[Finding]:
        apex = await domain_status(ctx)
        if apex.exists:
            return await probe(ctx, check)
        status = Status.SKIPPED if apex.outcome == "nxdomain" else Status.ERROR
        return [check.finding(apex.domain, status, f"not checked: {unresolved_cause(ctx, apex)}; "
                              "see dns.nameservers", {"domain": apex.evidence()})]

    return guarded

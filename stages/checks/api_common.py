"""What the API checks share: opening a bounded session on the product's API (a missing section
or credential, or an unconfirmed production target, becomes a SKIPPED finding with its reason),
unique markers, and a per-run count of running API probes so the rate-limit bursts can wait for
them (a run shares the product's quotas: a burst first would leave the others only 429s)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

import httpx

from stages.base import Check
from wizard.engine import RunContext
from wizard.findings import Finding, Status
from wizard.net import NetContext
from wizard.probes.api_client import ApiProblem, ApiSession, BoundReached
from wizard.probes.api_paths import PathFiller

JSON = {"Content-Type": "application/json"}
T = TypeVar("T")
ApiProbe = Callable[[RunContext, Check, ApiSession], Awaitable[list[Finding]]]
Probe = Callable[[RunContext, Check], Awaitable[list[Finding]]]


def api_subject(ctx: RunContext) -> str:
    return ctx.config.api.base_url or ctx.config.target.domain


def skipped(ctx: RunContext, check: Check, problem: ApiProblem, sent: int = 0,
            subject: str | None = None) -> Finding:
    return check.finding(subject or api_subject(ctx), Status.SKIPPED, str(problem),
                         {"requests": sent},
                         remediation="Fill in the sprint's api: section and the test accounts' "
                                     "credentials (launch-ready setup), then re-run.")


class _Running:
    """The API probes of one run that are still sending, an event set when none is, and the
    gate an account-changing probe closes while it runs alone."""

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.open = asyncio.Event()  # cleared while a probe runs alone
        self.open.set()
        self.alone = asyncio.Lock()


_RUNNING: weakref.WeakKeyDictionary[NetContext, _Running] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def using_quotas(net: NetContext) -> Iterator[None]:
    """Around a probe that sends to the product's API: the rate-limit bursts wait for it."""
    running = _RUNNING.setdefault(net, _Running())
    running.count += 1
    running.idle.clear()
    try:
        yield
    finally:
        running.count -= 1
        if running.count == 0:
            running.idle.set()


@contextlib.asynccontextmanager
async def sharing(net: NetContext) -> AsyncIterator[None]:
    """using_quotas, entered once no probe is running alone."""
    await _RUNNING.setdefault(net, _Running()).open.wait()
    with using_quotas(net):
        yield


@contextlib.asynccontextmanager
async def alone(net: NetContext) -> AsyncIterator[None]:
    """Around a probe that changes the test accounts themselves (user A's role or e-mail, for a
    moment): it waits for the API probes already sending, and new ones wait for it, so none of
    them sees user A as an admin or under another address."""
    running = _RUNNING.setdefault(net, _Running())
    async with running.alone:
        running.open.clear()
        try:
            await running.idle.wait()
            with using_quotas(net):
                yield
        finally:
            running.open.set()


async def after_other_probes(net: NetContext, wait_s: float) -> None:
    """Wait (at most `wait_s`) until the run's API probes that have started are done. The
    engine starts checks in order, so the ones listed before the caller have started."""
    running = _RUNNING.get(net)
    if running is not None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait_s):
                await running.idle.wait()


def api_probe(*, write: bool, changes_accounts: bool = False) -> Callable[[ApiProbe], Probe]:
    """A check probe that gets its ApiSession; `write`: it creates, changes, deletes or bursts,
    so an unconfirmed production target skips it before anything is sent; `changes_accounts`:
    it runs alone (see `alone`)."""
    def wrap(probe: ApiProbe):
        @functools.wraps(probe)
        async def run(ctx: RunContext, check: Check) -> list[Finding]:
            session = None
            try:
                session = ApiSession(ctx.config, ctx.net, ctx.credentials, check.id)
                if write:
                    session.require_write()
                async with (alone if changes_accounts else sharing)(ctx.net):
                    return await probe(ctx, check, session)
            except ApiProblem as problem:
                return [skipped(ctx, check, problem, session.sent if session else 0)]
            except BoundReached as exc:
                assert session is not None  # only a session's requests reach its bound
                return [check.finding(api_subject(ctx), Status.ERROR, str(exc), {"requests": session.sent},
                                      remediation="Raise api.bounds.per_probe, or list fewer routes.")]
        return run
    return wrap


async def each(check: Check, s: ApiSession, filler: PathFiller, items: Iterable[T],
               attempt: Callable[[T], Awaitable[Finding]], subject: Callable[[T], str] = str
               ) -> list[Finding]:
    """One finding per item (an operation, an input): `attempt(item)`'s, or SKIPPED with the
    reason (a slot without a value, writes not allowed). Each carries the requests the session
    sent for it (the first also what came before); the objects `filler` made are deleted at the
    end, counted with the last."""
    findings: list[Finding] = []
    mark = 0
    try:
        for item in items:
            try:
                finding = await attempt(item)
            except ApiProblem as problem:
                finding = check.finding(subject(item), Status.SKIPPED, f"{subject(item)}: {problem}", {})
            finding.evidence["requests"] = s.sent - mark
            mark = s.sent
            findings.append(finding)
    finally:
        with contextlib.suppress(BoundReached):
            await filler.cleanup()
        if findings:
            findings[-1].evidence["requests"] += s.sent - mark
    return findings


def json_of(response: httpx.Response) -> Any:
    """The answer's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def seen(response: httpx.Response, *values: str) -> bool:
    """Whether any of `values` shows in the response body."""
    return any(v and v in response.text for v in values)

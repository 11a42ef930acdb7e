"""What the API checks share: opening a bounded session on the product's API (a missing section
or credential, or an unconfirmed production target, becomes a SKIPPED finding with its reason),
unique markers, and how a response is summed up in evidence."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable

import httpx

from stages.base import Check
from wizard.engine import RunContext
from wizard.findings import Finding, Status
from wizard.probes.api_client import ApiProblem, ApiSession, BoundReached

JSON = {"Content-Type": "application/json"}
ApiProbe = Callable[[RunContext, Check, ApiSession], Awaitable[list[Finding]]]
Probe = Callable[[RunContext, Check], Awaitable[list[Finding]]]


def marker(purpose: str) -> str:
    """A value no response contains unless we put it there."""
    return f"launch-ready-{purpose}-{secrets.token_hex(6)}"


def api_subject(ctx: RunContext) -> str:
    return ctx.config.api.base_url or ctx.config.target.domain


def skipped(ctx: RunContext, check: Check, problem: ApiProblem, sent: int = 0,
            subject: str | None = None) -> Finding:
    return check.finding(subject or api_subject(ctx), Status.SKIPPED, str(problem),
                         {"requests": sent},
                         remediation="Fill in the sprint's api: section and the test accounts' "
                                     "credentials (launch-ready setup), then re-run.")


def api_probe(*, write: bool) -> Callable[[ApiProbe], Probe]:
    """A check probe that gets its ApiSession; `write`: it creates, changes, deletes or bursts,
    so an unconfirmed production target skips it before anything is sent."""
    def wrap(probe: ApiProbe):
        @functools.wraps(probe)
        async def run(ctx: RunContext, check: Check) -> list[Finding]:
            session = None
            try:
                session = ApiSession(ctx.config, ctx.net, ctx.vault, check.id)
                if write:
                    session.require_write()
                return await probe(ctx, check, session)
            except ApiProblem as problem:
                return [skipped(ctx, check, problem, session.sent if session else 0)]
            except BoundReached as exc:
                return [check.finding(api_subject(ctx), Status.ERROR, str(exc), {"requests": session.sent},
                                      remediation="Raise api.bounds.per_probe, or list fewer routes.")]
        return run
    return wrap


def seen(response: httpx.Response, *values: str) -> bool:
    """Whether any of `values` shows in the response body."""
    return any(v and v in response.text for v in values)

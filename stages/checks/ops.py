"""Stage 5's ops.* checks: is the product up as a monitor sees it, do its certificates have time
left, how slow is the chat at p95, and does an alert reach a person.

- ops.uptime: each monitoring.urls entry once, with its status, keyword and time split.
- ops.tls-expiry: each target host's certificate, verified, with the days it has left.
- ops.latency-p95: the chat endpoint (small prompts) and monitoring.latency_urls, sampled up to
  monitoring.samples times (and never past api.bounds.per_probe) spread over
  monitoring.spread_s, as test user A when its credential is there (a login is made before the
  first sample, never timed); p50/p95/p99/max (wizard.probes.percentiles). A slow first sample
  is flagged as a possible cold start and kept in the numbers: users meet cold starts too.
- ops.alert-route: one labelled test alert through monitoring.alert; delivery is only known
  when a person sees it, so a sent alert is a WARN until the manual item ops.alert-received is
  answered.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from stages.base import Check
from wizard.edge.fix_healthchecks import watch_url
from wizard.engine import RunContext, default_timeout
from wizard.findings import Finding, Severity, Status
from wizard.net import NetRefused
from wizard.probes.alerts import AlertFailed, AlertNotConfigured, send_test_alert
from wizard.probes.api_client import ApiProblem, ApiSession, BoundReached
from wizard.probes.percentiles import Distribution
from wizard.probes.timing import Timing, timed_request
from wizard.probes.tls import TlsUnreachable, inspect_certificate

TLS_FAIL_DAYS = 7
TLS_WARN_DAYS = 21
COLD_START_FACTOR = 3  # a first sample this many times the median is flagged (and kept)
COLD_START_MIN_S = 0.1  # ... and this much slower: 16 ms after a 4 ms median is a new connection
CHAT_PROMPT = "ping"
LATENCY_TIMEOUT_S = 4200  # the longest spread (monitoring.spread_s <= 3600) and the samples' time


def seconds(value: float) -> str:
    """2.41 s, 0.35 s, 80 ms: short enough for a summary line."""
    if value >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".") + " s"
    if value >= 0.1:
        return f"{value:.2f} s"
    return f"{value * 1000:.0f} ms"


# ---------------------------------------------------------------- ops.uptime


def _split(timing: Timing) -> str:
    if timing.reused:
        parts = ["reused connection"]
    else:
        parts = [f"{name} {seconds(value)}" for name, value in
                 (("DNS", timing.dns_s), ("connect", timing.connect_s), ("TLS", timing.tls_s))
                 if value is not None]
    if timing.first_byte_s is not None:
        parts.append(f"first byte {seconds(timing.first_byte_s)}")
    return ", ".join(parts)


async def _uptime(ctx: RunContext, check: Check) -> list[Finding]:
    watches = ctx.config.monitoring.urls
    if not watches:
        return [check.finding(ctx.config.target.domain, Status.SKIPPED, "monitoring.urls lists nothing to watch",
                              remediation="List the home page, the login page, the chat endpoint's health "
                                          "route and the webhook under monitoring.urls.")]

    async def one(watch) -> Finding:
        url = watch_url(ctx.config, watch)
        evidence: dict[str, Any] = {"url": url, "expected_status": watch.status, "keyword": watch.keyword}
        try:
            response, timing = await timed_request(ctx.net, "GET", url)
        except httpx.TimeoutException:
            return check.finding(url, Status.FAIL, f"no answer within {ctx.net.timeout_s:g} s", evidence,
                                 remediation="The product is down or hanging for this URL: check the host.")
        except (httpx.HTTPError, NetRefused) as exc:
            reason = " ".join(str(exc).split()) or f"{type(exc).__name__} (the connection ended without a reason)"
            status = Status.ERROR if isinstance(exc, NetRefused) else Status.FAIL
            return check.finding(url, status, f"could not be reached: {reason}", {**evidence, "error": reason},
                                 remediation="Check the host's DNS, that it listens on HTTPS, and its logs.")
        evidence.update(status=response.status_code, **timing.evidence())
        took = f"in {seconds(timing.total_s)} ({_split(timing)})"
        if response.status_code != watch.status:
            moved = response.headers.get("location")
            evidence["location"] = moved
            return check.finding(url, Status.FAIL, f"answered {response.status_code} instead of {watch.status} {took}"
                                 + (f", to {moved}" if moved else ""), evidence,
                                 remediation="An uptime monitor would be alerting now: find why this URL "
                                             "does not answer as expected (deploy, origin, edge).")
        if watch.keyword and watch.keyword not in response.text:
            return check.finding(url, Status.FAIL, f"{response.status_code} but {watch.keyword!r} is not in the "
                                 f"body {took}", evidence,
                                 remediation="The page answers but not with its content (an error page "
                                             "served with 200?); check what it returns.")
        found = f" with {watch.keyword!r}" if watch.keyword else ""
        return check.finding(url, Status.PASS, f"{response.status_code}{found} {took}", evidence)

    return list(await asyncio.gather(*(one(w) for w in watches)))


# ---------------------------------------------------------------- ops.tls-expiry


async def _tls_expiry(ctx: RunContext, check: Check) -> list[Finding]:
    async def one(host: str) -> Finding:
        try:
            cert = await inspect_certificate(ctx.net, host)
        except TlsUnreachable as exc:  # a name that does not resolve has no certificate to expire
            status = Status.SKIPPED if exc.kind == "dns" else Status.ERROR
            why = " (dns.resolves reports it)" if exc.kind == "dns" else ""
            return check.finding(host, status, f"no TLS handshake with {host}: {exc}{why}",
                                 {"error": str(exc), "error_kind": exc.kind})
        evidence = cert.evidence()
        until = cert.not_after.date().isoformat() if cert.not_after else "?"
        if not cert.verified:
            return check.finding(host, Status.FAIL, f"the certificate is not trusted: {cert.reason} "
                                 f"(until {until})", evidence,
                                 remediation="Serve a certificate a browser trusts for this name, then "
                                             "check that renewal is automatic.")
        days = cert.days_left
        if days is None:  # inspect_certificate reads the expiry of every certificate it returns
            return check.finding(host, Status.ERROR, f"no expiry date read from the certificate of {host}",
                                 evidence)
        when = f"(until {until}, issued by {cert.issuer})"
        if days < TLS_FAIL_DAYS:
            return check.finding(host, Status.FAIL, f"expires in {days} days {when}", evidence,
                                 remediation="Renew now, then find out why automatic renewal did not.")
        if days < TLS_WARN_DAYS:
            return check.finding(host, Status.WARN, f"expires in {days} days {when}", evidence,
                                 remediation=f"Renew before launch week; a healthy automatic renewal "
                                             f"happens around {TLS_WARN_DAYS}-30 days before expiry.")
        return check.finding(host, Status.PASS, f"{days} days left {when}", evidence)

    return list(await asyncio.gather(*(one(h) for h in ctx.config.target.hosts)))


# ---------------------------------------------------------------- ops.latency-p95


@dataclass
class _Samples:
    seconds: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # "200", "429", "timeout", "ConnectError"
    stopped: str = ""  # why sampling ended before the planned count

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not status.startswith("2"))


async def _sample(ctx: RunContext, send: Callable[[], Awaitable[httpx.Response]], planned: int,
                  deadline: float) -> _Samples:
    """Up to `planned` timed requests, one at a time, their starts spread over spread_s."""
    spread = ctx.config.monitoring.spread_s
    gap = spread / (planned - 1) if planned > 1 else 0.0
    found = _Samples()
    begin = time.monotonic()
    for index in range(planned):
        wait = begin + index * gap - time.monotonic()
        if wait > 0:  # spreading the samples is the point: a burst would measure a warm path only
            await asyncio.sleep(wait)
        if time.monotonic() + ctx.net.timeout_s > deadline:
            found.stopped = f"the check's time limit after {index} sample(s)"
            break
        started = time.perf_counter()
        try:
            status = str((await send()).status_code)
        except BoundReached as exc:
            found.stopped = str(exc)
            break
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        found.seconds.append(time.perf_counter() - started)
        found.statuses[status] += 1
    return found


def _latency_finding(ctx: RunContext, check: Check, url: str, found: _Samples,
                     evidence: dict[str, Any]) -> Finding:
    budget = ctx.config.monitoring.p95_budget_s
    evidence.update(samples=[round(s, 4) for s in found.seconds], statuses=dict(found.statuses),
                    budget_s=budget, spread_s=ctx.config.monitoring.spread_s)
    if found.stopped:
        evidence["stopped"] = found.stopped
    if not found.seconds:
        return check.finding(url, Status.ERROR, f"no sample taken: {found.stopped or 'nothing sent'}", evidence)
    dist = Distribution.of(found.seconds)
    evidence.update(dist.evidence())
    summary = (f"p95 {seconds(dist.p95)} over {dist.count} samples (p50 {seconds(dist.p50)}, "
               f"p99 {seconds(dist.p99)}, max {seconds(dist.max)})")
    slow = dist.p95 > budget
    if slow:
        summary += f", above the {seconds(budget)} budget"
    first = found.seconds[0]
    if dist.count > 1 and first > COLD_START_FACTOR * dist.p50 and first - dist.p50 > COLD_START_MIN_S:
        evidence["cold_start"] = {"first_s": round(first, 4), "median_s": round(dist.p50, 4), "kept": True}
        summary += f"; first sample {seconds(first)}, a cold start? (kept in the numbers)"
    if found.errors:
        codes = ", ".join(f"{status} x{n}" for status, n in found.statuses.items() if not status.startswith("2"))
        summary += f"; {found.errors} of {dist.count} failed ({codes})"
    if slow:
        return check.finding(url, Status.FAIL, summary, evidence,
                             remediation="Find where the slow answers wait (model provider, cold starts, "
                                         "a queue): stream the reply, keep instances warm, set timeouts.")
    if found.errors:
        return check.finding(url, Status.WARN, summary, evidence,
                             remediation="Some samples failed: their times are kept, but look at why.")
    return check.finding(url, Status.PASS, summary, evidence)


async def _latency(ctx: RunContext, check: Check) -> list[Finding]:
    config = ctx.config
    targets: list[tuple[str, str | None]] = [(u, None) for u in config.monitoring.latency_urls]
    if config.api.chat is not None:
        targets.insert(0, (config.api.chat.url, CHAT_PROMPT))
    if not targets:
        return [check.finding(config.target.domain, Status.SKIPPED,
                              "api.chat is not set and monitoring.latency_urls lists nothing to time",
                              remediation="Set api.chat (the chat endpoint) and list critical API routes "
                                          "under monitoring.latency_urls.")]
    deadline = time.monotonic() + (check.timeout_s or default_timeout(ctx)) - ctx.net.timeout_s
    planned = min(config.monitoring.samples, config.api.bounds.per_probe)

    async def one(path: str, prompt: str | None) -> Finding:
        try:
            session = ApiSession(config, ctx.net, ctx.credentials, check.id, bound=planned + 1)  # + a login
        except ApiProblem as exc:
            return check.finding(path, Status.SKIPPED, str(exc))
        url = session.url(path)
        try:
            account = "user_a" if session.has_account("user_a") else None
            if account:
                await session.auth(account)  # a login, if any, is not a sample
        except ApiProblem as exc:
            return check.finding(url, Status.SKIPPED, str(exc))

        async def send() -> httpx.Response:
            if prompt is not None:
                return (await session.chat(prompt, account=account)).response
            return await session.request("GET", path, account=account)

        found = await _sample(ctx, send, planned, deadline)
        evidence = {"url": url, "kind": "chat" if prompt else "api", "account": account, "planned": planned,
                    "requests": session.sent, "bound": session.bound}
        return _latency_finding(ctx, check, url, found, evidence)

    return list(await asyncio.gather(*(one(path, prompt) for path, prompt in targets)))


# ---------------------------------------------------------------- ops.alert-route


async def _alert_route(ctx: RunContext, check: Check) -> list[Finding]:
    alert = ctx.config.monitoring.alert
    subject = alert.kind or "alerts"
    try:
        sent = await send_test_alert(ctx.config, ctx.net, ctx.credentials)
    except AlertNotConfigured as exc:
        return [check.finding(subject, Status.SKIPPED, str(exc),
                              remediation="Point monitoring.alert at where the on-call person is paged "
                                          "(Slack, Discord, a webhook or e-mail).")]
    except AlertFailed as exc:
        return [check.finding(subject, Status.FAIL, str(exc), {"route": alert.kind},
                              remediation="Alerts would be lost too: fix the route (URL, token, SMTP "
                                          "login), then run this check again.")]
    at = sent.sent_at.strftime("%H:%M UTC")
    evidence = {"route": sent.route, "sent_at": sent.sent_at.isoformat(timespec="seconds"), "text": sent.text,
                **sent.detail}
    return [check.finding(subject, Status.WARN, f"test alert sent via {sent.route} at {at}; confirm it "
                          "arrived (ops.alert-received)", evidence,
                          remediation="Check that the alert reached the on-call person's phone, then "
                                      "answer ops.alert-received with when it arrived.")]


OPS_CHECKS = (
    Check("ops.uptime", 5, "Monitored URLs answer as expected", Severity.BLOCKER, _uptime,
          description="Each monitoring URL once: status, keyword, and the time split into DNS, "
                      "connect, TLS, first byte and total."),
    Check("ops.tls-expiry", 5, "Certificates have time left", Severity.BLOCKER, _tls_expiry,
          description=f"Each host's certificate, verified: {TLS_WARN_DAYS}+ days pass, "
                      f"{TLS_FAIL_DAYS}-{TLS_WARN_DAYS} warn, under {TLS_FAIL_DAYS} fail."),
    Check("ops.latency-p95", 5, "Chat and critical APIs answer fast at p95", Severity.CAN_WAIT, _latency,
          description="Bounded samples spread over time (small prompts); p50/p95/p99/max; the chat's "
                      "p95 must stay under monitoring.p95_budget_s.",
          timeout_s=LATENCY_TIMEOUT_S),
    Check("ops.alert-route", 5, "A test alert goes out through the alert route", Severity.BLOCKER, _alert_route,
          description="One labelled test alert through monitoring.alert; a person confirms receipt "
                      "(ops.alert-received)."),
)

CHECKS = OPS_CHECKS  # for stages.registry

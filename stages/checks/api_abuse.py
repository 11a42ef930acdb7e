"""Stage 4 checks of the product's API under abuse (OWASP API Security Top 10 2023: API4
unrestricted resource consumption, API8 security misconfiguration): rate limits on login, chat
and the webhook; oversized and malformed bodies; what error responses show; and whether the
webhook trusts only fresh deliveries signed with its secret. Every probe here writes or bursts,
so an unconfirmed production target skips them all before anything is sent."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from stages.base import Check
from stages.checks.api_common import (
    JSON,
    after_other_probes,
    api_probe,
    api_subject,
    skipped,
)
from stages.checks.per_run import once
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import (
    ApiProblem,
    ApiSession,
    BoundReached,
    NotConfirmed,
    locate,
    marker,
    render,
)
from wizard.probes.burst import Burst, burst
from wizard.probes.leakage import Hit, scan_body
from wizard.probes.webhook_sign import header_name, signature, timestamped
from wizard.sections import Chat, Webhook
from wizard.vault import register_secret

MiB = 1024 * 1024
OVERSIZED = (MiB, 10 * MiB)  # tried in order, stopping at the first refusal
SIZE_REFUSALS = (400, 413, 422)
RECOVERY_WAIT_S = 5.0  # a Retry-After up to this long is waited out before the recovery request
STALE_S = 600
OTHERS_WAIT_S = 300  # the rate limit waits this long at most for the run's other API probes
WRONG_SECRET = "launch-ready-not-the-secret"


def _wrong_password() -> str:
    return f"launch-ready-wrong-{secrets.token_hex(6)}"


# ---------------------------------------------------------------- the endpoints' requests


@dataclass(frozen=True)
class Request:
    label: str  # e.g. "POST /api/chat broken JSON"
    method: str
    path: str
    account: str | None = None
    content: str | bytes | None = None
    content_type: str | None = "application/json"

    async def send(self, s: ApiSession) -> httpx.Response:
        headers = {"Content-Type": self.content_type} if self.content_type else None
        return await s.request(self.method, self.path, account=self.account, headers=headers,
                               content=self.content)


@dataclass(frozen=True)
class Endpoint:
    """A JSON endpoint the abuse probes send bodies to: a valid body from its template."""

    method: str
    url: str
    body: str
    account: str | None

    @property
    def subject(self) -> str:
        return f"{self.method} {self.url}"

    def request(self, label: str, content: str | bytes | None,
                content_type: str | None = "application/json") -> Request:
        return Request(f"{self.subject} {label}", self.method, self.url, self.account, content, content_type)

    def malformed(self) -> list[Request]:
        """Broken JSON, wrong types ({"field": 123}, [], null) and a form-encoded body."""
        try:
            fields = json.loads(self.body)
        except ValueError:
            fields = {}
        wrong = {k: 123 for k in fields} if isinstance(fields, dict) and fields else {"message": 123}
        form = "&".join(f"{k}=x" for k in wrong)
        return [self.request("broken JSON", self.body[:-1] or "{"),
                self.request("wrong types", json.dumps(wrong)),
                self.request("a JSON array", "[]"),
                self.request("JSON null", "null"),
                self.request("form-encoded", form, "application/x-www-form-urlencoded")]


def _signed_in(s: ApiSession) -> str | None:
    return "user_a" if s.has_account("user_a") else None


def chat_endpoint(s: ApiSession, account: str | None, prompt: str = "hello") -> Endpoint | None:
    chat = s.api.chat
    if chat is None:
        return None
    return _chat_endpoint(chat, account, prompt)


def _chat_endpoint(chat: Chat, account: str | None, prompt: str) -> Endpoint:
    return Endpoint(chat.method, chat.url, render(chat.body, prompt=prompt, session=""), account)


def login_endpoint(s: ApiSession) -> Endpoint | None:
    """The login with user A's login name (a test account, never a real user's) and a wrong
    password, or a made-up address when none is set."""
    login = s.api.login
    if login is None:
        return None
    name = s.api.accounts.user_a or "launch-ready-probe@example.invalid"
    return Endpoint(login.method, login.url,
                    render(login.body, login=name, password=_wrong_password()), None)


def create_endpoint(s: ApiSession) -> Endpoint | None:
    resource = s.api.resource
    if resource is None or not s.has_account("user_a"):
        return None
    return Endpoint(resource.create_method, resource.create_url,
                    render(resource.create_body, marker=marker("malformed")), "user_a")


def body_endpoints(s: ApiSession) -> list[Endpoint]:
    return [e for e in (chat_endpoint(s, _signed_in(s)), login_endpoint(s), create_endpoint(s)) if e]


async def _undo_create(s: ApiSession, request: Request, response: httpx.Response) -> None:
    """A malformed create the product accepted anyway leaves an object: delete it."""
    resource = s.api.resource
    if resource is None or request.path != resource.create_url or response.status_code >= 300:
        return
    object_id = locate(response, resource.id_from)
    if object_id not in (None, ""):
        await s.request("DELETE", resource.url.replace("{id}", str(object_id)), account="user_a")


def _no_endpoint(ctx: RunContext, check: Check, what: str) -> list[Finding]:
    return [check.finding(api_subject(ctx), Status.SKIPPED, f"{what} is not set in the api: section",
                          remediation="Describe the endpoint in the sprint's api: section, then re-run.")]


# ---------------------------------------------------------------- abuse.malformed-payload


@dataclass(frozen=True)
class Answer:
    request: Request
    status: int | None  # None: no answer within the network timeout
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"request": self.request.label, "status": self.status}


async def _send_all(s: ApiSession, requests: list[Request]) -> list[Answer]:
    answers = []
    for request in requests:
        try:
            response = await request.send(s)
        except httpx.TimeoutException:
            answers.append(Answer(request, None, ""))
            continue
        answers.append(Answer(request, response.status_code, response.text))
        await _undo_create(s, request, response)
    return answers


@dataclass(frozen=True)
class Malformed:
    """The malformed bodies' answers per endpoint, and which probe sent them (and counts them)."""

    sender: str
    endpoints: list[tuple[Endpoint, list[Answer], int]]  # (endpoint, answers, requests sent)


async def malformed_answers(ctx: RunContext, s: ApiSession) -> Malformed:
    """The malformed bodies are sent once per run, by whichever of abuse.malformed-payload and
    abuse.error-leakage asks first; the other reads the same answers."""
    async def work() -> Malformed:
        done = []
        for endpoint in body_endpoints(s):
            start = s.sent
            done.append((endpoint, await _send_all(s, endpoint.malformed()), s.sent - start))
        return Malformed(s.probe, done)
    return await once(ctx.net, "api-malformed-bodies", work)


@api_probe(write=True)
async def malformed_payload(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    malformed = await malformed_answers(ctx, s)
    if not malformed.endpoints:
        return _no_endpoint(ctx, check, "none of api.chat, api.login, api.resource")
    mine = malformed.sender == check.id
    return [_malformed_finding(check, endpoint, answers, sent if mine else 0,
                               None if mine else malformed.sender)
            for endpoint, answers, sent in malformed.endpoints]


def _malformed_finding(check: Check, endpoint: Endpoint, answers: list[Answer], sent: int,
                       sent_by: str | None) -> Finding:
    evidence: dict[str, Any] = {"requests": sent, "answers": [a.to_dict() for a in answers]}
    if sent_by:
        evidence["sent_by"] = f"{sent_by} (the same requests serve both checks in a run)"

    def named(answer: Answer) -> str:
        return answer.request.label.removeprefix(endpoint.subject + " ")
    crashed = [f"{named(a)} -> {a.status or 'no answer'}" for a in answers
               if a.status is None or a.status >= 500]
    if crashed:
        return check.finding(endpoint.subject, Status.FAIL, f"{endpoint.subject} fails on bad input: "
                             + ", ".join(crashed), evidence,
                             remediation="Validate the body before using it (a schema: pydantic, zod, "
                                         "Joi...) and answer 400 for broken JSON, 415 for a wrong "
                                         "content type, 422 for wrong fields.")
    accepted = [named(a) for a in answers if a.status is not None and a.status < 400]
    if accepted:
        return check.finding(endpoint.subject, Status.WARN, f"{endpoint.subject} accepted "
                             + ", ".join(accepted), evidence,
                             remediation="Refuse bodies that do not match the schema with a 4xx.")
    if limited := [named(a) for a in answers if a.status == 429]:
        return _rate_limited(check, endpoint.subject, limited, evidence)
    return check.finding(endpoint.subject, Status.PASS, f"{endpoint.subject} answered all "
                         f"{len(answers)} malformed bodies with 4xx", evidence)


def _rate_limited(check: Check, subject: str, limited: list[str], evidence: dict) -> Finding:
    return check.finding(subject, Status.WARN, "inconclusive: rate limited (429) before it read "
                         + ", ".join(limited), evidence, severity=Severity.CAN_WAIT,
                         remediation="Re-run once the rate-limit window has passed (other probes "
                                     "of the run may have used the quota).")


# ---------------------------------------------------------------- abuse.error-leakage


def _provoking(s: ApiSession) -> list[Request]:
    """Requests meant to make the product fail besides the malformed bodies: a NUL character in
    a chat message, an unknown model, an unknown route, a wrong method."""
    requests = [Request("GET unknown route", "GET", f"/launch-ready-missing-{secrets.token_hex(4)}",
                        content_type=None)]
    if chat_api := s.api.chat:
        chat = _chat_endpoint(chat_api, _signed_in(s), "hello\x00world")
        requests.insert(0, chat.request("with a NUL character", chat.body))
        fields = json.loads(render(chat_api.body, prompt="hello", session=""))
        if isinstance(fields, dict):
            requests.insert(1, chat.request("with an unknown model",
                                            json.dumps({**fields, "model": "launch-ready-no-such-model"})))
        requests.append(Request(f"PUT {chat.url} (wrong method)", "PUT", chat.url, chat.account, chat.body))
    return requests


@api_probe(write=True)
async def error_leakage(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    answers = await _send_all(s, _provoking(s))  # first: the chat's quota is shared with the run
    malformed = await malformed_answers(ctx, s)
    answers += [a for _, done, _ in malformed.endpoints for a in done]
    hits: dict[str, list[Hit]] = {}
    for answer in answers:
        for hit in scan_body(answer.text, answer.request.label):
            hits.setdefault(hit.kind, []).append(hit)
    evidence: dict[str, Any] = {
        "requests": s.sent, "responses": {a.request.label: a.status for a in answers},
        "hits": [{**found[0].to_dict(), "responses": [h.source for h in found]} for found in hits.values()]}
    if malformed.sender != check.id:
        evidence["sent_by"] = f"{malformed.sender} sent the malformed bodies (read by both checks)"
    subject = api_subject(ctx)
    if hits:
        leaking = len({h.source for found in hits.values() for h in found})
        return [check.finding(subject, Status.FAIL, f"{leaking} of {len(answers)} error responses "
                              f"show internals: {', '.join(hits)}", evidence,
                              remediation="Turn off debug mode in production; answer errors with "
                                          "a generic message and a request id, log the details "
                                          "server-side; never pass the AI provider's error to the "
                                          "user; rotate any key an error showed.")]
    if limited := [a.request.label for a in answers if a.status == 429]:
        return [_rate_limited(check, subject, limited, evidence)]
    return [check.finding(subject, Status.PASS, f"None of {len(answers)} error-provoking "
                          "responses showed a stack trace, debug page, path, provider error or key",
                          evidence)]


# ---------------------------------------------------------------- abuse.oversized-payload


@api_probe(write=True)
async def oversized_payload(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    chat = s.api.chat
    if chat is None:
        return _no_endpoint(ctx, check, "api.chat")
    account = _signed_in(s)
    if account:
        await s.auth(account)  # a login is not one of the oversized requests
    endpoint = _chat_endpoint(chat, account, "")
    tried: list[dict] = []
    for size in OVERSIZED:
        body = render(chat.body, prompt="x" * size, session="")
        t0 = time.monotonic()
        try:
            response = await endpoint.request(f"{size // MiB} MiB", body).send(s)
        except httpx.TimeoutException:
            tried.append({"bytes": len(body), "status": None, "seconds": round(time.monotonic() - t0, 2)})
            break
        tried.append({"bytes": len(body), "status": response.status_code,
                      "seconds": round(time.monotonic() - t0, 2)})
        if response.status_code >= 300:
            break
    return [_oversized_finding(check, endpoint, tried, s.sent, ctx.config.network.timeout_s)]


def _oversized_finding(check: Check, endpoint: Endpoint, tried: list[dict], sent: int,
                       timeout_s: float) -> Finding:
    evidence = {"requests": sent, "attempts": tried, "timeout_s": timeout_s}
    last, size = tried[-1], f"{tried[-1]['bytes'] / MiB:.1f} MiB"
    remediation = ("Limit request bodies before reading them (e.g. 64 KiB for chat: Nginx "
                   "client_max_body_size, express.json({limit}), Flask MAX_CONTENT_LENGTH) and "
                   "answer 413; cap the prompt length too.")
    if last["status"] is None:
        return check.finding(endpoint.subject, Status.FAIL, f"a {size} body got no answer within "
                             f"{timeout_s:.0f} s", evidence, remediation=remediation)
    if last["status"] >= 500:
        return check.finding(endpoint.subject, Status.FAIL, f"a {size} body crashed it "
                             f"({last['status']})", evidence, remediation=remediation)
    if last["status"] < 300:
        return check.finding(endpoint.subject, Status.FAIL, f"accepted a {size} body", evidence,
                             remediation=remediation)
    if len(tried) > 1:  # refused 10 MiB, but 1 MiB prompts get through to the model
        return check.finding(endpoint.subject, Status.WARN, f"accepted a {tried[0]['bytes'] / MiB:.1f} "
                             f"MiB body, refused {size} with {last['status']}", evidence,
                             remediation=remediation, severity=Severity.CAN_WAIT)
    if last["status"] not in SIZE_REFUSALS:
        return check.finding(endpoint.subject, Status.WARN, f"refused a {size} body with "
                             f"{last['status']}, not 413", evidence, remediation=remediation,
                             severity=Severity.CAN_WAIT)
    return check.finding(endpoint.subject, Status.PASS, f"refused a {size} body with "
                         f"{last['status']} in {last['seconds']} s", evidence)


# ---------------------------------------------------------------- abuse.rate-limit


def _webhook_delivery(webhook: Webhook, secret: str, *, at: int | None = None,
                      signed: bool = True) -> tuple[str, dict[str, str]]:
    """A delivery's body (a fresh event id) and headers, signed with `secret` at `at` (now)."""
    body = render(webhook.body, nonce=marker("event"))
    headers = dict(JSON)
    if signed:
        headers[header_name(webhook.scheme, webhook.header)] = signature(
            webhook.scheme, secret, body.encode(), int(time.time()) if at is None else at)
    return body, headers


@dataclass(frozen=True)
class Target:
    """One limited endpoint and how to send a burst request to it."""

    subject: str
    send: Callable[[], Awaitable[httpx.Response]]
    signs_in: bool = False  # the login: sign the test accounts in before it is limited


RATE_PROMPT = "launch-ready rate limit probe: reply with OK"


def _burst_target(name: str, s: ApiSession) -> Target | None:
    """The login with a wrong password, the chat as user B (user A's quota stays for the run's
    other probes), the webhook with deliveries signed with a wrong secret (a product that checks
    signatures does nothing with them)."""
    api = s.api
    if name == "login" and (login := login_endpoint(s)):
        return Target(login.subject, lambda: login.request("burst", login.body).send(s), signs_in=True)
    if name == "chat" and api.chat:
        account = next((a for a in ("user_b", "user_a") if s.has_account(a)), None)
        return Target(f"{api.chat.method} {api.chat.url}", lambda: _chat_response(s, account))
    if name == "webhook" and (webhook := api.webhook):
        return Target(f"POST {webhook.url}", lambda: _wrongly_signed(s, webhook))
    return None


async def _chat_response(s: ApiSession, account: str | None) -> httpx.Response:
    return (await s.chat(RATE_PROMPT, account=account)).response


async def _wrongly_signed(s: ApiSession, webhook: Webhook) -> httpx.Response:
    body, headers = _webhook_delivery(webhook, WRONG_SECRET)
    return await s.request("POST", webhook.url, headers=headers, content=body)


async def rate_limit(ctx: RunContext, check: Check) -> list[Finding]:
    """After the run's other API probes (they share the quotas), one session per endpoint, each
    bounded by the burst plus the recovery request and the logins it needs."""
    if not ctx.config.api.may_write:
        return [skipped(ctx, check, NotConfirmed())]
    bounds = ctx.config.api.bounds
    await after_other_probes(ctx.net, OTHERS_WAIT_S)
    findings = []
    for name in ("login", "chat", "webhook"):
        try:
            s = ApiSession(ctx.config, ctx.net, ctx.credentials, f"{check.id} {name}", bound=bounds.burst + 4)
        except ApiProblem as problem:
            return [skipped(ctx, check, problem)]
        target = _burst_target(name, s)
        if target is None:
            findings.append(skipped(ctx, check, ApiProblem(f"api.{name} is not set: its rate limit "
                                                           "is not tested"), subject=name))
            continue
        try:
            if target.signs_in:
                for account in ("user_a", "user_b", "admin"):
                    if s.has_account(account):
                        await s.auth(account)
            result = await burst(target.send, bounds.burst, bounds.concurrency)
            recovery = await _recover(target.send, result)
        except ApiProblem as problem:
            findings.append(skipped(ctx, check, problem, s.sent, target.subject))
            continue
        findings.append(_rate_finding(check, target.subject, result, recovery, s.sent, bounds.burst))
    return findings


async def _recover(send, result: Burst) -> dict[str, Any]:
    """One request after the burst: after the Retry-After when it is short, else at once (then
    a 429 shows the limit still holds)."""
    retry = result.limit_headers.get("retry-after", "")
    wait = float(retry) if retry.isdigit() and float(retry) <= RECOVERY_WAIT_S else 0.0
    await asyncio.sleep(wait)
    try:
        response = await send()
    except BoundReached:
        return {"sent": False}
    except httpx.TimeoutException:
        return {"sent": True, "waited_s": wait, "status": None}
    return {"sent": True, "waited_s": wait, "status": response.status_code}


def _rate_finding(check: Check, subject: str, result: Burst, recovery: dict, sent: int,
                  bound: int) -> Finding:
    shots = result.shots
    quota = result.advertised_quota
    evidence = {
        "requests": sent, "burst_requests": len(shots), "bound": bound, "stopped": result.stopped,
        "stop_reason": result.stop_reason, "first_429": result.first_429,
        "statuses": {str(k): v for k, v in Counter(s.status for s in shots).items()},
        "limit_headers": result.limit_headers, "advertised_quota": quota,
        "first_latency_s": round(shots[0].latency_s, 3) if shots else None,
        "slowest_s": round(max((s.latency_s for s in shots), default=0), 3),
        "recovery": recovery,
        "note": "login attempts use a wrong password for user A's test login name (never a real "
                "user's) so no real account can be locked",
    }
    remediation = ("Limit per account and per address (e.g. 5 logins/min, 20 chat messages/min, "
                   "webhooks per source) at the edge (Cloudflare rate limiting rule) or in the "
                   "app, answering 429 with Retry-After.")
    if result.first_429:
        retry = result.limit_headers.get("retry-after")
        return check.finding(subject, Status.PASS, f"429 after {result.first_429} requests"
                             + (f" (Retry-After {retry} s)" if retry else ""), evidence)
    if result.stopped == "degraded":
        return check.finding(subject, Status.FAIL, f"no limit: degraded after {len(shots)} requests "
                             f"({result.stop_reason})", evidence, remediation=remediation,
                             fix="cf.rate-limit")
    if quota is not None and quota > len(shots):
        return check.finding(subject, Status.WARN, f"inconclusive: it advertises {quota} requests "
                             f"per window, more than the {len(shots)} sent", evidence,
                             remediation="Raise api.bounds.burst above the advertised quota to "
                                         "test it, or lower the quota.", severity=Severity.CAN_WAIT)
    return check.finding(subject, Status.FAIL, f"no limit within {len(shots)} requests"
                         + (f" (it advertises {quota})" if quota is not None else ""), evidence,
                         remediation=remediation + " cf.rate-limit adds the edge rule.", fix="cf.rate-limit")


# ---------------------------------------------------------------- webhook.signature


@api_probe(write=True)
async def webhook_signature(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    webhook = s.api.webhook
    if webhook is None:
        return _no_endpoint(ctx, check, "api.webhook")
    secret = s.vault.get("webhook-secret")
    if secret is None:
        raise ApiProblem(s.vault.missing("webhook-secret"))
    register_secret(secret.value)
    subject = f"POST {webhook.url}"

    async def deliver(label: str, body: str, headers: dict[str, str]) -> int:
        response = await s.request("POST", webhook.url, headers=headers, content=body)
        tried.append({"delivery": label, "status": response.status_code})
        return response.status_code

    tried: list[dict] = []
    body, headers = _webhook_delivery(webhook, secret.value)
    valid = await deliver("valid", body, headers)
    if not 200 <= valid < 300:
        why = ("rate limited (429) before the test: re-run once the window has passed" if valid == 429
               else f"our signature did not verify ({valid}): check api.webhook.scheme/secret")
        return [check.finding(subject, Status.ERROR, why, {"requests": s.sent, "deliveries": tried},
                              remediation="Set api.webhook.scheme (stripe, hmac-sha256, github), "
                                          "api.webhook.header and the webhook-secret credential.")]
    await deliver("replay of the valid one", body, headers)
    await deliver("unsigned", *_webhook_delivery(webhook, secret.value, signed=False))
    await deliver("wrongly signed", *_webhook_delivery(webhook, WRONG_SECRET))
    if timestamped(webhook.scheme):
        await deliver(f"signed {STALE_S // 60} min ago", *_webhook_delivery(
            webhook, secret.value, at=int(time.time()) - STALE_S))
    evidence = {"requests": s.sent, "deliveries": tried, "scheme": webhook.scheme,
                "judged_by": "status codes (the product exposes no way to read deliveries back); "
                             "every delivery carries its own event id"}
    accepted = [t["delivery"] for t in tried[1:] if 200 <= t["status"] < 300]
    if accepted:
        return [check.finding(subject, Status.FAIL, "accepted: " + ", ".join(accepted), evidence,
                              remediation="Verify the signature over the raw body with the "
                                          "provider's library (constant-time compare), refuse "
                                          "timestamps older than 5 minutes, and store event ids "
                                          "to refuse replays.")]
    unclear = [f"{t['delivery']} -> {t['status']}" for t in tried[1:] if not 400 <= t["status"] < 500]
    if unclear:
        return [check.finding(subject, Status.WARN, "not clearly refused: " + ", ".join(unclear),
                              evidence, remediation="Answer a bad delivery with 400/401.")]
    return [check.finding(subject, Status.PASS, f"accepted the valid delivery, refused the other "
                          f"{len(tried) - 1} (replay, unsigned, wrong signature"
                          + (", stale)" if timestamped(webhook.scheme) else ")"), evidence)]


API_STAGE4_CHECKS = (
    Check("abuse.oversized-payload", 4, "The chat endpoint refuses oversized bodies quickly",
          Severity.BLOCKER, oversized_payload, timeout_s=180,
          description="POSTs 1 MiB then 10 MiB prompts to the chat (stopping at the first refusal): "
                      "413/400/422 within the network timeout, never 5xx. Blocker: one request "
                      "that crashes the app or reaches the model is a denial of service and a bill."),
    Check("abuse.malformed-payload", 4, "Malformed bodies get a 4xx, never a 5xx", Severity.CAN_WAIT,
          malformed_payload, timeout_s=120,
          description="Broken JSON, wrong types, [] and null, and a form-encoded body to the chat, "
                      "the login and the object create: 4xx, never 5xx (what a 5xx shows is "
                      "abuse.error-leakage's blocker)."),
    Check("abuse.error-leakage", 4, "Error responses show no internals", Severity.BLOCKER,
          error_leakage, timeout_s=120,
          description="Provokes errors (malformed bodies, an unknown route, a wrong method, a NUL "
                      "in a message) and scans every response for stack traces, debug pages, "
                      "server paths, AI provider errors and keys; excerpts are masked."),
    Check("webhook.signature", 4, "The webhook accepts only fresh deliveries signed with its secret",
          Severity.BLOCKER, webhook_signature, timeout_s=120,
          description="A valid delivery (must be accepted) and its replay, an unsigned, a wrongly "
                      "signed and a 10-minute-old signed delivery (must be refused); schemes "
                      "stripe, hmac-sha256, github; api.webhook.header overrides the header."),
)

# Listed after every other check that uses the product's API: the engine starts checks in order,
# so those have started (and, when they run under `using_quotas`, are waited for) before the
# bursts use up the product's quotas.
BURST_CHECKS = (
    Check("abuse.rate-limit", 4, "Login, chat and the webhook are rate limited", Severity.BLOCKER,
          rate_limit, timeout_s=600,
          description="A bounded burst per endpoint (api.bounds.burst requests, "
                      "api.bounds.concurrency at a time) stopping at the first 429 or on "
                      "degradation, reading Retry-After and RateLimit headers, then one recovery "
                      "request; logins use a wrong password for user A's test login (OWASP API4:2023)."),
)

CHECKS = (*API_STAGE4_CHECKS, *BURST_CHECKS)  # for stages.registry

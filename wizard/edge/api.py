"""The Cloudflare calls an apply or rollback makes, with no blind retries and a counted budget.

The SDK retries 408/409/429/5xx and dropped connections, POST included, and honours Retry-After
only up to 60 s; a retried batch could create records twice and a 5-minute lockout (429, code
971) would just fail. So the SDK's retries are off here: a 429 is waited out through the
injected `sleep` (with a countdown) up to a bound; a read that got no answer is sent again a
few times; a write that got no answer (timeout, dropped connection, 5xx) raises `WriteUnknown`
and the caller re-reads to learn whether it took effect before deciding anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard, get_args

import cloudflare
import httpx
from cloudflare import Cloudflare
from cloudflare.resources.alerting.policies import PoliciesResource
from cloudflare.resources.healthchecks import HealthchecksResource
from cloudflare.types.rulesets import Phase

from wizard.edge.live_zone import SERVER_FIELDS
from wizard.edge.zone_state import (
    HC_PER_PAGE,
    MAX_RECORD_PAGES,
    PER_PAGE,
    describe,
    healthcheck_dict,
    plain_value,
    policy_body,
    policy_dict,
    record_dict,
)

MAX_CALLS = 1000  # per apply or rollback: under Cloudflare's 1,200 per 5 minutes
MAX_WAIT_S = 660.0  # rate-limit waiting per operation: two whole 5-minute lockouts
COUNTDOWN_STEP_S = 30  # how often a wait reports the time left
READ_ATTEMPTS = 3
Step = Callable[[str], None]


class EdgeApiError(Exception):
    """A call failed in a way that stops the operation (the message is safe to show)."""


class WriteUnknown(EdgeApiError):
    """A write got no answer: it may or may not have taken effect."""


class RateLimited(EdgeApiError):
    """Cloudflare kept refusing (429) for longer than the operation may wait."""


class EdgeApi:
    """One apply's or rollback's view of the API: counts every call, waits out 429s."""

    def __init__(self, client: Cloudflare, zone_id: str, *, on_step: Step | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 max_calls: int = MAX_CALLS, max_wait_s: float = MAX_WAIT_S):
        self.client = client.with_options(max_retries=0)
        self.zone_id = zone_id
        self.on_step = on_step or (lambda _message: None)
        self.sleep = sleep
        self.max_calls, self.max_wait_s = max_calls, max_wait_s
        self.calls = 0
        self.waited_s = 0.0
        self._waiting = asyncio.Lock()  # concurrent reads refused together wait once, together
        self._waits = 0
        self._account_id: str | None = None

    # ------------------------------------------------------------------ transport

    async def _once(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        if self.calls >= self.max_calls:
            raise EdgeApiError(f"stopped after {self.calls} API calls (the limit for one operation "
                               "keeps inside Cloudflare's 1,200 per 5 minutes)")
        self.calls += 1
        timeout = self.client.timeout
        seconds = timeout.read if isinstance(timeout, httpx.Timeout) else timeout
        async with asyncio.timeout((seconds or 60) + 5):  # the SDK's own timeout, plus slack
            return await asyncio.to_thread(fn, **kwargs)

    async def _wait(self, exc: cloudflare.RateLimitError, seen: int) -> None:
        async with self._waiting:
            if self._waits == seen:  # nobody waited since this call was refused
                await self._wait_out(exc)
                self._waits += 1

    async def _wait_out(self, exc: cloudflare.RateLimitError) -> None:
        try:
            wait = max(1, int(exc.response.headers.get("retry-after", "60")))
        except ValueError:
            wait = 60
        if self.waited_s + wait > self.max_wait_s:
            raise RateLimited(f"rate limited by Cloudflare (429) for more than {self.max_wait_s:.0f} s; "
                              "stopped") from None
        left = wait
        while left > 0:
            self.on_step(f"rate limited: waiting {left} s")
            chunk = min(left, COUNTDOWN_STEP_S)
            await self.sleep(chunk)
            left -= chunk
        self.waited_s += wait

    async def send(self, fn: Callable[..., Any], *, write: bool, **kwargs) -> Any:
        """One call; 429s are waited out (a refused request never ran, so it is safe to send
        again), reads get READ_ATTEMPTS tries, an unanswered write raises WriteUnknown."""
        failures = 0
        for _ in range(int(self.max_wait_s) + READ_ATTEMPTS + 1):  # bounded: each turn waits or fails
            seen = self._waits
            try:
                return await self._once(fn, kwargs)
            except cloudflare.RateLimitError as exc:
                await self._wait(exc, seen)
            except (cloudflare.APIConnectionError, cloudflare.InternalServerError, TimeoutError) as exc:
                if write:
                    raise WriteUnknown(describe(exc)) from None
                failures += 1
                if failures >= READ_ATTEMPTS:
                    raise EdgeApiError(f"read failed {failures} times: {describe(exc)}") from None
            except cloudflare.APIStatusError as exc:
                raise EdgeApiError(describe(exc)) from None
        raise RateLimited("rate limited by Cloudflare (429) too many times; stopped")

    # ------------------------------------------------------------------ reads

    async def _every_page(self, list_call, convert, per_page: int, what: str) -> list[dict[str, Any]]:
        """Every item of a paged zone listing, converted; bounded at MAX_RECORD_PAGES pages."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_RECORD_PAGES + 1):
            answer = await self.send(list_call, write=False, zone_id=self.zone_id, page=page,
                                     per_page=per_page)
            found.extend(convert(item) for item in answer.result)
            info = answer.result_info
            if not answer.result or info is None or page >= (info.total_pages or 1):
                return found
        raise EdgeApiError(f"more than {MAX_RECORD_PAGES * per_page} {what}")

    async def records(self) -> list[dict[str, Any]]:
        """Every DNS record of the zone, with its id."""
        return await self._every_page(self.client.dns.records.list, record_dict, PER_PAGE, "DNS records")

    async def export(self) -> str:
        return await self.send(self.client.dns.records.export, write=False, zone_id=self.zone_id)

    async def setting(self, setting_id: str) -> Any:
        answer = await self.send(self.client.zones.settings.get, write=False, zone_id=self.zone_id,
                                 setting_id=setting_id)
        return plain_value(answer.value)

    async def rules(self, phase: str) -> list[dict[str, Any]]:
        """The phase's rules; a phase never used (404, code 10003) has none."""
        try:
            answer = await self.send(self.client.rulesets.phases.get, write=False,
                                     ruleset_phase=phase, zone_id=self.zone_id)
        except EdgeApiError as exc:
            if "10003" in str(exc):
                return []
            raise
        return [rule_fields(r.model_dump(exclude_none=True)) for r in answer.rules or []]

    async def bot_management(self) -> dict[str, Any]:
        answer = await self.send(self.client.bot_management.get, write=False, zone_id=self.zone_id)
        return answer.model_dump(exclude_none=True)

    async def account_id(self) -> str:
        """The zone's account (notification policies live there), looked up once."""
        if self._account_id is None:
            zone = await self.send(self.client.zones.get, write=False, zone_id=self.zone_id)
            self._account_id = zone.account.id
        return self._account_id

    async def healthchecks(self) -> list[dict[str, Any]]:
        return await self._every_page(self.client.healthchecks.list, healthcheck_dict, HC_PER_PAGE,
                                      "health checks")

    async def policies(self, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = await self.send(self.client.alerting.policies.list, write=False,
                                 account_id=await self.account_id())
        return [policy_dict(p, checks) for p in answer.result]

    # ------------------------------------------------------------------ writes

    async def batch(self, deletes: list[str], patches: list[dict], posts: list[dict]) -> dict[str, list]:
        answer = await self.send(self.client.dns.records.batch, write=True, zone_id=self.zone_id,
                                 deletes=[{"id": i} for i in deletes], patches=patches, posts=posts)
        return {key: [record_dict(r) for r in getattr(answer, key, None) or []]
                for key in ("deletes", "patches", "posts")}

    async def edit_setting(self, setting_id: str, value: Any) -> Any:
        answer = await self.send(self.client.zones.settings.edit, write=True, zone_id=self.zone_id,
                                 setting_id=setting_id, value=value)
        return plain_value(answer.value)

    async def put_rules(self, phase: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = await self.send(_put_phase(self.client, phase), write=True, zone_id=self.zone_id,
                                 rules=rules)
        return [rule_fields(r) for r in answer.get("rules") or []]

    async def put_bot_management(self, fields: dict[str, Any]) -> None:
        await self.send(self.client.bot_management.update, write=True, zone_id=self.zone_id, **fields)


    async def put_object(self, kind: str, object_id: str | None, obj: dict[str, Any] | None,
                         checks: list[dict[str, Any]]) -> str | None:
        """Create (no id), replace (id and obj) or delete (id, no obj) a health check or a
        notification policy; `checks` names the health checks a policy watches. The new id."""
        resource: HealthchecksResource | PoliciesResource
        if kind == "healthcheck":
            resource, where = self.client.healthchecks, {"zone_id": self.zone_id}
            body = {("healthcheck_timeout" if k == "timeout" else k): v for k, v in (obj or {}).items() if k != "id"}
        else:
            resource, where = self.client.alerting.policies, {"account_id": await self.account_id()}
            body = policy_body(obj, checks) if obj else {}
        if obj is None:
            await self.send(resource.delete, write=True, **where, **{_ID[kind]: object_id})
            return None
        if object_id is None:
            return (await self.send(resource.create, write=True, **where, **body)).id
        await self.send(resource.update, write=True, **where, **{_ID[kind]: object_id}, **body)
        return object_id


_ID = {"healthcheck": "healthcheck_id", "notification_policy": "policy_id"}
def rule_fields(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as it is sent back in a PUT: every field it was read with (a rate limit's
    ratelimit, logging, ...) but the version and timestamp Cloudflare sets."""
    return {k: v for k, v in rule.items() if k not in SERVER_FIELDS}


def _is_phase(phase: str) -> TypeGuard[Phase]:
    return phase in get_args(Phase)


def _put_phase(client: Cloudflare, phase: str) -> Callable[..., Any]:
    if not _is_phase(phase):
        raise EdgeApiError(f"{phase} is not a Cloudflare ruleset phase")
    return lambda **kwargs: client.rulesets.phases.update(phase, **kwargs)

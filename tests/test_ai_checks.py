"""The ai.* checks against the sandbox product: each FAILs while its behaviour is vulnerable and
PASSes once fixed; request counts in evidence equal what the product received; a small bound
stops the probe, which says so."""

from __future__ import annotations

import dataclasses

import pytest

from stages.checks.ai import AI_CHECKS
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Status
from wizard.net import NetContext
from wizard.sandbox.demo import API, DOMAIN
from wizard.sandbox.product import SESSIONS_PATH, Behaviours
from wizard.sections import Api, Bounds, Chat

CHECKS = {c.id: c for c in AI_CHECKS}
# Fixed, but without the chat rate limit: the set sends more than its 10 requests a minute.
FIXED = dataclasses.replace(Behaviours.fixed(), no_rate_limit=True)


def api_section(**changes) -> Api:
    chat = Chat(new_session=SESSIONS_PATH, body='{"message": "{{prompt}}", "session": "{{session}}"}')
    return Api(**{"base_url": f"https://{API}", "other_order": "B-2001", "chat": chat, **changes})


@pytest.fixture
def red_team(sprint, sandbox, monkeypatch):
    """run(*ids, **api changes) -> {id: finding}, with the demo's credentials and canary."""
    for name, value in {**sandbox.credentials(), "LAUNCH_READY_PROMPT_CANARY": sandbox.product.canary}.items():
        monkeypatch.setenv(name, value)
    config = sprint.load_config()

    async def run(*ids: str, **changes) -> dict[str, Finding]:
        config.api = api_section(**changes)
        async with NetContext(config.network, DOMAIN, sprint.root) as net:
            result = await run_checks([CHECKS[i] for i in ids], RunContext(config, net))
        return {f.id: f for f in result.findings}

    return run


async def test_every_ai_check_fails_while_vulnerable_and_passes_once_fixed(red_team, sandbox):
    product = sandbox.product
    before = product.requests.total
    vulnerable = await red_team(*CHECKS)
    assert sum(f.evidence["requests"] for f in vulnerable.values()) == product.requests.total - before
    for f in vulnerable.values():
        assert f.status is Status.FAIL, (f.id, f.summary)
        assert f.evidence["hit"] and all(a["hits"] == "3/3" for a in f.evidence["attacks"]
                                         if a["id"] in f.evidence["hit"])
    assert product.canary not in str([f.model_dump() for f in vulnerable.values()])

    product.behaviours = FIXED
    before = product.requests.total
    fixed = await red_team(*CHECKS)
    assert sum(f.evidence["requests"] for f in fixed.values()) == product.requests.total - before
    for f in fixed.values():
        assert f.status is Status.PASS, (f.id, f.summary)
        assert all(a["outcomes"] == ["safe"] * 3 for a in f.evidence["attacks"])


async def test_each_check_fails_on_its_own_behaviour_only(red_team, sandbox):
    switch = {"ai.system-prompt-leak": "leaks_system_prompt", "ai.prompt-injection": "follows_injection",
              "ai.tool-misuse": "tool_misuse", "ai.cross-session-leak": "cross_session_memory",
              "ai.output-handling": "unsafe_markdown"}
    for check_id, behaviour in switch.items():
        sandbox.product.behaviours = dataclasses.replace(FIXED, **{behaviour: True})
        findings = await red_team(*CHECKS, bounds=Bounds(repeats=1))
        failing = {i for i, f in findings.items() if f.status is Status.FAIL}
        assert failing == {check_id}, (behaviour, {i: f.summary for i, f in findings.items()})


async def test_a_small_bound_stops_the_probe_and_says_so(red_team, sandbox):
    sandbox.product.behaviours = FIXED
    before = sandbox.product.requests.total
    f = (await red_team("ai.prompt-injection", bounds=Bounds(per_probe=9)))["ai.prompt-injection"]
    assert f.status is Status.WARN and "bound of 9" in f.summary and f.evidence["requests"] == 9
    assert sandbox.product.requests.total - before == 9
    assert "not run" in f.evidence["attacks"][-1]["outcomes"]


async def test_the_rate_limit_makes_the_set_incomplete_not_a_pass(red_team, sandbox):
    sandbox.product.behaviours = Behaviours.fixed()
    f = (await red_team("ai.system-prompt-leak"))["ai.system-prompt-leak"]
    assert f.status is Status.WARN and "rate-limited" in f.summary


async def test_a_broken_chat_endpoint_is_an_error_not_a_pass(red_team, sandbox):
    sandbox.product.behaviours = FIXED
    broken = Chat(new_session=SESSIONS_PATH, reply="json:answer",
                  body='{"message": "{{prompt}}", "session": "{{session}}"}')
    f = (await red_team("ai.prompt-injection", chat=broken))["ai.prompt-injection"]
    assert f.status is Status.ERROR and "control-shipping" in f.summary
    assert f.evidence["requests"] == 4 and f.evidence["attacks"][0]["outcomes"] == []


async def test_missing_configuration_skips(red_team, monkeypatch):
    monkeypatch.delenv("LAUNCH_READY_PROMPT_CANARY")
    findings = await red_team("ai.system-prompt-leak", "ai.tool-misuse", other_order=None)
    assert {f.status for f in findings.values()} == {Status.SKIPPED}
    assert "prompt-canary" in findings["ai.system-prompt-leak"].summary
    assert "api.other_order" in findings["ai.tool-misuse"].summary

"""The product's request handling under abuse: rate limits, payload limits, error pages, the
signed billing webhook, the chat log and the request counter."""

from __future__ import annotations

import json
import time

import pytest

from tests.sandbox.product_fixtures import ADMIN, ALICE, api  # noqa: F401 - the fixture
from wizard.sandbox.product import (
    BODY_LIMIT,
    CRASH_MODEL,
    CRASH_SIZE,
    RATE_LIMIT,
    SIGNATURE_HEADER,
    sign,
)

LOGIN = {"email": "alice@acme.example", "password": "wrong"}


@pytest.mark.parametrize(("path", "body"), [("/api/login", LOGIN), ("/api/chat", {"message": "hi"}),
                                            ("/api/webhooks/billing", {"id": "evt_1"})])
def test_limited_routes_answer_429_past_the_limit_until_reset(api, path, body):  # noqa: F811
    statuses = {api.http.post(path, json=body).status_code for _ in range(RATE_LIMIT + 5)}
    assert 429 not in statuses
    api.fix()
    answers = [api.http.post(path, json=body, headers=ALICE) for _ in range(RATE_LIMIT + 1)]
    assert [a.status_code for a in answers].count(429) == 1 and answers[-1].status_code == 429
    first, last = answers[0].headers, answers[-1].headers
    assert first["ratelimit-policy"] == f"{RATE_LIMIT};w=60"
    assert first["ratelimit"].startswith(f"limit={RATE_LIMIT}, remaining={RATE_LIMIT - 1}, reset=")
    assert first["x-ratelimit-remaining"] == str(RATE_LIMIT - 1) and last["x-ratelimit-remaining"] == "0"
    assert 0 < int(last["retry-after"]) <= 60
    api.product.reset_limits()
    assert api.http.post(path, json=body, headers=ALICE).status_code != 429


def test_a_large_body_crashes_the_app_until_refused_with_413(api):  # noqa: F811
    big = json.dumps({"message": "x" * CRASH_SIZE})
    crashed = api.http.post("/api/chat", content=big)
    medium = api.http.post("/api/chat", content=json.dumps({"message": "ship " + "x" * BODY_LIMIT}))
    assert crashed.status_code == 500 and "MemoryError" in crashed.text and medium.status_code == 200
    api.fix()
    refused = api.http.post("/api/chat", content=big)
    assert refused.status_code == 413 and "MemoryError" not in refused.text
    assert api.http.post("/api/chat", content=json.dumps({"message": "x" * BODY_LIMIT})).status_code == 413


@pytest.mark.parametrize(("content", "status"), [(b"{not json", 400), (b'{"message": 42}', 422),
                                                 (b'["message"]', 422), (b"{}", 422)])
def test_malformed_input_is_a_500_until_it_is_a_client_error(api, content, status):  # noqa: F811
    assert api.http.post("/api/chat", content=content).status_code == 500
    api.fix()
    assert api.http.post("/api/chat", content=content).status_code == status


@pytest.mark.parametrize("trigger", [{"model": CRASH_MODEL}, {"message": "hi\x00there"}])
def test_server_errors_leak_a_traceback_and_the_provider_error_until_fixed(api, trigger):  # noqa: F811
    body = {"message": "hi", **trigger}
    leaked = api.http.post("/api/chat", json=body)
    assert leaked.status_code == 500
    text = leaked.json()["traceback"]
    assert "Traceback (most recent call last)" in text and '"/srv/acme/app/chat.py", line 88' in text
    assert "Werkzeug Debugger" in leaked.text
    if "model" in trigger:
        key_tail = api.sandbox.origin.planted_key[-4:]
        assert f"openai.AuthenticationError: Error code: 401 - Incorrect API key provided: sk-proj-****{key_tail}" in text
    api.fix()
    generic = api.http.post("/api/chat", json=body)
    assert generic.status_code == 500 and set(generic.json()) == {"error", "request_id"}
    assert generic.json()["error"] == "something went wrong"
    assert generic.json()["request_id"] == generic.headers["x-request-id"]


def deliver(api, event_id: str, signature: str | None = None, at: float | None = None):  # noqa: F811
    body = json.dumps({"id": event_id, "type": "invoice.paid"}).encode()
    header = signature if signature is not None else sign(api.product.webhook_secret, body, int(at or time.time()))
    return api.http.post("/api/webhooks/billing", content=body, headers={SIGNATURE_HEADER: header} if header else {})


def test_a_signed_delivery_is_recorded_once(api):  # noqa: F811
    api.fix()
    assert api.product.webhook_secret.startswith("whsec_")
    assert deliver(api, "evt_ok").json() == {"received": "evt_ok"}
    assert [e["id"] for e in api.http.get("/api/admin/events", headers=ADMIN).json()["events"]] == ["evt_ok"]


@pytest.mark.parametrize(("kind", "status"), [("unsigned", 401), ("wrong-signature", 401),
                                              ("stale", 400), ("repeated", 400)])
def test_bad_webhook_deliveries_are_accepted_until_fixed(api, kind, status):  # noqa: F811
    def send(event_id: str):
        if kind == "unsigned":
            return deliver(api, event_id, signature="")
        if kind == "wrong-signature":
            return deliver(api, event_id, signature=f"t={int(time.time())},v1={'0' * 64}")
        if kind == "stale":
            return deliver(api, event_id, at=time.time() - 600)
        deliver(api, event_id)
        return deliver(api, event_id)

    assert send("evt_a").status_code == 200
    recorded = len(api.product.events)
    api.fix()
    refused = send("evt_b")
    assert refused.status_code == status
    assert len(api.product.events) == recorded + (kind == "repeated")


def test_the_chat_log_holds_prompts_and_tokens_until_fixed(api):  # noqa: F811
    api.chat("When will my order ship? my secret plan", ALICE)
    api.fix()
    api.chat("Do you offer a discount? another secret", ALICE)
    lines = [json.loads(line) for line in api.product.log_path.read_text().splitlines()]
    assert lines[0]["message"].endswith("my secret plan") and lines[0]["authorization"] == "Bearer tok-alice"
    assert set(lines[1]) == {"request_id", "message_length", "reply_length"}
    assert "secret" not in json.dumps(lines[1]) and "tok-alice" not in json.dumps(lines[1])


def test_the_log_directory_goes_with_the_sandbox(api):  # noqa: F811
    api.chat("hi")
    path = api.product.log_path
    assert path.exists()
    api.sandbox.stop()
    assert not path.parent.exists()


def test_the_counter_sees_every_request_by_route_template(api):  # noqa: F811
    counter = api.product.requests
    before = counter.total
    api.http.post("/api/chats", json={"title": "t"}, headers=ALICE)
    for chat_id in ("c_1", "c_2", "c_3"):
        api.http.get(f"/api/chats/{chat_id}", headers=ALICE)
    api.http.get("/nowhere")
    assert counter[("GET", "/api/chats/{id}")] == 3 and counter[("POST", "/api/chats")] == 1
    assert counter[("GET", "/nowhere")] == 1 and counter.total == before + 5

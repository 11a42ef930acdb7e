"""`api.environment: local`: a product on a loopback address (here the sandbox origin's plain HTTP
port, before any DNS) is probed with the same checks and bounds, and that host is in scope for
the API probes only; the api: section's models refuse what cannot work."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stages.checks.api_accounts import API_ACCOUNT_CHECKS
from stages.checks.api_auth import API_STAGE2_CHECKS
from stages.checks.api_injection import INJECTION_CHECKS
from tests.api_fixtures import discovered, world  # noqa: F401 - the fixture
from wizard.engine import RunContext, run_checks
from wizard.findings import Status
from wizard.net import NetContext, OutOfScope
from wizard.sandbox import product as facts
from wizard.sandbox.demo import DOMAIN
from wizard.sections import Api, Resource, split_route
from wizard.sprint import SprintConfig


def local_config(world, **changes) -> SprintConfig:  # noqa: F811
    origin = world.sandbox.origin
    base = f"http://{origin.site.address}:{world.sandbox.ports.http}"
    config = world.config(**{**discovered(), "base_url": base, "environment": "local", **changes})
    return SprintConfig.model_validate(config.model_dump())  # validated as sprint.yaml would be


async def test_a_loopback_api_is_probed_like_a_staging_one(world):  # noqa: F811
    config = local_config(world)
    assert config.scope_hosts == [world.sandbox.origin.site.address]
    checks = (*(c for c in API_STAGE2_CHECKS if c.id == "auth.bola"), *INJECTION_CHECKS,
              *(c for c in API_ACCOUNT_CHECKS if c.id == "auth.mass-assignment"))
    before = world.sandbox.product.requests.snapshot()
    async with NetContext(config.network, DOMAIN, world.sprint.root, also=config.scope_hosts) as net:
        result = await run_checks(checks, RunContext(config, net))
    found = {(f.id, f.subject): f for f in result.findings}
    assert found[("auth.bola", facts.CHAT_ITEM_PATH)].status is Status.FAIL  # writes allowed: local
    assert found[("abuse.injection", f"GET {facts.SEARCH_PATH} ?q=")].status is Status.FAIL
    assert found[("auth.mass-assignment", f"PATCH {facts.USER_ITEM_PATH}")].status is Status.FAIL
    after = world.sandbox.product.requests.snapshot()
    sent = sum(f.evidence.get("requests", 0) for f in result.findings)
    assert sent == sum(after[k] - before.get(k, 0) for k in after) > 0


async def test_only_the_local_host_joins_the_scope(world):  # noqa: F811
    config = local_config(world)
    async with NetContext(config.network, DOMAIN, world.sprint.root, also=config.scope_hosts) as net:
        assert (await net.http.get(f"{config.api.base_url}/health")).status_code == 200
        with pytest.raises(OutOfScope):  # the edge's loopback address is not the local API
            await net.http.get(f"http://127.0.0.2:{world.sandbox.ports.http}/")
        with pytest.raises(OutOfScope):
            await net.http.get("http://localhost.other.example/")


def test_local_needs_a_loopback_base_url_and_keeps_every_url_on_it(world):  # noqa: F811
    with pytest.raises(ValidationError, match="loopback base_url"):
        local_config(world, base_url="https://api.acme.example")
    with pytest.raises(ValidationError, match="is not on the local API"):
        local_config(world, openapi="http://127.0.0.9:8000/openapi.json")
    with pytest.raises(ValidationError, match="acme.example"):  # staging on a loopback URL
        SprintConfig.model_validate({**world.config().model_dump(),
                                     "api": {"base_url": "http://127.0.0.1:8000"}})


def test_routes_methods_and_the_legacy_resource_spelling():
    assert split_route("/api/me") == ("GET", "/api/me")
    assert split_route("patch /api/me") == ("PATCH", "/api/me")
    api = Api(protected_routes=["/api/me", "delete /api/chats/{id}"],
              resource=Resource(create_url="/api/chats", url="/api/chats/{id}"))
    assert api.protected_routes == ["/api/me", "DELETE /api/chats/{id}"]
    assert api.resource is not None and api.resources == [api.resource]
    with pytest.raises(ValidationError, match="method and a path"):
        Api(protected_routes=["FETCH /api/me x"])
    with pytest.raises(ValidationError, match="needs \\{id\\}"):
        Resource(create_url="/api/chats", url="/api/chats/{chat_id}")
    with pytest.raises(ValidationError, match="file: needs a path"):
        Api(openapi="file:")

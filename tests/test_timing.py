"""The per-request time split against the sandbox: a new connection shows DNS, connect and TLS,
a reused one says so, and a slow answer shows up as time to first byte, not as connect time."""

from __future__ import annotations

import pytest

from wizard.net import NetContext
from wizard.probes.timing import timed_request
from wizard.sandbox.demo import API, DOMAIN

URL = f"https://{API}/health"


@pytest.fixture
async def net(sprint):
    config = sprint.load_config()
    async with NetContext(config.network, DOMAIN, sprint.root) as context:
        yield context


async def test_a_new_connection_splits_dns_connect_tls_and_first_byte(net):
    response, timing = await timed_request(net, "GET", URL)
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not timing.reused
    for part in (timing.dns_s, timing.connect_s, timing.tls_s, timing.first_byte_s):
        assert part is not None and 0 <= part <= timing.total_s
    assert timing.dns_s + timing.connect_s + timing.tls_s + timing.first_byte_s <= timing.total_s
    evidence = timing.evidence()
    assert set(evidence) == {"dns_ms", "connect_ms", "tls_ms", "first_byte_ms", "total_ms", "reused_connection"}


async def test_a_reused_connection_has_no_dns_connect_or_tls(net):
    await timed_request(net, "GET", URL)
    budget = net.budget.used
    _, again = await timed_request(net, "GET", URL)
    assert again.reused and (again.dns_s, again.connect_s, again.tls_s) == (None, None, None)
    assert again.first_byte_s is not None and net.budget.used == budget + 1  # no DNS this time


async def test_a_slow_answer_is_first_byte_time(net, sandbox):
    sandbox.origin.monitoring.slow("/health", [0.3])
    _, timing = await timed_request(net, "GET", URL)
    assert timing.first_byte_s >= 0.3 and timing.total_s >= timing.first_byte_s

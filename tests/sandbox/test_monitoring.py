"""Latency distributions and outages the origin applies per path, seen over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from wizard.sandbox.demo import APP
from wizard.sandbox.monitoring import Delays


def test_delays_cycle_in_order_or_draw_with_a_seed():
    cycled = Delays([0.1, 0.2, 0.3])
    assert [cycled.take() for _ in range(5)] == [0.1, 0.2, 0.3, 0.1, 0.2]
    one, other = Delays([0.0, 1.0], seed=7), Delays([0.0, 1.0], seed=7)
    drawn = [one.take() for _ in range(50)]
    assert drawn == [other.take() for _ in range(50)]  # the same seed draws the same sequence
    assert set(drawn) == {0.0, 1.0}
    with pytest.raises(ValueError):
        Delays([])


@pytest.fixture
def origin(sandbox):
    url = f"http://{sandbox.world.addresses.origin_ipv4}:{sandbox.ports.http}"
    with httpx.Client(base_url=url, headers={"Host": APP}, timeout=5) as client:
        yield client


def test_an_outage_on_one_path_and_then_everywhere(sandbox, origin):
    sandbox.origin.monitoring.outage("/health")
    assert origin.get("/health").status_code == 503
    assert origin.get("/login").status_code == 200
    sandbox.origin.monitoring.outage(status=502)
    assert origin.get("/login").status_code == 502
    sandbox.origin.monitoring.restore()
    assert origin.get("/health").status_code == 200


def test_a_delay_on_a_route_template(sandbox, origin):
    delays = sandbox.origin.monitoring.slow("/api/chats/{id}", [0.2])
    response = origin.get("/api/chats/abc", headers={"Authorization": "Bearer tok-alice"})
    assert response.status_code == 404 and response.elapsed.total_seconds() >= 0.2
    assert delays.take() == 0.2

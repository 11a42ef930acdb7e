"""The demo product at the origin, reached directly (api.acme.example is DNS-only), and the
servers' lifecycle: stop frees the ports and leaves no thread behind, even with open connections."""

from __future__ import annotations

import socket
import threading

from tests.sandbox.web_fixtures import DOMAIN, web  # noqa: F401 - the fixture
from wizard.sandbox.http_server import Response

API = f"https://api.{DOMAIN}"


async def test_home_page_loads_the_bundle_and_a_mixed_content_image(web):  # noqa: F811
    async with web.net() as net:
        home = await net.http.get(f"{API}/")
        bundle = await net.http.get(f"{API}/static/app.js")
    assert '<script src="/static/app.js"' in home.text
    assert f'<img src="http://api.{DOMAIN}/static/hero.svg"' in home.text
    assert "/api/chat" in bundle.text


async def test_me_answers_per_user_and_is_marked_private(web):  # noqa: F811
    async with web.net() as net:
        anonymous = await net.http.get(f"{API}/api/me")
        by_token = await net.http.get(f"{API}/api/me", headers={"Authorization": "Bearer tok-bob"})
        login = await net.http.post(f"{API}/login", data={"user": "alice", "password": "x"})
        by_cookie = await net.http.get(f"{API}/api/me", headers={"Cookie": login.headers["set-cookie"].split(";")[0]})
    assert anonymous.status_code == 401
    assert by_token.json()["name"] == "Bob Chen"
    assert login.status_code == 303
    assert by_cookie.json()["email"] == "alice@acme.example"
    assert by_cookie.headers["cache-control"] == "private"


async def test_chat_answers_and_refuses_bad_input(web):  # noqa: F811
    async with web.net() as net:
        answer = await net.http.post(f"{API}/api/chat", json={"message": "When will my order ship?"})
        bad = await net.http.post(f"{API}/api/chat", content=b"not json")
        wrong_method = await net.http.get(f"{API}/api/chat")
    assert "ship within 2 business days" in answer.json()["reply"]
    assert bad.status_code == 400 and wrong_method.status_code == 405


async def test_origin_can_force_https_itself(web):  # noqa: F811
    web.origin.options.redirect_http_to_https = True
    async with web.net() as net:
        response = await net.http.get(f"http://api.{DOMAIN}/login?next=x")
    assert response.headers["location"] == f"https://api.{DOMAIN}/login?next=x"


async def test_route_table_takes_new_routes(web):  # noqa: F811
    web.origin.route("GET", "/api/version", lambda request: Response.json(200, {"version": "1.4.2"}))
    async with web.net() as net:
        assert (await net.http.get(f"{API}/api/version")).json() == {"version": "1.4.2"}


def _listening(address: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((address, port)) == 0


async def test_stop_frees_the_ports_and_joins_threads_despite_open_connections(web):  # noqa: F811
    async with web.net() as net:
        await net.http.get(f"https://{DOMAIN}/health")  # the keep-alive connection stays open
        serving = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        assert serving  # a thread is still waiting on that connection
        web.edge.stop()
        web.origin.stop()
    assert not [t for t in serving if t.is_alive()]
    addresses = (web.world.addresses.edge_ipv4, web.world.addresses.origin_ipv4)
    assert not any(_listening(a, p) for a in addresses for p in (web.ports.http, web.ports.https))

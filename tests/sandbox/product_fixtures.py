"""The demo product's API reached over real HTTP: a client straight to the sandbox's origin (as
app.acme.example), with helpers to sign in and to switch the product between its modes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from wizard.sandbox.demo import APP
from wizard.sandbox.product import Behaviours, Product
from wizard.sandbox.run import Sandbox


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ALICE, BOB, ADMIN = bearer("tok-alice"), bearer("tok-bob"), bearer("tok-admin")


@dataclass
class Api:
    sandbox: Sandbox
    http: httpx.Client

    @property
    def product(self) -> Product:
        return self.sandbox.product

    def fix(self) -> None:
        self.product.behaviours = Behaviours.fixed()

    def chat(self, message: str, headers: dict[str, str] | None = None, **fields) -> dict:
        response = self.http.post("/api/chat", json={"message": message, **fields}, headers=headers or {})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    origin = f"http://{sandbox.world.addresses.origin_ipv4}:{sandbox.ports.http}"
    with httpx.Client(base_url=origin, headers={"Host": APP}, timeout=5) as http:
        yield Api(sandbox, http)

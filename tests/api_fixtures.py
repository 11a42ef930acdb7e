"""Running the API checks against the sandbox's product: the demo sprint with an `api:` section
for https://api.acme.example, the test accounts and the webhook secret in the environment (the
CI path), and the product's request counter to compare with what a finding says it sent."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stages.base import Check
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding
from wizard.net import NetContext
from wizard.sandbox import product as facts
from wizard.sandbox.demo import API, DOMAIN
from wizard.sandbox.product import Behaviours
from wizard.sandbox.run import Sandbox
from wizard.sections import Account, Accounts, Api, Bounds, Chat, Login, Resource, Signup, Webhook
from wizard.sprint import Sprint, SprintConfig


def api_section(**changes) -> Api:
    """The demo product's API as a sprint describes it."""
    values = dict(
        base_url=f"https://{API}",
        protected_routes=[facts.ME_PATH, facts.CHATS_PATH],
        admin_routes=[facts.ADMIN_USERS_PATH, facts.ADMIN_EVENTS_PATH],
        login=None,
        resources=[Resource(create_url=facts.CHATS_PATH, url=facts.CHAT_ITEM_PATH)],
        chat=Chat(url=facts.CHAT_PATH, body='{"message": "{{prompt}}"}'),
        webhook=Webhook(url=facts.WEBHOOK_PATH, header=facts.SIGNATURE_HEADER),
        bounds=Bounds(burst=20, concurrency=3),
    )
    return Api(**{**values, **changes})


def jwt_login() -> dict:
    """Sessions from POST /api/login (JWTs) instead of static tokens; the passwords go in the env."""
    return dict(login=Login(url=facts.LOGIN_PATH),
                accounts=Accounts(user_a="alice@acme.example", user_b="bob@acme.example"))


def discovered() -> dict:
    """What `api discover` adds from the product's OpenAPI document (the demo's own section):
    the sign-up, the account routes, objects by id and by name, the document itself."""
    return dict(
        openapi=facts.OPENAPI_PATH,
        protected_routes=[facts.ME_PATH, f"GET {facts.USER_ITEM_PATH.replace('{id}', '{user_id}')}",
                          facts.CHATS_PATH, f"GET {facts.SEARCH_PATH}"],
        resources=[Resource(name="chat", create_url=facts.CHATS_PATH, url=facts.CHAT_ITEM_PATH),
                   Resource(name="workspace", create_url=facts.WORKSPACES_PATH,
                            create_body='{"name": "{{marker}}"}', id_from="json:name",
                            url=facts.WORKSPACE_ITEM_PATH.replace("{name}", "{id}"),
                            update_body='{"description": "{{marker}}"}')],
        signup=Signup(url=facts.REGISTER_PATH),
        account=Account(update_url=facts.USER_ITEM_PATH, password_url=facts.USER_PASSWORD_PATH),
        path_values={"user_id": "me:json:id"},
        bounds=Bounds(burst=20, concurrency=3, per_probe=200),
    )


@dataclass
class ApiWorld:
    sandbox: Sandbox
    sprint: Sprint
    monkeypatch: pytest.MonkeyPatch

    def config(self, **changes) -> SprintConfig:
        config = self.sprint.load_config()
        config.api = api_section(**changes)
        return config

    def mode(self, vulnerable: bool) -> None:
        self.sandbox.product.behaviours = Behaviours.vulnerable() if vulnerable else Behaviours.fixed()
        self.sandbox.product.reset_limits()

    def passwords(self) -> None:
        self.monkeypatch.setenv("LAUNCH_READY_USER_A", facts.PASSWORDS["alice@acme.example"])
        self.monkeypatch.setenv("LAUNCH_READY_USER_B", facts.PASSWORDS["bob@acme.example"])

    async def run(self, checks: tuple[Check, ...], config: SprintConfig | None = None
                  ) -> tuple[dict[tuple[str, str], Finding], dict[tuple[str, str], int]]:
        """(findings by (id, subject), requests the product received per (method, route))."""
        before = self.sandbox.product.requests.snapshot()
        async with NetContext((config or self.config()).network, DOMAIN, self.sprint.root) as net:
            result = await run_checks(checks, RunContext(config or self.config(), net))
        after = self.sandbox.product.requests.snapshot()
        received = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
        return {(f.id, f.subject): f for f in result.findings}, received


@pytest.fixture
def world(sandbox, sprint, monkeypatch) -> ApiWorld:
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LAUNCH_READY_WEBHOOK_SECRET", sandbox.product.webhook_secret)
    return ApiWorld(sandbox, sprint, monkeypatch)

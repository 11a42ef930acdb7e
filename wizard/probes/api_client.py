"""One probe's access to the product's API (the sprint's `api:` section): URLs on base_url,
the test accounts' sessions, the request templates, and hard bounds on what is sent.

Every request a probe sends goes through `ApiSession.request`, which counts it against the
probe's bound and the run's (api.bounds), on top of the run's network budget and scope; a probe
reports `session.sent` so the report's request counts add up to what the product received. A
login made for an account is counted by the probe that needed it and reused by the others.

Production: `require_write()` raises NotConfirmed unless api.environment is staging or
api.production_confirmed is set; every probe that writes (creates, changes, deletes) or bursts
calls it first.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from wizard.net import NetContext
from wizard.probes.openapi_fetch import fetch_document
from wizard.sections import Api, Login
from wizard.sprint import SprintConfig
from wizard.vault import Secret, Vault, register_secret

ACCOUNTS = {"user_a": "user-a", "user_b": "user-b", "admin": "admin"}  # -> keyring entry
_NO_BASE_URL = "api.base_url is not set (sprint.yaml api: section, or setup)"


class ApiProblem(Exception):
    """The API section or a credential is missing or wrong: the check is skipped with this line."""


class BoundReached(Exception):
    """The probe or the run has sent as many requests as its bound allows."""


class NotConfirmed(ApiProblem):
    def __init__(self) -> None:
        super().__init__("production target: writing and bursting probes need "
                         "api.production_confirmed: true")


@dataclass
class _RunTally:
    sent: int = 0
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    logins: dict[str, asyncio.Lock] = field(default_factory=dict)
    secrets: dict[str, Secret | None] = field(default_factory=dict)  # one keyring read per run


_RUNS: weakref.WeakKeyDictionary[NetContext, _RunTally] = weakref.WeakKeyDictionary()


def render(template: str, **values: str) -> str:
    """Fill {{name}} slots of a JSON body template; values are JSON-string-escaped, so a prompt
    with quotes or newlines keeps the body valid JSON."""
    out = template
    for name, value in values.items():
        out = out.replace("{{" + name + "}}", json.dumps(value)[1:-1])
    return out


def render_form(template: str, **values: str) -> str:
    """Fill {{name}} slots of a form body template (`username={{login}}&...`), URL-encoded."""
    out = template
    for name, value in values.items():
        out = out.replace("{{" + name + "}}", quote(value, safe=""))
    return out


def locate(response: httpx.Response, locator: str) -> Any:
    """The value a locator (`json:a.b`, `cookie:name`, `header:name`, `text:`) points at, or None."""
    kind, _, where = locator.partition(":")
    if kind == "cookie":
        return response.cookies.get(where)
    if kind == "header":
        return response.headers.get(where)
    if kind == "text":
        return response.text
    try:
        value: Any = response.json()
    except ValueError:
        return None
    return walk(value, where)


def walk(value: Any, dotted: str) -> Any:
    """The value at a dotted path (`data.items.0.id`) in parsed JSON, or None."""
    for key in filter(None, dotted.split(".")):
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def marker(purpose: str) -> str:
    """A value no response contains unless we put it there."""
    return f"launch-ready-{purpose}-{secrets.token_hex(6)}"


@dataclass(frozen=True)
class ChatReply:
    text: str  # the reply (api.chat.reply), "" when absent
    response: httpx.Response

    @property
    def data(self) -> Any:
        try:
            return self.response.json()
        except ValueError:
            return None


class ApiSession:
    """What one probe sends to the API, bounded. Create one per check run."""

    def __init__(self, config: SprintConfig, net: NetContext, vault: Vault | None, probe: str,
                 bound: int | None = None):
        """From a check: `ApiSession(ctx.config, ctx.net, ctx.vault, check.id)`."""
        self.config, self.net, self.probe = config, net, probe
        self.api: Api = config.api
        if not self.api.base_url:
            raise ApiProblem(_NO_BASE_URL)
        self.bound = min(bound or self.api.bounds.per_probe, self.api.bounds.per_probe)
        self.sent = 0
        self.vault = vault or Vault(config.name)
        self._run = _RUNS.setdefault(net, _RunTally())
        self._conversations: dict[str | None, str | None] = {}  # account -> opened for chat()

    # ------------------------------------------------------------------ addresses and bounds
    def url(self, path: str) -> str:
        base_url = self.api.base_url
        if base_url is None:
            raise ApiProblem(_NO_BASE_URL)
        return urljoin(base_url.rstrip("/") + "/", path)

    @property
    def remaining(self) -> int:
        return max(0, min(self.bound - self.sent, self.api.bounds.per_run - self._run.sent))

    def require_write(self) -> None:
        if not self.api.may_write:
            raise NotConfirmed()

    async def request(self, method: str, path: str, *, account: str | None = None,
                      headers: dict[str, str] | None = None, content: bytes | str | None = None,
                      params: dict[str, str] | None = None,
                      timeout: float | None = None) -> httpx.Response:
        """One request, counted; `account` adds that test account's session."""
        merged = dict(await self.auth(account)) if account else {}
        merged.update(headers or {})
        return await self._send(method, path, merged, content, params, timeout)

    def _count(self) -> None:
        """One more request against the probe's and the run's bounds, or BoundReached."""
        if self.remaining <= 0:
            raise BoundReached(f"{self.probe}: stopped at its bound of {self.sent} request(s)")
        self.sent += 1
        self._run.sent += 1

    async def document(self, path: str) -> bytes:
        """The OpenAPI document at `path` (on base_url, or a URL), counted like any request and
        read no further than its cap (DocumentUnavailable otherwise)."""
        self._count()
        return await fetch_document(self.net.http, self.url(path))

    async def _send(self, method: str, path: str, headers: dict[str, str],
                    content: bytes | str | None, params: dict[str, str] | None,
                    timeout: float | None) -> httpx.Response:
        self._count()
        return await self.net.http.request(
            method, self.url(path), headers=headers, content=content, params=params,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)

    # ------------------------------------------------------------------ sessions
    def has_account(self, account: str) -> bool:
        return self._secret(account) is not None

    def _secret(self, account: str) -> Secret | None:
        """The account's credential, read once per run (a keyring read is a D-Bus round trip)."""
        if account not in self._run.secrets:
            self._run.secrets[account] = self.vault.get(ACCOUNTS[account])
        return self._run.secrets[account]

    async def auth(self, account: str) -> dict[str, str]:
        """The headers that sign `account` in: its keyring entry as a bearer token, or, when
        api.accounts names its login and api.login is set, a session from the login template
        (one login per account per run)."""
        secret = self._secret(account)
        if secret is None:
            raise ApiProblem(f"no {ACCOUNTS[account]} credential: store it with "
                             f"`launch-ready credentials {self.config.name} set {ACCOUNTS[account]}`")
        login_name = getattr(self.api.accounts, account)
        login = self.api.login
        if not (login_name and login):
            return {"Authorization": f"Bearer {secret.value}"}
        lock = self._run.logins.setdefault(account, asyncio.Lock())
        async with lock:
            if account not in self._run.sessions:
                self._run.sessions[account] = await self._login(account, login, login_name,
                                                                secret.value)
        return self._run.sessions[account]

    async def _login(self, account: str, login: Login, login_name: str,
                     password: str) -> dict[str, str]:
        form = login.encoding == "form"
        body = (render_form if form else render)(login.body, login=login_name, password=password)
        content_type = "application/x-www-form-urlencoded" if form else "application/json"
        response = await self._send(login.method, login.url, {"Content-Type": content_type},
                                    body, None, None)
        token = locate(response, login.token)
        if response.status_code >= 400 or not isinstance(token, str) or not token:
            raise ApiProblem(f"login as {account} failed: {login.method} {login.url} answered "
                             f"{response.status_code} without a session at {login.token}")
        register_secret(token)
        if login.token.startswith("cookie:"):
            return {"Cookie": f"{login.token.removeprefix('cookie:')}={token}"}
        return {"Authorization": f"Bearer {token}"}

    # ------------------------------------------------------------------ chat
    async def new_conversation(self, account: str | None) -> str | None:
        """A fresh conversation id when the product keeps conversations (api.chat.new_session)."""
        chat = self._chat()
        if not chat.new_session:
            return None
        response = await self.request("POST", chat.new_session, account=account,
                                      headers={"Content-Type": "application/json"}, content="{}")
        value = locate(response, chat.session_from)
        return None if value is None else str(value)

    async def chat(self, prompt: str, *, account: str | None = None,
                   conversation: str | None = None) -> ChatReply:
        """One chat message. Without `conversation`, a product that keeps conversations gets one
        opened for this probe and account (once, counted), as its own client would."""
        chat = self._chat()
        if conversation is None and chat.new_session and "{{session}}" in chat.body:
            if account not in self._conversations:
                self._conversations[account] = await self.new_conversation(account)
            conversation = self._conversations[account]
        body = render(chat.body, prompt=prompt, session=conversation or "")
        response = await self.request(chat.method, chat.url, account=account,
                                      headers={"Content-Type": "application/json"}, content=body)
        text = locate(response, chat.reply)
        return ChatReply(text if isinstance(text, str) else "", response)

    def _chat(self):
        if self.api.chat is None:
            raise ApiProblem("api.chat is not set: the chat endpoint, its body template and "
                             "where the reply is")
        return self.api.chat

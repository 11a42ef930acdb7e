"""The sprint.yaml sections that describe the product's API, its monitoring and its releases
(`api:`, `monitoring:`, `release:`). Every one is optional: a check whose section is missing
says so (skipped), it never guesses.

Secrets are never here: test accounts' tokens or passwords, the webhook signing secret, the
system prompt canary, the alert webhook URL and the SMTP password live in the keyring (see
wizard.vault.CREDENTIALS). URLs and paths are checked against target.domain by SprintConfig.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

# Where a value sits in a response: `json:<dotted.path>`, `cookie:<name>` or `header:<name>`.
_LOCATOR = re.compile(r"^(json:[\w.\-\[\]]*|cookie:[\w\-]+|header:[\w\-]+|text:)$")
_METHOD = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


def _locator(value: str) -> str:
    if not _LOCATOR.match(value):
        raise ValueError(f"{value!r}: write json:<path> (e.g. json:data.token), cookie:<name>, "
                         "header:<name> or text:")
    return value


def _path(value: str) -> str:
    """A path on the API (`/api/me`) or a full URL (checked against the domain later)."""
    value = value.strip()
    if not value.startswith(("/", "https://", "http://")):
        raise ValueError(f"{value!r}: a path starting with / or an http(s) URL")
    return value


_ROUTE = re.compile(r"^(?:(GET|POST|PUT|PATCH|DELETE)\s+)?(\S+)$", re.IGNORECASE)
METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ITEM_METHODS: tuple[_METHOD, ...] = ("GET", "PATCH", "DELETE")  # what BOLA tries by default


def split_route(value: str) -> tuple[str, str]:
    """`"PATCH /api/me"` -> ("PATCH", "/api/me"); a bare path is a GET."""
    match = _ROUTE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r}: write a path (/api/me) or a method and a path (PATCH /api/me)")
    return (match.group(1) or "GET").upper(), _path(match.group(2))


def _route(value: str) -> str:
    method, path = split_route(value)
    return f"{method} {path}" if value.strip()[0] != "/" else path


def _document(value: str) -> str:
    value = value.strip()
    if value.startswith("file:"):
        if not value[5:].strip():
            raise ValueError("file: needs a path, e.g. file:openapi.json")
        return value
    return _path(value)


PathOrUrl = Annotated[str, AfterValidator(_path)]
Locator = Annotated[str, AfterValidator(_locator)]
# An API operation: a path (a GET) or `METHOD path`; {name} slots are filled at run time.
Route = Annotated[str, AfterValidator(_route)]


# ---------------------------------------------------------------- api:


class Login(Section):
    """How a test account gets a session when its keyring entry is a password, not a token."""

    method: _METHOD = "POST"
    url: PathOrUrl  # a path on base_url, e.g. /api/login
    body: str = '{"email": "{{login}}", "password": "{{password}}"}'  # JSON template
    token: Locator = "json:token"  # where the session is in the response
    encoding: Literal["json", "form"] = "json"  # form: application/x-www-form-urlencoded (OAuth2 password flow)




class Accounts(Section):
    """The test accounts' login names (for the login template); their secrets are the keyring's
    user-a, user-b and admin entries. Without a login name the entry is used as a bearer token."""

    user_a: str | None = None
    user_b: str | None = None
    admin: str | None = None


class Resource(Section):
    """An object user A owns, for the cross-user (BOLA) test: how to create one, where it lives."""

    create_method: _METHOD = "POST"
    create_url: PathOrUrl  # e.g. /api/chats
    create_body: str = '{"title": "{{marker}}"}'
    id_from: Locator = "json:id"
    url: PathOrUrl  # the object's URL template, with {id}: /api/chats/{id}
    update_body: str = '{"title": "{{marker}}"}'
    name: str | None = None  # what the object is (e.g. chat), for the reports
    # What user B tries on user A's object: the reads and writes the API offers on `url`.
    methods: list[_METHOD] = Field(default_factory=lambda: list(_ITEM_METHODS), min_length=1)

    @field_validator("url")
    @classmethod
    def _has_id(cls, v: str) -> str:
        if "{id}" not in v:
            raise ValueError(f"{v!r}: the object's URL needs {{id}} where its id goes")
        return v


class Chat(Section):
    """The chat endpoint: the body template holds {{prompt}} (and {{session}} when the product
    keeps conversations); `reply` says where the answer text is."""

    method: _METHOD = "POST"
    url: PathOrUrl = "/api/chat"
    body: str = '{"message": "{{prompt}}"}'
    reply: Locator = "json:reply"
    new_session: str | None = None  # a path that creates a conversation (POST), id at json:id
    session_from: Locator = "json:id"




class Webhook(Section):
    """A webhook the product receives; its signing secret is the keyring's webhook-secret."""

    url: PathOrUrl
    scheme: Literal["stripe", "hmac-sha256", "github"] = "stripe"
    header: str | None = None  # the signature header; default per scheme
    body: str = '{"id": "{{nonce}}", "type": "launch_ready.test"}'



class Signup(Section):
    """How a new account is created (user enumeration and mass assignment at sign-up)."""

    method: _METHOD = "POST"
    url: PathOrUrl  # e.g. /api/register
    body: str = '{"email": "{{login}}", "password": "{{password}}"}'  # JSON template


class Account(Section):
    """The signed-in user's own record: where it is read, and how a user's e-mail and password
    are changed (mass assignment; one user changing another's). {id} is a user's id."""

    me_url: PathOrUrl = "/api/me"
    id_from: Locator = "json:id"  # the user's id in me_url's answer
    update_method: _METHOD = "PATCH"
    update_url: PathOrUrl | None = None  # e.g. /api/users/{id}, or /api/me (own record only)
    email_field: str = "email"
    password_method: _METHOD = "PUT"
    password_url: PathOrUrl | None = None  # e.g. /api/users/{id}/password
    password_body: str = '{"password": "{{password}}"}'


class Bounds(Section):
    """Hard limits on what the API probes send."""

    per_probe: int = Field(default=60, ge=1, le=1000)
    per_run: int = Field(default=600, ge=1, le=10_000)
    burst: int = Field(default=40, ge=2, le=500)  # a rate-limit burst, per endpoint
    concurrency: int = Field(default=4, ge=1, le=16)
    repeats: int = Field(default=3, ge=1, le=10)  # each red-team attack, in fresh sessions


def needed_per_probe(protected_routes: int, resources: int) -> int:
    """The bound the longest probe needs: auth.protected-routes sends about five requests per
    operation (user A's own read, no token, garbage, two forged), plus objects and clean-up."""
    return min(1000, 5 * protected_routes + 2 * resources + 10)


class Api(Section):
    base_url: str | None = None  # e.g. https://app.acme.example
    # local: base_url is a loopback address (http://localhost:8000), probed before DNS exists.
    environment: Literal["staging", "production", "local"] = "staging"
    # Production needs this before any probe that writes (creates, changes, deletes) or bursts.
    production_confirmed: bool = False
    login: Login | None = None
    accounts: Accounts = Field(default_factory=Accounts)
    # The product's OpenAPI document: a path on base_url (/openapi.json), a URL, or file:PATH
    # (relative to the sprint folder). `launch-ready api discover` fills this section from it.
    openapi: Annotated[str, AfterValidator(_document)] | None = None
    protected_routes: list[Route] = Field(default_factory=list, max_length=500)
    admin_routes: list[Route] = Field(default_factory=list, max_length=200)
    # Objects users own (BOLA candidates); the first is `resource`. `resource:` is still read.
    resources: list[Resource] = Field(default_factory=list, max_length=50)
    signup: Signup | None = None
    account: Account | None = None
    # Values for {name} slots of routes no object fills: a literal, or me:<locator> (read from
    # user A's account.me_url answer, e.g. me:json:id).
    path_values: dict[str, str] = Field(default_factory=dict, max_length=50)
    chat: Chat | None = None
    webhook: Webhook | None = None
    logs_command: str | None = None  # prints the product's recent logs (run with a timeout)
    output_hosts: list[str] = Field(default_factory=list, max_length=100)  # hosts the bot may link to, beyond the domain
    # An order (or other object) id user B owns: ai.tool-misuse asks the bot for it as user A.
    other_order: str | None = None
    # Globs (git pathspec, ** for any depth) of the product's files holding the system prompt or
    # the model choice: the CI workflow re-runs the ai.* checks when a push changes one of them.
    prompt_paths: list[str] = Field(default_factory=lambda: ["**/prompts/**", "**/*prompt*"],
                                    max_length=100)
    bounds: Bounds = Field(default_factory=Bounds)

    @model_validator(mode="before")
    @classmethod
    def _legacy_resource(cls, data: Any) -> Any:
        """`resource:` (one object, the earlier spelling) becomes the first of `resources`."""
        if isinstance(data, dict) and "resource" in data:
            data = dict(data)
            one = data.pop("resource")
            if one is not None:
                data["resources"] = [one, *data.get("resources", [])]
        return data

    @property
    def resource(self) -> Resource | None:
        return self.resources[0] if self.resources else None

    @field_validator("prompt_paths")
    @classmethod
    def _globs(cls, v):
        if any(not g.strip() or "\n" in g for g in v):
            raise ValueError("each prompt path is one non-empty glob on one line")
        return [g.strip() for g in v]

    @property
    def may_write(self) -> bool:
        """Writing and bursting probes run on staging or local, or on production once confirmed."""
        return self.environment != "production" or self.production_confirmed


# ---------------------------------------------------------------- monitoring:


class Watch(Section):
    url: PathOrUrl  # a full URL, or a path on api.base_url (else the canonical host)
    status: int = Field(default=200, ge=100, le=599)
    keyword: str | None = None  # must appear in the body



class Alert(Section):
    """Where alerts go. slack/discord/webhook: the URL is the keyring's alert-webhook; smtp:
    the password (if any) is the keyring's smtp-password."""

    kind: Literal["slack", "discord", "webhook", "smtp"] | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_from: str | None = None
    smtp_to: list[str] = Field(default_factory=list, max_length=20)


class Monitoring(Section):
    urls: list[Watch] = Field(default_factory=list, max_length=50)  # home page, login, key API routes, webhook
    latency_urls: list[str] = Field(default_factory=list, max_length=50)  # critical APIs timed besides the chat
    samples: int = Field(default=20, ge=1, le=200)
    spread_s: float = Field(default=30, ge=0, le=3600)  # samples are spread over this long
    p95_budget_s: float = Field(default=2.0, gt=0, le=60)
    interval_s: int = Field(default=60, ge=10, le=3600)  # the external monitor's interval (plan)
    alert: Alert = Field(default_factory=Alert)


# ---------------------------------------------------------------- release:


class Release(Section):
    paths: list[PathOrUrl] = Field(default_factory=list, max_length=200)  # important public paths that must keep working
    health_path: str | None = "/health"
    me_path: str | None = "/api/me"  # read as user A by release.smoke
    staging_env: str | None = None  # env files (relative to the sprint folder) or names
    production_env: str | None = None
    rollback: str | None = None  # the command or the procedure, one line


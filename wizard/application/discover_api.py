"""`launch-ready api discover` and the setup screen's discovery: read the product's OpenAPI
document (a file, or a URL inside the sprint's scope), propose the `api:` section from it, and
write it only once the person confirms. Nothing is saved before `save`; a document that cannot
be used is one UsageError line (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from wizard.addresses import in_scope, is_loopback
from wizard.application.open_sprint import OpenSprint
from wizard.errors import UsageError
from wizard.net import NetContext, OutOfScope
from wizard.probes.openapi_discover import Discovery, Question, discover, resolve
from wizard.probes.openapi_doc import Document, NotOpenApi, parse
from wizard.probes.openapi_fetch import DocumentUnavailable, fetch_document, read_document_file
from wizard.sections import Api, needed_per_probe
from wizard.sprint import SprintConfig

# The api: fields a document describes; the others (accounts, bounds, logs_command, ...) stay.
DISCOVERED = ("openapi", "login", "protected_routes", "admin_routes", "resources", "signup",
              "account", "path_values", "chat", "webhook")
Environment = Literal["staging", "production", "local"]


@dataclass
class Proposal:
    """What the document gave, before the person answers the questions and confirms."""

    source: str  # the URL or file that was read
    discovery: Discovery
    base_url: str
    environment: Environment
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def document(self) -> Document:
        return self.discovery.document

    @property
    def questions(self) -> list[Question]:
        return self.discovery.questions

    def config(self, current: SprintConfig) -> SprintConfig:
        """The sprint's config with the discovered api: fields in place (validated: scope, shapes)."""
        try:
            proposed = resolve(self.discovery, self.answers)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        data = current.api.model_dump(by_alias=True)
        data.update({k: v for k, v in proposed.items() if k in DISCOVERED and v is not None})
        data.update(base_url=self.base_url, environment=self.environment)
        _make_room(data)
        try:
            api = Api.model_validate(data)
            return SprintConfig.model_validate({**current.model_dump(by_alias=True),
                                                "api": api.model_dump(by_alias=True)})
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise UsageError(f"the discovered api: section does not validate ({where}: "
                             f"{error['msg']}); answer the question differently or pass "
                             "--base-url") from None

    def section_yaml(self, current: SprintConfig) -> str:
        """The api: section as it would be written (no secrets: the model holds none)."""
        api = self.config(current).api.model_dump(by_alias=True, exclude_defaults=True)
        return yaml.safe_dump({"api": api}, sort_keys=False, allow_unicode=True, width=100)


async def propose(op: OpenSprint, where: str, *, base_url: str | None = None,
                  environment: Environment | None = None) -> Proposal:
    """Read and classify the document at `where` (URL or file path)."""
    remote = where.startswith(("http://", "https://"))
    text, ref = (await _fetch(op, where), where) if remote else _read_file(op, where)
    try:
        document = parse(text, where)
    except NotOpenApi as exc:
        raise UsageError(str(exc)) from None
    chosen = base_url or _server(document, where if remote else None) or op.config.api.base_url
    if not chosen:
        raise UsageError(f"{where}: the document names no absolute server URL; pass "
                         "--base-url https://api.your.domain (or http://localhost:8000)")
    chosen = _in_scope(op.config, chosen.rstrip("/"), where)
    local = is_loopback(urlsplit(chosen).hostname or "")
    env: Environment = environment or ("local" if local else _kept(op.config.api.environment))
    if local != (env == "local"):
        raise UsageError(f"base URL {chosen}: environment {env} needs "
                         + ("a loopback address" if env == "local" else "a host in the domain, "
                            "or --environment local for a loopback address"))
    return Proposal(where, discover(document, ref), chosen, env)


def _make_room(data: dict[str, Any]) -> None:
    """Raise api.bounds so a long discovered route list is not cut short (never lowered)."""
    bounds = data["bounds"]
    bounds["per_probe"] = max(bounds["per_probe"], needed_per_probe(len(data["protected_routes"]),
                                                                    len(data["resources"])))
    bounds["per_run"] = max(bounds["per_run"], min(10_000, 4 * bounds["per_probe"]))


def save(op: OpenSprint, proposal: Proposal) -> SprintConfig:
    """Write the confirmed section into sprint.yaml (atomically, under the sprint's lock)."""
    config = proposal.config(op.config)
    op.save_config(config)
    return config


def _kept(current: str) -> Environment:
    return "production" if current == "production" else "staging"


def _read_file(op: OpenSprint, where: str) -> tuple[bytes, str]:
    """The file's bytes (refused over the cap before reading) and how sprint.yaml names it."""
    path = Path(where).expanduser()
    try:
        data = read_document_file(path, where)
    except DocumentUnavailable as exc:
        raise UsageError(f"{exc}; give a file or an http(s) URL") from None
    try:
        ref = Path(path.resolve()).relative_to(op.sprint.root.resolve())
    except ValueError:
        ref = path.resolve()
    return data, f"file:{ref}"


async def _fetch(op: OpenSprint, url: str) -> bytes:
    """GET the document through the sprint's net context (scope, budget, timeout), reading at
    most the cap. A loopback URL is in scope for this one request: the person typed it."""
    host = urlsplit(url).hostname or ""
    also = [*op.config.scope_hosts, *([host] if is_loopback(host) else [])]
    try:
        async with NetContext(op.config.network, op.config.target.domain, op.sprint.root,
                              also=also) as net:
            return await fetch_document(net.http, url)
    except OutOfScope:
        raise UsageError(f"{url}: {host} is outside {op.config.target.domain}; the document must "
                         "come from the sprint's domain or a loopback address") from None
    except DocumentUnavailable as exc:
        raise UsageError(str(exc)) from None


def _server(document: Document, fetched_from: str | None) -> str | None:
    """The API's base URL: the document's first absolute server, else the origin it came from
    joined with a relative server path."""
    for server in document.servers:
        if server.startswith(("http://", "https://")):
            return server
    if fetched_from is None:
        return None
    parts = urlsplit(fetched_from)
    relative = next(iter(document.servers), "")
    return f"{parts.scheme}://{parts.netloc}{relative if relative.startswith('/') else ''}"


def _in_scope(config: SprintConfig, url: str, where: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"{where}: server URL {url!r} is not an http(s) URL; pass --base-url")
    if not (in_scope(host, config.target.domain) or is_loopback(host)):
        raise UsageError(f"{where}: the API's server {url} is outside {config.target.domain}; "
                         "probes only touch the sprint's domain (or pass --base-url)")
    return url


def describe(proposal: Proposal, current: SprintConfig) -> list[str]:
    """The lines shown before the person confirms: what was found, and what was left unset."""
    doc = proposal.document
    lines = [f"{proposal.source}: {doc.title or 'untitled'} (OpenAPI {doc.version}, "
             f"{len(doc.operations)} operations)",
             f"base URL: {proposal.base_url} (environment {proposal.environment})",
             *proposal.discovery.found]
    lines += [f"left unset: {note}" for note in proposal.discovery.notes]
    if not unanswered(proposal):  # the bounds follow the answers
        before, after = current.api.bounds, proposal.config(current).api.bounds
        if (before.per_probe, before.per_run) != (after.per_probe, after.per_run):
            lines.append(f"bounds: per_probe {before.per_probe} -> {after.per_probe}, per_run "
                         f"{before.per_run} -> {after.per_run} (room for every listed operation)")
    return lines


def unanswered(proposal: Proposal) -> list[Question]:
    return [q for q in proposal.questions if q.key not in proposal.answers]


def as_answers(pairs: list[str]) -> dict[str, str]:
    """`--answer KEY=VALUE` options."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--answer {pair!r}: write KEY=VALUE, e.g. --answer 'chat=POST /api/chat'")
        out[key.strip()] = value.strip()
    return out

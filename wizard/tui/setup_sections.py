"""The setup form's fields for the `api:`, `monitoring:` and `release:` sections of sprint.yaml.

Simple values get a field each; the nested parts (the login, object, chat and webhook templates,
the bounds, the alert route) get a small YAML block, written exactly as in sprint.yaml. Every
field is validated by the section's own model, so the form and a hand-edited file accept and
refuse the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from wizard.addresses import normalize_url
from wizard.sections import (
    Account,
    Accounts,
    Alert,
    Api,
    Bounds,
    Chat,
    Login,
    Monitoring,
    Release,
    Signup,
    Watch,
    Webhook,
)
from wizard.tui.setup_rules import check_yes_no, section_value, split_list

# The form's api fields an OpenAPI document fills (the rest keep what the person typed).
DISCOVERED_FIELDS = ("api_url", "api_environment", "api_openapi", "api_login", "api_protected_routes",
                     "api_admin_routes", "api_resources", "api_signup", "api_account",
                     "api_path_values", "api_chat", "api_webhook")


@dataclass(frozen=True)
class Spec:
    key: str  # the form field's id
    label: str
    check: Callable[[str], Any]
    text: str  # the current value as the field shows it
    multiline: bool = False


def _error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return (f"{where}: " if where else "") + first["msg"].removeprefix("Value error, ")


def yaml_block(model: type[BaseModel]) -> Callable[[str], BaseModel | None]:
    """A YAML mapping validated by `model`; empty text is None (the section part is unset)."""

    def check(text: str) -> BaseModel | None:
        if not text.strip():
            return None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ValueError(f"not valid YAML{f' (line {mark.line + 1})' if mark else ''}") from None
        if not isinstance(data, dict):
            raise ValueError("write key: value lines, as in sprint.yaml")
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ValueError(_error(exc)) from None

    return check


def yaml_field(model: type[BaseModel], name: str) -> Callable[[str], Any]:
    """A list or mapping field written as YAML (api.resources, api.path_values); empty: none."""

    def check(text: str) -> Any:
        try:
            data = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ValueError(f"not valid YAML{f' (line {mark.line + 1})' if mark else ''}") from None
        empty = model.model_fields[name].get_default(call_default_factory=True)
        return section_value(model, name, empty if data is None else data)

    return check


def yaml_text(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, width=100).strip() if value else ""


def block_text(value: BaseModel | None) -> str:
    if value is None:
        return ""
    data = value.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, width=100).strip() if data else ""


def _field(model: type[BaseModel], name: str, blank_is_none: bool = False) -> Callable[[str], Any]:
    def check(text: str) -> Any:
        value = text.strip()
        return section_value(model, name, None if blank_is_none and not value else value)
    return check


def _list(model: type[BaseModel], name: str) -> Callable[[str], Any]:
    return lambda text: section_value(model, name, split_list(text))


def check_watches(text: str) -> list[Watch]:
    """One URL per line: `URL [status] [keyword ...]`, e.g. `https://acme.example/ 200 Acme`."""
    watches = []
    for number, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), 1):
        url, *rest = line.split()
        data: dict[str, Any] = {"url": url}
        if rest and rest[0].isdigit():
            data["status"] = int(rest.pop(0))
        if rest:
            data["keyword"] = " ".join(rest)
        try:
            watches.append(Watch.model_validate(data))
        except ValidationError as exc:
            raise ValueError(f"line {number}: {_error(exc)}") from None
    return watches


def watches_text(watches: list[Watch]) -> str:
    return "\n".join(" ".join(filter(None, [w.url, str(w.status), w.keyword])) for w in watches)


def check_base_url(text: str, domain: str | None) -> str | None:
    """Empty for none; else an http(s) URL inside the domain (probes never leave it)."""
    value = section_value(Api, "base_url", text.strip() or None)
    return normalize_url(value, domain) if value and domain else value


def section_specs(api: Api, monitoring: Monitoring, release: Release,
                  domain: Callable[[], str | None]) -> list[Spec]:
    """`domain`: the form's current domain, for the fields that must stay inside it."""
    lines = "\n".join
    yes_no = "yes" if api.production_confirmed else "no"
    return [
        Spec("api_url", "API base URL (https, inside the domain; empty: no API probes)",
             lambda t: check_base_url(t, domain()), api.base_url or ""),
        Spec("api_environment", "API environment (staging, production, or local: a loopback base URL)",
             _field(Api, "environment"), api.environment),
        Spec("api_production_confirmed",
             "Production: allow probes that write or burst? (yes/no; others always may)",
             check_yes_no, yes_no),
        Spec("api_accounts", "Test accounts' logins (user_a: e-mail, user_b:, admin:; empty: the "
             "credentials are bearer tokens)", yaml_block(Accounts), block_text(api.accounts), True),
        Spec("api_openapi", "OpenAPI document (path, URL or file:PATH; ctrl+o fills the api fields)", _field(Api, "openapi", True), api.openapi or ""),
        Spec("api_protected_routes", "Protected routes (one per line: /api/me, or METHOD /path)",
             _list(Api, "protected_routes"), lines(api.protected_routes), True),
        Spec("api_admin_routes", "Admin routes (one per line)", _list(Api, "admin_routes"),
             lines(api.admin_routes), True),
        Spec("api_login", "Login request (YAML: url, body with {{login}} {{password}}, token)",
             yaml_block(Login), block_text(api.login), True),
        Spec("api_resources", "Objects users own (YAML list of create_url, url with {id}, methods)",
             yaml_field(Api, "resources"),
             yaml_text([r.model_dump(mode="json", exclude_defaults=True) for r in api.resources]), True),
        Spec("api_signup", "Sign-up request (YAML: url, body with {{login}} {{password}})",
             yaml_block(Signup), block_text(api.signup), True),
        Spec("api_account", "The user's own record (YAML: me_url, update_url, password_url with {id})",
             yaml_block(Account), block_text(api.account), True),
        Spec("api_path_values", "Values for {slots} no object fills (YAML: name: value or me:json:id)",
             yaml_field(Api, "path_values"), yaml_text(api.path_values), True),
        Spec("api_chat", "Chat endpoint (YAML: url, body with {{prompt}}, reply, new_session)",
             yaml_block(Chat), block_text(api.chat), True),
        Spec("api_webhook", "Webhook (YAML: url, scheme stripe|hmac-sha256|github, header)",
             yaml_block(Webhook), block_text(api.webhook), True),
        Spec("api_other_order", "An order (object id) user B owns: ai.tool-misuse asks for it as user A",
             _field(Api, "other_order", True), api.other_order or ""),
        Spec("api_prompt_paths", "Prompt/model files (globs, one per line): CI re-runs ai.* when one changes",
             _list(Api, "prompt_paths"), lines(api.prompt_paths), True),
        Spec("api_logs_command", "Command printing the product's recent logs (empty: none)",
             _field(Api, "logs_command", True), api.logs_command or ""),
        Spec("api_output_hosts", "Hosts the bot may link to, besides the domain",
             _list(Api, "output_hosts"), lines(api.output_hosts), True),
        Spec("api_bounds", "Request bounds (YAML: per_probe, per_run, burst, concurrency, repeats)",
             yaml_block(Bounds), block_text(api.bounds), True),
        Spec("monitoring_urls", "URLs to watch (one per line: URL [status] [keyword])",
             check_watches, watches_text(monitoring.urls), True),
        Spec("monitoring_latency_urls", "Critical APIs to time besides the chat (one per line)",
             _list(Monitoring, "latency_urls"), lines(monitoring.latency_urls), True),
        Spec("monitoring_samples", "Latency samples per URL", _field(Monitoring, "samples"),
             str(monitoring.samples)),
        Spec("monitoring_spread_s", "Spread the samples over (seconds)",
             _field(Monitoring, "spread_s"), str(monitoring.spread_s)),
        Spec("monitoring_p95_budget_s", "p95 budget for a chat answer (seconds)",
             _field(Monitoring, "p95_budget_s"), str(monitoring.p95_budget_s)),
        Spec("monitoring_interval_s", "External monitor interval (seconds)",
             _field(Monitoring, "interval_s"), str(monitoring.interval_s)),
        Spec("monitoring_alert", "Alert route (YAML: kind slack|discord|webhook|smtp, smtp_...)",
             yaml_block(Alert), block_text(monitoring.alert), True),
        Spec("release_paths", "Important public paths that must keep working (one per line)",
             _list(Release, "paths"), lines(release.paths), True),
        Spec("release_health_path", "Health path (empty: none)",
             _field(Release, "health_path", True), release.health_path or ""),
        Spec("release_me_path", "Signed-in data path read by the smoke test (empty: none)",
             _field(Release, "me_path", True), release.me_path or ""),
        Spec("release_staging_env", "Staging env file (path from the sprint folder)",
             _field(Release, "staging_env", True), release.staging_env or ""),
        Spec("release_production_env", "Production env file", _field(Release, "production_env", True),
             release.production_env or ""),
        Spec("release_rollback", "Rollback command or procedure (one line)",
             _field(Release, "rollback", True), release.rollback or ""),
    ]


def build_sections(value: Callable[[str], Any]) -> dict[str, BaseModel]:
    """The three sections from the form's values (`value(key)`)."""
    v = value
    api = Api(base_url=v("api_url"), environment=v("api_environment"),
              production_confirmed=v("api_production_confirmed"),
              accounts=v("api_accounts") or Accounts(), protected_routes=v("api_protected_routes"),
              admin_routes=v("api_admin_routes"), login=v("api_login"), openapi=v("api_openapi"),
              resources=v("api_resources"), signup=v("api_signup"), account=v("api_account"),
              path_values=v("api_path_values"), chat=v("api_chat"), webhook=v("api_webhook"), logs_command=v("api_logs_command"),
              other_order=v("api_other_order"), prompt_paths=v("api_prompt_paths"),
              output_hosts=v("api_output_hosts"), bounds=v("api_bounds") or Bounds())
    monitoring = Monitoring(urls=v("monitoring_urls"), latency_urls=v("monitoring_latency_urls"),
                            samples=v("monitoring_samples"), spread_s=v("monitoring_spread_s"),
                            p95_budget_s=v("monitoring_p95_budget_s"),
                            interval_s=v("monitoring_interval_s"),
                            alert=v("monitoring_alert") or Alert())
    release = Release(paths=v("release_paths"), health_path=v("release_health_path"),
                      me_path=v("release_me_path"), staging_env=v("release_staging_env"),
                      production_env=v("release_production_env"), rollback=v("release_rollback"))
    return {"api": api, "monitoring": monitoring, "release": release}

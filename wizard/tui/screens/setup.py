"""The setup form: every section of sprint.yaml a user fills (target, email, cloudflare, repo,
network, api, monitoring, release: the last three in wizard.tui.setup_sections), validated as it is typed by the same models a hand-edited file meets, so both ways give
the same result.

New sprint: name and domain first, then created through Sprint.create. Save is refused while any
field is invalid; the model's own validation has the last word."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from wizard.errors import LaunchReadyError
from wizard.sections import Api, Monitoring, Release
from wizard.sprint import CloudflareConfig, Email, Network, RateLimit, Repo, SprintConfig, Target
from wizard.tui.setup_rules import (
    check_canonical,
    check_domain,
    check_hosts,
    check_name,
    check_optional_path,
    check_optional_url,
    check_pages,
    check_yes_no,
    section_value,
    split_list,
    sprint_root,
)
from wizard.tui.setup_sections import (
    DISCOVERED_FIELDS,
    block_text,
    build_sections,
    section_specs,
    yaml_block,
)
from wizard.tui.widgets.field import ValidatedField
from wizard.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual import getters

    from wizard.tui.app import LaunchReadyApp


def _normalised(value, text: str) -> str:
    """Show the stored form when it differs from what was typed (punycode, lower case)."""
    shown = ", ".join(value) if isinstance(value, list) else (value or "")
    typed = ", ".join(t.strip() for t in text.replace("\n", ",").split(",") if t.strip())
    return f"→ {shown}" if shown and shown != typed else ""


def _error_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.errors()[0]["msg"].removeprefix("Value error, ")
    return str(exc)


class SetupScreen(Screen):
    if TYPE_CHECKING:  # self.app is the LaunchReadyApp (textual's typed-app getter, types only:
        app = getters.app(LaunchReadyApp)  # a runtime one would import wizard.tui.app circularly)

    DEFAULT_CSS = """
    SetupScreen #form { padding: 0 2; height: 1fr; }
    SetupScreen #intro { color: $text-muted; margin-bottom: 1; }
    SetupScreen #form-error { color: $error; height: auto; }
    SetupScreen #buttons { height: 1; align-horizontal: right; padding: 0 2; }
    SetupScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "discover", "From OpenAPI"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, config: SprintConfig | None = None, *, name: str = "", domain: str = "",
                 new_dir: Path | None = None) -> None:
        """`config` edits an existing sprint; without it the form creates a new one."""
        super().__init__()
        self.config, self.new_dir = config, new_dir
        target = config.target if config else None
        self.fields: dict[str, ValidatedField] = {}
        if config is None:
            self.fields["name"] = ValidatedField(
                "Sprint name", lambda t: check_name(t, new_dir), name, placeholder="acme",
                id="name", describe=lambda v, _t: f"saved in {sprint_root(v, new_dir).name}/")
        self.fields["domain"] = ValidatedField(
            "Domain (the registrable apex)", check_domain, target.domain if target else domain,
            placeholder="acme.example", describe=_normalised, id="domain")
        self.fields["hosts"] = ValidatedField(
            "Hosts (comma or one per line; empty: the apex and www)",
            lambda t: check_hosts(t, self._value("domain")),
            "\n".join(target.hosts) if target else "", multiline=True,
            describe=_normalised, id="hosts")
        self.fields["canonical"] = ValidatedField(
            "Canonical host (every variant redirects here; empty: the domain)",
            lambda t: check_canonical(t, self._value("domain"), self._value("hosts")),
            (target.canonical or "") if target else "", describe=_normalised, id="canonical")
        self.fields["pages"] = ValidatedField(
            "Pages to check (https URLs, comma or one per line)",
            lambda t: check_pages(t, self._value("domain")),
            "\n".join(target.pages) if target else "", multiline=True,
            describe=_normalised, id="pages")
        self.fields["private_urls"] = ValidatedField(
            "Private URLs (responses that must never be cached at the edge)",
            lambda t: check_pages(t, self._value("domain")),
            "\n".join(target.private_urls) if target else "", multiline=True,
            describe=_normalised, id="private_urls")
        base = config or SprintConfig.model_construct(
            email=Email(), cloudflare=CloudflareConfig(), repo=Repo(), network=Network(),
            api=Api(), monitoring=Monitoring(), release=Release())
        self._section_fields(base)
        for spec in section_specs(base.api, base.monitoring, base.release, lambda: self._value("domain")):
            if spec.key in self.fields:  # one id, one field: a clash would silently replace one
                raise ValueError(f"setup field id {spec.key!r} is used twice")
            self.fields[spec.key] = ValidatedField(spec.label, spec.check, spec.text,
                                                   multiline=spec.multiline, id=spec.key)

    def _section_fields(self, base: SprintConfig) -> None:
        """email, cloudflare, repo and network: the other sections of sprint.yaml."""
        lines = "\n".join
        net = base.network
        specs = [
            ("sends_mail", "Does the domain send e-mail? (yes/no)", check_yes_no,
             "yes" if base.email.sends_mail else "no", False),
            ("dkim_selectors", "DKIM selectors (comma; empty: the checks suggest common ones)",
             lambda t: section_value(Email, "dkim_selectors", split_list(t)),
             ", ".join(base.email.dkim_selectors), False),
            ("zone", "Cloudflare zone (empty: the domain)",
             lambda t: section_value(CloudflareConfig, "zone", t.strip() or None),
             base.cloudflare.zone or "", False),
            ("api_base_url", "Cloudflare API base URL (empty: Cloudflare's own)", check_optional_url,
             base.cloudflare.api_base_url or "", False),
            ("rate_limit", "cf.rate-limit (YAML: requests_per_period, period_s, mitigation_timeout_s)",
             yaml_block(RateLimit), block_text(base.cloudflare.rate_limit), True),
            ("repo_path", "The product's source checkout (secret scanning; empty: none)",
             check_optional_path, base.repo.path or "", False),
            ("nameservers", "Nameservers (ip or ip:port; empty: the system resolver)",
             lambda t: section_value(Network, "nameservers", split_list(t)), lines(net.nameservers), True),
            ("connect_to", "connect_to (HOST:PORT:ADDR:PORT, as curl --connect-to)",
             lambda t: section_value(Network, "connect_to", split_list(t)), lines(net.connect_to), True),
            ("ca_bundle", "Extra CA bundle (PEM path; empty: the system store only)",
             lambda t: section_value(Network, "ca_bundle", t.strip() or None), net.ca_bundle or "", False),
            ("timeout_s", "Network timeout in seconds",
             lambda t: section_value(Network, "timeout_s", t.strip()), str(net.timeout_s), False),
            ("request_budget", "Request budget per run",
             lambda t: section_value(Network, "request_budget", t.strip()), str(net.request_budget), False),
        ]
        for key, label, check, value, multiline in specs:
            self.fields[key] = ValidatedField(label, check, value, multiline=multiline, id=key)

    def _value(self, key: str):
        return self.fields[key].value

    def compose(self) -> ComposeResult:
        title = f"launch-ready · {self.config.name} · setup" if self.config else "launch-ready · new sprint"
        yield TitleBar(title, "ctrl+s save · esc cancel")
        with VerticalScroll(id="form"):
            yield Static("What the sprint checks (the same as sprint.yaml). Only hosts under the "
                         "domain are ever contacted. Credentials are not here: press c.",
                         id="intro")
            yield from self.fields.values()
            yield Static("", id="form-error", markup=False)
        with Horizontal(id="buttons"):
            yield Button("Save", variant="primary", id="save", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        needing = [f for f in self.fields.values() if f.error or not f.text]
        (needing[0] if needing else self.fields["domain"]).editor.focus()

    @on(ValidatedField.Changed)
    def _revalidate(self) -> None:
        """Hosts, canonical and pages depend on the domain (and canonical on hosts)."""
        for key in ("hosts", "canonical", "pages", "api_url"):
            self.fields[key].validate()
        self.query_one("#form-error", Static).update("")

    def _sections(self) -> dict:
        """Every section the form edits, as SprintConfig fields."""
        v = self._value
        return {
            "target": Target(domain=v("domain"), canonical=v("canonical"), hosts=v("hosts"),
                             pages=v("pages"), private_urls=v("private_urls")),
            "email": Email(sends_mail=v("sends_mail"), dkim_selectors=v("dkim_selectors")),
            "cloudflare": CloudflareConfig(zone=v("zone") or v("domain"), api_base_url=v("api_base_url"),
                                           rate_limit=v("rate_limit") or RateLimit()),
            "repo": Repo(path=v("repo_path")),
            "network": Network(nameservers=v("nameservers"), connect_to=v("connect_to"),
                               ca_bundle=v("ca_bundle"), timeout_s=v("timeout_s"),
                               request_budget=v("request_budget")),
            **build_sections(v),
        }

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        bad = [f.label.split(" (")[0] for f in self.fields.values() if not f.validate()]
        if bad:
            self.refuse(f"fix {', '.join(bad)} first")
            return
        try:
            sections = self._sections()
            if self.config is None:
                self.app.create_sprint(SprintConfig(name=self._value("name"), **sections), self.new_dir)
            else:
                self.app.update_config(SprintConfig(name=self.config.name, **sections))
        except (ValidationError, ValueError, LaunchReadyError) as exc:
            self.refuse(_error_line(exc))

    def action_discover(self) -> None:
        """Fill the api fields from the product's OpenAPI document (DiscoverDialog)."""
        from wizard.tui.screens.discover import DiscoverDialog  # the API probes load on use

        if self.config is None:
            self.refuse("save the new sprint first; then its OpenAPI document can be read")
            return
        where = self.fields["api_openapi"].text.strip()
        base = self.fields["api_url"].text.strip().rstrip("/")
        if not where or where.startswith("/"):
            where = f"{base}{where or '/openapi.json'}" if base else where
        self.app.push_screen(DiscoverDialog(self.app.active_session, where), self._fill_api)

    def _fill_api(self, api: Api | None) -> None:
        if api is None or self.config is None:
            return
        for spec in section_specs(api, self.config.monitoring, self.config.release, lambda: self._value("domain")):
            if spec.key in DISCOVERED_FIELDS:
                self.fields[spec.key].set_text(spec.text)
        self.query_one("#form-error", Static).update("")
        self.fields["api_url"].editor.focus()  # scrolls the form to the filled fields
        self.notify("The api fields are filled from the document: read them, then ctrl+s saves")

    def refuse(self, reason: str) -> None:
        self.query_one("#form-error", Static).update(f"✗ Not saved: {reason}")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.app.cancel_setup(self)

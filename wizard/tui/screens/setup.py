"""The setup form: what the sprint checks (target), validated as it is typed.

New sprint: name and domain first, then created through Sprint.create. Existing sprint: edits
target only and keeps every other section of sprint.yaml as it was. Save is refused while any
field is invalid; the model's own validation has the last word."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from wizard.errors import LaunchReadyError
from wizard.sprint import SprintConfig, Target
from wizard.tui.setup_rules import (
    check_canonical,
    check_domain,
    check_hosts,
    check_name,
    check_pages,
    sprint_root,
)
from wizard.tui.widgets.field import ValidatedField
from wizard.tui.widgets.title_bar import TitleBar


def _normalised(value, text: str) -> str:
    """Show the stored form when it differs from what was typed (punycode, lower case)."""
    shown = ", ".join(value) if isinstance(value, list) else (value or "")
    typed = ", ".join(t.strip() for t in text.replace("\n", ",").split(",") if t.strip())
    return f"→ {shown}" if shown and shown != typed else ""


def _error_line(exc: ValidationError | ValueError) -> str:
    if isinstance(exc, ValidationError):
        return exc.errors()[0]["msg"].removeprefix("Value error, ")
    return str(exc)


class SetupScreen(Screen):
    DEFAULT_CSS = """
    SetupScreen #form { padding: 0 2; height: 1fr; }
    SetupScreen #intro { color: $text-muted; margin-bottom: 1; }
    SetupScreen #form-error { color: $error; height: auto; }
    SetupScreen #buttons { height: 1; align-horizontal: right; padding: 0 2; }
    SetupScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
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
            target.canonical if target else "", describe=_normalised, id="canonical")
        self.fields["pages"] = ValidatedField(
            "Pages to check (https URLs, comma or one per line)",
            lambda t: check_pages(t, self._value("domain")),
            "\n".join(target.pages) if target else "", multiline=True,
            describe=_normalised, id="pages")

    def _value(self, key: str):
        return self.fields[key].value

    def compose(self) -> ComposeResult:
        title = f"launch-ready · {self.config.name} · setup" if self.config else "launch-ready · new sprint"
        yield TitleBar(title, "ctrl+s save · esc cancel")
        with VerticalScroll(id="form"):
            yield Static("What the sprint checks. Only hosts under the domain are ever contacted.",
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
        for key in ("hosts", "canonical", "pages"):
            self.fields[key].validate()
        self.query_one("#form-error", Static).update("")

    def _target(self) -> Target:
        old = self.config.target if self.config else None
        return Target(
            domain=self._value("domain"), canonical=self._value("canonical"),
            hosts=self._value("hosts"), pages=self._value("pages"),
            private_urls=old.private_urls if old else [],
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        bad = [f.label.split(" (")[0] for f in self.fields.values() if not f.validate()]
        if bad:
            self.refuse(f"fix {', '.join(bad)} first")
            return
        try:
            target = self._target()
            if self.config is None:
                config = SprintConfig(name=self._value("name"), target=target,
                                      cloudflare={"zone": target.domain})
                self.app.create_sprint(config, self.new_dir)
            else:
                self.app.update_config(self.config.model_copy(update={"target": target}))
        except (ValidationError, ValueError, LaunchReadyError) as exc:
            self.refuse(_error_line(exc))

    def refuse(self, reason: str) -> None:
        self.query_one("#form-error", Static).update(f"✗ Not saved: {reason}")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.app.cancel_setup(self)

"""The sprint's credentials: what is stored and where (names only), set with a masked input,
verify the Cloudflare token (status, expiry, which permissions it has), forget.

Values are never drawn: the table shows where each credential is found, and verification shows
the token masked. Keyring and API calls run in workers so the screen never freezes."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from wizard.application.credentials import NOT_NEEDED, store, verify_token
from wizard.errors import LaunchReadyError
from wizard.tui.screens.dialogs import NoteDialog
from wizard.tui.session import Session
from wizard.tui.widgets.title_bar import TitleBar
from wizard.vault import CREDENTIALS


class SecretDialog(NoteDialog):
    """The note dialog with a password input: what is typed is never shown."""

    def compose_body(self) -> ComposeResult:
        yield Static(self.prompt, classes="hint", markup=False)
        secret = Input("", placeholder="paste it here (hidden)", password=True, id="note")
        secret.cursor_blink = False
        yield secret


class CredentialsScreen(Screen):
    DEFAULT_CSS = """
    CredentialsScreen DataTable { height: auto; margin: 1 1 0 1; }
    CredentialsScreen #verify-result { height: 1fr; padding: 1 2; }
    """
    BINDINGS = [
        Binding("s", "set", "Set"),
        Binding("v", "verify", "Verify token"),
        Binding("f", "forget", "Forget"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.vault = session.vault

    def compose(self) -> ComposeResult:
        yield TitleBar(f"launch-ready · {self.session.config.name} · credentials", "esc back")
        yield DataTable(cursor_type="row", id="credentials")
        yield Static("Stored in the OS keyring (service launch-ready); in CI, the environment "
                     "variable is read instead. Nothing is ever written to the sprint folder.",
                     id="verify-result", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("credential", "what", "where")
        self.refresh_table()

    @work(thread=True, exclusive=True, group="keyring")
    def refresh_table(self) -> None:
        try:
            stored = self.vault.stored()
        except LaunchReadyError as exc:
            stored, problem = {}, str(exc)
        else:
            problem = ""
        self.app.call_from_thread(self._show, stored, problem)

    def _show(self, stored: dict[str, str], problem: str) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for name, kind in CREDENTIALS.items():
            where = stored.get(name)
            table.add_row(name, kind.label, f"in {where}" if where else "not set", key=name)
        table.move_cursor(row=row)
        if problem:
            self._say(f"✗ {problem}")

    def _say(self, text: str) -> None:
        self.query_one("#verify-result", Static).update(text)

    @property
    def _selected(self) -> str:
        return list(CREDENTIALS)[self.query_one(DataTable).cursor_row]

    def action_set(self) -> None:
        name = self._selected
        dialog = SecretDialog(f"Set {CREDENTIALS[name].label}",
                              "Stored in the OS keyring for this sprint; never shown again.")

        def chosen(value: str | None) -> None:
            if value:
                self._store(name, value)

        self.app.push_screen(dialog, chosen)

    @work(thread=True, group="keyring")
    def _store(self, name: str, value: str) -> None:
        try:
            store(self.session, name, value)
        except LaunchReadyError as exc:
            self.app.call_from_thread(self._say, f"✗ {exc}")
            return
        self.app.call_from_thread(self._say, f"✓ {CREDENTIALS[name].label} stored in the keyring")
        self.refresh_table()

    @work(thread=True, group="keyring")
    def action_forget(self) -> None:
        name = self._selected
        try:
            gone = self.vault.forget(name)
        except LaunchReadyError as exc:
            self.app.call_from_thread(self._say, f"✗ {exc}")
            return
        self.app.call_from_thread(
            self._say, f"✓ {CREDENTIALS[name].label} removed" if gone else "Nothing stored for it")
        self.refresh_table()

    @work(exclusive=True, group="verify")
    async def action_verify(self) -> None:
        try:
            secret = self.vault.get("cloudflare-token")
        except LaunchReadyError as exc:
            self._say(f"✗ {exc}")
            return
        if secret is None:
            self._say("No Cloudflare token yet: select cloudflare-token and press s.")
            return
        self._say(f"Verifying {secret.masked} from {secret.source}…")
        try:
            checked = await verify_token(self.session)
        except LaunchReadyError as exc:
            self._say(f"✗ {exc}")
            return
        except Exception as exc:  # the network or the API: one line, never a traceback
            self._say(f"✗ Could not verify: {type(exc).__name__}: {exc}")
            return
        if checked.report.rejected:
            self._say(f"✗ FAIL Cloudflare rejected the token {secret.masked}. {checked.recipe}")
            return
        lines = [checked.headline[0].upper() + checked.headline[1:]]
        for permission, purpose, state in checked.rows():
            word = ("✓ PASS" if state == "ok" else "- SKIP" if state.startswith(NOT_NEEDED)
                    else "✗ FAIL")
            lines.append(f"{word}  {permission:<32} {purpose}" + ("" if state == "ok" else f" ({state})"))
        if checked.report.missing:
            lines.append(checked.recipe)
        self._say("\n".join(lines))

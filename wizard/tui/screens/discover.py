"""The setup form's "from the OpenAPI document" dialog: read the product's document (a URL in the
sprint's scope, or a file), show what it found, ask what it could not tell, and hand the proposed
`api:` section back to the form. Nothing is saved here: the form shows the result in its fields,
and the person saves it (ctrl+s) after reading it, as with any edit.

The document is read in a worker, so the screen keeps answering while it downloads."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from wizard.application.discover_api import Proposal, describe, propose
from wizard.application.open_sprint import OpenSprint
from wizard.errors import LaunchReadyError
from wizard.sections import Api
from wizard.tui.screens.dialogs import Dialog
from wizard.vault import screen_text


class DiscoverDialog(Dialog[Api]):
    """Step 1: the document (Enter reads it). Step 2: the answers; Save returns the section."""

    AUTO_FOCUS = "#document"
    DEFAULT_CSS = """
    DiscoverDialog > #frame { width: 100; }
    DiscoverDialog #found { height: auto; margin-bottom: 1; }
    DiscoverDialog .question { text-style: bold; }
    """

    def __init__(self, op: OpenSprint, where: str) -> None:
        super().__init__("Fill the api: section from the OpenAPI document")
        self.op, self.where = op, where
        self.proposal: Proposal | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("A URL on the API (inside the domain, or a loopback address) or a file. "
                     "Enter reads it; nothing is saved until you save the setup form.",
                     classes="hint", markup=False)
        document = Input(self.where, placeholder="https://api.acme.example/openapi.json", id="document")
        document.cursor_blink = False
        yield document
        yield Static("", id="found", markup=False)

    @on(Input.Submitted, "#document")
    def _read_document(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter here reads; in an answer it saves (the Dialog's handler)
        self.query_one("#found", Static).update(f"Reading {event.value.strip()}…")
        self.query_one(".dialog-error", Static).update("")
        self._read(event.value.strip())

    @work(exclusive=True, exit_on_error=False)
    async def _read(self, where: str) -> None:
        try:
            proposal = await propose(self.op, where)
        except LaunchReadyError as exc:
            self.query_one("#found", Static).update("")
            self.refuse(str(exc))
            return
        self.proposal = proposal
        await self._show(proposal)

    async def _show(self, proposal: Proposal) -> None:
        self.query_one("#found", Static).update(
            "\n".join(map(screen_text, describe(proposal, self.op.config))))
        body = self.query_one("#body")
        await body.remove_children(".asked")
        widgets: list[Widget] = []
        for number, question in enumerate(proposal.questions):
            named = all(choice in question.prompt for choice in question.choices)
            hint = "" if named else f" ({' / '.join(question.choices)})"
            widgets.append(Static(screen_text(f"{question.prompt}{hint}"), classes="question asked",
                                  markup=False))
            field = Input(question.default or "", placeholder="empty: leave unset",
                          id=f"answer-{number}", classes="asked")
            field.cursor_blink = False
            widgets.append(field)
        widgets.append(Static("Save puts this into the form's api fields.", classes="hint asked"))
        await body.mount_all(widgets, before=self.query_one(".dialog-error"))
        if proposal.questions:
            self.query_one("#answer-0", Input).focus()
        else:
            self.query_one("#save", Button).focus()

    def result(self) -> Api | None:
        if self.proposal is None:
            self.refuse("press Enter in the document field to read it first")
            return None
        answers = {}
        for number, question in enumerate(self.proposal.questions):
            value = self.query_one(f"#answer-{number}", Input).value.strip()
            if value:
                answers[question.key] = value
        self.proposal.answers = answers
        try:
            return self.proposal.config(self.op.config).api
        except LaunchReadyError as exc:
            self.refuse(str(exc))
            return None

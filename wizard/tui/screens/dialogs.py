"""Modal dialogs: a note (accept risk, defer, edit a note) and a manual answer.

Both share one frame: a title, a body that scrolls, and buttons docked at the bottom, so nothing
is clipped at 80x24. Enter in the note saves, escape cancels."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

T = TypeVar("T")


class Dialog(ModalScreen[T], Generic[T]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #frame { width: 72; max-width: 100%; height: auto; max-height: 100%;
                      border: round $primary; background: $surface; }
    Dialog #body { height: auto; max-height: 1fr; padding: 0 1; }
    Dialog #buttons { dock: bottom; height: 1; align-horizontal: right; padding: 0 1; }
    Dialog #buttons Button { margin-left: 1; min-width: 10; }
    Dialog .hint { color: $text-muted; margin-bottom: 1; }
    Dialog .dialog-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="frame") as frame:
            frame.border_title = self.dialog_title
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            with VerticalScroll(id="body"):
                yield from self.compose_body()
                yield Static("", classes="dialog-error", markup=False)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def result(self) -> T | None:
        """The value to return, or None after showing why it cannot be saved."""
        raise NotImplementedError

    def refuse(self, reason: str) -> None:
        self.query_one(".dialog-error", Static).update(f"✗ {reason}")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        value = self.result()
        if value is not None:
            self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(Dialog[str]):
    """Asks for a note; a decision (accept risk / defer) must say why."""

    AUTO_FOCUS = "#note"

    def __init__(self, title: str, prompt: str, note: str = "", required: bool = True) -> None:
        super().__init__(title)
        self.prompt, self.note, self.required = prompt, note, required

    def compose_body(self) -> ComposeResult:
        yield Static(self.prompt, classes="hint", markup=False)
        note = Input(self.note, placeholder="why, who, until when", id="note")
        note.cursor_blink = False
        yield note

    def result(self) -> str | None:
        note = self.query_one("#note", Input).value.strip()
        if self.required and not note:
            self.refuse("a note is required: say why, and who decided")
            return None
        return note


ANSWERS = {"yes": "Yes", "no": "No", "n/a": "N/A (does not apply)"}


class AnswerDialog(Dialog[tuple[str, str]]):
    """A manual item's answer (yes / no / n/a) and its note: who, where, when.

    y, n or x pick the answer and move to the note (while the choices have focus)."""

    AUTO_FOCUS = "#answer"
    BINDINGS = [
        Binding("y", "pick('yes')", "Yes"),
        Binding("n", "pick('no')", "No"),
        Binding("x", "pick('n/a')", "N/A"),
    ]

    def __init__(self, question: str, help_text: str, answer: str | None, note: str) -> None:
        super().__init__("Answer")
        self.question, self.help_text = question, help_text
        self.answer, self.note = answer, note

    def compose_body(self) -> ComposeResult:
        yield Label(self.question, classes="question", markup=False)
        yield Static(self.help_text, classes="hint", markup=False)
        with RadioSet(id="answer"):
            for value, label in ANSWERS.items():
                yield RadioButton(label, value=value == self.answer, name=value)
        note = Input(self.note, placeholder="note: who, where, when", id="note")
        note.cursor_blink = False
        yield note
        yield Static("y yes · n no · x n/a · tab to the note · enter saves", classes="hint")

    def action_pick(self, value: str) -> None:
        button = next(b for b in self.query(RadioButton) if b.name == value)
        button.value = True
        self.query_one("#note", Input).focus()

    def result(self) -> tuple[str, str] | None:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or pressed.name is None:  # every button is named after its answer
            self.refuse("choose yes, no or n/a")
            return None
        return pressed.name, self.query_one("#note", Input).value.strip()

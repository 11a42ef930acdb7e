"""A labelled form field that validates as it is typed and says why a value is refused.

One widget for every setup field, single-line (Input) or list (TextArea): `check` turns the text
into a value or raises ValueError; the reason (or the normalised form, e.g. punycode) is shown
under the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static, TextArea

Check = Callable[[str], Any]


class ValidatedField(Vertical):
    DEFAULT_CSS = """
    ValidatedField { height: auto; margin: 0 0 1 0; }
    ValidatedField > Label { text-style: bold; }
    ValidatedField > Input, ValidatedField > TextArea {
        border: none; border-left: thick $border; padding: 0 1; height: 1;
    }
    ValidatedField > TextArea { height: 3; }
    ValidatedField > Input:focus, ValidatedField > TextArea:focus {
        border: none; border-left: thick $primary;
    }
    ValidatedField.-invalid > Input, ValidatedField.-invalid > TextArea {
        border-left: thick $error;
    }
    ValidatedField > .field-message { color: $text-muted; height: auto; }
    ValidatedField.-invalid > .field-message { color: $error; }
    """

    class Changed(Message):
        """Posted after the field re-validated its text, so dependent fields can follow."""

    def __init__(self, label: str, check: Check, value: str = "", *, placeholder: str = "",
                 multiline: bool = False, describe: Callable[[Any, str], str] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.check = check
        self.describe = describe or (lambda _value, _text: "")
        self.value: Any = None
        self.error: str | None = None
        if multiline:
            self.editor: Input | TextArea = TextArea(value, soft_wrap=True)
            self.editor.cursor_blink = False
        else:
            self.editor = Input(value, placeholder=placeholder)
            self.editor.cursor_blink = False

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        yield self.editor
        yield Static("", classes="field-message", markup=False)

    def on_mount(self) -> None:
        self.validate()

    @property
    def text(self) -> str:
        return self.editor.text if isinstance(self.editor, TextArea) else self.editor.value

    def set_text(self, text: str) -> None:
        """Replace the text (a filled-in proposal); validated as if typed."""
        if isinstance(self.editor, TextArea):
            self.editor.text = text
        else:
            self.editor.value = text
        self.validate()

    def validate(self) -> bool:
        """Re-check the current text (also when another field it depends on changed)."""
        text = self.text
        try:
            self.value, self.error = self.check(text), None
            message = self.describe(self.value, text)
        except ValueError as exc:
            self.value, self.error = None, str(exc).removeprefix("Value error, ")
            message = f"✗ {self.error}"
        self.set_class(self.error is not None, "-invalid")
        self.query_one(".field-message", Static).update(message)
        return self.error is None

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.validate()
        self.post_message(self.Changed())

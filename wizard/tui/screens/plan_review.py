"""The plan review: every object the fixes would change, before -> after, the risk notes, the
number of API calls, and an apply that needs the zone's name typed in (no accidental enter).

Dismisses with True when the user confirmed, else False."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.application.fixes import Change, Plan
from wizard.vault import screen_text

_OP_STYLE = {"create": "green", "update": "yellow", "delete": "red"}


def plan_text(plan: Plan) -> Text:
    """The plan as a person reviews it: one block per object, words before colour."""
    text = Text()
    if plan.empty:
        text.append("Nothing to change: the zone already matches what these fixes want.\n")
    for change in plan.changes:
        text.append_text(_change_text(change))
    for note in plan.notes:
        text.append(f"! NOTE  {screen_text(note)}\n", style="bold")
    return text


def _change_text(change: Change) -> Text:
    text = Text()
    text.append(f"{change.op.upper():<7}", style=f"bold {_OP_STYLE[change.op]}")
    text.append(f"{change.kind.replace('_', ' ')} {screen_text(change.target)}", style="bold")
    text.append(f"   ({change.fix})\n", style="dim")
    for line in _diff_lines(change):
        text.append(f"  · {screen_text(line)}\n")
    if change.note:
        text.append(f"  ! {screen_text(change.note)}\n", style="italic")
    return text


def _diff_lines(change: Change) -> list[str]:
    before, after = change.before or {}, change.after or {}
    if change.kind == "rules":
        old = {r.get("id") or r.get("description"): r for r in before.get("rules", [])}
        lines = []
        for rule in after.get("rules", []):
            key = rule.get("id") or rule.get("description")
            mark = "kept " if old.get(key) == rule else ("new  " if key not in old else "changed")
            lines.append(f"{mark} {rule.get('description') or rule.get('expression', '')}")
        gone = set(old) - {r.get("id") or r.get("description") for r in after.get("rules", [])}
        lines += [f"removed {old[k].get('description') or old[k].get('expression', '')}" for k in gone]
        return lines
    keys = [k for k in dict.fromkeys([*before, *after]) if k != "id"]
    return [f"{k}: {before.get(k, '(none)')} -> {after.get(k, '(none)')}" for k in keys
            if before.get(k) != after.get(k)]


class PlanReviewScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    PlanReviewScreen { align: center middle; }
    PlanReviewScreen > #frame { width: 100; max-width: 100%; height: 100%; border: round $primary;
                                background: $surface; }
    PlanReviewScreen #plan { height: 1fr; padding: 0 1; }
    PlanReviewScreen #confirm-row { dock: bottom; height: auto; padding: 0 1; }
    PlanReviewScreen #confirm-row > Horizontal { height: auto; }
    PlanReviewScreen #confirm { width: 1fr; }
    PlanReviewScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("pageup", "scroll('page_up')", "Scroll up", show=False),
        Binding("pagedown", "scroll('page_down')", "Scroll down", show=False),
    ]
    AUTO_FOCUS = "#confirm"

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="frame") as frame:
            frame.border_title = (f"Plan for {plan.zone}: {len(plan.changes)} change(s), "
                                  f"{plan.api_calls()} API call(s)")
            with VerticalScroll(id="plan"):
                yield Static(plan_text(plan))
            with Vertical(id="confirm-row"):
                yield Static("A snapshot is taken first; anything that fails is rolled back. "
                             f"Type the zone name ({plan.zone}) and press enter to apply.",
                             classes="hint", markup=False)
                with Horizontal():
                    confirm = Input(placeholder=plan.zone, id="confirm", disabled=plan.empty)
                    confirm.cursor_blink = False  # a steady cursor: the same screen every time
                    yield confirm
                    yield Button("Cancel", id="cancel", compact=True)

    def action_scroll(self, where: str) -> None:
        """The plan scrolls with page up/down while the cursor stays in the confirmation."""
        getattr(self.query_one("#plan", VerticalScroll), f"scroll_{where}")()

    @on(Input.Submitted, "#confirm")
    def _confirmed(self, event: Input.Submitted) -> None:
        if event.value.strip().lower().rstrip(".") == self.plan.zone:
            self.dismiss(True)
        else:
            self.notify(f"Type {self.plan.zone} exactly to apply; esc cancels.", severity="warning")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

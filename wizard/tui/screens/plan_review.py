"""The plan review: every object the fixes would change, before -> after, the risk notes, the
number of API calls, and an apply that needs the zone's name typed in (no accidental enter).

Dismisses with True when the user confirmed, False when not, or with new rate-limit thresholds
(ctrl+t, when the plan has cf.rate-limit): the caller saves them and plans again."""

from __future__ import annotations

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.application.fixes import Change, Plan
from wizard.sprint import RateLimit
from wizard.tui.screens.dialogs import Dialog
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


class RateLimitDialog(Dialog[RateLimit]):
    """cf.rate-limit's thresholds, validated by the same model sprint.yaml is."""

    AUTO_FOCUS = "#requests"
    FIELDS = (("requests", "requests_per_period", "Requests per period, per visitor IP"),
              ("period", "period_s", "Period (seconds; Free: 10)"),
              ("timeout", "mitigation_timeout_s", "Blocked for (seconds; Free: 10)"))

    def __init__(self, current: RateLimit) -> None:
        super().__init__("Rate-limit thresholds")
        self.current = current

    def compose_body(self) -> ComposeResult:
        yield Static("Saved to cloudflare.rate_limit in sprint.yaml; the plan is made again. A value "
                     "the zone's plan cannot take is replaced by the nearest allowed one.",
                     classes="hint", markup=False)
        for widget_id, name, label in self.FIELDS:
            yield Static(label, markup=False)
            field = Input(str(getattr(self.current, name)), id=widget_id)
            field.cursor_blink = False
            yield field

    def result(self) -> RateLimit | None:
        values = {name: self.query_one(f"#{widget_id}", Input).value.strip()
                  for widget_id, name, _ in self.FIELDS}
        try:
            return RateLimit.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            self.refuse(f"{error['loc'][0]}: {error['msg']}")
            return None


class PlanReviewScreen(ModalScreen["bool | RateLimit"]):
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
        Binding("ctrl+t", "thresholds", "Thresholds"),
        Binding("pageup", "scroll('page_up')", "Scroll up", show=False),
        Binding("pagedown", "scroll('page_down')", "Scroll down", show=False),
    ]
    AUTO_FOCUS = "#confirm"

    def __init__(self, plan: Plan, thresholds: RateLimit | None = None) -> None:
        """`thresholds`: cf.rate-limit's current ones, when the plan has that fix (ctrl+t edits)."""
        super().__init__()
        self.plan, self.thresholds = plan, thresholds

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="frame") as frame:
            frame.border_title = (f"Plan for {plan.zone}: {len(plan.changes)} change(s), "
                                  f"{plan.api_calls()} API call(s)")
            with VerticalScroll(id="plan"):
                yield Static(plan_text(plan))
            with Vertical(id="confirm-row"):
                edit = " ctrl+t edits the rate-limit thresholds." if self.thresholds else ""
                yield Static("A snapshot is taken first; anything that fails is rolled back. "
                             f"Type the zone name ({plan.zone}) and press enter to apply.{edit}",
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

    def action_thresholds(self) -> None:
        if self.thresholds is None:
            self.notify("No rate limit in this plan: the thresholds are cf.rate-limit's.")
            return
        self.app.push_screen(RateLimitDialog(self.thresholds), self._edited)

    def _edited(self, thresholds: RateLimit | None) -> None:
        if thresholds is not None:
            self.dismiss(thresholds)

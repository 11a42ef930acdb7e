"""How a status reads on screen: icon and word always together; colour only repeats the word.

Plain ANSI colour names, so the user's terminal palette decides the shade (readable over SSH and
screen sharing)."""

from __future__ import annotations

import json

from rich.text import Text

from wizard.findings import STATUS_ICON, STATUS_WORD, Status

STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.ERROR: "bold magenta",
    Status.SKIPPED: "dim",
    Status.MANUAL: "cyan",
}


def status_text(status: Status | None, count: int | None = None) -> Text:
    """`✗ FAIL`, or `✗ FAIL 4` with a count; `· ----` when nothing has run yet."""
    if status is None:
        return Text.assemble(("· ----", "dim"))
    label = f"{STATUS_ICON[status]} {STATUS_WORD[status]}"
    if count is not None:
        label += f" {count}"
    return Text.assemble((label, STATUS_STYLE[status]))


def clip(text: str, width: int) -> str:
    """One line of at most `width` cells, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


def _compact(value) -> str:
    """Lists joined by commas, records by spaces: `a.example CNAME 300 b.example`."""
    if isinstance(value, list):
        return ", ".join(_compact(v) for v in value) or "none"
    if isinstance(value, dict):
        return " ".join(_compact(v) for v in value.values())
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def compact_evidence(evidence: dict, width: int = 400) -> str:
    """`key: value · key: value` on one line, for the details pane."""
    return clip(" · ".join(f"{key}: {_compact(value)}" for key, value in evidence.items()), width)

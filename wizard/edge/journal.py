"""A change set's folder (changes/<id>/) and its journal: what a killed wizard leaves behind.

plan.json, snapshot.json and snapshot.zone are written before the first write; journal.jsonl
gets one line per step BEFORE it is sent ("intent") and AFTER ("done", with what the API
answered, e.g. the ids of created records), each line flushed and fsynced; "end" closes an
apply or a rollback with its state, and result.json holds the outcome. A journal whose last
line is not "end" is an unfinished change set. Every text goes through the vault's redaction.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wizard.sprint import write_atomic
from wizard.vault import redact

JOURNAL = "journal.jsonl"


def new_change_id(now: datetime | None = None) -> str:
    """Sortable by time: 20261130-153012-ab12."""
    return f"{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, redact(json.dumps(data, indent=2, sort_keys=True, default=str)) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class Journal:
    """Append-only, one JSON object a line, durable line by line."""

    def __init__(self, change_dir: Path):
        self.path = Path(change_dir) / JOURNAL

    def write(self, event: str, **fields: Any) -> None:
        line = redact(json.dumps({"at": datetime.now(UTC).isoformat(), "event": event, **fields},
                                 sort_keys=True, default=str))
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def entries(self) -> list[dict[str, Any]]:
        """Every complete line; a line torn by a kill (the last one) is ignored."""
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
        return found

    def ended(self) -> dict[str, Any] | None:
        """The closing "end" line, or None while an apply or rollback is unfinished."""
        entries = self.entries()
        return entries[-1] if entries and entries[-1]["event"] == "end" else None

    def created(self) -> dict[str, str]:
        """Ids the API gave to objects we created (identity key -> id), from the "done" lines."""
        known: dict[str, str] = {}
        for entry in self.entries():
            if entry["event"] == "done":
                known.update(entry.get("created") or {})
        return known


@dataclass(frozen=True)
class ChangeSet:
    """One row of the changes screen and `launch-ready rollback`'s list."""

    id: str
    path: Path
    created_at: str
    fixes: list[str]
    state: str  # applied | rolled-back | not-applied | rollback-failed | unfinished
    verified: bool
    summary: str


def list_change_sets(changes_dir: Path) -> list[ChangeSet]:
    """Every change set with a plan, newest first."""
    found = []
    for folder in sorted(Path(changes_dir).glob("*/plan.json"), reverse=True):
        folder = folder.parent
        plan = read_json(folder / "plan.json")
        end = Journal(folder).ended()
        result = read_json(folder / "result.json") if (folder / "result.json").exists() else {}
        state = end["state"] if end else "unfinished"
        found.append(ChangeSet(
            id=folder.name, path=folder, created_at=plan.get("created_at", ""),
            fixes=list(plan.get("fixes", [])), state=state,
            verified=bool(end) and state == "applied" and not result.get("mismatches"),
            summary=result.get("message", "") if end else "interrupted: recover to finish or roll back",
        ))
    return found


def unfinished(changes_dir: Path) -> list[ChangeSet]:
    """Change sets whose apply or rollback was interrupted (no end record in the journal)."""
    return [c for c in list_change_sets(changes_dir) if c.state == "unfinished"]

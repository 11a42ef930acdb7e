"""The red-team checklist (stage 4 deliverable): every attack of the ai.* checks' last run, with
its family, the safe outcome expected, what each repeat showed and a masked excerpt. Built from
the findings' evidence only (the engine masked secrets in it)."""

from __future__ import annotations

from typing import Any

from wizard.findings import Finding

AI_CHECK_IDS = ("ai.system-prompt-leak", "ai.prompt-injection", "ai.tool-misuse",
                "ai.cross-session-leak", "ai.output-handling")


def red_team_checklist(findings: list[Finding]) -> list[dict[str, Any]]:
    """One section per ai.* finding, in catalogue order: the finding, its attacks and controls."""
    by_id = {f.id: f for f in findings if f.id in AI_CHECK_IDS}
    return [{"finding": by_id[i], "attacks": by_id[i].evidence.get("attacks", []),
             "controls": by_id[i].evidence.get("controls", []),
             "requests": by_id[i].evidence.get("requests", 0)}
            for i in AI_CHECK_IDS if i in by_id]

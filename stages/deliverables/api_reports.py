"""The authorization test results (stage 2 deliverable) and the guardrail notes (stage 4): what
the auth.*, webhook.signature and abuse.* checks sent and got back, request by request, with the
status each attempt should have had. Built from the findings' evidence only (the engine masked
secrets in it; attempts are named, never carried tokens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from stages.checks.api_abuse import API_STAGE4_CHECKS, SIZE_REFUSALS
from stages.checks.api_auth import API_STAGE2_CHECKS, REFUSED
from stages.deliverables.redteam_report import red_team_checklist
from wizard.findings import STATUS_ICON, STATUS_WORD, Finding, Status

RanAt = Callable[[Finding], datetime | None]

AUTH_CHECK_IDS = ("auth.protected-routes", "auth.bola", "auth.admin-routes", "webhook.signature")
EXPECTED = {  # what each attempt of a check must get, as the checks judge it
    "auth.protected-routes": "401 (403), no data",
    "auth.bola": "403/404, no marker",
    "auth.admin-routes": "401/403 (404)",
    "webhook.signature": "4xx (400/401)",
}


def _verdict(status: Status) -> str:
    return f"{STATUS_ICON[status]} {STATUS_WORD[status]}"


def _judge(ok: set[int] | range, status: int | None, let_in: bool) -> str:
    """FAIL when the attempt got through, WARN when refused otherwise than expected."""
    if let_in:
        return _verdict(Status.FAIL)
    return _verdict(Status.PASS if status in ok else Status.WARN)


def _got_through(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _rows(check_id: str, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per request of a finding: attempt, expected, observed, verdict."""
    def row(attempt: str, expected: str, observed: Any, verdict: str) -> dict[str, Any]:
        return {"attempt": attempt, "expected": expected, "observed": observed, "verdict": verdict}

    expected = EXPECTED[check_id]
    if check_id == "auth.protected-routes":
        rows = [row("user A, signed in", "2xx (the data to hide)", evidence["user_a_status"], "-")
                for _ in evidence.get("attempts", [])[:1]]
        for t in evidence.get("attempts", []):
            shown = " with user A's data" if t["data_shown"] else ""
            rows.append(row(t["attempt"], expected, f"{t['status']}{shown}",
                            _judge(set(REFUSED), t["status"], t["data_shown"] or _got_through(t["status"]))))
        return rows
    if check_id == "auth.bola":
        rows = [row(f"user B {t['method']} user A's object", expected,
                    f"{t['status']}" + (" with the marker" if t["marker_seen"] else ""),
                    _judge({403, 404}, t["status"], t["marker_seen"] or _got_through(t["status"])))
                for t in evidence.get("attempts", [])]
        if after := evidence.get("after"):
            rows.append(row("user A re-reads the object", "200, unchanged",
                            f"{after['status']}, {'unchanged' if after['unchanged'] else 'changed or gone'}",
                            _verdict(Status.PASS if after["unchanged"] else Status.FAIL)))
        return rows
    if check_id == "auth.admin-routes":
        return [row("as user A, claiming nothing" if t["attempt"] == "user A" else f"as user A: {t['attempt']}",
                    expected, t["status"],
                    _judge({*REFUSED, 404}, t["status"], _got_through(t["status"])))
                for t in evidence.get("attempts", [])]
    rows = []
    for i, t in enumerate(evidence.get("deliveries", [])):
        if i == 0:  # the valid delivery must be accepted
            rows.append(row(t["delivery"], "2xx", t["status"],
                            _verdict(Status.PASS if _got_through(t["status"]) else Status.ERROR)))
        else:
            rows.append(row(t["delivery"], expected, t["status"],
                            _judge(range(400, 500), t["status"], _got_through(t["status"]))))
    return rows


def _runs(findings: list[Finding], check_id: str, ran_at: RanAt) -> list[dict[str, Any]]:
    return [{"finding": f, "ran_at": ran_at(f), "requests": f.evidence.get("requests", 0),
             "rows": _rows(check_id, f.evidence)}
            for f in findings if f.id == check_id]


def authz_results(findings: list[Finding], ran_at: RanAt) -> list[dict[str, Any]]:
    """One section per auth check, in catalogue order: its findings (none: not run yet), each
    with its requests and one row per attempt."""
    titles = {c.id: c.title for c in (*API_STAGE2_CHECKS, *API_STAGE4_CHECKS)}
    return [{"id": i, "title": titles[i], "expected": EXPECTED[i], "runs": _runs(findings, i, ran_at)}
            for i in AUTH_CHECK_IDS]


def guardrail_notes(findings: list[Finding], ran_at: RanAt) -> dict[str, Any]:
    """What error responses showed (abuse.error-leakage), how malformed and oversized bodies were
    handled, and the ai.* outcomes (detailed in the red-team checklist)."""
    def runs(check_id: str) -> list[dict[str, Any]]:
        return [{"finding": f, "ran_at": ran_at(f), "requests": f.evidence.get("requests", 0)}
                for f in findings if f.id == check_id]
    return {
        "leakage": runs("abuse.error-leakage"),
        "malformed": runs("abuse.malformed-payload"),
        "oversized": runs("abuse.oversized-payload"),
        "size_refusals": "/".join(map(str, SIZE_REFUSALS)),
        "ai": red_team_checklist(findings),
    }

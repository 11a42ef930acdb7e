"""The authorization test results (stage 2 deliverable) and the guardrail notes (stage 4): what
the auth.*, webhook.signature and abuse.* checks sent and got back, request by request, with the
status each attempt should have had. Built from the findings' evidence only (the engine masked
secrets in it; attempts are named, never carried tokens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from stages.checks.api_abuse import API_STAGE4_CHECKS, SIZE_REFUSALS
from stages.checks.api_accounts import API_ACCOUNT_CHECKS
from stages.checks.api_auth import API_STAGE2_CHECKS, REFUSED
from stages.checks.api_exposure import API_EXPOSURE_CHECKS
from stages.checks.api_injection import INJECTION_CHECKS
from stages.deliverables.redteam_report import red_team_checklist
from wizard.findings import STATUS_ICON, STATUS_WORD, Finding, Status

RanAt = Callable[[Finding], datetime | None]

AUTH_CHECK_IDS = ("auth.protected-routes", "auth.bola", "auth.admin-routes", "auth.mass-assignment",
                  "auth.account-takeover", "auth.user-enumeration", "auth.data-exposure",
                  "abuse.injection", "webhook.signature")
EXPECTED = {  # what each attempt of a check must get, as the checks judge it
    "auth.protected-routes": "401 (403), no data",
    "auth.bola": "403/404, no marker",
    "auth.admin-routes": "401/403 (404)",
    "auth.mass-assignment": "privileged fields ignored",
    "auth.account-takeover": "403/404, nothing changed",
    "auth.user-enumeration": "the same answer for existing and unknown accounts",
    "auth.data-exposure": "declared fields only, no hashes, no one else's data",
    "abuse.injection": "a 4xx or the baseline's answer, never a 5xx or a database error",
    "webhook.signature": "4xx (400/401)",
}
VERDICT = {s.value: s for s in Status}


def _verdict(status: Status) -> str:
    return f"{STATUS_ICON[status]} {STATUS_WORD[status]}"


def _judge(ok: set[int] | range, status: int | None, let_in: bool) -> str:
    """FAIL when the attempt got through, WARN when refused otherwise than expected."""
    if let_in:
        return _verdict(Status.FAIL)
    return _verdict(Status.PASS if status in ok else Status.WARN)


def _got_through(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _row(operation: str, who: str, attempt: str, expected: str, observed: Any,
         verdict: str) -> dict[str, Any]:
    """One request: the operation (method and route), who sent it, how, what it had to get."""
    return {"operation": operation, "as": who, "attempt": attempt, "expected": expected,
            "observed": observed, "verdict": verdict}


def _rows(check_id: str, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per request of a finding."""
    expected = EXPECTED[check_id]
    attempts = evidence.get("attempts", [])
    if check_id == "auth.protected-routes":
        operation = f"{evidence.get('method', 'GET')} {evidence.get('sent_to', '')}".strip()
        rows = [_row(operation, "user A", "signed in", "2xx (the data to hide)",
                     evidence["user_a_status"], "-")
                for _ in attempts[:1] if evidence.get("user_a_status") is not None]
        for t in attempts:
            shown = " with user A's data" if t["data_shown"] else ""
            rows.append(_row(t.get("operation", operation), "no one signed in", t["attempt"], expected,
                             f"{t['status']}{shown}",
                             _judge(set(REFUSED), t["status"], t["data_shown"] or _got_through(t["status"]))))
        return rows
    if check_id == "auth.bola":
        rows = [_row(t.get("operation", t["method"]), "user B", "on user A's object", expected,
                     f"{t['status']}" + (" with the marker" if t["marker_seen"] else ""),
                     _judge({403, 404}, t["status"], t["marker_seen"] or _got_through(t["status"])))
                for t in attempts]
        if after := evidence.get("after"):
            rows.append(_row(f"GET {evidence.get('object', '')}", "user A", "re-reads the object",
                             "200, unchanged",
                             f"{after['status']}, {'unchanged' if after['unchanged'] else 'changed or gone'}",
                             _verdict(Status.PASS if after["unchanged"] else Status.FAIL)))
        return rows
    if check_id == "auth.admin-routes":
        return [_row(t.get("operation", "GET"), "user A",
                     "claiming nothing" if t["attempt"] == "user A" else t["attempt"], expected,
                     t["status"], _judge({*REFUSED, 404}, t["status"], _got_through(t["status"])))
                for t in attempts]
    if check_id == "webhook.signature":
        rows = []
        for i, t in enumerate(evidence.get("deliveries", [])):
            if i == 0:  # the valid delivery must be accepted
                rows.append(_row("POST webhook", "the payment provider", t["delivery"], "2xx", t["status"],
                                 _verdict(Status.PASS if _got_through(t["status"]) else Status.ERROR)))
            else:
                rows.append(_row("POST webhook", "anyone", t["delivery"], expected, t["status"],
                                 _judge(range(400, 500), t["status"], _got_through(t["status"]))))
        return rows
    # The account, exposure and injection checks write their rows in this shape already.
    return [_row(t["operation"], t["as"], "", t["expected"], t["observed"],
                 _verdict(VERDICT.get(t["verdict"], Status.ERROR))) for t in attempts]


def _runs(findings: list[Finding], check_id: str, ran_at: RanAt) -> list[dict[str, Any]]:
    return [{"finding": f, "ran_at": ran_at(f), "requests": f.evidence.get("requests", 0),
             "rows": _rows(check_id, f.evidence)}
            for f in findings if f.id == check_id]


def authz_results(findings: list[Finding], ran_at: RanAt) -> list[dict[str, Any]]:
    """One section per auth check, in catalogue order: its findings (none: not run yet), each
    with its requests and one row per attempt."""
    titles = {c.id: c.title for c in (*API_STAGE2_CHECKS, *API_ACCOUNT_CHECKS, *API_EXPOSURE_CHECKS,
                                      *INJECTION_CHECKS, *API_STAGE4_CHECKS)}
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

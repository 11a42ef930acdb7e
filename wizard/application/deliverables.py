"""Deliverables rendered from templates/ with Jinja2, from an installed wheel or a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from stages import STAGES, sprint_findings
from stages.deliverables.api_reports import authz_results, guardrail_notes
from stages.deliverables.deployment_map import deployment_map
from stages.deliverables.redteam_report import red_team_checklist
from stages.deliverables.risk_list import risk_list
from stages.deliverables.secret_inventory import secret_inventory
from stages.s7_handover import OWNERSHIP
from wizard import __version__
from wizard.application.open_sprint import OpenSprint
from wizard.findings import STATUS_ICON, STATUS_WORD, Finding, Severity
from wizard.sprint import Progress, SprintConfig, now, write_atomic
from wizard.vault import redact


def templates_dir() -> Path:
    """Inside the wheel the templates sit in wizard/templates; in a checkout, at the top."""
    packaged = Path(str(resources.files("wizard"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["label"] = lambda f: f"{STATUS_ICON[f.status]} {STATUS_WORD[f.status]}"
    env.filters["cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return env


def _context(config: SprintConfig, progress: Progress) -> dict:
    findings = sprint_findings(config, progress)
    open_ = [f for f in findings if f.is_open]
    decided = {k: d for k, d in progress.decisions.items()}

    def decision(f: Finding):
        return decided.get(f.key)

    def ran_at(f: Finding):
        result = progress.results.get(f.key)
        return result.at if result else None

    severity_rank = {Severity.BLOCKER: 0, Severity.CAN_WAIT: 1, Severity.INFO: 2}
    owners = []
    for key, what in OWNERSHIP.items():
        answer = progress.manual.get(f"handover.owner-{key}")
        owners.append({"what": what, "answer": answer})
    return {
        "config": config,
        "generated_at": now().isoformat(),
        "stages": [
            {"stage": s, "findings": [f for f in findings if f.stage == s.number]} for s in STAGES
        ],
        "open_blockers": [f for f in open_ if f.is_blocker and not decision(f)],
        "open_findings": sorted(
            [f for f in open_ if not decision(f) or decision(f).kind == "deferred"],
            key=lambda f: (severity_rank[f.severity], f.stage, f.id),
        ),
        "accepted": [(f, decision(f)) for f in findings
                     if decision(f) and decision(f).kind == "accepted-risk"],
        "decision": decision,
        "note": lambda f: progress.notes.get(f.key),
        "owners": owners,
        "manual": progress.manual,
        "risk": risk_list(findings, decision),
        "deployment": deployment_map(config, findings),
        "secrets": secret_inventory(findings),
        "redteam": red_team_checklist(findings),
        "authz": authz_results(findings, ran_at),
        "guardrails": guardrail_notes(findings, ran_at),
        "tool_version": __version__,
        "sprint_path": f".launch-ready/{config.name}",  # where the CI workflow expects the sprint
    }


def render_deliverables(config: SprintConfig, progress: Progress) -> dict[str, str]:
    """file name -> Markdown, for every deliverable whose template exists."""
    env = _env()
    context = _context(config, progress)
    out: dict[str, str] = {}
    for stage in STAGES:
        for d in stage.deliverables:
            if d.template:
                out[d.output or d.template.removesuffix(".j2")] = redact(env.get_template(d.template).render(context))
    return out


def write_deliverables(op: OpenSprint, output: Path | None = None) -> list[Path]:
    """Every deliverable rendered into reports/ (or `output`), each file written atomically."""
    target = output or op.sprint.reports_dir
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_deliverables(op.config, op.progress).items():
        path = target / name
        write_atomic(path, text)
        written.append(path)
    return written

"""The command line as CI and a user meet it: reports, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.cli import main


def run(*args: str, env_home=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_home is not None:
        env["LAUNCH_READY_HOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_check_json_report_and_exit_code(sprint, home, capsys):
    code = main(["check", "acme", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["schema"] == "launch-ready/report@1"
    assert report["sprint"] == "acme" and report["domain"] == "acme.example"
    resolves = {f["subject"]: f for f in report["findings"] if f["id"] == "dns.resolves"}
    assert resolves["acme.example"]["status"] == "pass"
    assert resolves["app.acme.example"]["evidence"]["addresses"] == ["127.0.0.2"]  # proxied: the edge
    missing = resolves["www.acme.example"]
    assert missing["status"] == "fail" and missing["severity"] == "blocker"
    assert missing["evidence"]["outcome"] == "nxdomain"
    assert report["blockers"] == sum(f["severity"] == "blocker" and f["status"] == "fail"
                                     for f in report["findings"]) >= 1
    assert report["totals"]["fail"] >= 1 and report["totals"]["manual"] > 0
    assert [s["number"] for s in report["stages"]] == [1, 2, 3, 4, 5, 6, 7]
    assert next(s for s in report["stages"] if s["number"] == 3)["status"] == "fail"
    assert set(report) >= {"tool_version", "generated_at", "duration_s", "findings", "totals"}


def test_check_passes_when_every_host_resolves(sprint, capsys):
    config = sprint.load_config()
    config.target.hosts = ["acme.example", "app.acme.example"]
    sprint.save_config(config)
    assert main(["check", str(sprint.root), "--only", "dns.resolves"]) == 0
    out = capsys.readouterr().out
    assert "✓ PASS" in out and "0 blocker(s) failing" in out


def test_a_nameserver_that_never_answers_is_an_error_not_a_fail(home, capsys):
    from tests.conftest import silent_nameserver
    from wizard.sprint import Network, Sprint, SprintConfig

    with silent_nameserver() as nameserver:
        config = SprintConfig.starter("quiet", "acme.example")
        config.network = Network(nameservers=[nameserver], timeout_s=0.3)
        Sprint.create(home / "quiet", config)
        assert main(["check", "quiet", "--format", "json", "--only", "dns.resolves"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["status"] for f in findings} == {"error"}
    assert "the resolver is unreachable (no answer from" in findings[0]["summary"]


def test_save_records_results_and_output_writes_a_file(sprint, tmp_path, capsys):
    out = tmp_path / "report.json"
    main(["check", "acme", "--save", "--format", "json", "--output", str(out)])
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["blockers"] >= 1
    results = sprint.load_progress().results
    assert results["dns.resolves@www.acme.example"].finding.status == "fail"


def test_handover_writes_the_documents(sprint, capsys):
    progress = sprint.load_progress()
    progress.answer("handover.owner-registrar", "yes", "Ana Ruiz; 1Password vault Ops")
    sprint.save_progress(progress)
    main(["check", "acme", "--save"])
    capsys.readouterr()
    assert main(["handover", "acme"]) == 0
    written = capsys.readouterr().out.split()
    assert [os.path.basename(p) for p in written] == [
        "risk-list.md", "deployment-map.md", "launch-ready-ci.yml", "secret-inventory.md",
        "authz-results.md", "red-team-checklist.md", "guardrail-notes.md", "monitoring-plan.md",
        "incident-checklist.md", "launch-ready-monitor.yml", "release-checklist.md",
        "rollback-note.md", "handover.md", "admin-access-map.md", "post-launch-backlog.md"]
    handover = (sprint.reports_dir / "handover.md").read_text()
    assert handover.index("## Open blockers") < handover.index("## Stage 1")
    assert "www.acme.example does not exist in DNS" in handover.split("## Stage 1")[0]
    access = (sprint.reports_dir / "admin-access-map.md").read_text()
    assert "| the domain registrar | yes | Ana Ruiz; 1Password vault Ops |" in access


def test_new_without_tui_creates_a_sprint(home, capsys):
    assert main(["new", "shop", "--domain", "Bücher.example", "--no-tui"]) == 0
    assert "created" in capsys.readouterr().out
    assert "xn--bcher-kva.example" in (home / "shop" / "sprint.yaml").read_text()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["new", "shop", "--domain", "not a domain", "--no-tui"], "has a space"),
        (["new", "Shop!", "--domain", "a.example", "--no-tui"], "sprint name 'Shop!'"),
        (["new", "shop", "--no-tui"], "--no-tui needs --domain"),
        (["check", "missing"], "no sprint here"),
        (["check", "acme", "--stage", "8"], "there is no stage 8"),
        (["check", "acme", "--only", "dns.nope"], "unknown check id 'dns.nope'"),
        (["check", "acme", "--format", "xml"], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(sprint, home, args, words):
    result = run(*args, env_home=home)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda t: t.replace("  hosts:\n", "  hots: []\n  hosts:\n"), "sprint.yaml:6: unknown key 'hots' in target"),
        (lambda t: t.replace("  - acme.example\n  - www.acme.example\n  - app.acme.example\n", "  []\n").replace("hosts:\n  []", "hosts: []"), "at least one host"),
        (lambda t: t.replace("domain: acme.example", "domain: acme_.example", 1), "target.domain"),
    ],
)
def test_bad_sprint_file_is_one_line_exit_2_and_untouched(sprint, home, edit, words):
    text = edit(sprint.config_path.read_text())
    sprint.config_path.write_text(text)
    result = run("check", "acme", env_home=home)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and result.stderr.count("\n") == 1
    assert sprint.config_path.read_text() == text


def test_unreadable_sprint_file(sprint, monkeypatch, capsys):
    # mode 000 means nothing to root (CI runs as root): make the read itself fail
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == sprint.config_path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert main(["check", "acme"]) == 2
    err = capsys.readouterr().err
    assert err == f"launch-ready: {sprint.config_path}: cannot be read (Permission denied)\n"


def test_a_directory_instead_of_a_file_is_exit_2(home):
    (home / "odd").mkdir(parents=True)
    (home / "odd" / "sprint.yaml").mkdir()
    result = run("check", str(home / "odd"), env_home=home)
    assert result.returncode == 2 and "no sprint here" in result.stderr


def test_internal_errors_are_one_line_with_the_log(home, monkeypatch, capsys):
    import wizard.cli as cli

    monkeypatch.setattr(cli, "_check", lambda args: 1 / 0)
    assert main(["check", "acme"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("launch-ready: internal error (ZeroDivisionError); the details are in ")
    log = err.strip().rsplit(" ", 1)[-1]
    assert "ZeroDivisionError" in open(log).read()


def test_version_and_check_do_not_import_textual(sprint, home):
    probe = ("import sys\nfrom wizard.cli import main\ntry: main(%r)\nexcept SystemExit: pass\n"
             "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')")
    for argv in (["--version"], ["check", "acme", "--format", "json"]):
        result = subprocess.run([sys.executable, "-c", probe % argv], capture_output=True,
                                text=True, env={**os.environ, "LAUNCH_READY_HOME": str(home)},
                                timeout=60)
        assert result.stdout.strip().endswith("CLEAN"), result.stdout[-200:] + result.stderr

"""`launch-ready plan / apply / rollback` as a user and CI meet them."""

from __future__ import annotations

import json

import pytest
from cloudflare import Cloudflare

from tests.edge_plans import view
from wizard.cli import main


@pytest.fixture
def demo(sprint, sandbox, monkeypatch):
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    return sprint


def test_plan_writes_nothing(demo, sandbox, capsys):
    before = view(sandbox)
    assert main(["plan", "acme", "--fix", "cf.ssl-strict", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["schema"] == "launch-ready/plan@1" and plan["changes"][0]["target"] == "ssl"
    assert view(sandbox) == before and not demo.changes_dir.exists()


def test_plan_without_fix_uses_what_the_saved_results_ask_for(demo, capsys):
    main(["check", "acme", "--save", "--stage", "3"])
    capsys.readouterr()
    assert main(["plan", "acme"]) == 0
    out = capsys.readouterr().out
    assert "cf.dns-www" in out and "update setting ssl: flexible -> strict" in out


def test_plan_on_a_fresh_sprint_runs_the_checks_it_needs_and_saves_nothing(demo, sandbox, capsys):
    before, progress = view(sandbox), demo.progress_path.read_text()
    assert main(["plan", "acme"]) == 0
    captured = capsys.readouterr()
    assert "no saved results: running the" in captured.err
    assert "cf.dns-www" in captured.out and "update setting ssl: flexible -> strict" in captured.out
    assert view(sandbox) == before and demo.progress_path.read_text() == progress


def test_apply_on_a_fresh_sprint_runs_the_checks_then_fixes_what_they_ask(demo, capsys):
    assert main(["apply", "acme", "--yes"]) == 0, capsys.readouterr()
    captured = capsys.readouterr()
    assert "no saved results" in captured.err and "applied: applied and verified" in captured.out
    assert main(["plan", "acme"]) == 0  # results were saved: no second run, nothing left to fix
    captured = capsys.readouterr()
    assert "no saved results" not in captured.err
    assert "nothing to fix" in captured.out or "nothing to change" in captured.out


def test_apply_needs_yes(demo, capsys):
    assert main(["apply", "acme", "--fix", "cf.min-tls"]) == 2
    assert "add --yes" in capsys.readouterr().err


def test_apply_then_rollback(demo, sandbox, capsys):
    before = view(sandbox)
    assert main(["apply", "acme", "--fix", "cf.min-tls", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "applied: applied and verified" in out and "✓ PASS edge.min-tls" in out
    log = demo.load_progress().changes
    assert [(c.state, c.verified) for c in log] == [("applied", True)]
    assert main(["rollback", "acme", "--yes"]) == 0
    assert "rolled-back" in capsys.readouterr().out
    assert view(sandbox) == before
    assert [c.state for c in demo.load_progress().changes] == ["rolled-back"]


def test_a_conflicting_rollback_is_refused_naming_the_object(demo, sandbox, capsys):
    main(["apply", "acme", "--fix", "cf.min-tls", "--yes"])
    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    zone_id = cf.zones.list(name="acme.example").result[0].id
    cf.zones.settings.edit(setting_id="min_tls_version", zone_id=zone_id, value="1.3")
    capsys.readouterr()
    assert main(["rollback", "acme", "--yes"]) == 1
    assert "setting min_tls_version" in capsys.readouterr().err
    assert main(["rollback", "acme", "--yes", "--force"]) == 0


def test_no_token_and_no_keyring_names_both_ways_to_give_one(sprint, capsys):
    assert main(["plan", "acme", "--fix", "cf.min-tls"]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no Cloudflare API token for acme, and no usable keyring" in err
    assert "CLOUDFLARE_API_TOKEN" in err


def test_no_token_in_a_working_keyring_names_the_command(sprint, real_keyring, capsys):
    assert main(["plan", "acme", "--fix", "cf.min-tls"]) == 2
    assert "run `launch-ready credentials acme set cloudflare-token`" in capsys.readouterr().err


def test_unknown_fix_is_named(demo, capsys):
    assert main(["plan", "acme", "--fix", "cf.nope"]) == 2
    assert "cf.nope" in capsys.readouterr().err

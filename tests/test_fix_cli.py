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


def test_no_token_is_a_clear_line(sprint, capsys):
    assert main(["plan", "acme", "--fix", "cf.min-tls"]) == 2
    assert "no Cloudflare token" in capsys.readouterr().err


def test_unknown_fix_is_named(demo, capsys):
    assert main(["plan", "acme", "--fix", "cf.nope"]) == 2
    assert "cf.nope" in capsys.readouterr().err

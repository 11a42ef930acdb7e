"""Imports follow what a run needs: the check registry agrees with the modules it names, and a
process running one family of checks (or showing the first screen) loads nothing else.

Each run is a fresh interpreter, so sys.modules after it is exactly what it imported."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from stages import STAGES, registry, select_checks, select_ids
from wizard.errors import UsageError

HEAVY = ("checkdmarc", "cloudflare", "wizard.edge", "wizard.probes.api_client",
         "wizard.probes.openapi_doc", "wizard.probes.redteam", "wizard.probes.mail_auth",
         "stages.checks.api_", "stages.checks.cloudflare", "stages.checks.ai", "stages.checks.email")
PROBE = """
import json, sys
from wizard.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(argv: list[str], home) -> list[str]:
    """The modules a fresh `launch-ready ARGV` process has loaded when it is done."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "LAUNCH_READY_HOME": str(home)})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m.startswith(prefixes)]


def test_the_registry_names_every_check_where_it_is_defined():
    for stage, module, ids in registry.CATALOG:
        checks = {c.id: c for c in importlib.import_module(f"stages.checks.{module}").CHECKS}
        assert set(ids) <= set(checks), (module, set(ids) - set(checks))
        assert all(checks[i].stage == stage for i in ids)
    modules = dict.fromkeys(module for _, module, _ in registry.CATALOG)
    defined = [c.id for module in modules
               for c in importlib.import_module(f"stages.checks.{module}").CHECKS]
    assert sorted(defined) == sorted(registry.ORDER)  # nothing defined is left out, nothing twice
    assert len(set(registry.ORDER)) == len(registry.ORDER)
    assert [c.id for s in STAGES for c in s.checks] == list(registry.ORDER)


def test_ids_are_selected_without_importing_and_validated_the_same():
    assert select_ids(only=["secrets.*"]) == ["secrets.client-bundle", "secrets.repo",
                                              "secrets.git-history", "secrets.env-committed",
                                              "secrets.public-env-prefix"]
    assert select_ids([3], ["dns.*"]) == ["dns.resolves", "dns.consistent", "dns.caa", "dns.dnssec"]
    assert [c.id for c in select_checks([6])] == list(registry.ids_of_stage(6))
    with pytest.raises(UsageError, match="unknown check id 'secret.*'"):
        select_ids(only=["secret.*"])
    with pytest.raises(UsageError, match="there is no stage 9"):
        select_ids([9])


def test_a_secrets_run_imports_no_other_family(sprint, home):
    modules = imported_by(["check", str(sprint.root), "--only", "secrets.*", "--format", "json"], home)
    assert "stages.checks.secrets" in modules and "wizard.probes.secrets.engine" in modules
    assert loaded(modules, HEAVY) == []
    assert "textual" not in modules


def test_a_stage_run_imports_only_its_families(sprint, home):
    modules = imported_by(["check", str(sprint.root), "--stage", "6", "--format", "json"], home)
    assert "stages.checks.release" in modules  # it drives the API client: that one may load
    others = ("checkdmarc", "cloudflare", "wizard.edge", "wizard.probes.redteam", "stages.checks.api_",
              "stages.checks.ai", "stages.checks.email", "stages.checks.web", "stages.checks.cloudflare")
    assert loaded(modules, others) == []


def test_version_loads_neither_asyncio_nor_the_sprint_models(home):
    modules = imported_by(["--version"], home)
    assert loaded(modules, ("asyncio", "pydantic", "yaml", "stages", "httpx", "dns", "textual")) == []


def test_the_first_screen_needs_no_probe_library():
    """The TUI's module graph: checks, SDKs and probes load in a thread after the first frame."""
    probe = "import json, sys; import wizard.tui.app; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    modules = json.loads(result.stdout)
    assert "textual" in modules
    # wizard.edge's journal and plan types are plain Python; its SDK modules must not be there
    sdk_free = tuple(h for h in HEAVY if h != "wizard.edge") + (
        "wizard.edge.api", "wizard.edge.client", "wizard.edge.fixes", "wizard.edge.apply")
    assert loaded(modules, sdk_free + ("httpx", "dns", "stages.checks.")) == []

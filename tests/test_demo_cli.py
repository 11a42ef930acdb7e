"""`launch-ready demo`: the sandbox from the command line, and nothing left behind after it."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys

from wizard.sandbox.demo import DEMO_TOKEN
from wizard.vault import agent_socket


def launch(home, *args, **kw):
    env = {**os.environ, "LAUNCH_READY_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "wizard", "demo", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_headless_prints_the_demo_blockers_and_exits_1(home):
    done = launch(home, "--headless")
    out, err = done.communicate(timeout=120)
    assert done.returncode == 1, err
    assert "✗ FAIL  blocker  dns.resolves" in out and "www.acme.example does not exist" in out
    assert (home / "demo" / "sprint.yaml").exists() and (home / "demo" / "sandbox-ca.pem").exists()


def test_serve_prints_endpoints_and_leaves_nothing_listening(home):
    server = launch(home, "--serve")
    lines = []
    for line in server.stdout:  # blocks on the child's output, not on a timer
        lines.append(line)
        if line.startswith("ready in"):
            break
    text = "".join(lines)
    assert f"sprint  {home / 'demo'}" in text and "credentials     served to your other terminals' launch-ready" in text
    assert DEMO_TOKEN not in text and "/services/" not in text  # credentials are never printed
    api_port = int(re.search(r"cloudflare_api\s+http://127\.0\.0\.1:(\d+)/client/v4", text).group(1))
    dns_port = int(re.search(r"dns\s+127\.0\.0\.1:(\d+)", text).group(1))
    https_port = int(re.search(r"edge\s+127\.0\.0\.2 http:\d+ https:(\d+)", text).group(1))
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    for address in [("127.0.0.1", api_port), ("127.0.0.1", dns_port), ("127.0.0.2", https_port),
                    ("127.0.0.3", https_port)]:
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex(address) != 0, f"{address} still listening"


def test_a_bad_fault_spec_is_exit_2(home):
    done = launch(home, "--headless", "--fault", "boom@GET /zones#1")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 2 and "KIND@ENDPOINT#N" in err and err.count("\n") == 1


def test_a_corrupt_demo_sprint_is_reported_and_kept(home):
    (home / "demo").mkdir(parents=True)
    (home / "demo" / "sprint.yaml").write_text("schema: [broken\n")
    done = launch(home, "--headless")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 2 and "sprint.yaml:" in err
    assert (home / "demo" / "sprint.yaml").read_text() == "schema: [broken\n"


def _served(home):
    """`demo --serve` started, read up to its "ready" line (no timer: the child's output)."""
    server = launch(home, "--serve")
    lines = []
    for line in server.stdout:
        lines.append(line)
        if line.startswith("ready in"):
            return server, "".join(lines)
    raise AssertionError("demo --serve ended before it was ready: " + server.stderr.read())


def _second_terminal(home, *args):
    """Another process, as a person's second terminal: none of the server's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "LAUNCH_READY_"))}
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          timeout=180, env={**env, "LAUNCH_READY_HOME": str(home)})


def _blocker_ids(report: dict) -> list[str]:
    return sorted(f["id"] for f in report["findings"]
                  if f["severity"] == "blocker" and f["status"] == "fail")


def test_a_second_terminal_gets_the_served_demo_in_full(home):
    """check, plan, apply and rollback from another process find the demo's credentials (from
    the serving process's memory, never printed) and see what `demo --headless` sees."""
    import json

    headless = launch(home, "--headless")
    out, err = headless.communicate(timeout=180)
    assert headless.returncode == 1, err
    expected = sorted(line.split()[3] for line in out.splitlines()
                      if line.strip().startswith("✗ FAIL  blocker"))
    assert "edge.ssl-mode" in expected and "auth.bola" in expected  # the edge and the API ran

    server, banner = _served(home)
    try:
        folder = agent_socket(home / "demo").parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(agent_socket(home / "demo").stat().st_mode) == 0o600
        check = _second_terminal(home, "check", "demo", "--format", "json")
        assert check.returncode == 1, check.stderr
        report = json.loads(check.stdout)
        assert _blocker_ids(report) == expected
        assert not [f for f in report["findings"] if "no Cloudflare" in f["summary"]
                    or "credential" in f["summary"] and f["status"] in ("skipped", "error")]
        listed = _second_terminal(home, "credentials", "demo", "list")
        assert listed.stdout.count("in the demo sandbox") == 7, listed.stdout

        plan = _second_terminal(home, "plan", "demo")
        assert plan.returncode == 0, plan.stderr
        assert "update setting ssl: flexible -> strict" in plan.stdout
        applied = _second_terminal(home, "apply", "demo", "--yes")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "applied and verified" in applied.stdout
        rolled = _second_terminal(home, "rollback", "demo", "--yes")
        assert rolled.returncode == 0 and "rolled-back" in rolled.stdout, rolled.stderr
        outputs = banner + "".join(r.stdout + r.stderr for r in (check, listed, plan, applied, rolled))
        assert DEMO_TOKEN not in outputs and "tok-alice" not in outputs
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    assert not agent_socket(home / "demo").exists()
    gone = _second_terminal(home, "credentials", "demo", "list")
    assert "in the demo sandbox" not in gone.stdout  # the credentials left with the sandbox

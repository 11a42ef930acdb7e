"""`launch-ready demo`: the sandbox from the command line, and nothing left behind after it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

from wizard.sandbox.demo import DEMO_TOKEN


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
    assert f"sprint  {home / 'demo'}" in text and "(demo only)" in text
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

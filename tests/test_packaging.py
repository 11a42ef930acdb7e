"""The wheel carries the templates and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_works_from_outside_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("launch_ready-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "wizard/templates/handover.md.j2" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "LAUNCH_READY_HOME": str(tmp_path / "home")}
    work = tmp_path / "elsewhere"
    work.mkdir()

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "wizard", *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=60)

    assert cli("--version").stdout.startswith("launch-ready ")
    assert cli("new", "acme", "--domain", "acme.example", "--no-tui").returncode == 0
    done = cli("handover", "acme")
    assert done.returncode == 0, done.stderr
    handover = tmp_path / "home" / "acme" / "reports" / "handover.md"
    assert handover.read_text().startswith("# Handover: acme (acme.example)")
    where = subprocess.run([sys.executable, "-c", "import wizard.application.deliverables as d; print(d.templates_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.strip().startswith(str(target))

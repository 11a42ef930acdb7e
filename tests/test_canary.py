"""The secret canary: a distinctive token planted in the real keyring, then everything the demo
can do is walked, and the token must appear in no output, file or screen.

Built to grow: every issue that adds an output (plans, snapshots, change logs, new reports,
new screens) adds it to `walk` below."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.tui.conftest import SIZE, until
from wizard.cli import main
from wizard.tui.app import LaunchReadyApp
from wizard.tui.screens.plan_review import PlanReviewScreen
from wizard.vault import Vault

CANARY = "lrCANARY_" + "f00dfacecafe" * 2 + "Zz9YxW7"  # 40 characters: a Cloudflare-token shape


@pytest.fixture
def planted(real_keyring, sprint, sandbox, monkeypatch):
    """The canary is the sprint's Cloudflare token, accepted by the emulator, so it is really used
    (checks, plans, applies, rollbacks, verification)."""
    sandbox.world.add_token(CANARY)
    Vault("acme").set("cloudflare-token", CANARY)
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-alice")
    monkeypatch.setenv("LAUNCH_READY_USER_B", "tok-bob")
    return sprint


def walk(sprint, home: Path, tmp_path: Path, capsys) -> list[tuple[str, str]]:
    """Do everything a user can do and return (what, text) for every output produced."""
    outputs: list[tuple[str, str]] = []

    def out(what: str) -> None:
        captured = capsys.readouterr()
        outputs.append((f"{what} stdout", captured.out))
        outputs.append((f"{what} stderr", captured.err))

    report = tmp_path / "report.json"
    main(["check", "acme", "--save", "--format", "json", "--output", str(report)])
    out("check json")
    main(["check", "acme"])
    out("check text")
    main(["credentials", "acme", "verify"])
    out("credentials verify")
    main(["credentials", "acme", "list"])
    out("credentials list")
    main(["handover", "acme"])
    out("handover")

    main(["plan", "acme", "--format", "json"])
    out("plan json")
    main(["apply", "acme", "--fix", "cf.min-tls", "--fix", "cf.dns-www", "--yes"])
    out("apply")  # plan.json, snapshot.json, snapshot.zone, journal.jsonl, result.json, verification
    main(["rollback", "acme", "--yes"])
    out("rollback")

    import wizard.cli as cli

    real_check = cli._check
    cli._check = lambda args: (_ for _ in ()).throw(RuntimeError(f"provider said {CANARY}"))
    try:
        main(["check", "acme"])  # a forced exception carrying the token
    finally:
        cli._check = real_check
    out("forced exception")

    for presenting in (False, True):
        outputs += asyncio.run(screens(sprint, presenting))
    json.loads(report.read_text())  # the report is there and whole
    return outputs


async def screens(sprint, presenting: bool) -> list[tuple[str, str]]:
    """The wizard's screens after a run, with the token pasted into a note."""
    shots = []
    sprint.locked().acquire()
    app = LaunchReadyApp(sprint, present=presenting)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("n", *f"pasted by mistake: {CANARY}", "enter")
        await pilot.pause()
        shots.append((f"stage screen (presenting={presenting})", app.export_screenshot()))
        await pilot.press("h")
        await pilot.pause()
        shots.append((f"handover preview (presenting={presenting})", app.export_screenshot()))
        await pilot.press("escape", "x")
        await pilot.pause()
        shots.append((f"changes screen (presenting={presenting})", app.export_screenshot()))
        await pilot.press("escape", "F")
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        shots.append((f"plan review (presenting={presenting})", app.export_screenshot()))
        await pilot.press("escape", "c", "v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shots.append((f"credentials screen (presenting={presenting})", app.export_screenshot()))
    return shots


def test_the_canary_appears_nowhere(planted, home, tmp_path, capsys):
    outputs = walk(planted, home, tmp_path, capsys)
    files = [p for p in [*home.rglob("*"), *tmp_path.rglob("*")] if p.is_file()]
    assert any(p.name.startswith("run-") for p in files), "no run log was written"
    assert any(p.name == "handover.md" for p in files)
    for written in ("plan.json", "snapshot.json", "snapshot.zone", "journal.jsonl", "result.json",
                    "verification.json"):
        assert any(p.name == written for p in files), f"no {written}: the walk did not apply"
    leaks = [what for what, text in outputs if CANARY in text]
    leaks += [str(p) for p in files if CANARY.encode() in p.read_bytes()]
    assert not leaks, f"the canary leaked into: {leaks}"
    # and the walk really exercised the token: verify used it, masked
    verify = dict(outputs)["credentials verify stdout"]
    assert "from keyring: active" in verify and CANARY[:4] + "••••••" in verify

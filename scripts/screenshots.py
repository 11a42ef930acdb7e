"""Regenerate screenshots/*.svg: every screen of the wizard at 100x30, on the demo sprint.

Runs offline against the built-in sandbox (the demo's starting state), so the stage screen shows
the findings of a real run. Usage: python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (100, 30)


async def shoot(home: Path, sandbox) -> list[Path]:
    from wizard.sprint import remember
    from wizard.tui.app import LaunchReadyApp
    from wizard.tui.screens.plan_review import PlanReviewScreen

    sprint = sandbox.write_demo_sprint(home / "acme", name="acme")
    remember(sprint, "acme")
    written: list[Path] = []

    def save(app: LaunchReadyApp, name: str) -> None:
        app.save_screenshot(f"{name}.svg", str(OUT))
        written.append(OUT / f"{name}.svg")

    app = LaunchReadyApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save(app, "picker")
        await pilot.press("enter")  # open acme
        await pilot.press("1", "down", "m")
        await pilot.pause()
        await pilot.press("y", *"env vars listed in docs/env.md", "enter")
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+home", "down", "down", "down")
        await pilot.pause()
        save(app, "stage")
        await pilot.press("7", "m")
        await pilot.pause()
        await pilot.press("y", *"Dana (CEO); login in the company vault")
        await pilot.pause()
        save(app, "answer")
        await pilot.press("enter", "question_mark")
        await pilot.pause()
        save(app, "help")
        await pilot.press("escape", "h")
        await pilot.pause()
        save(app, "handover")
        await pilot.press("escape", "s")
        await pilot.pause()
        save(app, "setup")
        await pilot.press("ctrl+o", "enter")  # read the product's OpenAPI document
        await app.workers.wait_for_complete()
        await pilot.pause()
        save(app, "discover")
        await pilot.press("escape")
        await pilot.press("escape", "c", "v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        save(app, "credentials")
        await pilot.press("escape", "3", "F")
        for _ in range(2000):  # the planning worker ends by showing the review
            if isinstance(app.screen, PlanReviewScreen):
                break
            await pilot.pause()
        save(app, "plan-review")
        await pilot.press(*"acme.example", "enter")
        await app.workers.wait_for_complete()
        await pilot.press("x")
        await pilot.pause()
        save(app, "changes")
    return written


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from wizard.sandbox.run import Sandbox

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        os.environ["LAUNCH_READY_HOME"] = str(Path(tmp) / "home")
        os.environ.update(sandbox.credentials())  # as `launch-ready demo` does
        for path in asyncio.run(shoot(Path(tmp) / "home", sandbox)):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

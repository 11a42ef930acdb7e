"""Regenerate screenshots/*.svg: every screen of the wizard at 100x30, on a fixture sprint.

Runs offline: the sandbox's DNS server answers for acme.example,
so the stage screen shows the findings of a real run. Usage: python scripts/screenshots.py
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
# acme.example as a founder might find it: www was never created (a launch blocker).
RECORDS = [
    ("acme.example", "A", "192.0.2.10"),
    ("acme.example", "AAAA", "2001:db8::10"),
    ("app.acme.example", "CNAME", "acme.example"),
    ("api.acme.example", "A", "192.0.2.20"),
]


async def shoot(home: Path, nameserver: str) -> list[Path]:
    from wizard.sprint import Network, Sprint, SprintConfig, remember
    from wizard.tui.app import LaunchReadyApp

    config = SprintConfig.starter("acme", "acme.example")
    config.target.hosts = ["acme.example", "www.acme.example", "app.acme.example",
                           "api.acme.example"]
    config.network = Network(nameservers=[nameserver], timeout_s=2)
    sprint = Sprint.create(home / "acme", config)
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
        await pilot.press("enter", "tab", *"env vars listed in docs/env.md", "enter")
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        save(app, "stage")
        await pilot.press("7", "m")
        await pilot.pause()
        await pilot.press("down", "enter", "tab", *"Dana (CEO); login in the company vault")
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
    return written


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from wizard.sandbox.dns import DnsServer
    from wizard.sandbox.state import DnsRecord, World, new_id

    world = World()
    with world.lock:
        zone = world.add_zone("acme.example")
        for name, rtype, content in RECORDS:
            record = DnsRecord(id=new_id(), type=rtype, name=name, content=content)
            zone.records[record.id] = record
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, DnsServer(world) as dns:
        os.environ["LAUNCH_READY_HOME"] = str(Path(tmp) / "home")
        for path in asyncio.run(shoot(Path(tmp) / "home", dns.nameserver)):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

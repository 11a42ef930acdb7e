"""Decisions, notes, stage switching, help, the command palette and the handover preview."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import SIZE, goto_row
from wizard.tui.screens.dialogs import NoteDialog
from wizard.tui.screens.handover import HandoverScreen
from wizard.tui.screens.help import HelpScreen
from wizard.tui.screens.stage import StageScreen
from wizard.tui.widgets.findings_table import FindingsTable


async def test_accept_risk_needs_a_note_and_is_saved(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("enter")  # an empty note is refused
        assert "a note is required" in str(app.screen.query_one(".dialog-error").content)
        await pilot.press(*"launch is internal only", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        table = app.screen.query_one(FindingsTable)
        key = table.current.key
        assert "accepted-risk" in str(app.screen.query_one("#details-text").content)
        await pilot.press("n")
        await pilot.pause()
        note = app.screen.query_one(Input)
        assert note.value == "launch is internal only"
        note.value = "internal beta until March"
        await pilot.press("enter")
        await pilot.pause()
    decision = sprint.load_progress().decisions[key]
    assert (decision.kind, decision.note) == ("accepted-risk", "internal beta until March")


async def test_sidebar_arrows_switch_stages_and_are_remembered(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab")  # focus the sidebar
        await pilot.press("down", "down")
        await pilot.pause()
        screen = app.screen
        assert screen.stage == 3
        assert "3 Harden the edge" in str(screen.query_one("#main").border_title)
        assert "stage 3/7" in str(screen.query_one("#title-right").content)
    assert sprint.load_progress().position.stage == 3


async def test_help_lists_every_stage_binding(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help Static").content)
        for binding in StageScreen.BINDINGS:
            if binding.action != "help":
                assert binding.description in text
        assert "Quit" in text and "palette" in text
        await pilot.press("escape")
        assert isinstance(app.screen, StageScreen)


async def test_command_palette_goes_to_a_stage(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        stage_screen = app.screen
        titles = [c.title for c in app.get_system_commands(stage_screen)]
        assert "Go to stage 3: Harden the edge (DNS, SSL, Cloudflare)" in titles
        assert {"Run this stage's checks", "Handover preview", "Setup", "Help"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to stage 5")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is stage_screen and stage_screen.stage == 5


async def test_handover_preview_writes_reports(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press("w")
        await pilot.pause()
        status = str(app.screen.query_one("#handover-status").content)
        assert f"Wrote 15 files to {sprint.reports_dir}" in status
    assert (sprint.reports_dir / "handover.md").read_text().startswith("# Handover: acme")


async def test_a_free_note_on_a_check_and_the_row_kept_by_key(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(FindingsTable)
        first_manual = table.current.key  # the cursor stayed on its row while results arrived
        assert first_manual == "edge.unused-records@acme.example"
        key = "dns.resolves@app.acme.example"  # a passing check, no decision
        await goto_row(pilot, app, key)
        assert table.current.key == key
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"app is the chat UI", "enter")
        await pilot.pause()
        assert "Note: app is the chat UI" in str(app.screen.query_one("#details-text").content)
    progress = sprint.load_progress()
    assert progress.notes[key].text == "app is the chat UI"
    assert progress.position.key == key
    # a row added above it (another host) does not move the user off the row they left
    config = sprint.load_config()
    config.target.hosts.insert(0, "api.acme.example")
    sprint.save_config(config)
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one(FindingsTable).current.key == key
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(FindingsTable)
        assert "dns.resolves@api.acme.example" in [f.key for f in table.rows_shown]
        assert table.current.key == key


async def test_answer_keys_pick_and_move_to_the_note(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "m")
        await pilot.pause()
        await pilot.press("x", *"no model API yet", "enter")
        await pilot.pause()
    answer = sprint.load_progress().manual["audit.deploy-map"]
    assert (answer.answer, answer.note) == ("n/a", "no model API yet")

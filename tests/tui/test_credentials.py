"""The credentials screen: masked input into the real keyring, names only on screen, verify, forget."""

from __future__ import annotations

import keyring

from tests.tui.conftest import SIZE, goto_row, screen_of
from wizard.tui.screens.credentials import CredentialsScreen, SecretDialog

TOKEN = "lrTuiTok_" + "k" * 31


async def test_set_verify_forget_without_ever_showing_the_value(real_keyring, sprint, sandbox, open_app):
    sandbox.world.add_token(TOKEN)
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CredentialsScreen)
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SecretDialog)
        await pilot.press(*TOKEN)
        assert TOKEN not in screen_of(app)  # the input is a password field
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert keyring.get_password("launch-ready", "acme/cloudflare-token") == TOKEN
        screen = screen_of(app)
        assert "in keyring" in screen and TOKEN not in screen
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#verify-result").content)
        assert "from keyring: active" in shown and "✓ PASS  Zone · DNS · Read" in shown
        assert TOKEN not in screen_of(app)
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert keyring.get_password("launch-ready", "acme/cloudflare-token") is None


async def test_without_a_keyring_the_screen_says_how_to_get_one(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*TOKEN, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no usable keyring" in str(app.screen.query_one("#verify-result").content)


async def test_screen_share_badge_and_masking(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await goto_row(pilot, app, "dns.resolves@acme.example")  # its details name the origin's IP
        assert "127.0.0.3" in screen_of(app) and "SHARING" not in screen_of(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        shot = screen_of(app)
        assert "SHARING" in shot and "127.0.0.3" not in shot

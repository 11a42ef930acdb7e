"""The setup form validates as it is typed, with the same rules as sprint.yaml."""

from __future__ import annotations

from tests.tui.conftest import SIZE
from wizard.sprint import Sprint
from wizard.tui.app import LaunchReadyApp
from wizard.tui.screens.setup import SetupScreen
from wizard.tui.screens.stage import StageScreen


def message(app, field_id: str) -> str:
    return str(app.screen.query_one(f"#{field_id} .field-message").content)


async def type_into(pilot, app, field_id: str, text: str) -> None:
    editor = app.screen.query_one(f"#{field_id}").editor
    editor.focus()
    if hasattr(editor, "clear"):
        editor.clear()
    await pilot.press(*("enter" if ch == "\n" else ch for ch in text))
    await pilot.pause()


async def test_bad_hostname_shows_reason_and_blocks_save(home):
    app = LaunchReadyApp(new_name="shop")
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "domain", "shop_example")
        assert message(app, "domain").startswith("✗ 'shop_example' is not a valid host name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "Not saved: fix Domain first" in str(app.screen.query_one("#form-error").content)
    assert not (home / "shop").exists()


async def test_host_outside_domain_is_refused(home):
    app = LaunchReadyApp(new_name="shop", new_domain="shop.example")
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "hosts", "shop.example, evil.example")
        assert "evil.example is outside the domain shop.example" in message(app, "hosts")


async def test_internationalised_domain_becomes_punycode(home):
    app = LaunchReadyApp(new_name="books")
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "domain", "bücher.example")
        assert message(app, "domain") == "→ xn--bcher-kva.example"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        await pilot.press("ctrl+q")
    config = Sprint.find("books").load_config()
    assert config.target.domain == "xn--bcher-kva.example"
    assert config.target.hosts == ["xn--bcher-kva.example", "www.xn--bcher-kva.example"]


async def test_editing_an_existing_sprint_keeps_other_sections(sprint, open_app):
    before = sprint.load_config()
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert not app.screen.query("#name")  # the name is fixed once the sprint exists
        await type_into(pilot, app, "hosts", "acme.example\nwww.acme.example\napi.acme.example")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    after = sprint.load_config()
    assert after.target.hosts == ["acme.example", "www.acme.example", "api.acme.example"]
    assert after.network == before.network


async def test_canonical_must_be_a_listed_host(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await type_into(pilot, app, "canonical", "api.acme.example")
        assert "must also be listed in hosts" in message(app, "canonical")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
    assert sprint.load_config().target.canonical == "acme.example"


async def test_every_section_is_editable_and_means_what_the_file_means(sprint, open_app, tmp_path):
    app = open_app(sprint)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await type_into(pilot, app, "nameservers", "10.0.0.1:99999")
        assert "port '99999' is not a number" in message(app, "nameservers")
        await type_into(pilot, app, "nameservers", "127.0.0.1:5353")
        await type_into(pilot, app, "timeout_s", "0")
        assert "greater than 0" in message(app, "timeout_s")
        await type_into(pilot, app, "timeout_s", "7")
        await type_into(pilot, app, "sends_mail", "no")
        await type_into(pilot, app, "dkim_selectors", "google, s1")
        await type_into(pilot, app, "repo_path", str(tmp_path))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    saved = Sprint(sprint.root).load_config()  # read back exactly as a hand-edited file is read
    assert saved.network.nameservers == ["127.0.0.1:5353"] and saved.network.timeout_s == 7
    assert saved.email.sends_mail is False and saved.email.dkim_selectors == ["google", "s1"]
    assert saved.repo.path == str(tmp_path)
    assert saved.cloudflare.api_base_url == sprint.load_config().cloudflare.api_base_url


async def test_api_monitoring_and_release_sections_are_editable(sprint, open_app):
    """Plain fields for simple values, YAML blocks for templates: refused and accepted like the file."""
    sprint_before = sprint.load_config()
    app = open_app(sprint)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await type_into(pilot, app, "api_url", "https://api.elsewhere.example")
        assert "outside acme.example" in message(app, "api_url")
        await type_into(pilot, app, "api_url", "https://api.acme.example")
        await type_into(pilot, app, "api_chat", "url: /api/chat\nreply: body.text")
        assert "reply: 'body.text': write json:<path>" in message(app, "api_chat")
        await type_into(pilot, app, "api_chat", "url: /api/chat\nreply: json:reply\nnew_session: /api/sessions")
        await type_into(pilot, app, "api_protected_routes", "/api/me\n/api/chats")
        await type_into(pilot, app, "monitoring_urls", "https://acme.example/ 200 Acme Market\n/health")
        await type_into(pilot, app, "release_paths", "/\n/login")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    saved = Sprint(sprint.root).load_config()
    assert saved.cloudflare.api_base_url == sprint_before.cloudflare.api_base_url  # its own field
    assert saved.api.base_url == "https://api.acme.example/"
    assert saved.api.chat.new_session == "/api/sessions" and saved.api.chat.reply == "json:reply"
    assert saved.api.protected_routes == ["/api/me", "/api/chats"]
    assert [(w.url, w.status, w.keyword) for w in saved.monitoring.urls] == [
        ("https://acme.example/", 200, "Acme Market"), ("/health", 200, None)]
    assert saved.release.paths == ["/", "/login"]


async def test_the_openapi_document_fills_the_api_fields_and_save_writes_them(sprint, open_app):
    """ctrl+o reads the product's document in a worker, asks what it could not tell, and puts the
    proposal in the form; nothing is written until the form is saved."""
    from tests.tui.conftest import until
    from wizard.sections import Api
    from wizard.tui.screens.discover import DiscoverDialog

    config = sprint.load_config()
    config.api = Api(base_url="https://api.acme.example/")
    sprint.save_config(config)
    written = sprint.config_path.read_bytes()
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "ctrl+o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DiscoverDialog)
        assert dialog.query_one("#document").value == "https://api.acme.example/openapi.json"
        await pilot.press("enter")
        await until(pilot, lambda: dialog.proposal is not None and dialog.query("#answer-0"))
        found = str(dialog.query_one("#found").content)
        assert "object workspace (addressed by name)" in found and "log-in: POST /api/login" in found
        answer = dialog.query_one("#answer-0")
        assert answer.value == "hmac-sha256" and answer.has_focus  # webhook.scheme, its default
        answer.value = ""
        await pilot.press(*"stripe", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "/api/workspaces/{name}" in app.screen.fields["api_protected_routes"].text
        assert sprint.config_path.read_bytes() == written  # read, not saved yet
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    api = Sprint(sprint.root).load_config().api
    assert api.openapi == "https://api.acme.example/openapi.json" or api.openapi == "/openapi.json"
    assert api.webhook is not None and api.webhook.scheme == "stripe"
    assert {r.name for r in api.resources} == {"chat", "workspace"}
    assert api.account is not None and api.account.password_url == "/api/users/{id}/password"


async def test_a_document_outside_the_domain_is_one_line_in_the_dialog(sprint, open_app):
    from tests.tui.conftest import until

    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "ctrl+o")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#document").value = ""
        await pilot.press(*"https://evil.example/openapi.json", "enter")
        await until(pilot, lambda: "outside" in str(dialog.query_one(".dialog-error").content))
        assert dialog.proposal is None
        await pilot.press("escape")
        assert isinstance(app.screen, SetupScreen)

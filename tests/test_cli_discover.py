"""`launch-ready api discover`: a file or a URL in scope gives a proposal; nothing is written
until --yes (or a yes on a terminal); bad documents and out-of-scope servers are one line and
exit 2 with sprint.yaml untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.cli import main
from wizard.sprint import Sprint

DATA = Path(__file__).parent / "data" / "openapi"
FASTAPI = DATA / "fastapi-3.1.json"


@pytest.fixture
def demo(sprint) -> Sprint:
    return sprint


def saved(sprint: Sprint) -> bytes:
    return sprint.config_path.read_bytes()


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_a_file_proposes_and_writes_nothing_without_yes(demo, capsys):
    before = saved(demo)
    code = main(["api", "discover", "acme", "--openapi", str(FASTAPI),
                 "--base-url", "https://api.acme.example"])
    out = capsys.readouterr().out
    assert code == 0
    assert "OpenAPI 3.1.0" in out and "protected_routes:" in out
    assert "nothing was written; re-run with --yes" in out
    assert saved(demo) == before


def test_yes_writes_the_section_and_keeps_the_rest(demo, capsys):
    before = demo.load_config().api
    code = main(["api", "discover", "acme", "--openapi", str(FASTAPI),
                 "--base-url", "https://api.acme.example", "--yes"])
    assert code == 0, capsys.readouterr()
    api = demo.load_config().api
    assert api.openapi == f"file:{FASTAPI.resolve()}"  # outside the sprint folder: absolute
    assert "DELETE /items/{item_id}" in api.protected_routes
    assert api.login is not None and api.login.encoding == "form" and api.login.url == "/token"
    assert api.account is not None and api.account.update_url == "/users/{id}"
    assert api.bounds == before.bounds and api.logs_command == before.logs_command  # kept


def test_the_products_own_document_over_https(demo, capsys):
    code = main(["api", "discover", "acme", "--openapi", "https://api.acme.example/openapi.json", "--yes"])
    out = capsys.readouterr().out
    assert code == 0, out
    api = demo.load_config().api
    assert api.base_url == "https://api.acme.example"
    assert api.login is not None and api.login.url == "/api/login"
    assert {r.name for r in api.resources} >= {"chat", "workspace"}
    assert api.signup is not None and api.signup.url == "/api/register"


@pytest.mark.parametrize("document, expected", [
    ('{"hello": 1}', "not an OpenAPI document"),
    ("[1, 2]", "not an OpenAPI document"),
    ('{"openapi": "3.1.0", "paths": ', "openapi"),
])
def test_not_openapi_is_one_line_and_exit_2(demo, tmp_path, capsys, document, expected):
    before = saved(demo)
    path = tmp_path / "doc.json"
    path.write_text(document)
    assert main(["api", "discover", "acme", "--openapi", str(path), "--yes"]) == 2
    assert expected.lower() in one_line_error(capsys).lower()
    assert saved(demo) == before


def test_a_document_over_the_cap_is_refused_before_reading(demo, tmp_path, capsys):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(5 * 2**20 + 1)
    assert main(["api", "discover", "acme", "--openapi", str(path), "--yes"]) == 2
    assert "over the 5 MiB cap" in one_line_error(capsys)


def test_a_server_outside_the_domain_is_refused(demo, tmp_path, capsys):
    before = saved(demo)
    doc = json.loads(FASTAPI.read_text())
    doc["servers"] = [{"url": "https://api.other.example"}]
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps(doc))
    assert main(["api", "discover", "acme", "--openapi", str(path), "--yes"]) == 2
    assert "outside acme.example" in one_line_error(capsys)
    assert saved(demo) == before


def test_a_document_url_outside_the_domain_is_never_fetched(demo, capsys):
    assert main(["api", "discover", "acme", "--openapi", "https://other.example/openapi.json", "--yes"]) == 2
    assert "outside acme.example" in one_line_error(capsys)


def test_questions_are_answered_or_left_unset_and_said(demo, capsys):
    swagger = ["api", "discover", "acme", "--openapi", str(DATA / "swagger-2.0.json"),
               "--base-url", "https://api.acme.example/v1"]
    before, chat = saved(demo), demo.load_config().api.chat
    assert main([*swagger, "--answer", "login=POST /nowhere", "--yes"]) == 2
    assert "choose one of" in one_line_error(capsys)
    assert saved(demo) == before
    assert main([*swagger, "--answer", "login=POST /sessions", "--answer", "chat=none", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "not answered, left unset: path_values.orgId" in out
    api = demo.load_config().api
    assert api.login is not None and api.login.url == "/sessions"
    assert api.chat == chat  # none: the document proposes nothing, the section keeps its own


def test_a_loopback_server_is_a_local_environment(demo, tmp_path, capsys):
    doc = json.loads(FASTAPI.read_text())
    doc["servers"] = [{"url": "http://127.0.0.1:8000"}]
    path = demo.root / "openapi.json"
    path.write_text(json.dumps(doc))
    assert main(["api", "discover", "acme", "--openapi", str(path), "--yes"]) == 0, capsys.readouterr()
    config = demo.load_config()
    assert config.api.environment == "local" and config.api.base_url == "http://127.0.0.1:8000"
    assert config.api.openapi == "file:openapi.json"  # inside the sprint folder: relative
    assert config.scope_hosts == ["127.0.0.1"]


def test_a_loopback_server_cannot_be_production(demo, tmp_path, capsys):
    doc = json.loads(FASTAPI.read_text())
    doc["servers"] = [{"url": "http://localhost:8000"}]
    path = tmp_path / "local.json"
    path.write_text(json.dumps(doc))
    assert main(["api", "discover", "acme", "--openapi", str(path), "--environment", "production",
                 "--yes"]) == 2
    assert "needs a host in the domain" in one_line_error(capsys)

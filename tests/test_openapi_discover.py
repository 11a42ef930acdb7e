"""Reading OpenAPI documents (wizard.probes.openapi_doc) and proposing the api: section from them
(wizard.probes.openapi_discover), on the vendored documents in tests/data/openapi/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard.application.discover_api import Proposal
from wizard.probes.openapi_discover import Discovery, discover, resolve
from wizard.probes.openapi_doc import DOCUMENT_CAP, MAX_OPERATIONS, Document, NotOpenApi, parse
from wizard.sections import Api
from wizard.sprint import SprintConfig, Target

DATA = Path(__file__).parent / "data" / "openapi"
FASTAPI, YAML30, SWAGGER = "fastapi-3.1.json", "securityschemes-3.0.yaml", "swagger-2.0.json"
# Answers that settle every question each document leaves open.
ANSWERS: dict[str, dict[str, str]] = {
    FASTAPI: {},
    YAML30: {"chat.reply": "json:result", "webhook.scheme": "hmac-sha256",
             "path_values.member_id": "m_1"},
    SWAGGER: {"login": "POST /auth/token", "login.token": "header:Authorization",
              "chat": "POST /ask", "path_values.orgId": "org_1"},
}


def doc(name: str) -> Document:
    return parse((DATA / name).read_bytes(), name)


def found(name: str) -> Discovery:
    return discover(doc(name), f"file:{name}")


def mini(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def post(body: dict[str, Any] | None = None, answer: dict[str, Any] | None = None,
         **extra: Any) -> dict[str, Any]:
    """A 3.x POST with a JSON body and a JSON 200 answer."""
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}, **extra}
    if body is not None:
        op["requestBody"] = {"content": {"application/json": {"schema": body}}}
    if answer is not None:
        op["responses"]["200"]["content"] = {"application/json": {"schema": answer}}
    return op


def obj(*names: str, required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {n: {"type": "string"} for n in names}}
    if required:
        schema["required"] = required
    return schema


# ---------------------------------------------------------------- parse


def test_fastapi_document() -> None:
    d = doc(FASTAPI)
    assert (d.version, d.title, d.servers, d.truncated) == ("3.1.0", "Acme Assistant", [], False)
    assert len(d.operations) == 15
    assert list(d.security_schemes) == ["OAuth2PasswordBearer"]
    token = d.operation("post", "/token")
    assert token is not None and not token.secured
    assert token.body_media == "application/x-www-form-urlencoded"
    assert token.body_fields == ["grant_type", "username", "password", "scope", "client_id",
                                 "client_secret"]
    assert token.body_required == ["username", "password"]
    assert token.response_fields == ["access_token", "token_type"]
    assert token.body_schema is not None
    # anyOf [string, null] (FastAPI's Optional) is the string
    assert token.body_schema["properties"]["client_id"]["type"] == "string"
    me = d.operation("GET", "/users/me")
    assert me is not None and me.secured and me.security_schemes == ["OAuth2PasswordBearer"]
    items = d.operation("GET", "/items/")
    assert items is not None and items.response_fields is None  # a list is not an object's fields
    assert [(p.name, p.location, p.type, p.required) for p in items.params] == [
        ("skip", "query", "integer", False), ("limit", "query", "integer", False)]
    delete = d.operation("DELETE", "/items/{item_id}")
    assert delete is not None and delete.response_schema is None and delete.response_fields is None
    hook = d.operation("POST", "/webhooks/stripe")
    assert hook is not None and not hook.secured
    assert [(p.name, p.location) for p in hook.params] == [("stripe-signature", "header")]
    health = d.operation("GET", "/health")
    assert health is not None and health.response_fields is None and health.response_additional


def test_yaml_document_with_refs_allof_and_global_security() -> None:
    d = doc(YAML30)
    assert d.version == "3.0.3"
    assert d.servers == ["https://eu.api.acme.example/v1", "http://localhost:8080/v1"]
    assert len(d.operations) == 20
    assert set(d.security_schemes) == {"bearerAuth", "apiKey"}
    secured = {op.route: op.secured for op in d.operations}
    # global security, with `security: []` opting out
    assert not secured["POST /auth/login"] and not secured["GET /health"]
    assert secured["GET /me"] and secured["POST /auth/logout"]
    assert d.operation("GET", "/me").security_schemes == ["bearerAuth", "apiKey"]  # type: ignore[union-attr]
    login = d.operation("POST", "/auth/login")
    assert login is not None
    assert login.body_fields == ["email", "password"]  # a $ref'd requestBody
    assert login.response_fields == ["ok", "request_id", "data"]  # a $ref'd response, allOf
    assert login.response_schema is not None
    assert list(login.response_schema["properties"]["data"]["properties"]) == [
        "access_token", "refresh_token", "expires_in"]
    register = d.operation("POST", "/auth/register")
    assert register is not None
    assert register.body_required == ["email", "password", "display_name"]  # allOf merged
    project = d.operation("GET", "/projects/{project_name}")
    assert project is not None
    assert [(p.name, p.location, p.type, p.example) for p in project.params] == [
        ("project_name", "path", "string", "launch-plan")]  # a path-level $ref'd parameter
    member = d.operation("DELETE", "/projects/{project_name}/members/{member_id}")
    assert member is not None and [p.name for p in member.params] == ["project_name", "member_id"]


def test_swagger_document() -> None:
    d = doc(SWAGGER)
    assert (d.version, d.title) == ("2.0", "Acme Chat API")
    assert d.servers == ["https://api.acme.example/api/v1"]  # https preferred among the schemes
    assert len(d.operations) == 19  # the head operation is not one
    assert d.security_schemes == {"apikey": {"type": "apiKey", "in": "header",
                                             "name": "Authorization"}}
    token = d.operation("POST", "/auth/token")
    assert token is not None and not token.secured
    assert token.body_media == "application/x-www-form-urlencoded"
    assert token.body_fields == ["username", "password", "remember"]
    assert token.body_required == ["username", "password"]
    assert token.response_fields is None  # no schema declared
    sessions = d.operation("POST", "/sessions")
    assert sessions is not None and not sessions.secured  # security: [{}]
    assert sessions.body_media == "application/json" and sessions.body_fields == ["login", "password"]
    chat = d.operation("GET", "/chats/{chatId}")
    assert chat is not None and chat.secured
    assert chat.response_fields == ["title", "model", "temperature", "id", "created"]  # allOf


def test_swagger_servers_without_host_and_http_only() -> None:
    base = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert parse(json.dumps({**base, "basePath": "/api"}), "s").servers == ["/api"]
    assert parse(json.dumps({**base, "host": "h.example", "schemes": ["http"]}), "s").servers == [
        "http://h.example"]


def test_params_merge_operation_wins_and_refs() -> None:
    raw = mini({"/a/{x}": {
        "parameters": [{"name": "x", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "q", "in": "query", "schema": {"type": "string"}}],
        "get": {"parameters": [{"$ref": "#/components/parameters/Q"}], "responses": {}}}},
        components={"parameters": {"Q": {"name": "q", "in": "query", "required": True,
                                          "schema": {"type": ["integer", "null"]}, "example": 3}}})
    op = parse(json.dumps(raw), "t").operations[0]
    assert [(p.name, p.required, p.type, p.example) for p in op.params] == [
        ("x", True, "string", None), ("q", True, "integer", 3)]


def test_refs_pointer_escapes_cycles_and_external() -> None:
    schemas = {
        "a/b": {"type": "object", "properties": {"x~y": {"$ref": "#/components/schemas/x~0y"}}},
        "x~y": {"type": "string"},
        "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"},
                                                  "value": {"type": "string"}}},
    }
    raw = mini({"/a": {"post": post({"$ref": "#/components/schemas/a~1b"},
                                    {"$ref": "#/components/schemas/Node"})},
                "/b": {"post": post({"$ref": "other.json#/Thing"})}},
               components={"schemas": schemas})
    d = parse(json.dumps(raw), "t")
    a = d.operation("POST", "/a")
    assert a is not None and a.body_fields == ["x~y"]
    assert a.body_schema == {"type": "object", "properties": {"x~y": {"type": "string"}}}
    assert a.response_fields == ["next", "value"]
    assert a.response_schema is not None
    assert a.response_schema["properties"]["next"] == {}  # the cycle stops there
    b = d.operation("POST", "/b")
    assert b is not None and b.body_fields == [] and b.body_schema == {}


def test_additional_properties_false_and_media_preference() -> None:
    strict = {"type": "object", "properties": {"ok": {"type": "boolean"}},
              "additionalProperties": False}
    op = post(answer=strict)
    op["requestBody"] = {"content": {"multipart/form-data": {"schema": obj("file")},
                                     "application/x-www-form-urlencoded": {"schema": obj("a")}}}
    parsed = parse(json.dumps(mini({"/u": {"post": op}})), "t").operations[0]
    assert parsed.body_media == "application/x-www-form-urlencoded" and parsed.body_fields == ["a"]
    assert parsed.response_fields == ["ok"] and not parsed.response_additional


@pytest.mark.parametrize(("data", "says"), [
    ("[1, 2]", "the top level is a list"),
    ("name: shopping\nitems: [milk, eggs]\n", "no 'openapi' or 'swagger' field"),
    ('{"openapi": "4.0.0", "paths": {}}', "OpenAPI 4.0.0 is not supported"),
    ('{"swagger": "1.2", "paths": {}}', "Swagger 1.2 is not supported"),
    ('{"openapi": "3.0.3", "info": {}}', "no 'paths' mapping"),
    ('{"openapi": "3.0.3",\n "paths": {\n', "not valid JSON (line 3, column 1"),
    ("openapi: 3.0.3\npaths: {a: [}\n", "not valid YAML (line 2"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_not_openapi_is_one_line(data: str | bytes, says: str) -> None:
    with pytest.raises(NotOpenApi) as caught:
        parse(data, "spec.json")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("spec.json: ") and says in message and "; " in message
    assert isinstance(caught.value, ValueError)


def test_over_the_cap() -> None:
    with pytest.raises(NotOpenApi, match="over the 5 MiB cap"):
        parse(b" " * (DOCUMENT_CAP + 1), "big.json")


def test_truncated_at_the_operation_limit() -> None:
    paths = {f"/p{i}": {"get": {"responses": {}}, "head": {"responses": {}}}
             for i in range(MAX_OPERATIONS + 5)}
    d = parse(json.dumps(mini(paths)), "t")
    assert len(d.operations) == MAX_OPERATIONS and d.truncated
    assert d.operations[-1].route == f"GET /p{MAX_OPERATIONS - 1}"
    assert any("only the first" in note for note in discover(d).notes)


# ---------------------------------------------------------------- discover: FastAPI


def test_fastapi_discovery() -> None:
    disc = found(FASTAPI)
    api = disc.api
    assert api["openapi"] == f"file:{FASTAPI}"
    # the OAuth2 password flow: form-encoded, found by its tokenUrl
    assert api["login"] == {"method": "POST", "url": "/token", "encoding": "form",
                            "body": "username={{login}}&password={{password}}",
                            "token": "json:access_token"}
    assert api["signup"] == {"method": "POST", "url": "/users/",
                             "body": '{"email": "{{login}}", "password": "{{password}}"}'}
    assert api["protected_routes"] == [
        "GET /users/me", "GET /users/{user_id}", "PATCH /users/{user_id}",
        "PUT /users/{user_id}/password", "GET /items/", "POST /items/", "GET /items/{item_id}",
        "PUT /items/{item_id}", "DELETE /items/{item_id}", "GET /stats/usage",
        "POST /chat/completions"]
    assert api["admin_routes"] == ["GET /stats/usage"]  # by its tag
    assert api["resources"] == [{
        "name": "item", "create_method": "POST", "create_url": "/items/",
        "create_body": '{"title": "{{marker}}", "price": 9.5}', "id_from": "json:id",
        "url": "/items/{id}", "update_body": '{"title": "{{marker}}"}',
        "methods": ["GET", "PUT", "DELETE"]}]
    assert api["account"] == {
        "me_url": "/users/me", "id_from": "json:id", "update_method": "PATCH",
        "update_url": "/users/{id}", "email_field": "email", "password_method": "PUT",
        "password_url": "/users/{id}/password", "password_body": '{"new_password": "{{password}}"}'}
    assert api["path_values"] == {"user_id": "me:json:id"}  # user A's own id
    assert api["chat"] == {"method": "POST", "url": "/chat/completions",
                           "body": '{"message": "{{prompt}}"}', "reply": "json:answer"}
    assert api["webhook"] == {"url": "/webhooks/stripe", "scheme": "stripe",
                              "header": "stripe-signature"}
    assert disc.questions == []
    assert "log-in: POST /token (form-encoded, token at json:access_token)" in disc.found
    assert "object item: POST /items/, then GET/PUT/DELETE /items/{item_id}" in disc.found
    assert ("account: GET /users/me; PATCH /users/{user_id}; PUT /users/{user_id}/password"
            in disc.found)
    assert any(line.startswith("path value {user_id}: me:json:id") for line in disc.found)
    assert resolve(disc, {}) == api and resolve(disc, {}) is not api


# ---------------------------------------------------------------- discover: 3.0 YAML


def test_yaml_discovery() -> None:
    disc = found(YAML30)
    api = disc.api
    assert api["login"] == {"method": "POST", "url": "/auth/login",
                            "body": '{"email": "{{login}}", "password": "{{password}}"}',
                            "token": "json:data.access_token"}  # one level down
    assert api["signup"]["body"] == ('{"email": "{{login}}", "password": "{{password}}", '
                                     '"display_name": "{{marker}}"}')
    assert "POST /auth/login" not in api["protected_routes"]
    assert "DELETE /projects/{project_name}/members/{member_id}" in api["protected_routes"]
    assert api["admin_routes"] == ["GET /admin/audit-log"]
    assert api["resources"] == [{
        "name": "project", "create_method": "POST", "create_url": "/projects",
        "create_body": '{"name": "{{marker}}"}', "id_from": "json:name", "url": "/projects/{id}",
        "update_body": '{"description": "{{marker}}"}', "methods": ["GET", "PATCH", "DELETE"]}]
    assert ("object project (addressed by name): POST /projects, then GET/PATCH/DELETE "
            "/projects/{project_name}") in disc.found
    assert api["account"] == {
        "me_url": "/me", "id_from": "json:id", "update_method": "PATCH", "update_url": "/me",
        "email_field": "email", "password_method": "PUT", "password_url": "/me/password",
        "password_body": '{"new_password": "{{password}}"}'}
    assert api["path_values"] == {"user_id": "me:json:id"}
    # the reply is not documented, nor how the webhook is signed: asked, not guessed
    assert api["chat"] == {"method": "POST", "url": "/assistant/query",
                           "body": '{"query": "{{prompt}}"}'}
    assert api["webhook"] == {"url": "/integrations/webhooks/incoming", "header": "X-Signature"}
    questions = {q.key: q for q in disc.questions}
    assert list(questions) == ["chat.reply", "webhook.scheme", "path_values.member_id"]
    assert questions["chat.reply"].default == "json:reply" and not questions["chat.reply"].choices
    assert questions["webhook.scheme"].choices == ["stripe", "hmac-sha256", "github"]
    assert questions["webhook.scheme"].default == "hmac-sha256"
    member = questions["path_values.member_id"]
    assert member.default is None and "DELETE /projects/{project_name}/members/{member_id}" in member.prompt
    assert all("\n" not in q.prompt for q in disc.questions)
    unanswered = resolve(disc, {})
    assert "chat" not in unanswered and "webhook" not in unanswered  # no silent default
    answered = resolve(disc, ANSWERS[YAML30])
    assert answered["chat"]["reply"] == "json:result"
    assert answered["webhook"]["scheme"] == "hmac-sha256"
    assert answered["path_values"] == {"user_id": "me:json:id", "member_id": "m_1"}
    assert "scheme" not in disc.api["webhook"]  # resolve did not change the proposal


# ---------------------------------------------------------------- discover: Swagger 2.0


def test_swagger_discovery() -> None:
    disc = found(SWAGGER)
    api = disc.api
    assert "login" not in api and "chat" not in api  # two candidates each: asked
    questions = {q.key: q for q in disc.questions}
    assert list(questions) == ["login", "login.token", "chat", "path_values.orgId"]
    assert questions["login"].choices == ["POST /auth/token", "POST /sessions", "none"]
    assert questions["login.token"].default == "json:token"
    assert "POST /auth/token" in questions["login.token"].prompt
    assert questions["chat"].choices == ["POST /chat", "POST /ask", "none"]
    assert questions["path_values.orgId"].default is None
    assert api["signup"]["body"] == ('{"username": "{{marker}}", "email": "{{login}}", '
                                     '"password": "{{password}}", "accept_terms": false}')
    assert api["admin_routes"] == ["GET /internal/metrics", "GET /moderation/queue"]
    assert api["resources"] == [{
        "name": "chat", "create_method": "POST", "create_url": "/chats",
        "create_body": '{"title": "{{marker}}", "model": "small"}', "id_from": "json:id",
        "url": "/chats/{id}", "update_body": '{"title": "{{marker}}"}',
        "methods": ["GET", "PATCH", "DELETE"]}]
    assert api["account"] == {
        "me_url": "/user", "id_from": "json:id", "update_method": "PUT",
        "update_url": "/users/{id}", "email_field": "email", "password_method": "POST",
        "password_url": "/users/{id}/password", "password_body": '{"password": "{{password}}"}'}
    assert api["path_values"] == {"userId": "me:json:id"}
    assert api["webhook"] == {"url": "/hooks/github", "scheme": "github",
                              "header": "X-Hub-Signature-256"}
    assert any("POST /chats/{chatId}/messages" in note for note in disc.notes)


def test_swagger_resolve_choices() -> None:
    disc = found(SWAGGER)
    form = resolve(disc, ANSWERS[SWAGGER])
    assert form["login"] == {"method": "POST", "url": "/auth/token", "encoding": "form",
                             "body": "username={{login}}&password={{password}}",
                             "token": "header:Authorization"}
    assert form["chat"] == {"method": "POST", "url": "/ask", "body": '{"question": "{{prompt}}"}',
                            "reply": "json:answer"}
    assert form["path_values"] == {"userId": "me:json:id", "orgId": "org_1"}
    # the session log-in documents its token: login.token is not needed, and does not override it
    sessions = resolve(disc, {"login": "POST /sessions", "login.token": "json:x"})
    assert sessions["login"] == {"method": "POST", "url": "/sessions",
                                 "body": '{"login": "{{login}}", "password": "{{password}}"}',
                                 "token": "json:session_token"}
    # the form log-in without its token location is left unset
    assert "login" not in resolve(disc, {"login": "POST /auth/token"})
    assert "login" not in resolve(disc, {"login": "none"})
    assert "chat" not in resolve(disc, {"chat": "none"})
    assert resolve(disc, {"path_values.orgId": "none"})["path_values"] == {"userId": "me:json:id"}


def test_bad_answers() -> None:
    disc = found(SWAGGER)
    with pytest.raises(ValueError, match=r"^answer login=POST /nope: choose one of "
                                         r"POST /auth/token, POST /sessions, none$"):
        resolve(disc, {"login": "POST /nope"})
    with pytest.raises(ValueError, match=r"answer login.token=token: write json:<path>"):
        resolve(disc, {"login": "POST /auth/token", "login.token": "token"})
    with pytest.raises(ValueError, match=r"answer path_values.orgId=: give a value"):
        resolve(disc, {"path_values.orgId": ""})
    with pytest.raises(ValueError, match=r"answer path_values.orgId=me:nope: write json:"):
        resolve(disc, {"path_values.orgId": "me:nope"})
    with pytest.raises(ValueError, match=r"answer chat.reply: no such question \(the questions "
                                         r"are: login, login.token, chat, path_values.orgId\)"):
        resolve(disc, {"chat.reply": "json:x"})
    yaml_disc = found(YAML30)
    with pytest.raises(ValueError, match="choose one of stripe, hmac-sha256, github"):
        resolve(yaml_disc, {"webhook.scheme": "md5"})
    assert "webhook" not in resolve(yaml_disc, {"webhook.scheme": "none"})


@pytest.mark.parametrize("name", [FASTAPI, YAML30, SWAGGER])
def test_resolved_sections_validate(name: str) -> None:
    disc = found(name)
    for answers in ({}, ANSWERS[name]):
        api = Api.model_validate({**resolve(disc, answers), "base_url": "https://api.acme.example"})
        assert api.openapi == f"file:{name}"
    full = Api.model_validate({**resolve(disc, ANSWERS[name]), "base_url": "https://api.acme.example"})
    assert full.login is not None and full.chat is not None and full.webhook is not None
    assert full.resource is not None and "{id}" in full.resource.url


@pytest.mark.parametrize("name", [FASTAPI, YAML30, SWAGGER])
def test_the_caller_takes_it(name: str) -> None:
    """wizard.application.discover_api merges the resolved section into a sprint's config."""
    current = SprintConfig(name="acme", target=Target(domain="acme.example",
                                                      hosts=["acme.example"]))
    proposal = Proposal(name, found(name), "https://api.acme.example", "staging",
                        dict(ANSWERS[name]))
    config = proposal.config(current)
    assert config.api.base_url == "https://api.acme.example" and config.api.protected_routes
    assert "protected_routes:" in proposal.section_yaml(current)


# ---------------------------------------------------------------- discover: rules on small documents


def test_login_candidates_and_exclusions() -> None:
    creds = obj("username", "password", required=["username", "password"])
    token = {"type": "object", "properties": {"data": obj("jwt")}}
    d = parse(json.dumps(mini({
        "/api/auth/sign-in": {"post": post(creds, token)},
        "/api/auth/refresh": {"post": post(creds, token)},
        "/api/auth/logout": {"post": post(creds)},
        "/api/register": {"post": post(creds)},
        "/api/auth/otp": {"post": post(obj("code"))},
    })), "t")
    disc = discover(d)
    assert disc.api["login"] == {"method": "POST", "url": "/api/auth/sign-in",
                                 "body": '{"username": "{{login}}", "password": "{{password}}"}',
                                 "token": "json:data.jwt"}
    assert disc.api["signup"]["url"] == "/api/register"


def test_login_token_question_when_absent() -> None:
    d = parse(json.dumps(mini({"/login": {"post": post(obj("email", "password"))}})), "t")
    disc = discover(d)
    assert disc.api["login"] == {"method": "POST", "url": "/login",
                                 "body": '{"email": "{{login}}", "password": "{{password}}"}'}
    [question] = disc.questions
    assert (question.key, question.choices, question.default) == ("login.token", [], "json:token")
    assert "login" not in resolve(disc, {})
    assert resolve(disc, {"login.token": "cookie:session"})["login"]["token"] == "cookie:session"
    assert any("no chat operation found" in note for note in disc.notes)


def test_nothing_found_says_so() -> None:
    disc = discover(parse(json.dumps(mini({"/health": {"get": {"responses": {}}}})), "t"))
    assert disc.api == {} and disc.questions == [] and disc.found == []
    assert "no log-in operation found: set api.login by hand" in disc.notes
    assert len(disc.notes) == 8


def test_object_with_slot_body_field_and_own_id() -> None:
    """A workspace addressed by {name}: the create body's name gets the marker; the create answer
    has the slot's field."""
    create = {"type": "object", "required": ["name", "plan"],
              "properties": {"name": {"type": "string"}, "plan": {"enum": ["free", "pro"]},
                             "seats": {"type": "integer", "minimum": 3},
                             "public": {"type": "boolean"}, "tags": {"type": "array"}}}
    d = parse(json.dumps(mini({
        "/api/workspaces": {"post": post(create, obj("name", "created")), "security": []},
        "/api/workspaces/{name}": {"get": {"responses": {}}, "delete": {"responses": {}}},
        "/api/entries": {"post": post({"type": "object", "required": ["seats", "public", "tags"],
                                       "properties": create["properties"]}, obj("entry_id"))},
        "/api/entries/{entry_id}": {"patch": post(obj("body"))},
        "/api/notes/{note_id}": {"get": {"responses": {}}},  # no create: not an object
        "/api/users": {"post": post(obj("email"))},
        "/api/users/{id}": {"get": {"responses": {}}},  # user records are the account's
    })), "t")
    disc = discover(d)
    workspace, entry = disc.api["resources"]
    assert workspace == {"name": "workspace", "create_method": "POST", "create_url": "/api/workspaces",
                         "create_body": '{"name": "{{marker}}", "plan": "free"}',
                         "id_from": "json:name", "url": "/api/workspaces/{id}",
                         "methods": ["GET", "DELETE"]}
    assert entry["name"] == "entry" and entry["id_from"] == "json:entry_id"
    assert entry["create_body"] == ('{"name": "{{marker}}", "seats": 3, "public": false, '
                                    '"tags": []}')  # required ones and a name
    assert entry["update_body"] == '{"body": "{{marker}}"}' and entry["methods"] == ["PATCH"]
    assert any(line.startswith("object workspace (addressed by name)") for line in disc.found)
    assert any(line.startswith("object entry: ") for line in disc.found)


def test_webhook_schemes_and_chat_candidates() -> None:
    sig = [{"name": "X-Acme-Signature", "in": "header", "schema": {"type": "string"}}]
    d = parse(json.dumps(mini({
        "/billing/callback": {"post": post(summary="Stripe events")},
        "/api/chat": {"post": post(obj("prompt", "session"), obj("output"))},
        "/api/v1/hooks/acme": {"post": post(parameters=sig)},
    })), "t")
    disc = discover(d)
    assert disc.api["chat"] == {"method": "POST", "url": "/api/chat",
                                "body": '{"prompt": "{{prompt}}"}', "reply": "json:output"}
    question = next(q for q in disc.questions if q.key == "webhook")
    assert question.choices == ["POST /billing/callback", "POST /api/v1/hooks/acme", "none"]
    assert resolve(disc, {"webhook": "POST /billing/callback"})["webhook"] == {
        "url": "/billing/callback", "scheme": "stripe"}
    chosen = resolve(disc, {"webhook": "POST /api/v1/hooks/acme", "webhook.scheme": "hmac-sha256"})
    assert chosen["webhook"] == {"url": "/api/v1/hooks/acme", "header": "X-Acme-Signature",
                                 "scheme": "hmac-sha256"}
    assert "webhook" not in resolve(disc, {"webhook": "POST /api/v1/hooks/acme"})


def test_token_url_settles_several_log_ins() -> None:
    creds = obj("username", "password")
    answer = obj("access_token")
    flows = {"password": {"tokenUrl": "https://api.acme.example/v1/auth/token", "scopes": {}}}
    raw = mini({"/auth/token": {"post": post(creds, answer)},
                "/auth/login": {"post": post(creds, answer)}},
               components={"securitySchemes": {"oauth": {"type": "oauth2", "flows": flows}}})
    disc = discover(parse(json.dumps(raw), "t"))
    assert disc.api["login"]["url"] == "/auth/token" and disc.questions == []
    del raw["components"]
    disc = discover(parse(json.dumps(raw), "t"))
    assert "login" not in disc.api
    assert disc.questions[0].choices == ["POST /auth/token", "POST /auth/login", "none"]
    assert resolve(disc, {"login": "POST /auth/login"})["login"]["url"] == "/auth/login"

"""auth.data-exposure and abuse.injection: what they count as exposed or as an injection target
(pure functions), then both against the sandbox's product, vulnerable and fixed."""

from __future__ import annotations

from stages.checks.api_exposure import exposures, undeclared
from stages.checks.api_injection import Target, targets, with_slot
from wizard.probes.openapi_doc import parse

DOC = {
    "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {
        "/api/search": {"get": {"security": [{"b": []}], "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}}]}},
        "/api/status": {"get": {"parameters": [{"name": "verbose", "in": "query",
                                                "schema": {"type": "string"}}]}},
        "/api/users/{user_id}": {"get": {"security": [{"b": []}], "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "email": {"type": "string"}}}}}}}}},
    },
    "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
}


def test_exposures_find_hashes_secret_fields_and_other_peoples_addresses():
    data = {"id": "u_1", "email": "a@acme.example", "password_hash": "pbkdf2_sha256$1$x$y",
            "profile": {"salt": "abc", "manager": "boss@acme.example"},
            "friends": [{"email": "b@acme.example", "digest": "$2b$12$abcdefghijklmnopqrstuv"}],
            "reset_token": None}
    leaked, emails = exposures(data, {"a@acme.example"})
    assert leaked == ["friends.0.digest (a password hash)", "password_hash", "profile.salt"]
    assert emails == ["b@acme.example", "boss@acme.example"]
    assert exposures({"id": "u_1", "email": "A@acme.example"}, {"a@acme.example"}) == ([], [])


def test_exposures_walk_is_bounded():
    deep: dict = {}
    node = deep
    for _ in range(10_000):
        node["next"] = {}
        node = node["next"]
    node["password"] = "x"
    assert exposures(deep, set()) == ([], [])  # cut short, not a recursion error


def test_undeclared_fields_against_the_document():
    doc = parse(__import__("json").dumps(DOC), "doc.json")
    assert undeclared(doc, "/api/users/{user_id}", {"id": "1", "email": "e", "password_hash": "h"}) == ["password_hash"]
    assert undeclared(doc, "/api/other", {"x": 1}) == []
    assert undeclared(None, "/api/users/{user_id}", {"x": 1}) == []


def test_injection_targets_are_slots_and_documented_string_query_params():
    doc = parse(__import__("json").dumps(DOC), "doc.json")
    found = targets(["GET /api/chats/{chat_id}", "DELETE /api/chats/{chat_id}", "GET /api/search",
                     "GET /api/files/{name}.json"], doc)
    assert found == [Target("GET /api/chats/{chat_id}", "path", "chat_id"),
                     Target("GET /api/search", "query", "q"),
                     Target("GET /api/status", "query", "verbose")]  # unsecured: in scope too
    assert targets(["GET /api/me"], None) == []


def test_with_slot_replaces_one_whole_segment():
    assert with_slot("/api/w/{name}/m/{id}", "/api/w/team/m/7", "id", "1' OR '1'='1") == \
        "/api/w/team/m/1%27%20OR%20%271%27%3D%271"

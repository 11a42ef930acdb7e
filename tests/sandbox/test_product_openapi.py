"""GET /openapi.json: an OpenAPI 3.1 document generated from the product's own route table, so
every mounted route is documented with its method, parameters and security, and every documented
path reaches a real route. It is what the product claims: the same in both modes, and the fixed
product's answers fit it where the vulnerable one's do not (password_hash)."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator

from tests.sandbox.product_fixtures import ADMIN, ALICE, api  # noqa: F401 - the fixture
from wizard.sandbox.demo import API
from wizard.sandbox.product.facts import SIGNATURE_HEADER

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
UNSECURED = {("POST", "/api/login"), ("POST", "/api/register"), ("POST", "/api/chat"), ("POST", "/api/sessions"),
             ("POST", "/api/webhooks/billing"), ("GET", "/docs/{name}"), ("GET", "/health"),
             ("GET", "/openapi.json")}


@pytest.fixture
def doc(api) -> dict:  # noqa: F811
    response = api.http.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    return response.json()


def operations(doc: dict) -> dict[tuple[str, str], dict]:
    return {(method.upper(), path): op for path, item in doc["paths"].items() for method, op in item.items()}


def shape(path: str) -> str:
    return re.sub(r"\{[^}/]+\}", "{}", path)


def test_the_document_is_openapi_3_1_with_bearer_security_and_the_demo_server(doc):
    assert doc["openapi"] == "3.1.0" and {"title", "version"} <= set(doc["info"])
    assert doc["servers"] == [{"url": f"https://{API}"}] and "security" not in doc
    assert doc["components"]["securitySchemes"] == {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
    ids = [op["operationId"] for op in operations(doc).values()]
    assert len(ids) == len(set(ids)) and "get_chat_api_chats__chat_id__get" in ids
    for path, item in doc["paths"].items():
        assert path.startswith("/") and set(item) <= METHODS
        for op in item.values():
            assert op["responses"] and all(re.fullmatch(r"[1-5]\d\d", s) for s in op["responses"])
            assert all("description" in answer for answer in op["responses"].values())
    for name, schema in doc["components"]["schemas"].items():
        OAS31Validator.check_schema(schema)
        assert schema["title"] == name
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc)))
    assert refs <= set(doc["components"]["schemas"])


def test_every_mounted_api_route_is_documented_and_nothing_else(api, doc):  # noqa: F811
    mounted = {(m, shape(p)) for m, p in api.sandbox.origin.routes if p.startswith("/api/")}
    documented = {(m, shape(p)) for m, p in operations(doc)}
    assert mounted <= documented
    assert documented <= {(m, shape(p)) for m, p in api.sandbox.origin.routes}
    assert {(e.method, e.doc_path) for e in api.product.endpoints} == set(operations(doc))


def test_signed_in_routes_carry_bearer_security_and_answer_401_without_a_token(api, doc):  # noqa: F811
    for (method, path), op in operations(doc).items():
        if (method, path) in UNSECURED:
            assert "security" not in op, path
            continue
        assert op["security"] == [{"HTTPBearer": []}] and "401" in op["responses"], path
        answer = api.http.request(method, re.sub(r"\{[^}/]+\}", "x", path), json={})
        assert answer.status_code == 401, (method, path, answer.text)


def test_path_query_and_header_parameters_are_documented(doc):
    ops = operations(doc)
    assert {shape(p) for _, p in ops} >= {"/api/chats/{}", "/api/users/{}", "/api/users/{}/password",
                                          "/api/workspaces/{}", "/api/admin/users/{}/ban"}
    assert {"/api/chats/{chat_id}", "/api/users/{user_id}", "/api/users/{user_id}/password",
            "/api/workspaces/{name}", "/api/admin/users/{user_id}/ban"} <= set(doc["paths"])
    for (_, path), op in ops.items():
        in_path = re.findall(r"\{([^}/]+)\}", path)
        params = [p for p in op.get("parameters", []) if p["in"] == "path"]
        assert [p["name"] for p in params] == in_path and all(p["required"] for p in params), path
    q = ops[("GET", "/api/search")]["parameters"]
    assert q == [{"name": "q", "in": "query", "required": True, "description": q[0]["description"],
                  "schema": {"type": "string", "title": "Q"}}]
    header = ops[("POST", "/api/webhooks/billing")]["parameters"]
    assert [(h["name"], h["in"]) for h in header] == [(SIGNATURE_HEADER, "header")]
    admin = {p for (_, p), op in ops.items() if "admin" in op["tags"]}
    assert admin == {p for _, p in ops if p.startswith("/api/admin/")}


def test_request_and_response_schemas(doc):
    schemas, ops = doc["components"]["schemas"], operations(doc)
    user = schemas["UserOut"]
    assert set(user["properties"]) == set(user["required"]) == {"id", "email", "name", "role"}
    assert user["additionalProperties"] is False and "password_hash" not in json.dumps(doc)
    assert set(schemas["LoginIn"]["required"]) == {"email", "password"}
    assert set(schemas["RegisterIn"]["properties"]) == {"email", "password", "name"}
    assert "required" not in schemas["UserUpdate"] and set(schemas["UserUpdate"]["properties"]) == {"email", "name"}
    assert schemas["ChatList"]["properties"]["chats"]["items"] == {"$ref": "#/components/schemas/ChatOut"}
    assert set(schemas["WorkspaceOut"]["properties"]) == {"name", "description", "owner"}
    assert schemas["ChatMessageIn"]["required"] == ["message"]

    def body(method: str, path: str) -> str:
        return ops[(method, path)]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]

    def answer(method: str, path: str, status: str) -> str:
        content = ops[(method, path)]["responses"][status]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/")[-1]

    assert (body("POST", "/api/login"), answer("POST", "/api/login", "200")) == ("LoginIn", "Token")
    assert body("PUT", "/api/users/{user_id}/password") == "PasswordIn"
    assert answer("GET", "/api/me", "200") == answer("GET", "/api/users/{user_id}", "200") == "UserOut"
    assert answer("GET", "/api/search", "200") == "SearchResults"
    assert answer("POST", "/api/chat", "200") == "ChatReply"
    assert "content" not in ops[("DELETE", "/api/chats/{chat_id}")]["responses"]["204"]


def test_the_document_is_the_same_in_both_modes(api, doc):  # noqa: F811
    api.fix()
    assert api.http.get("/openapi.json").json() == doc


def test_every_documented_path_reaches_a_route(api, doc):  # noqa: F811
    for method, path in operations(doc):
        answer = api.http.request(method, re.sub(r"\{[^}/]+\}", "x", path), json={}, headers=ADMIN)
        assert answer.status_code != 405, (method, path)
        assert not (answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")), path


def test_the_fixed_product_answers_what_the_document_declares(api, doc):  # noqa: F811
    def user_out() -> OAS31Validator:
        return OAS31Validator({"$ref": "#/components/schemas/UserOut", "components": doc["components"]})

    with pytest.raises(ValidationError, match="password_hash"):
        user_out().validate(api.http.get("/api/me", headers=ALICE).json())
    api.fix()
    user_out().validate(api.http.get("/api/me", headers=ALICE).json())
    user_out().validate(api.http.get("/api/users/u_1001", headers=ALICE).json())

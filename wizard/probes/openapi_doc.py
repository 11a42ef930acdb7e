"""Reading the product's OpenAPI document (3.0, 3.1 or Swagger 2.0, JSON or YAML) into the few
facts discovery needs: operations with their parameters, bodies, responses and security.

Local $refs are resolved with a cycle guard, a depth limit and a node budget, so a hostile or
huge document costs bounded work; a document that cannot be used is one NotOpenApi line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yaml

DOCUMENT_CAP = 5 * 2**20  # bytes
MAX_OPERATIONS = 2000
_METHODS = ("get", "post", "put", "patch", "delete")
_DEPTH = 12  # nesting levels of a resolved schema; deeper ones become {}
_BUDGET = 400  # schema nodes resolved for one body or response; later ones become {}
_REMEDY = "give the product's openapi.json (or openapi.yaml)"
_VERSION_3 = re.compile(r"^3\.[01](\.\d+)?([-.].*)?$")
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class NotOpenApi(ValueError):
    """A document discovery cannot use; its str is one line: source, what is wrong, what to do."""

    def __init__(self, source: str, problem: str, remedy: str = _REMEDY) -> None:
        super().__init__(" ".join(f"{source}: {problem}; {remedy}".split()))


@dataclass
class Param:
    name: str
    location: str  # path, query, header or cookie
    required: bool = False
    type: str | None = None
    example: Any = None


@dataclass
class Operation:
    method: str  # GET, POST, PUT, PATCH or DELETE
    path: str
    operation_id: str = ""
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    secured: bool = False
    security_schemes: list[str] = field(default_factory=list)
    body_fields: list[str] = field(default_factory=list)
    body_required: list[str] = field(default_factory=list)
    body_media: str | None = None
    body_schema: dict[str, Any] | None = None
    response_fields: list[str] | None = None  # None: no object schema declared for the 2xx answer
    response_schema: dict[str, Any] | None = None
    response_additional: bool = True

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Document:
    version: str
    title: str = ""
    servers: list[str] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    security_schemes: dict[str, dict[str, Any]] = field(default_factory=dict)
    truncated: bool = False  # more than MAX_OPERATIONS: only the first ones were kept
    _index: dict[tuple[str, str], Operation] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False)

    def operation(self, method: str, path: str) -> Operation | None:
        if len(self._index) != len(self.operations):
            self._index = {(op.method, op.path): op for op in self.operations}
        return self._index.get((method.upper(), path))


def parse(data: bytes | str, source: str) -> Document:
    """The document in `data` (read from `source`, named in errors)."""
    raw = _load(data, source)
    if not isinstance(raw, dict):
        kind = "a list" if isinstance(raw, list) else type(raw).__name__
        raise NotOpenApi(source, f"not an OpenAPI document (the top level is {kind}, not a mapping)")
    version = _version(raw, source)
    if not isinstance(raw.get("paths"), dict):
        raise NotOpenApi(source, "not an OpenAPI document (no 'paths' mapping)")
    swagger = version == "2.0"
    info = _dict(raw.get("info"))
    components = _dict(raw.get("components"))
    schemes = _dict(raw.get("securityDefinitions") if swagger else components.get("securitySchemes"))
    refs = _Refs(raw)
    document = Document(
        version=version,
        title=str(info.get("title") or ""),
        servers=_swagger_servers(raw) if swagger else _servers(raw),
        security_schemes={str(k): refs.deref(v) for k, v in schemes.items() if isinstance(v, dict)},
    )
    reader = _OperationReader(raw, refs, swagger)
    for path, item in raw["paths"].items():
        if not (isinstance(path, str) and path.startswith("/")):
            continue
        item = refs.deref(item)
        for method in item:
            if method not in _METHODS or not isinstance(item[method], dict):
                continue
            if len(document.operations) == MAX_OPERATIONS:
                document.truncated = True
                return document
            document.operations.append(reader.read(method.upper(), path, item, item[method]))
    return document


def _load(data: bytes | str, source: str) -> Any:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
    if size > DOCUMENT_CAP:
        raise NotOpenApi(source, f"{size / 2**20:.1f} MiB, over the {DOCUMENT_CAP // 2**20} MiB cap "
                         "for an OpenAPI document", "give a smaller document")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NotOpenApi(source, f"not UTF-8 text (byte {exc.start})") from None
    try:
        if data.lstrip().startswith(("{", "[")):
            return json.loads(data)
        return yaml.load(data, Loader=_LOADER)  # noqa: S506 - _LOADER is a SafeLoader
    except json.JSONDecodeError as exc:
        raise NotOpenApi(source, f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise NotOpenApi(source, f"not valid YAML ({where}{problem})") from None
    except RecursionError:
        raise NotOpenApi(source, "nested too deeply to read") from None


def _version(raw: dict[str, Any], source: str) -> str:
    if "openapi" in raw:
        version = str(raw["openapi"])
        if not _VERSION_3.match(version):
            raise NotOpenApi(source, f"OpenAPI {version} is not supported (3.0, 3.1 or Swagger 2.0)",
                             "give a 3.0, 3.1 or Swagger 2.0 document")
        return version
    if "swagger" in raw:
        version = str(raw["swagger"])
        if version != "2.0":
            raise NotOpenApi(source, f"Swagger {version} is not supported (only 2.0)",
                             "give a 3.0, 3.1 or Swagger 2.0 document")
        return version
    raise NotOpenApi(source, "not an OpenAPI document (no 'openapi' or 'swagger' field)")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _servers(raw: dict[str, Any]) -> list[str]:
    """3.x servers, each {variable} replaced by its default."""
    out = []
    for server in _list(raw.get("servers")):
        url = _dict(server).get("url")
        if not isinstance(url, str) or not url:
            continue
        for name, variable in _dict(server.get("variables")).items():
            default = _dict(variable).get("default")
            if default is not None:
                url = url.replace("{" + str(name) + "}", str(default))
        out.append(url)
    return out


def _swagger_servers(raw: dict[str, Any]) -> list[str]:
    base = raw["basePath"] if isinstance(raw.get("basePath"), str) else ""
    host = raw.get("host")
    if not isinstance(host, str) or not host:
        return [base] if base else []
    schemes = [s for s in _list(raw.get("schemes")) if s in ("http", "https")]
    scheme = "https" if "https" in schemes or not schemes else schemes[0]
    return [f"{scheme}://{host}{base.rstrip('/')}"]


class _Refs:
    """Local $ref lookup (JSON pointers into the document) and schema resolution."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.cache: dict[str, dict[str, Any]] = {}

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return None  # external documents are not fetched
        node: Any = self.root
        for part in ref[2:].split("/"):
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def deref(self, node: Any) -> dict[str, Any]:
        """A parameter, body, response or path item: its $ref chain followed (not its schema)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or len(seen) > _DEPTH:
                return {}
            seen.add(ref)
            node = self.lookup(ref)
        return node if isinstance(node, dict) else {}

    def schema(self, node: Any) -> dict[str, Any]:
        """A schema with its $refs resolved, allOf merged and nullable anyOf/oneOf collapsed."""
        ref = node.get("$ref") if isinstance(node, dict) and len(node) == 1 else None
        if isinstance(ref, str) and ref in self.cache:
            return self.cache[ref]
        resolved = _Resolution(self).resolve(node, frozenset(), 0)
        if isinstance(ref, str):
            self.cache[ref] = resolved
        return resolved


class _Resolution:
    """One schema's resolution, under its own node budget."""

    def __init__(self, refs: _Refs) -> None:
        self.refs = refs
        self.left = _BUDGET

    def resolve(self, node: Any, seen: frozenset[str], depth: int) -> dict[str, Any]:
        self.left -= 1
        if not isinstance(node, dict) or depth > _DEPTH or self.left < 0:
            return {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return {}  # a cycle: the inner occurrence stays opaque
            target = self.resolve(self.refs.lookup(ref), seen | {ref}, depth + 1)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if siblings else target
        out = dict(node)
        if isinstance(out.get("type"), list):  # 3.1: ["string", "null"]
            types = [t for t in out["type"] if t != "null"]
            out["type"] = types[0] if len(types) == 1 else types
        for key in ("properties", "patternProperties"):
            if isinstance(out.get(key), dict):
                out[key] = {str(k): self.resolve(v, seen, depth + 1) for k, v in out[key].items()}
        for key in ("items", "additionalProperties", "not"):
            if isinstance(out.get(key), dict):
                out[key] = self.resolve(out[key], seen, depth + 1)
        if isinstance(out.get("allOf"), list):
            out = _merge(out, [self.resolve(b, seen, depth + 1) for b in out.pop("allOf")])
        for key in ("anyOf", "oneOf"):
            if isinstance(out.get(key), list):
                branches = [self.resolve(b, seen, depth + 1) for b in out[key]]
                real = [b for b in branches if not _is_null(b)]
                if len(real) == 1:  # Optional[X]: the X
                    del out[key]
                    out = {**real[0], **out, "nullable": True}
                else:
                    out[key] = branches
        return out


def _is_null(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or schema.get("enum") == [None]


def _merge(base: dict[str, Any], branches: list[dict[str, Any]]) -> dict[str, Any]:
    """allOf: the branches' properties and required names added up."""
    out = dict(base)
    properties: dict[str, Any] = dict(_dict(out.get("properties")))
    required = [r for r in _list(out.get("required")) if isinstance(r, str)]
    for branch in branches:
        for key, value in branch.items():
            if key not in ("properties", "required"):
                out.setdefault(key, value)
        properties.update(_dict(branch.get("properties")))
        required += [r for r in _list(branch.get("required")) if isinstance(r, str) and r not in required]
    if properties:
        out["properties"] = properties
        out.setdefault("type", "object")
    if required:
        out["required"] = required
    return out


def fields(schema: dict[str, Any] | None) -> list[str] | None:
    """The top-level property names of an object schema; None for anything else (a list, a
    string, an empty schema), whose fields are not the answer's own."""
    if not schema or not isinstance(schema.get("properties"), dict):
        return None
    return list(schema["properties"])


_JSON = re.compile(r"^application/(.+\+)?json$")


def _media(content: dict[str, Any]) -> tuple[str, Any] | None:
    """The body's media type and entry: JSON preferred, then a form, then multipart."""
    kinds = {str(k).split(";")[0].strip().lower(): v for k, v in content.items()}
    for wanted in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data"):
        if wanted in kinds:
            return wanted, kinds[wanted]
    for kind, entry in kinds.items():
        if _JSON.match(kind):
            return kind, entry
    return None


class _OperationReader:
    def __init__(self, raw: dict[str, Any], refs: _Refs, swagger: bool) -> None:
        self.refs = refs
        self.swagger = swagger
        self.security = raw.get("security")
        self.consumes = _list(raw.get("consumes"))

    def read(self, method: str, path: str, item: dict[str, Any], spec: dict[str, Any]) -> Operation:
        op = Operation(method, path,
                       operation_id=str(spec.get("operationId") or ""),
                       summary=str(spec.get("summary") or ""),
                       description=str(spec.get("description") or ""),
                       tags=[str(t) for t in _list(spec.get("tags"))])
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for node in [*_list(item.get("parameters")), *_list(spec.get("parameters"))]:
            param = self.refs.deref(node)
            if isinstance(param.get("name"), str) and isinstance(param.get("in"), str):
                merged[(param["name"], param["in"])] = param  # the operation's own wins
        op.params = [self._param(p) for p in merged.values()
                     if p["in"] in ("path", "query", "header", "cookie")]
        requirements = spec["security"] if "security" in spec else self.security
        names = [str(name) for req in _list(requirements) if isinstance(req, dict) for name in req]
        op.secured = bool(names)
        op.security_schemes = list(dict.fromkeys(names))
        if self.swagger:
            self._swagger_body(op, spec, list(merged.values()))
        else:
            self._body(op, spec)
        self._response(op, spec)
        return op

    def _param(self, param: dict[str, Any]) -> Param:
        schema = self.refs.schema(param["schema"]) if isinstance(param.get("schema"), dict) else param
        kind = schema.get("type")
        example = param.get("example", schema.get("example"))
        examples = _dict(param.get("examples"))
        if example is None and examples:
            example = self.refs.deref(next(iter(examples.values()))).get("value")
        return Param(param["name"], param["in"], required=bool(param.get("required")),
                     type=kind if isinstance(kind, str) else None, example=example)

    def _set_body(self, op: Operation, media: str, schema: dict[str, Any]) -> None:
        op.body_media = media
        op.body_schema = schema
        op.body_fields = fields(schema) or []
        op.body_required = [r for r in _list(schema.get("required")) if isinstance(r, str)]

    def _body(self, op: Operation, spec: dict[str, Any]) -> None:
        body = self.refs.deref(spec.get("requestBody"))
        chosen = _media(_dict(body.get("content")))
        if chosen is not None:
            self._set_body(op, chosen[0], self.refs.schema(_dict(chosen[1]).get("schema")))

    def _swagger_body(self, op: Operation, spec: dict[str, Any], params: list[dict[str, Any]]) -> None:
        for param in params:
            if param["in"] == "body":
                self._set_body(op, "application/json", self.refs.schema(param.get("schema")))
                return
        form = [p for p in params if p["in"] == "formData"]
        if not form:
            return
        consumes = _list(spec.get("consumes")) or self.consumes
        multipart = any(p.get("type") == "file" for p in form) or (
            "multipart/form-data" in consumes and "application/x-www-form-urlencoded" not in consumes)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {p["name"]: {k: v for k, v in p.items() if k not in ("name", "in", "required")}
                           for p in form},
        }
        required = [p["name"] for p in form if p.get("required")]
        if required:
            schema["required"] = required
        self._set_body(op, "multipart/form-data" if multipart else "application/x-www-form-urlencoded",
                       schema)

    def _response(self, op: Operation, spec: dict[str, Any]) -> None:
        responses = {str(code): value for code, value in _dict(spec.get("responses")).items()}
        codes = sorted(code for code in responses if code.startswith("2"))
        if not codes:
            return
        response = self.refs.deref(responses[codes[0]])
        if self.swagger:
            node = response.get("schema")
        else:
            chosen = _media(_dict(response.get("content")))
            node = _dict(chosen[1]).get("schema") if chosen and _JSON.match(chosen[0]) else None
        if not isinstance(node, dict):
            return
        schema = self.refs.schema(node)
        op.response_schema = schema
        op.response_fields = fields(schema)
        op.response_additional = schema.get("additionalProperties") is not False

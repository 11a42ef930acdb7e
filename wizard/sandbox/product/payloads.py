"""Reading a request body: size limits and JSON fields. Vulnerable: bodies of any size are read
(and past 1 MiB the app falls over), and malformed JSON or wrong types crash the handler (500).
Fixed: 413 past 64 KiB before any parsing, 400 for malformed JSON, 422 for wrong fields."""

from __future__ import annotations

import json

from wizard.sandbox.http_server import Request
from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.errors import BadInput
from wizard.sandbox.product.facts import BODY_LIMIT, CRASH_SIZE


def check_size(request: Request, b: Behaviours) -> None:
    size = len(request.body)
    if size > BODY_LIMIT and not b.no_body_limit:
        raise BadInput(413, f"body over {BODY_LIMIT} bytes")
    if size > CRASH_SIZE:
        raise MemoryError(f"Unable to allocate {size * 8} bytes for request buffer")


def json_fields(request: Request, b: Behaviours, required: dict[str, type],
                optional: dict[str, type] | None = None, rest: bool = False) -> dict:
    """The body's fields by name (optional ones absent or None are left out); `rest` keeps the
    body's other fields too, unchecked, as a handler with a mass-assignment bug reads them."""
    try:
        data = json.loads(request.body or b"")
    except ValueError:
        if b.malformed_500:
            raise
        raise BadInput(400, "malformed JSON") from None
    wanted = {**required, **(optional or {})}
    problem = _problem(data, required, wanted)
    if problem:
        if b.malformed_500:
            raise TypeError(problem)
        raise BadInput(422, problem)
    others = {k: v for k, v in data.items() if k not in wanted} if rest else {}
    return {**others, **{k: data[k] for k in wanted if data.get(k) is not None}}


def _problem(data: object, required: dict[str, type], wanted: dict[str, type]) -> str | None:
    if not isinstance(data, dict):
        return "body must be a JSON object"
    for name, kind in wanted.items():
        if name in required and name not in data:
            return f"{name} is required"
        if data.get(name) is not None and not isinstance(data[name], kind):
            return f"{name} must be a {kind.__name__}"
    return None

"""How the product fails. Vulnerable (`debug_errors`): a debug page with the traceback, the
server's file paths and the AI provider's error, key tail included (or the database's error and
the failing SQL), as a Flask app left in debug mode shows. Fixed: a generic message and a request
id to find the details in the server's log."""

from __future__ import annotations

import sqlite3

from wizard.sandbox.http_server import Response


class BadInput(Exception):
    """A request the fixed product refuses (400 malformed, 413 too large, 422 wrong types)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ProviderError(Exception):
    """The AI provider refused the call (the demo's stale key), shown as the SDK names it."""

    def __init__(self, key_tail: str):
        super().__init__(f"Error code: 401 - Incorrect API key provided: sk-proj-****{key_tail}. "
                         "You can find your API key at https://platform.openai.com/account/api-keys.")


def _exception_line(exc: BaseException) -> str:
    if isinstance(exc, ProviderError):
        name = "openai.AuthenticationError"
    elif isinstance(exc, sqlite3.Error):
        name = f"sqlite3.{type(exc).__name__}"
    else:
        name = type(exc).__name__
    return f"{name}: {exc}"


def _app_frame(exc: BaseException) -> list[str]:
    if isinstance(exc, sqlite3.Error):
        return ['  File "/srv/acme/app/search.py", line 41, in search_chats',
                """    rows = db.execute(f"SELECT id, owner, title FROM chats WHERE owner = '{user.id}' """
                """AND title LIKE '%{q}%'")"""]
    return ['  File "/srv/acme/app/chat.py", line 88, in handle_chat',
            '    completion = client.chat.completions.create(model=body["model"], messages=messages)']


def debug_page(exc: BaseException, request_id: str) -> Response:
    traceback = "\n".join([
        "Traceback (most recent call last):",
        '  File "/srv/acme/venv/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app',
        "    response = self.full_dispatch_request()",
        *_app_frame(exc),
        _exception_line(exc),
    ])
    return Response.json(500, {"error": "Internal Server Error", "debugger": "Werkzeug Debugger (DEBUG=True)",
                               "traceback": traceback, "request_id": request_id})


def generic_error(request_id: str) -> Response:
    return Response.json(500, {"error": "something went wrong", "request_id": request_id})

"""Objects owned by one user, the classic ground for broken object-level authorisation (BOLA):
chats, with guessable sequential ids, and workspaces, addressed by a unique name. Chats live in
an in-memory SQLite table, so the search over their titles is real SQL (and really injectable)."""

from __future__ import annotations

import sqlite3
import threading

from wizard.sandbox.product.errors import BadInput
from wizard.sandbox.product.facts import MAX_CHATS, MAX_WORKSPACES, SEARCH_LIMIT

_SEARCH_STEPS = 5_000_000  # SQLite VM steps one search may take (an injected endless query stops)
_VALUE_LIMIT = 100_000  # bytes of one SQL value (an injected randomblob(1e9) fails instead)


class Chats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)  # used under _lock only
        self._db.execute("CREATE TABLE chats (n INTEGER PRIMARY KEY, id TEXT UNIQUE, owner TEXT, title TEXT)")
        self._db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _VALUE_LIMIT)
        self._next = 1

    def _rows(self, sql: str, *args: object) -> list[dict]:
        return [{"id": i, "owner": o, "title": t} for i, o, t in self._db.execute(sql, args).fetchall()]

    def create(self, owner: str, title: str) -> dict:
        with self._lock:
            if self._db.execute("SELECT count(*) FROM chats").fetchone()[0] >= MAX_CHATS:
                raise BadInput(507, "too many chats")
            chat = {"id": f"c_{self._next}", "owner": owner, "title": title}
            self._db.execute("INSERT INTO chats (n, id, owner, title) VALUES (?, ?, ?, ?)",
                             (self._next, chat["id"], owner, title))
            self._next += 1
            return chat

    def owned_by(self, owner: str) -> list[dict]:
        with self._lock:
            return self._rows("SELECT id, owner, title FROM chats WHERE owner = ? ORDER BY n", owner)

    def get(self, chat_id: str, caller: str, any_owner: bool) -> dict | None:
        """The chat if the caller may see it (`any_owner`: the vulnerable check that forgets owners)."""
        with self._lock:
            found = self._rows("SELECT id, owner, title FROM chats WHERE id = ?", chat_id)
        return found[0] if found and (any_owner or found[0]["owner"] == caller) else None

    def rename(self, chat_id: str, title: str) -> dict:
        with self._lock:
            self._db.execute("UPDATE chats SET title = ? WHERE id = ?", (title, chat_id))
            return self._rows("SELECT id, owner, title FROM chats WHERE id = ?", chat_id)[0]

    def delete(self, chat_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM chats WHERE id = ?", (chat_id,))

    def search(self, owner: str, query: str, injectable: bool) -> list[dict]:
        """The owner's chats whose title contains `query`. `injectable`: the query is pasted into
        the SQL, so a quote is a syntax error (sqlite3.OperationalError) and `' OR 1=1 --` finds
        everyone's chats."""
        if injectable:
            sql = f"SELECT id, owner, title FROM chats WHERE owner = '{owner}' AND title LIKE '%{query}%' ORDER BY n"
            args: tuple[object, ...] = ()
        else:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql = "SELECT id, owner, title FROM chats WHERE owner = ? AND title LIKE ? ESCAPE '\\' ORDER BY n"
            args = (owner, f"%{escaped}%")
        steps = iter(range(_SEARCH_STEPS // 1000))
        with self._lock:
            self._db.set_progress_handler(lambda: next(steps, None) is None, 1000)
            try:
                rows = self._db.execute(sql, args).fetchmany(SEARCH_LIMIT)
            finally:
                self._db.set_progress_handler(None, 0)
        return [{"id": i, "owner": o, "title": t} for i, o, t in rows]


class Workspaces:
    """Owned like chats, but a workspace's name is its address: unique, 409 when taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spaces: dict[str, dict] = {}

    def create(self, owner: str, name: str, description: str) -> dict | None:
        """The new workspace, or None when the name is taken."""
        _check_name(name)
        with self._lock:
            if name in self._spaces:
                return None
            if len(self._spaces) >= MAX_WORKSPACES:
                raise BadInput(507, "too many workspaces")
            space = {"name": name, "description": description, "owner": owner}
            self._spaces[name] = space
            return dict(space)

    def owned_by(self, owner: str) -> list[dict]:
        with self._lock:
            return [dict(w) for w in self._spaces.values() if w["owner"] == owner]

    def get(self, name: str, caller: str, any_owner: bool) -> dict | None:
        with self._lock:
            space = self._spaces.get(name)
            return dict(space) if space and (any_owner or space["owner"] == caller) else None

    def update(self, name: str, fields: dict) -> dict | None:
        """Change the description and/or the name; None when the new name is taken."""
        new_name = fields.get("name", name)
        _check_name(new_name)
        with self._lock:
            if new_name != name and new_name in self._spaces:
                return None
            space = {**self._spaces.pop(name), **fields}
            self._spaces[new_name] = space
            return dict(space)

    def delete(self, name: str) -> None:
        with self._lock:
            self._spaces.pop(name, None)


def _check_name(name: str) -> None:
    if not 0 < len(name) <= 100 or "/" in name:
        raise BadInput(422, "name must be 1 to 100 characters, without '/'")

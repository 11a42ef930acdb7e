"""Chats: objects owned by one user, with guessable sequential ids, the classic ground for broken
object-level authorisation (BOLA)."""

from __future__ import annotations

import threading


class Chats:
    def __init__(self):
        self._lock = threading.Lock()
        self._chats: dict[str, dict] = {}
        self._next = 1

    def create(self, owner: str, title: str) -> dict:
        with self._lock:
            chat = {"id": f"c_{self._next}", "owner": owner, "title": title}
            self._next += 1
            self._chats[chat["id"]] = chat
            return dict(chat)

    def owned_by(self, owner: str) -> list[dict]:
        with self._lock:
            return [dict(c) for c in self._chats.values() if c["owner"] == owner]

    def get(self, chat_id: str, caller: str, any_owner: bool) -> dict | None:
        """The chat if the caller may see it (`any_owner`: the vulnerable check that forgets owners)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return dict(chat) if chat and (any_owner or chat["owner"] == caller) else None

    def rename(self, chat_id: str, title: str) -> dict:
        with self._lock:
            self._chats[chat_id]["title"] = title
            return dict(self._chats[chat_id])

    def delete(self, chat_id: str) -> None:
        with self._lock:
            self._chats.pop(chat_id, None)

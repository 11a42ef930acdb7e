"""The product's chat log, one JSON line per chat request, in a file a probe (or a person in the
demo) can read. Vulnerable (`logs_prompts`): the whole prompt and the Authorization header land
in it, so whoever reads logs reads conversations and can replay tokens. Fixed: lengths only."""

from __future__ import annotations

import json
import threading
from pathlib import Path


class ChatLog:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def write(self, request_id: str, message: str, authorization: str, reply: str, full: bool) -> None:
        line = {"request_id": request_id, "message_length": len(message), "reply_length": len(reply)}
        if full:
            line |= {"message": message, "authorization": authorization, "reply": reply}
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")

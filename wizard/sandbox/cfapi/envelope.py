"""Cloudflare's response envelope and its errors, so every handler just returns or raises."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error Cloudflare would answer with: HTTP status, its numeric code and message."""

    def __init__(self, status: int, code: int, message: str, *, chain: Iterable[tuple[int, str]] = (),
                 pointer: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(f"{code} {message}")
        self.status, self.code, self.message = status, code, message
        self.chain = list(chain)
        self.pointer = pointer
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.chain:
            error["error_chain"] = [{"code": c, "message": m} for c, m in self.chain]
        if self.pointer:
            error["source"] = {"pointer": self.pointer}
        return {"success": False, "errors": [error], "messages": [], "result": None}


def validation_error(message: str, *, code: int = 1004, detail: tuple[int, str] | None = None,
                     pointer: str | None = None) -> ApiError:
    """A 400 the way Cloudflare words them: a top-level code and, often, the precise cause chained."""
    return ApiError(400, code, message, chain=[detail] if detail else (), pointer=pointer)


def not_found(path: str) -> ApiError:
    return ApiError(404, 7003, f"Could not route to {path}, perhaps your object identifier is invalid?")


@dataclass
class Page:
    """A list result with Cloudflare's result_info."""

    items: list[Any]
    page: int
    per_page: int
    total_count: int

    @classmethod
    def of(cls, items: list[Any], page: int, per_page: int) -> Page:
        start = (page - 1) * per_page
        return cls(items[start:start + per_page], page, per_page, len(items))

    def info(self) -> dict[str, int]:
        return {"page": self.page, "per_page": self.per_page, "count": len(self.items),
                "total_count": self.total_count,
                "total_pages": max(1, -(-self.total_count // self.per_page))}


@dataclass
class Text:
    """A plain-text result (the BIND export), sent without the envelope."""

    body: str


@dataclass
class Ok:
    """A result with informational messages (token verify says the token is valid)."""

    result: Any
    messages: list[dict[str, Any]] = field(default_factory=list)


def success(result: Any) -> dict[str, Any]:
    if isinstance(result, Page):
        return {"success": True, "errors": [], "messages": [], "result": result.items,
                "result_info": result.info()}
    if isinstance(result, Ok):
        return {"success": True, "errors": [], "messages": result.messages, "result": result.result}
    return {"success": True, "errors": [], "messages": [], "result": result}

"""The edge cache: what Cloudflare would store, for how long, and the store itself.

Eligibility: a matching cache rule's `cache` decides; with no rule, only Cloudflare's default
static extensions are eligible (HTML and JSON never are: DYNAMIC). An eligible response is stored
unless the origin forbids it (private, no-store, no-cache, max-age=0, Set-Cookie: BYPASS), except
when the rule's edge_ttl mode is "override_origin", which ignores the origin's headers; that is
how a cache-everything rule ends up serving one user's private page to everyone.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from posixpath import splitext
from typing import Any

from wizard.sandbox.http_server import Response

# Cloudflare's default cached file extensions (developers.cloudflare.com/cache/concepts/default-cache-behavior).
STATIC_EXTENSIONS = frozenset("""
7z csv gif midi png tif zip avi doc gz mkv ppt tiff zst avif docx ico mp3 pptx ttf apk dmg iso
mp4 ps webm bin ejs jar ogg rar webp bmp eot jpg otf svg woff bz2 eps jpeg pdf svgz woff2 class
exe js pict swf xls css flac mid pls tar xlsx
""".split())

# Cloudflare's edge TTLs when the origin sends no cache directive, by status.
DEFAULT_TTLS = {200: 7200, 206: 7200, 301: 7200, 302: 1200, 303: 1200, 404: 180, 410: 180}
_FORBIDDING = ("private", "no-store", "no-cache")


def is_static(path: str) -> bool:
    return splitext(path)[1].lstrip(".").lower() in STATIC_EXTENSIONS


def eligible(method: str, path: str, settings: dict[str, Any] | None) -> bool | None:
    """True: look up and store; False: a rule said bypass; None: not cacheable (DYNAMIC)."""
    if method not in ("GET", "HEAD"):
        return None
    if settings is not None and "cache" in settings:
        return bool(settings["cache"])
    return True if is_static(path) else None


def edge_ttl(response: Response, settings: dict[str, Any] | None) -> int | None:
    """Seconds the edge keeps response, or None when it must not be stored (BYPASS)."""
    if response.status not in DEFAULT_TTLS:
        return None
    rule_ttl = (settings or {}).get("edge_ttl") or {}
    mode = rule_ttl.get("mode", "respect_origin")
    if mode == "override_origin":
        return int(rule_ttl.get("default", DEFAULT_TTLS[response.status]))
    if response.header("Set-Cookie") is not None:
        return None
    directives = {}
    for part in (response.header("Cache-Control") or "").lower().split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name] = value.strip('"')
    if any(d in directives for d in _FORBIDDING):
        return None
    for name in ("s-maxage", "max-age"):
        if name in directives:
            seconds = int(directives[name]) if directives[name].isdigit() else 0
            return seconds or None
    return None if mode == "bypass_by_default" else DEFAULT_TTLS[response.status]


@dataclass
class _Entry:
    response: Response
    stored_at: float
    expires_at: float


class EdgeCache:
    """Responses by cache key (scheme, host, path and query), with expiry; thread-safe."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def get(self, key: str) -> Response | None:
        """A copy of the fresh stored response with its Age header, or None."""
        with self._lock:
            entry = self._entries.get(key)
            now = self._clock()
            if entry is None or entry.expires_at <= now:
                self._entries.pop(key, None)
                return None
        stored = entry.response
        hit = Response(stored.status, list(stored.headers), stored.body)
        hit.set_header("Age", str(int(now - entry.stored_at)))
        return hit

    def put(self, key: str, response: Response, ttl_s: int) -> None:
        now = self._clock()
        stored = Response(response.status, list(response.headers), response.body)
        with self._lock:
            self._entries[key] = _Entry(stored, now, now + ttl_s)

    def purge(self) -> None:
        """Purge everything (the API's purge_cache with purge_everything)."""
        with self._lock:
            self._entries.clear()

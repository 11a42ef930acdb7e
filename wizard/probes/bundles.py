"""What a site ships to every visitor's browser: its pages, the scripts they load from inside the
sprint's domain, and those scripts' source maps (their `sourcesContent` is the original code).

Everything goes through the net context (scope, timeouts, budget) and is bounded: at most
MAX_SCRIPTS scripts, each read up to MAX_BYTES, so a huge or hostile site cannot run a check long.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from wizard.addresses import in_scope
from wizard.net import NetContext, NetRefused

if TYPE_CHECKING:
    import httpx

MAX_SCRIPTS = 20
MAX_BYTES = 5 * 1024 * 1024
_MAP_COMMENT = re.compile(r"[#@]\s*sourceMappingURL=(\S+)")
_MAP_TAIL = 4096  # the comment sits at the end of the script


@dataclass(frozen=True)
class Shipped:
    """One text a browser receives: `url` names it (a map's source is `map-url#source-name`)."""

    url: str
    text: str


@dataclass
class Shipment:
    files: list[Shipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "url: reason"
    skipped: list[str] = field(default_factory=list)  # scripts outside the scope or over the count
    truncated: list[str] = field(default_factory=list)  # read only up to MAX_BYTES


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src")
        if tag == "script" and src:
            self.srcs.append(src)


def script_urls(html: str, base: str) -> list[str]:
    """The absolute URLs of a page's `<script src>`, in page order."""
    parser = _Scripts()
    parser.feed(html)
    return [urljoin(base, src) for src in parser.srcs]


def source_map_url(script: str, headers: httpx.Headers, base: str) -> str | None:
    """Where a script's source map is: the SourceMap header, else its last sourceMappingURL comment."""
    found = headers.get("sourcemap") or headers.get("x-sourcemap")
    if not found:
        comments = _MAP_COMMENT.findall(script[-_MAP_TAIL:])
        found = comments[-1] if comments else None
    return urljoin(base, found) if found else None


def map_sources(map_text: str, map_url: str) -> list[Shipped]:
    """The original files a source map carries in `sourcesContent`."""
    try:
        doc = json.loads(map_text)
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    names = doc.get("sources") or []
    contents = doc.get("sourcesContent") or []
    return [Shipped(f"{map_url}#{names[i] if i < len(names) else i}", text)
            for i, text in enumerate(contents) if isinstance(text, str)]


def _data_url(url: str) -> str:
    """The text of a `data:` URL (an inline source map)."""
    meta, _, payload = url[5:].partition(",")
    raw = base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)
    return raw.decode("utf-8", "replace")


async def _get(net: NetContext, url: str, out: Shipment) -> tuple[str, httpx.Headers, str] | None:
    """(text, headers, final url) of a GET, redirects followed inside the scope; None on failure."""
    import httpx  # here: a run whose domain does not resolve never loads it

    try:
        async with net.http.stream("GET", url, follow_redirects=True) as response:
            if response.status_code != 200:
                out.errors.append(f"{url}: HTTP {response.status_code}")
                return None
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= MAX_BYTES:
                    out.truncated.append(url)
                    break
            text = bytes(body[:MAX_BYTES]).decode(response.encoding or "utf-8", "replace")
            return text, response.headers, str(response.url)
    except (httpx.HTTPError, NetRefused) as exc:
        out.errors.append(f"{url}: {exc or type(exc).__name__}")
        return None


async def _script_and_map(net: NetContext, url: str, out: Shipment) -> None:
    got = await _get(net, url, out)
    if got is None:
        return
    text, headers, final = got
    out.files.append(Shipped(final, text))
    map_url = source_map_url(text, headers, final)
    if map_url is None:
        return
    if map_url.startswith("data:"):
        out.files += map_sources(_data_url(map_url), f"{final}#inline-map")
    elif in_scope(urlsplit(map_url).hostname or "", net.domain):
        mapped = await _get(net, map_url, out)
        if mapped is not None:
            out.files += map_sources(mapped[0], mapped[2])


async def shipped(net: NetContext, pages: list[str]) -> Shipment:
    """Fetch the pages, their in-scope scripts (at most MAX_SCRIPTS) and the scripts' source maps."""
    out = Shipment()
    fetched = await asyncio.gather(*(_get(net, page, out) for page in pages))
    scripts: list[str] = []
    for got in fetched:
        if got is None:
            continue
        html, _, final = got
        out.files.append(Shipped(final, html))
        for url in script_urls(html, final):
            if url in scripts or url in out.skipped:
                continue
            if not in_scope(urlsplit(url).hostname or "", net.domain) or len(scripts) >= MAX_SCRIPTS:
                out.skipped.append(url)
            else:
                scripts.append(url)
    await asyncio.gather(*(_script_and_map(net, url, out) for url in scripts))
    return out

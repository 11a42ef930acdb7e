"""Mixed content in an HTML page: every http:// URL the page makes a browser load over HTTPS.

Browsers block active mixed content (scripts, stylesheets, frames, form posts) outright, so the
page breaks; passive content (images, CSS background urls) is upgraded or shown with a warning.
The kind decides the severity of the finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

ACTIVE = frozenset({"script", "stylesheet", "iframe", "form"})  # blocked by browsers
_CSS_URL = re.compile(r"""url\(\s*['"]?(http://[^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?(http://[^'")\s;]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Insecure:
    kind: str  # script, stylesheet, iframe, form, image, css-url
    element: str  # where it was found, e.g. `img src`
    url: str

    @property
    def active(self) -> bool:
        return self.kind in ACTIVE


def _http(value: str | None) -> bool:
    return value is not None and value.strip().lower().startswith("http://")


def _css(text: str, element: str) -> list[Insecure]:
    imports = [Insecure("stylesheet", f"{element} @import", u) for u in _CSS_IMPORT.findall(text)]
    imported = {i.url for i in imports}
    urls = [Insecure("css-url", f"{element} url()", u) for u in _CSS_URL.findall(text) if u not in imported]
    return imports + urls


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Insecure] = []
        self._in_style = False

    def _add(self, kind: str, element: str, value: str | None) -> None:
        if value is not None and _http(value):
            self.found.append(Insecure(kind, element, value.strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs}
        if tag == "script":
            self._add("script", "script src", a.get("src"))
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").lower().split():
            self._add("stylesheet", "link href", a.get("href"))
        elif tag == "img":
            self._add("image", "img src", a.get("src"))
            for candidate in (a.get("srcset") or "").split(","):
                self._add("image", "img srcset", (candidate.split() or [""])[0])
        elif tag == "iframe":
            self._add("iframe", "iframe src", a.get("src"))
        elif tag == "form":
            self._add("form", "form action", a.get("action"))
        elif tag == "style":
            self._in_style = True
        style = a.get("style")
        if style:
            self.found.extend(_css(style, f"{tag} style"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(_css(data, "style"))


def insecure_urls(html: str) -> list[Insecure]:
    """Every http:// subresource and form target in the page, in document order."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found

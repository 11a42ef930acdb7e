"""Mixed content is found in every element kind a browser loads, and only over http://."""

from __future__ import annotations

import pytest

from wizard.probes.html import insecure_urls


@pytest.mark.parametrize(("html", "kind", "element", "active"), [
    ('<script src="http://cdn.example/a.js"></script>', "script", "script src", True),
    ('<link rel="stylesheet" href="http://cdn.example/a.css">', "stylesheet", "link href", True),
    ('<img src="http://cdn.example/a.png">', "image", "img src", False),
    ('<img srcset="/a.png 1x, http://cdn.example/a@2x.png 2x">', "image", "img srcset", False),
    ('<iframe src="http://video.example/embed"></iframe>', "iframe", "iframe src", True),
    ('<form action="http://acme.example/login" method="post"></form>', "form", "form action", True),
    ('<div style="background: url(\'http://cdn.example/bg.png\')"></div>', "css-url", "div style url()", False),
    ("<style>body { background: url(http://cdn.example/bg.png) }</style>", "css-url", "style url()", False),
    ('<style>@import url("http://cdn.example/more.css");</style>', "stylesheet", "style @import", True),
])
def test_each_element_kind_is_found_with_its_weight(html, kind, element, active):
    [found] = insecure_urls(f"<html><body>{html}</body></html>")
    assert (found.kind, found.element, found.active) == (kind, element, active)
    assert found.url.startswith("http://")


def test_https_relative_and_non_loading_urls_are_not_mixed_content():
    page = ('<script src="https://cdn.example/a.js"></script><script src="/b.js"></script>'
            '<link rel="canonical" href="http://acme.example/"><a href="http://elsewhere.example/">x</a>'
            '<img src="//cdn.example/c.png"><form action="/login"></form>')
    assert insecure_urls(page) == []

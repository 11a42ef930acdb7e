"""The rules-language subset the API accepts and the edge evaluates."""

from __future__ import annotations

import pytest

from wizard.sandbox.expressions import ExpressionError, evaluate, parse

REQUEST = {"http.host": "www.acme.example", "http.request.uri.path": "/blog/post-1"}


@pytest.mark.parametrize(("expression", "value"), [
    ('http.host eq "www.acme.example"', True),
    ('http.host == "acme.example"', False),
    ('http.host in {"acme.example" "www.acme.example"}', True),
    ('(http.host eq "x") or (http.request.uri.path eq "/blog/post-1" and http.host eq "www.acme.example")', True),
    ('http.host eq "www.acme.example" && http.request.uri.path == "/"', False),
    ('concat("https://acme.example", http.request.uri.path)', "https://acme.example/blog/post-1"),
    ('wildcard_replace(http.request.uri.path, "/blog/*", "/news/${1}")', "/news/post-1"),
    ('wildcard_replace(http.request.uri.path, "/shop/*", "/store/${1}")', "/blog/post-1"),
    ('wildcard_replace(http.host, "*.ACME.example", "https://${1}.example.net")', "https://www.example.net"),
    ('wildcard_replace(http.host, "*.ACME.example", "x", "s")', "www.acme.example"),
    ('concat("a\\"b", "")', 'a"b'),
])
def test_evaluate(expression, value):
    assert evaluate(parse(expression), REQUEST) == value


@pytest.mark.parametrize(("expression", "named"), [
    ('http.request.full_uri eq "x"', "http.request.full_uri"),
    ('regex_replace(http.host, "a", "b")', "regex_replace"),
    ('http.host ne "x"', "ne"),
    ('not http.host eq "x"', "not"),
    ('http.host eq 443', "443"),
    ('http.host in {http.host}', "http.host"),
    ('http.host eq "x" extra', "extra"),
    ("", "empty"),
    ('(http.host eq "x"', "end of expression"),
])
def test_refusals_name_the_unsupported_part(expression, named):
    with pytest.raises(ExpressionError, match=named.replace(".", r"\.")):
        parse(expression)

"""What https.security-headers asks of a page and what cf.security-headers adds: only the kinds a
response has none of, never a rewrite of what the app sends."""

from __future__ import annotations

from wizard.security_headers import DEFAULTS, judge, to_add

GOOD = {"x-content-type-options": "nosniff", "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
        "referrer-policy": "strict-origin-when-cross-origin", "permissions-policy": "camera=()"}


def states(headers: dict[str, str]) -> dict[str, str]:
    return {v.kind: v.state for v in judge(headers)}


def test_a_page_with_everything_passes_and_gets_nothing_added():
    assert set(states(GOOD).values()) == {"ok"}  # frame-ancestors stands in for X-Frame-Options
    assert to_add(GOOD) == {}


def test_a_bare_page_gets_all_five_defaults():
    assert set(states({}).values()) == {"missing"}
    assert to_add({}) == DEFAULTS


def test_report_only_counts_and_weak_values_are_the_apps_to_change():
    headers = {"Content-Security-Policy-Report-Only": "default-src 'self'", "X-Frame-Options": "ALLOW-FROM x",
               "Referrer-Policy": "unsafe-url", "X-Content-Type-Options": "sniff-away"}
    found = states(headers)
    assert found["content-security-policy"] == "ok"
    assert found["framing"] == found["referrer-policy"] == found["x-content-type-options"] == "weak"
    assert to_add(headers) == {"permissions-policy": DEFAULTS["permissions-policy"]}  # weak: left alone

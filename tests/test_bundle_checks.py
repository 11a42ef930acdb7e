"""secrets.client-bundle against the demo: the key the sandbox plants in /static/app.js (made at
start-up) is found in the script and in its source map, reported once, and never shown whole."""

from __future__ import annotations

import json

import httpx

from wizard.cli import main
from wizard.probes.bundles import map_sources, script_urls, source_map_url


def test_the_planted_key_is_one_masked_blocker_with_every_url_shipping_it(sprint, sandbox, tmp_path, capsys):
    key = sandbox.origin.planted_key
    out = tmp_path / "report.json"
    code = main(["check", "acme", "--only", "secrets.client-bundle", "--format", "json", "--output", str(out)])
    text = out.read_text(encoding="utf-8")
    assert code == 1
    (finding,) = json.loads(text)["findings"]
    assert finding["status"] == "fail" and finding["severity"] == "blocker"
    assert finding["evidence"]["provider"] == "OpenAI" and finding["evidence"]["preview"] == key[:4] + "…"
    assert any(u.endswith("/static/app.js") for u in finding["evidence"]["urls"])
    assert any(u.endswith("/static/app.js.map#src/assistant.js") for u in finding["evidence"]["urls"])
    assert "rotate" in finding["remediation"].lower()
    for fmt in ("text", "sarif", "junit"):
        main(["check", "acme", "--only", "secrets.*", "--format", fmt])
    printed = capsys.readouterr()
    assert key not in text and key[8:24] not in text
    assert key[8:24] not in printed.out + printed.err


def test_scripts_and_source_maps_are_found_where_browsers_find_them():
    html = '<script src="/a.js"></script><script>inline()</script><script src="https://cdn.example/b.js">'
    assert script_urls(html, "https://acme.example/shop/") == ["https://acme.example/a.js",
                                                              "https://cdn.example/b.js"]
    base = "https://acme.example/static/app.js"
    assert source_map_url("x()\n//# sourceMappingURL=app.js.map", httpx.Headers(), base) \
        == "https://acme.example/static/app.js.map"
    assert source_map_url("x()", httpx.Headers({"SourceMap": "/maps/app.map"}), base) \
        == "https://acme.example/maps/app.map"
    assert source_map_url("x()", httpx.Headers(), base) is None
    sources = map_sources(json.dumps({"sources": ["a.ts", "b.ts"], "sourcesContent": ["A", None]}), "m")
    assert [(s.url, s.text) for s in sources] == [("m#a.ts", "A")]
    assert map_sources("not json", "m") == []

"""Recall of the secret scanner (issue 17, items 5 and 6): the forms real code uses (Go, PHP,
calls, Makefiles, XML across lines, Authorization headers, JDBC and Azure Redis connection
strings, `$` passwords, service-account JSON as an escaped string), the sub-formats of the
providers we cover, providers that share a prefix told apart, and the providers an AI chatbot
SaaS uses. Keys are generated at run time (tests/secret_corpus.py)."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from tests.secret_corpus import ALNUM, HEX, _jwt, planted_forms, planted_keys
from wizard.probes.secrets.base import CONTEXT
from wizard.probes.secrets.engine import scan_text
from wizard.probes.secrets.rules import RULES, RULES_BY_ID


def _s(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        if alphabet != ALNUM or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return value


def _found(text: str, source: str = "src/app.py") -> list[tuple[str, str]]:
    return [(m.rule_id, m.severity) for m in scan_text(text, source)]


@pytest.mark.parametrize("seed", [31, 32, 33, 34, 35])
def test_every_planted_key_is_found_with_its_rule(seed):
    for key in planted_keys(random.Random(seed)):
        hits = [m for m in scan_text("x = 1\n" + key.line + "\n", "src/config.ts")
                if m.fingerprint == key.fingerprint]
        assert [m.rule_id for m in hits] == [key.rule], key.line


def test_forms_that_span_lines_or_need_their_own_file():
    for path, text, planted in planted_forms(random.Random(36)):
        found = {m.fingerprint: m.rule_id for m in scan_text(text, path)}
        assert {p.fingerprint: p.rule for p in planted}.items() <= found.items(), path


def test_every_rule_is_planted_and_says_how_to_rotate():
    planted = {p.rule for p in planted_keys(random.Random(1))}
    planted |= {p.rule for _, _, ps in planted_forms(random.Random(1)) for p in ps}
    assert planted | {"stripe-test-secret", "stripe-publishable"} >= set(RULES_BY_ID)
    for rule in RULES:
        assert rule.rotation.endswith(".") and len(rule.rotation) > 30, rule.id


def test_code_forms_of_a_secret_assignment():
    rng = random.Random(37)
    value = _s(rng, 26)
    for line in (f'var apiToken string = "{value}"', f'apiToken := "{value}"', f"$token .= '{value}';",
                 f'props.setProperty("API_TOKEN", "{value}");', f'os.environ.setdefault("SECRET_KEY", "{value}")',
                 f"API_TOKEN ?= {value}", f"API_TOKEN ::= {value}", f"API_TOKEN := {value}",
                 f'val apiSecret: String = "{value}"', f'const char *auth_token = "{value}";',
                 f'const API_TOKEN: &str = "{value}";', f'var dbPassword []byte = "{value}"',
                 f'<add key="ApiToken" value="{value}" />', f"<password>{value}</password>",
                 f"<password>\n    {value}\n</password>", f'  "password": "{value}",',
                 f"password => '{value}',", f"secret: {value}"):
        assert _found(line + "\n") == [("generic-secret", "can-wait")], line


def test_bearer_tokens_in_curl_lines_and_headers():
    rng = random.Random(38)
    token = _s(rng, 40, HEX)
    for line in (f'curl -H "Authorization: Bearer {token}" https://api.acme.dev/v1/me',
                 f"Authorization: Bearer {token}",
                 f"headers = {{'Authorization': 'Bearer {token}'}}"):
        assert _found(line) == [("bearer-token", "can-wait")], line
    key = "sk-proj-" + _s(rng, 60)
    assert _found(f'-H "Authorization: Bearer {key}"') == [("openai-api-key", "blocker")]
    for line in ('"Authorization": "Bearer " + token', "Authorization: Bearer ${TOKEN}",
                 "Authorization: Bearer <your-token>", "Authorization: Bearer YOUR_ACCESS_TOKEN"):
        assert _found(line) == [], line


def test_connection_strings_and_database_urls():
    rng = random.Random(39)
    password, key = _s(rng, 14), _s(rng, 43, ALNUM + "+/") + "="
    cases = [
        (f"jdbc:sqlserver://db.acme.net:1433;databaseName=app;user=svc;password={password};", "blocker"),
        (f"Server=tcp:acme.database.windows.net,1433;Database=app;User ID=svc;Password={password};", "blocker"),
        (f"jdbc:mysql://db.acme.net:3306/app?user=svc&password={password}", "blocker"),
        (f"acme.redis.cache.windows.net:6380,password={key},ssl=True,abortConnect=False", "blocker"),
        (f"Server=localhost;Database=app;User Id=sa;Password={password};", "info"),
    ]
    for line, severity in cases:
        assert _found(line) == [("connection-string-password", severity)], line
    dollar = "$" + _s(rng, 3, string.ascii_lowercase) + _s(rng, 12)
    assert _found(f'DB = "postgres://app:{dollar}@db.acme.net:5432/app"') == [("database-url", "blocker")]
    for line in ("postgres://app:$DB_PASSWORD@db.acme.net/app", "postgres://app:${DB_PASSWORD}@db/app",
                 "mysql://root:$password@localhost/app", "Password=$(DB_PASSWORD);Server=db",
                 "jdbc:sqlserver://db:1433;user=sa;password={password}", "a;password=Sup3rS3cretValue;b"):
        assert [r for r, _ in _found(line) if r in ("database-url", "connection-string-password")] == [], line


def test_a_service_account_as_an_escaped_string_is_one_finding():
    [(path, text, planted)] = [f for f in planted_forms(random.Random(40)) if f[0] == "src/credentials.py"]
    assert '\\"private_key\\": \\"-----BEGIN PRIVATE KEY-----\\\\n' in text
    matches = scan_text(text, path)
    assert [(m.rule_id, m.fingerprint) for m in matches] == [("gcp-service-account", planted[0].fingerprint)]
    # Without its key id, the escaped PEM key is still found.
    no_id = text.replace("private_key_id", "key_name")
    assert [m.rule_id for m in scan_text(no_id, path)] == ["private-key"]


def test_deepseek_and_openai_share_a_prefix():
    rng = random.Random(41)
    key = "sk-" + _s(rng, 32, HEX)
    assert _found(f"DEEPSEEK_API_KEY={key}\n") == [("deepseek-api-key", "blocker")]
    assert _found(f'OpenAI(api_key="{key}", base_url="https://api.deepseek.com/v1")') == [
        ("deepseek-api-key", "blocker")]
    assert _found(f"OPENAI_API_KEY={key}\nDEEPSEEK_MODEL=deepseek-chat\n") == [("openai-api-key", "blocker")]
    assert _found(f'key = "{key}"') == [("openai-api-key", "blocker")]


def test_clerk_and_stripe_share_sk_live():
    rng = random.Random(42)
    clerk, stripe_old, stripe_new = "sk_live_" + _s(rng, 43), "sk_live_" + _s(rng, 24), "sk_live_" + _s(rng, 99)
    assert _found(f"CLERK_SECRET_KEY={clerk}") == [("clerk-secret-key", "blocker")]
    assert _found(f'key = "{clerk}"') == [("clerk-secret-key", "blocker")]  # Clerk's length
    assert _found(f"CLERK_SECRET_KEY={clerk.replace('_live_', '_test_')}") == [("clerk-secret-key", "can-wait")]
    assert _found(f'STRIPE_SECRET_KEY = "{clerk}"') == [("stripe-live-secret", "blocker")]
    for key in (stripe_old, stripe_new):
        assert _found(f'key = "{key}"') == [("stripe-live-secret", "blocker")]
        assert _found(f"CLERK_SECRET_KEY={key}") == [("stripe-live-secret", "blocker")]  # not Clerk's length


def test_azure_openai_keys_next_to_their_endpoint():
    rng = random.Random(43)
    hex_key, long_key = _s(rng, 32, HEX), _s(rng, 52) + "JQQJ99" + _s(rng, 26)
    endpoint = 'endpoint = "https://acme-eastus.openai.azure.com/"\n'
    assert _found(endpoint + f'api_key = "{hex_key}"') == [("azure-openai-endpoint-key", "blocker")]
    assert _found(endpoint + f'headers = {{"api-key": "{hex_key}"}}') == [("azure-openai-endpoint-key", "blocker")]
    assert _found(f"AZURE_OPENAI_API_KEY={hex_key}") == [("azure-openai-key", "blocker")]
    assert _found(f'api_key = "{hex_key}"') == []  # 32 hex alone is a hash
    assert _found(f'key = "{long_key}"') == [("azure-ai-services-key", "blocker")]


def test_algolia_severity_follows_the_key_name():
    key = _s(random.Random(44), 32, HEX)
    assert _found(f"ALGOLIA_ADMIN_API_KEY={key}") == [("algolia-api-key", "blocker")]
    assert _found(f"NEXT_PUBLIC_ALGOLIA_SEARCH_KEY={key}") == [("algolia-api-key", "info")]
    assert _found(f'algoliasearch("ABCDEF1234", "{key}")') == [("algolia-api-key", "can-wait")]


def test_supabase_keys():
    rng = random.Random(45)
    assert _found(f'SUPABASE_SECRET_KEY="sb_secret_{_s(rng, 31)}"') == [("supabase-secret-key", "blocker")]
    assert _found(f"SUPABASE_ACCESS_TOKEN=sbp_{_s(rng, 40, HEX)}") == [("supabase-access-token", "blocker")]
    demo = _jwt(rng, "service_role").split(".")
    payload = base64.urlsafe_b64encode(json.dumps(
        {"iss": "supabase-demo", "role": "service_role", "exp": 1983812996}).encode()).rstrip(b"=").decode()
    assert _found(f"KEY={demo[0]}.{payload}.{demo[2]}") == [("supabase-jwt", "info")]  # the CLI's local key


def test_sub_formats_of_covered_providers():
    rng = random.Random(46)
    values = {
        "huggingface-token": "api_org_" + _s(rng, 34, string.ascii_letters),
        "slack-token": "xapp-1-A" + _s(rng, 10, string.ascii_uppercase + string.digits) + "-"
                       + _s(rng, 13, string.digits) + "-" + _s(rng, 64, HEX),
        "gitlab-token": "glrt-t3_" + _s(rng, 27),
        "aws-access-key-id": "ABIA" + _s(rng, 16, string.ascii_uppercase + string.digits),
        "cloudflare-origin-ca-key": "v1.0-" + _s(rng, 24, HEX) + "-" + _s(rng, 146, HEX),
        "cloudflare-scannable-token": "cfk_" + _s(rng, 46),
    }
    for rule, value in values.items():
        assert _found(f'X = "{value}"') == [(rule, "blocker")], rule
    assert _found(f"CF_API_KEY={_s(rng, 37, HEX)}") == [("cloudflare-global-api-key", "blocker")]
    for kind in ("workflows", "triggers"):
        url = (f"https://hooks.slack.com/{kind}/T{_s(rng, 8, string.ascii_uppercase)}/"
               + (f"A{_s(rng, 10, string.ascii_uppercase)}/" if kind == "workflows" else "")
               + f"{_s(rng, 15, string.digits)}/{_s(rng, 32)}")
        assert _found(url) == [("slack-webhook", "blocker")], kind


def test_a_match_depends_only_on_text_near_it():
    """Another module scans big files in overlapping windows: whatever lies further than the
    validators' reach (base.CONTEXT) must not change a match."""
    rng = random.Random(47)
    filler = "".join(f"let v{i} = compute({i});\n" for i in range(800))  # > 8 KiB, no keywords
    assert len(filler) > 2 * CONTEXT
    for key in planted_keys(rng):
        alone = [(m.rule_id, m.severity, m.fingerprint) for m in scan_text(key.line, "src/a.ts")]
        framed = [(m.rule_id, m.severity, m.fingerprint)
                  for m in scan_text(filler + key.line + "\n" + filler, "src/a.ts")]
        assert framed == alone, key.rule
    firebase = "AIza" + _s(rng, 35)
    far = 'const firebaseConfig = {authDomain: "x.firebaseapp.com"};\n' + filler + f'apiKey = "{firebase}"'
    assert _found(far) == [("google-api-key", "blocker")]
    deepseek = "sk-" + _s(rng, 32, HEX)
    assert _found("DEEPSEEK_BASE_URL=https://api.deepseek.com\n" + filler + f"KEY={deepseek}") == [
        ("openai-api-key", "blocker")]

"""Precision of the secret scanner (issue 17, item 4): documented example keys, placeholders in
example env files and docs, dummies, and path-, URL- or ARN-like values are not reported, on a
synthetic vendored AWS-SDK docs folder, a quickstart with its .env.example (tests/data/secrets)
and a generated minified bundle full of /api/... path strings. Real-looking keys generated at
run time are still found in the same files."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from tests.secret_corpus import EXAMPLE_DECOYS, GENERIC_DECOYS, planted_keys
from wizard.probes.secrets.engine import scan_text
from wizard.probes.secrets.placeholders import PUBLISHED_EXAMPLES, is_doc_source, looks_dummy

DATA = Path(__file__).parent / "data" / "secrets"
FIXTURES = sorted(p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md")


def _describe(matches) -> list[tuple[str, int, str, str]]:
    return [(m.source, m.line, m.rule_id, m.severity) for m in matches]


@pytest.mark.parametrize("prefix", ["vendor/", "node_modules/@acme/sdk/", ""])
def test_vendored_sdk_docs_and_quickstart_report_nothing(prefix):
    """AWS's EXAMPLE pair, ARNs, pagination tokens, paths, placeholders: no match at all, wherever
    the folder is vendored (the JSON examples and the JS source are not doc files by name)."""
    assert len(FIXTURES) >= 6
    found = []
    for path in FIXTURES:
        source = prefix + path.relative_to(DATA).as_posix()
        found += scan_text(path.read_text(), source)
    assert _describe(found) == []


def test_the_fixtures_hold_what_used_to_be_reported():
    """The fixture is not empty of candidates: the example keys, ARNs and tokens are there."""
    text = "\n".join(p.read_text() for p in FIXTURES)
    for needle in ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                   "arn:aws:secretsmanager:", "NextToken", "StartingToken", "/latest/api/token",
                   "sk_live_1234567890", "ghp_aBcDeFgHiJ", "AKIAXXXXXXXXXXXXXXXX"):
        assert needle in text


def test_a_real_key_pasted_into_docs_is_still_found():
    """Docs are judged more strictly for dummies, never skipped: a random key in a README, a
    .env.example or a vendored doc is a leak."""
    rng = random.Random(21)
    keys = planted_keys(rng)
    for name in ("README.md", ".env.example", "docs/setup.rst", "vendor/aws-sdk-docs/docs/credentials.md"):
        text = (DATA / "aws-sdk-docs" / "docs" / "credentials.md").read_text()
        body = text + "\n" + "\n".join(k.line for k in keys) + "\n"
        found = {m.fingerprint: m.rule_id for m in scan_text(body, name)}
        missed = [k.rule for k in keys if found.get(k.fingerprint) != k.rule]
        assert len(missed) <= 1, (name, missed)  # strict dummy checks drop ~1 in 1,000 random keys


@pytest.mark.parametrize("source", ["src/app.ts", "README.md", ".env.example"])
def test_example_and_generic_decoys_report_nothing(source):
    for _value, line in EXAMPLE_DECOYS + GENERIC_DECOYS:
        assert _describe(scan_text(line + "\n", source)) == [], line


def _path_bundle(rng: random.Random, size: int, keys) -> str:
    """A minified bundle whose strings are routes and URLs under secret-looking names, as a
    real app's client bundle holds them, with `keys` planted far apart."""
    names = ["tokenUrl", "tokenEndpoint", "refreshTokenPath", "secretsPath", "apiKeyRoute",
             "passwordResetUrl", "authTokenUri", "credentialsEndpoint", "apiSecretPage", "token",
             "secret", "apiKey", "password"]
    words = ["auth", "token", "refresh", "users", "me", "secrets", "keys", "rotate", "password",
             "reset", "confirm", "sessions", "oauth", "callback", "settings", "api-keys", "billing"]
    chunks: list[str] = []
    total, planted, step = 0, iter(keys), size // (len(keys) + 1)
    next_plant = step
    while total < size:
        version = rng.choice(["v1", "v2", "v3", "2024-06-01"])
        path = "/".join(rng.sample(words, rng.randint(2, 4)))
        value = rng.choice([f"/api/{version}/{path}", f"/api/{path}/{rng.randint(2, 99)}",
                            f"https://api.acme{rng.randint(1, 9)}.dev/{version}/{path}",
                            f"//cdn.acme.dev/assets/{path}.{rng.randint(10, 99)}.js",
                            f"./chunks/{path.replace('/', '-')}.{rng.randint(1000, 9999)}.mjs",
                            f"{path.replace('/', '.')}.v{rng.randint(2, 9)}"])
        piece = (f'{rng.choice(names)}:"{value}",e.{rng.choice(names)}=function(t){{return '
                 f'fetch("{value}",{{headers:{{Authorization:"Bearer "+t}}}})}};')
        chunks.append(piece)
        total += len(piece)
        if total >= next_plant and (key := next(planted, None)) is not None:
            chunks.append(key.line.replace("\n", ";") + ";")
            next_plant += step
    chunks.extend(key.line + ";" for key in planted)
    return "".join(chunks)


def test_minified_bundle_of_paths_reports_only_the_planted_keys():
    rng = random.Random(13)
    keys = planted_keys(rng)
    bundle = _path_bundle(rng, 1_200_000, keys)
    assert bundle.count('"/api/') > 2000
    matches = scan_text(bundle, "static/js/main.4f3a2b1c.js")
    planted = {k.fingerprint for k in keys}
    extra = [(m.rule_id, m.severity, m.preview) for m in matches if m.fingerprint not in planted]
    assert extra == []
    found = {m.fingerprint for m in matches}
    assert [k.rule for k in keys if k.fingerprint not in found] == []


def test_firebase_web_config_is_info_not_a_gemini_blocker():
    rng = random.Random(4)
    key = "AIza" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(35))
    config = ('import { initializeApp } from "firebase/app";\nconst firebaseConfig = {\n'
              f'  apiKey: "{key}",\n  authDomain: "acme-chat.firebaseapp.com",\n'
              '  projectId: "acme-chat",\n  messagingSenderId: "123456789012",\n};\n'
              "initializeApp(firebaseConfig);\n")
    minified = f'initializeApp({{apiKey:"{key}",authDomain:"acme-chat.firebaseapp.com",projectId:"acme-chat"}})'
    env = f"NEXT_PUBLIC_FIREBASE_API_KEY={key}\n"
    for text in (config, minified, env):
        [match] = scan_text(text, "src/firebase.ts")
        assert (match.rule_id, match.provider, match.severity) == (
            "firebase-web-api-key", "Firebase (web config)", "info")
    gemini = f'const genAI = new GoogleGenerativeAI("{key}");\nconst GEMINI_API_KEY = "{key}";\n'
    assert {(m.rule_id, m.severity) for m in scan_text(gemini, "src/ai.ts")} == {("google-api-key", "blocker")}


def test_structural_dummies_in_any_case():
    for dummy in ("AKIAXXXXXXXXXXXXXXXX", "AKIAxxxxxxxxxxxxxxxx", "ghp_" + "X" * 36, "glpat-" + "x" * 20,
                  "xoxp-1234567890", "xoxb-" + "0" * 11 + "-" + "0" * 12 + "-" + "x" * 24,
                  "AIza" + "a" * 35, "AIzaSyabcdefghijklmnopqrstuvwxyz0123456", "sk-" + "Xx" * 24,
                  "sk_live_ABCDEFGHIJKLMNOPQRSTUVWX", "sk-abc123abc123abc123abc123abc123abc123abc123",
                  "npm_" + "9876543210" * 3 + "abcdef"):
        assert scan_text(f'KEY = "{dummy}"\n', "src/config.py") == [], dummy
    assert all(looks_dummy(v) for v in PUBLISHED_EXAMPLES if "EXAMPLE" in v)


def test_doc_sources():
    for source in ("README.md", "docs/setup.txt", "vendor/x/docs/api.html", ".env.example",
                   "config/.env.sample", "examples/app.py", "abc1234:docs/guide.rst",
                   "CHANGELOG", "deploy/.env.production.example", "https://acme.dev/docs/keys.html"):
        assert is_doc_source(source), source
    for source in (".env", "src/app.py", "static/js/main.js", "docsite.py", ".env.local", "api.py",
                   "install.sh", "src/readme_parser.py", "https://acme.dev/static/app.js"):
        assert not is_doc_source(source), source


def test_doc_example_shapes_seen_in_real_sdk_docs():
    """Forms found in awscli/botocore docs: a PEM body cut with `...` or marked EXAMPLE, a key
    id inside a presigned URL, a secret on a line marked EXAMPLE, a name inside an ARN or a
    namespaced type."""
    rng = random.Random(22)
    alnum = string.ascii_letters + string.digits
    body = "".join(rng.choice(alnum) for _ in range(60))
    truncated = f'"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow{body}...fvY4+te\\n-----END RSA PRIVATE KEY-----"'
    marked = f'"privateKey": "-----BEGIN RSA PRIVATE KEY-----\\nEXAMPLE{body}\\n-----END RSA PRIVATE KEY-----"'
    secret = "".join(rng.choice(alnum + "+/") for _ in range(43)) + "="
    on_example_line = f'--credential "AccessKeyId=ABCDE12345670EXAMPLE, RawSecretAccessKey={secret}"'
    for text in (truncated, marked, on_example_line,
                 '"SecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:secretName-1234f"',
                 '"AWS::SecretsManager::Secret": "ea029b329dc57364"',
                 '"ChangeToken": "12cs345-67cd-890b-1cd2-c3a4567d89f1"'):
        assert _describe(scan_text(text, "awscli/examples/kms/create-custom-key-store.rst")) == [], text
    # The same secret outside documentation is reported: EXAMPLE on its line says nothing there.
    assert [m.rule_id for m in scan_text(on_example_line, "deploy/keystore.sh")] == ["generic-secret"]
    key_id = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    url = f"https://b.s3.amazonaws.com/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={key_id}%2F20190814%2Fus-west-2"
    assert [(m.rule_id, m.severity) for m in scan_text(url, "src/app.py")] == [("aws-access-key-id", "info")]
    assert [(m.rule_id, m.severity) for m in scan_text(f"AWS_ACCESS_KEY_ID={key_id}", "src/app.py")] == [
        ("aws-access-key-id", "blocker")]

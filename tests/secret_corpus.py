"""A labelled corpus for the secret scanner, generated at run time: random keys of every rule in
the right format (never literals in our repository), planted in a git repository (files, history
only, .env, a NEXT_PUBLIC_ variable, a localStorage token) and in a minified bundle, with decoys.
"""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from wizard.probes.secrets.engine import fingerprint

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Planted:
    rule: str
    value: str  # the secret as the rule's `secret` group captures it
    line: str  # the line planted (holds the value)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.value)


@dataclass
class Corpus:
    root: Path
    head: list[Planted] = field(default_factory=list)  # in the working tree
    history: list[Planted] = field(default_factory=list)  # committed, then deleted
    decoys: list[str] = field(default_factory=list)  # values that must not be blockers
    bundle: Path | None = None
    bundle_keys: list[Planted] = field(default_factory=list)

    def all_values(self) -> list[str]:
        return [p.value for p in self.head + self.history + self.bundle_keys]


def _jwt(rng: random.Random, role: str) -> str:
    def enc(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    payload = {"iss": "supabase", "ref": _s(rng, 20, string.ascii_lowercase), "role": role,
               "iat": 1700000000, "exp": 2000000000}
    return enc({"alg": "HS256", "typ": "JWT"}) + "." + enc(payload) + "." + _s(rng, 43)


def _s(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        if alphabet != ALNUM or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return value


def planted_keys(rng: random.Random) -> list[Planted]:
    """One key per rule (two for OpenAI and GitHub), each on its own line."""
    s = lambda n, a=ALNUM: _s(rng, n, a)  # noqa: E731
    keys = {
        "openai-api-key": ["sk-proj-" + s(120, ALNUM + "_-").replace("-", "x"), "sk-" + s(48)],
        "anthropic-api-key": ["sk-ant-api03-" + s(93, ALNUM + "_-").replace("-", "x") + "AA"],
        "google-api-key": ["AIza" + s(35)],
        "groq-api-key": ["gsk_" + s(52)],
        "huggingface-token": ["hf_" + s(34, string.ascii_letters)],
        "replicate-api-token": ["r8_" + s(37)],
        "openrouter-api-key": ["sk-or-v1-" + s(64, HEX)],
        "stripe-live-secret": ["sk_live_" + s(24), "rk_live_" + s(24)],
        "aws-access-key-id": ["AKIA" + s(16, UPPER)],
        "github-token": ["ghp_" + s(36), "github_pat_" + s(22) + "_" + s(59)],
        "gitlab-token": ["glpat-" + s(20)],
        "slack-token": ["xoxb-" + s(12, string.digits) + "-" + s(24)],
        "supabase-jwt": [_jwt(rng, "service_role")],
        "twilio-api-key": ["SK" + s(32, HEX)],
        "sendgrid-api-key": ["SG." + s(22) + "." + s(43)],
    }
    planted = [Planted(rule, value, f'const {rule.replace("-", "_")}_{i} = "{value}";')
               for rule, values in keys.items() for i, value in enumerate(values)]
    aws_secret = s(40, ALNUM + "/+")
    planted.append(Planted("aws-secret-access-key", aws_secret,
                           f"aws_secret_access_key = {aws_secret}"))
    webhook = f"T{s(8, UPPER)}/B{s(8, UPPER)}/{s(24)}"
    planted.append(Planted("slack-webhook", webhook,
                           f'SLACK_WEBHOOK = "https://hooks.slack.com/services/{webhook}"'))
    twilio = s(32, HEX)
    planted.append(Planted("twilio-auth-token", twilio,
                           f'TWILIO_ACCOUNT_SID = "AC{s(32, HEX)}"; TWILIO_AUTH_TOKEN = "{twilio}"'))
    cloudflare = s(40, ALNUM + "_-")
    planted.append(Planted("cloudflare-api-token", cloudflare, f"CLOUDFLARE_API_TOKEN={cloudflare}"))
    password = s(20)
    planted.append(Planted("database-url", password,
                           f'DATABASE_URL = "postgres://app:{password}@db.internal.net:5432/app"'))
    mongo = s(18)
    planted.append(Planted("database-url", mongo,
                           f'MONGO = "mongodb+srv://svc:{mongo}@cluster0.mongodb.net/app"'))
    generic = s(24)
    planted.append(Planted("generic-secret", generic, f'MISTRAL_API_KEY = "{generic}"'))
    return planted


def pem_key(rng: random.Random) -> tuple[str, str]:
    """(file text, first base64 line): the PEM private-key rule's secret is that line."""
    lines = [_s(rng, 64, ALNUM + "+/") for _ in range(12)]
    head = "-----BEGIN " + "RSA PRIVATE KEY-----"
    return "\n".join([head, *lines, "-----END " + "RSA PRIVATE KEY-----", ""]), lines[0]


def gcp_json(rng: random.Random) -> tuple[str, str]:
    key_id = _s(rng, 40, HEX)
    pem, _ = pem_key(rng)
    data = {"type": "service_account", "project_id": "acme-prod", "private_key_id": key_id,
            "private_key": pem, "client_email": "bot@acme-prod.iam.gserviceaccount.com"}
    return json.dumps(data, indent=2), key_id


def decoy_lines(rng: random.Random) -> list[tuple[str, str]]:
    """(value, line): UUIDs, hashes, test and publishable keys, placeholders, anon JWT, local db."""
    s = lambda n, a=ALNUM: _s(rng, n, a)  # noqa: E731
    uuid = "-".join(s(n, HEX) for n in (8, 4, 4, 4, 12))
    values = [
        (uuid, f'session_token = "{uuid}"'),
        (s(64, HEX), 'checksum_secret = "{}"'),
        (s(40, HEX), 'commit_token = "{}"'),
        (s(32, HEX), 'etag_key = "{}"'),
        ("sk_test_" + s(24), 'STRIPE_TEST = "{}"'),
        ("pk_live_" + s(24), 'STRIPE_PUBLISHABLE = "{}"'),
        (_jwt(rng, "anon"), 'SUPABASE_ANON_KEY = "{}"'),
        ("changeme-changeme-123", 'password = "{}"'),
        ("your_api_key_here_1234", 'api_key = "{}"'),
        ("xxxxxxxxxxxxxxxxxxxxxxxx", 'OPENAI_API_KEY = "{}"'),
        ("postgres", 'LOCAL_DB = "postgres://postgres:postgres@localhost:5432/dev"'),
        ("this.props.password", "password = this.props.password;"),
    ]
    return [(value, line.format(value) if "{}" in line else line) for value, line in values]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Corpus", "-c", "user.email=corpus@example.invalid",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=root, check=True, capture_output=True, text=True, timeout=60).stdout


def build_repo(root: Path, seed: int = 7) -> Corpus:
    """A git repository with every rule's key in HEAD, another full set in history only, a
    committed .env, a NEXT_PUBLIC_ secret, a localStorage token, and decoys."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    git(root, "init", "-q")
    # History only: a full set, committed then deleted.
    old = planted_keys(rng)
    (root / "old_config.py").write_text("\n".join(p.line for p in old) + "\n")
    pem, pem_secret = pem_key(rng)
    (root / "old_deploy_key.pem").write_text(pem)
    corpus.history = [*old, Planted("private-key", pem_secret, "")]
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "add config")
    git(root, "rm", "-q", "old_config.py", "old_deploy_key.pem")
    git(root, "commit", "-q", "-m", "remove config")
    # HEAD.
    new = planted_keys(rng)
    src = root / "src"
    src.mkdir()
    (src / "config.ts").write_text("// settings\n" + "\n".join(p.line for p in new) + "\n")
    pem, pem_secret = pem_key(rng)
    (root / "deploy_key.pem").write_text(pem)
    sa, key_id = gcp_json(rng)
    (root / "service-account.json").write_text(sa)
    corpus.head = [*new, Planted("private-key", pem_secret, ""),
                   Planted("gcp-service-account", key_id, "")]
    env_key = "sk-" + _s(rng, 48)
    (root / ".env").write_text(f"OPENAI_API_KEY={env_key}\nDEBUG=1\n")
    (root / ".env.production").write_text("NODE_ENV=production\n")  # no secret: still committed
    (root / ".env.example").write_text("OPENAI_API_KEY=\n")
    corpus.head.append(Planted("openai-api-key", env_key, ""))
    public = "sk-" + _s(rng, 48)
    named = _s(rng, 32)
    (root / ".env.local").write_text(f"NEXT_PUBLIC_OPENAI_KEY={public}\n"
                                     f"VITE_ADMIN_TOKEN={named}\n"
                                     "NEXT_PUBLIC_SUPABASE_URL=https://abc.supabase.co\n")
    corpus.head.append(Planted("openai-api-key", public, ""))
    (src / "auth.js").write_text(
        "export function save(t) {\n  localStorage.setItem('access_token', t);\n"
        "  sessionStorage.setItem(\"theme\", 'dark');\n}\n")
    decoys = decoy_lines(rng)
    corpus.decoys = [value for value, _ in decoys]
    (src / "decoys.py").write_text("\n".join(line for _, line in decoys) + "\n")
    allowed_key = "ghp_" + _s(rng, 36)
    (src / "fixture.py").write_text(f'TOKEN = "{allowed_key}"  # launch-ready: allow\n')
    (root / "logo.png").write_bytes(b"\x89PNG\0\0" + env_key.encode())  # binary: skipped
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "app")
    corpus.named_public = named  # type: ignore[attr-defined]
    return corpus


def build_bundle(path: Path, seed: int = 11, size: int = 3_500_000) -> list[Planted]:
    """A minified ~3.5 MB bundle (one long line of plausible JS) with a full key set planted."""
    rng = random.Random(seed)
    keys = planted_keys(rng)
    words = ["function", "return", "var", "const", "token", "key", "auth", "user", "props",
             "state", "fetch", "headers", "Authorization", "Bearer", "apiKey", "secret", "e", "t",
             "n", "r", "this", "null", "undefined", "JSON", "parse", "window", "document"]
    chunks: list[str] = []
    total = 0
    step = size // (len(keys) + 1)
    next_plant = step
    planted = iter(keys)
    while total < size:
        a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
        n = rng.randint(0, 99999)
        piece = (f"{a}.{b}=function({c[0]}){{return {c}[{n}]||{a}.{b}({c[0]},{n})}};"
                 f'var _{n}="{_s(rng, 8, string.ascii_lowercase)}";')
        chunks.append(piece)
        total += len(piece)
        if total >= next_plant:
            key = next(planted, None)
            if key is not None:
                chunks.append(key.line.replace("\n", ";") + ";")
            next_plant += step
    for key in planted:
        chunks.append(key.line + ";")
    path.write_text("".join(chunks))
    return keys

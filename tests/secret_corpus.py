"""A labelled corpus for the secret scanner, generated at run time: random keys of every rule in
the right format (never literals in our repository), planted in a git repository (files, history
only, .env, a NEXT_PUBLIC_ variable, a localStorage token, forms that span lines) and in a minified
bundle, with decoys (documented example keys and dummies are literals: they are published or
made up, and never valid).
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


def _b64(data: dict, urlsafe: bool = False) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return (base64.urlsafe_b64encode(raw).rstrip(b"=") if urlsafe else base64.b64encode(raw)).decode()


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + _s(rng, n - 1, string.digits)


def planted_keys(rng: random.Random) -> list[Planted]:
    """One key per rule and form (several for providers with several formats), each on its own
    line: `const <rule>_<i> = "<key>";` unless the rule needs a name, an endpoint or a form of
    its own around the key."""
    s = lambda n, a=ALNUM: _s(rng, n, a)  # noqa: E731
    discord_id = base64.b64encode(_digits(rng, 18).encode()).decode().rstrip("=")
    keys = {
        "openai-api-key": ["sk-proj-" + s(120, ALNUM + "_-").replace("-", "x"), "sk-" + s(48)],
        "deepseek-api-key": ["sk-" + s(32, HEX)],
        "anthropic-api-key": ["sk-ant-api03-" + s(93, ALNUM + "_-").replace("-", "x") + "AA"],
        "google-api-key": ["AIza" + s(35)],
        "groq-api-key": ["gsk_" + s(52)],
        "huggingface-token": ["hf_" + s(34, string.ascii_letters), "api_org_" + s(34, string.ascii_letters)],
        "replicate-api-token": ["r8_" + s(37)],
        "openrouter-api-key": ["sk-or-v1-" + s(64, HEX)],
        "azure-ai-services-key": [s(52) + "JQQJ99" + s(26)],
        "langsmith-api-key": ["lsv2_pt_" + s(32, HEX) + "_" + s(10, HEX), "lsv2_sk_" + s(32, HEX) + "_" + s(10, HEX)],
        "pinecone-api-key": ["pcsk_" + s(6) + "_" + s(63)],
        "stripe-live-secret": ["sk_live_" + s(24), "rk_live_" + s(24)],
        "clerk-secret-key": ["sk_live_" + s(43)],
        "square-token": ["EAAA" + s(60, ALNUM + "_-"), "sq0csp-" + s(43, ALNUM + "_-")],
        "shopify-token": ["shpat_" + s(32, HEX), "shpss_" + s(32, HEX), "shpca_" + s(32, HEX),
                          "shppa_" + s(32, HEX)],
        "aws-access-key-id": ["AKIA" + s(16, UPPER), "ABIA" + s(16, UPPER), "ACCA" + s(16, UPPER)],
        "cloudflare-scannable-token": ["cfut_" + s(46), "cfat_" + s(46), "cfk_" + s(46)],
        "cloudflare-origin-ca-key": ["v1.0-" + s(24, HEX) + "-" + s(146, HEX)],
        "digitalocean-token": ["dop_v1_" + s(64, HEX), "doo_v1_" + s(64, HEX), "dor_v1_" + s(64, HEX)],
        "vercel-token": ["vcp_" + s(40), "vck_" + s(40)],
        "netlify-token": ["nfp_" + s(36)],
        "supabase-jwt": [_jwt(rng, "service_role")],
        "supabase-secret-key": ["sb_secret_" + s(31, ALNUM + "_-").replace("-", "x")],
        "supabase-access-token": ["sbp_" + s(40, HEX)],
        "github-token": ["ghp_" + s(36), "github_pat_" + s(22) + "_" + s(59)],
        "gitlab-token": ["glpat-" + s(20), "glrt-t1_" + s(27), "glptt-" + s(40, HEX), "gloas-" + s(64),
                         "gldt-" + s(20), "glft-" + s(20), "glsoat-" + s(20), "glcbt-" + s(5) + "_" + s(20)],
        "npm-token": ["npm_" + s(36)],
        "pypi-token": ["pypi-AgEIcHlwaS5vcmc" + s(70, ALNUM + "_-").replace("-", "x")],
        "sentry-token": ["sntrys_" + _b64({"iat": 1747812640.6, "url": "https://sentry.io",
                                           "region_url": "https://us.sentry.io", "org": "acme"})
                         + "_" + s(43, ALNUM + "+/"), "sntryu_" + s(64, HEX)],
        "slack-token": ["xoxb-" + s(12, string.digits) + "-" + s(24),
                        "xapp-1-A" + s(10, UPPER) + "-" + s(13, string.digits) + "-" + s(64, HEX),
                        "xoxe.xoxp-1-" + s(163), "xoxe-1-" + s(146),
                        "xoxs-" + s(10, string.digits) + "-" + s(10, string.digits) + "-" + s(10, HEX)],
        "discord-bot-token": [discord_id + "." + s(6, ALNUM + "_-") + "." + s(38, ALNUM + "_-")],
        "telegram-bot-token": [_digits(rng, 10) + ":AA" + s(33, ALNUM + "_-")],
        "twilio-api-key": ["SK" + s(32, HEX)],
        "sendgrid-api-key": ["SG." + s(22) + "." + s(43)],
        "resend-api-key": ["re_" + s(8) + "_" + s(24)],
        "mailgun-api-key": ["key-" + s(32, string.ascii_lowercase + string.digits)],
        "mapbox-secret-token": ["sk." + _b64({"u": "acme", "a": s(25, string.ascii_lowercase)}, True)
                                + "." + s(22, ALNUM + "_-")],
    }
    planted = [Planted(rule, value, f'const {rule.replace("-", "_")}_{i} = "{value}";')
               for rule, values in keys.items() for i, value in enumerate(values)]

    def add(rule: str, value: str, line: str) -> None:
        assert value in line
        planted.append(Planted(rule, value, line))

    aws_secret = s(40, ALNUM + "/+")
    add("aws-secret-access-key", aws_secret, f"aws_secret_access_key = {aws_secret}")
    for kind in ("services", "workflows", "triggers"):
        path = {"services": f"T{s(8, UPPER)}/B{s(8, UPPER)}/{s(24)}",
                "workflows": f"T{s(8, UPPER)}/A{s(10, UPPER)}/{s(18, string.digits)}/{s(32)}",
                "triggers": f"T{s(8, UPPER)}/{s(13, string.digits)}/{s(32, HEX)}"}[kind]
        scheme = "http" if kind == "services" else "https"
        add("slack-webhook", path, f'SLACK_{kind.upper()} = "{scheme}://hooks.slack.com/{kind}/{path}"')
    twilio = s(32, HEX)
    add("twilio-auth-token", twilio, f'TWILIO_ACCOUNT_SID = "AC{s(32, HEX)}"; TWILIO_AUTH_TOKEN = "{twilio}"')
    cloudflare = s(40, ALNUM + "_-")
    add("cloudflare-api-token", cloudflare, f"CLOUDFLARE_API_TOKEN={cloudflare}")
    global_key = s(37, HEX)
    add("cloudflare-global-api-key", global_key, f'CLOUDFLARE_GLOBAL_API_KEY = "{global_key}"')
    global_key = s(37, HEX)
    add("cloudflare-global-api-key", global_key, f"curl -H 'X-Auth-Key: {global_key}' https://api.cloudflare.com")
    password = s(20)
    add("database-url", password, f'DATABASE_URL = "postgres://app:{password}@db.internal.net:5432/app"')
    mongo = s(18)
    add("database-url", mongo, f'MONGO = "mongodb+srv://svc:{mongo}@cluster0.mongodb.net/app"')
    dollar = "$" + s(3, string.ascii_lowercase) + s(5, string.ascii_uppercase) + s(10)
    add("database-url", dollar, f'PG = "postgresql://app:{dollar}@db.acme.net/app"')
    jdbc = s(16)
    add("connection-string-password", jdbc,
        f"db.url=jdbc:sqlserver://db.acme.net:1433;databaseName=app;user=svc;password={jdbc};encrypt=true")
    redis = s(43, ALNUM + "+/") + "="
    add("connection-string-password", redis,
        f'"Redis": "acme.redis.cache.windows.net:6380,password={redis},ssl=True,abortConnect=False"')
    generic = s(24)
    add("generic-secret", generic, f'MISTRAL_API_KEY = "{generic}"')
    for template in ('var apiToken string = "{}"', "$token .= '{}';", 'System.setProperty("API_TOKEN", "{}");',
                     "DEPLOY_TOKEN ?= {}", "REGISTRY_PASSWORD ::= {}", 'apiSecret: string = "{}";'):
        value = s(28)
        add("generic-secret", value, template.format(value))
    bearer = s(40, HEX)
    add("bearer-token", bearer, f'curl -H "Authorization: Bearer {bearer}" https://api.acme.dev/v1/me')
    add("deepseek-api-key", key := "sk-" + s(32, HEX), f'client = OpenAI(api_key="{key}", base_url="https://api.deepseek.com")')
    add("firebase-web-api-key", key := "AIza" + s(35),
        f'const firebaseConfig = {{apiKey: "{key}", authDomain: "acme-app.firebaseapp.com", projectId: "acme-app"}};')
    add("azure-openai-key", key := s(32, HEX),
        f'AZURE_OPENAI_ENDPOINT = "https://acme.openai.azure.com/"; AZURE_OPENAI_API_KEY = "{key}"')
    add("azure-openai-endpoint-key", key := s(32, HEX),
        f'client = AzureOpenAI(azure_endpoint="https://acme.openai.azure.com/", api_key="{key}")')
    add("pinecone-api-key", key := "-".join(s(n, HEX) for n in (8, 4, 4, 4, 12)), f'PINECONE_API_KEY = "{key}"')
    add("cloudflare-scannable-token", key := "cfut_" + s(46), f"export CF_API_TOKEN={key}")
    add("discord-bot-token", key := base64.b64encode(_digits(rng, 19).encode()).decode().rstrip("=")
        + "." + s(6) + "." + s(27), f'headers = {{"Authorization": "Bot {key}"}}')
    add("telegram-bot-token", key := _digits(rng, 9) + ":AA" + s(33), f'bot = telebot.TeleBot("{key}")')
    add("telegram-bot-token", key := _digits(rng, 10) + ":AA" + s(33),
        f'fetch("https://api.telegram.org/bot{key}/sendMessage")')
    add("postmark-token", key := "-".join(s(n, HEX) for n in (8, 4, 4, 4, 12)), f'POSTMARK_SERVER_TOKEN = "{key}"')
    add("postmark-token", key := "-".join(s(n, HEX) for n in (8, 4, 4, 4, 12)),
        f'curl -H "X-Postmark-Server-Token: {key}" https://api.postmarkapp.com/email')
    add("mailgun-api-key", key := s(32, HEX) + "-" + s(8, HEX) + "-" + s(8, HEX), f'MAILGUN_API_KEY = "{key}"')
    add("algolia-api-key", key := s(32, HEX), f'ALGOLIA_ADMIN_KEY = "{key}"')
    add("clerk-secret-key", key := "sk_test_" + s(43), f"CLERK_SECRET_KEY={key}")
    pem_line = s(64, ALNUM + "+/")
    add("private-key", pem_line, 'SIGNING_KEY = "-----BEGIN PRIVATE KEY-----\\n' + pem_line + '\\n'
        + s(64, ALNUM + "+/") + '\\n-----END PRIVATE KEY-----\\n"')
    return planted


def planted_forms(rng: random.Random) -> list[tuple[str, str, list[Planted]]]:
    """Keys in forms that span lines or need a file of their own: (path, text, planted)."""
    s = lambda n, a=ALNUM: _s(rng, n, a)  # noqa: E731
    xml_password, xml_token = s(22), s(30)
    xml = (f"<configuration>\n  <password>\n    {xml_password}\n  </password>\n"
           f"  <apiToken>{xml_token}</apiToken>\n</configuration>\n")
    pem, pem_first = pem_key(rng)
    key_id = s(40, HEX)
    account = json.dumps({"type": "service_account", "project_id": "acme-prod", "private_key_id": key_id,
                          "private_key": pem.replace("RSA ", ""),
                          "client_email": "bot@acme-prod.iam.gserviceaccount.com"})
    escaped = f"GOOGLE_CREDENTIALS = {json.dumps(account)}\n"  # the JSON as an escaped string
    return [
        ("config/app.xml", xml, [Planted("generic-secret", xml_password, ""),
                                 Planted("generic-secret", xml_token, "")]),
        ("src/credentials.py", escaped, [Planted("gcp-service-account", key_id, "")]),
    ]


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


# Documented example keys and the dummies docs and example files use: never blockers, and (the
# precision tests check) not reported at all. Literal on purpose: published examples and
# placeholders, not keys.
EXAMPLE_DECOYS = [
    ("AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AKIAI44QH8DHBEXAMPLE", '"AccessKeyId": "AKIAI44QH8DHBEXAMPLE",'),
    ("je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", '"SecretAccessKey": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",'),
    ("AKIAXXXXXXXXXXXXXXXX", "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX"),
    ("ghp_" + "x" * 36, "GITHUB_TOKEN=ghp_" + "x" * 36),
    ("ghp_" + "X" * 36, "GITHUB_TOKEN=ghp_" + "X" * 36),
    ("glpat-" + "x" * 20, 'token: "glpat-' + "x" * 20 + '"'),
    ("glpat-" + "X" * 20, "GITLAB_TOKEN=glpat-" + "X" * 20),
    ("xoxb-" + "x" * 11 + "-" + "x" * 12 + "-" + "x" * 24,
     "SLACK_BOT_TOKEN=xoxb-" + "x" * 11 + "-" + "x" * 12 + "-" + "x" * 24),
    ("xoxp-1234567890", 'slack_token = "xoxp-1234567890"'),
    ("xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx",
     "SLACK_TOKEN=xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx"),
    ("AIza" + "a" * 35, 'GOOGLE_API_KEY="AIza' + "a" * 35 + '"'),
    ("AIzaSyabcdefghijklmnopqrstuvwxyz0123456", "GEMINI_API_KEY=AIzaSyabcdefghijklmnopqrstuvwxyz0123456"),
    ("AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
    ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("sk-" + "x" * 48, "OPENAI_API_KEY=sk-" + "x" * 48),
    ("sk-proj-" + "X" * 48, "OPENAI_API_KEY=sk-proj-" + "X" * 48),
    ("sk-0123456789abcdef0123456789abcdef", "DEEPSEEK_API_KEY=sk-0123456789abcdef0123456789abcdef"),
    ("sk_live_1234567890abcdefghijklmn", "STRIPE_SECRET_KEY=sk_live_1234567890abcdefghijklmn"),
    ("sk_live_" + "0" * 24, "STRIPE_SECRET_KEY=sk_live_" + "0" * 24),
    ("SK" + "x" * 32, "TWILIO_API_KEY=SK" + "x" * 32),
    ("SG." + "x" * 22 + "." + "x" * 43, "SENDGRID_API_KEY=SG." + "x" * 22 + "." + "x" * 43),
    ("hf_" + "x" * 34, "HF_TOKEN=hf_" + "x" * 34),
    ("hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"),
    ("re_123456789_abcdefghijklmnopqrstuvwx", "RESEND_API_KEY=re_123456789_abcdefghijklmnopqrstuvwx"),
    ("npm_" + "x" * 36, "//registry.npmjs.org/:_authToken=npm_" + "x" * 36),
    ("T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("key-3ax6xnjp29jd6fds4gc373sgvjxteol0", "curl -s --user 'api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0'"),
    ("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
     "Authorization: Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"),
    ("110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "TELEGRAM_TOKEN=110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'"),
    ("yourpassword", "DATABASE_URL=postgres://user:yourpassword@db.example.com:5432/app"),
    ("$DB_PASSWORD", 'url = "postgres://app:$DB_PASSWORD@db.acme.net/app"'),
    ("password", "jdbc:sqlserver://db.acme.net:1433;databaseName=app;user=sa;password={password};"),
]
# Values the generic rules used to report: paths, URLs, ARNs, namespaced ids, pagination tokens.
GENERIC_DECOYS = [
    ("/api/v1/auth/token/refresh", 'tokenUrl:"/api/v1/auth/token/refresh"'),
    ("/api/v2/users/me/secret-questions", 'secretPath = "/api/v2/users/me/secret-questions"'),
    ("./config/secrets/prod.env2", "SECRETS_FILE=./config/secrets/prod.env2"),
    ("static/js/main.4f3a2b1c.chunk.js", 'tokenScript = "static/js/main.4f3a2b1c.chunk.js"'),
    ("arn", 'SecretId: "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3"'),
    ("s3", "secret_uri = s3://acme-config/secrets/app2.json"),
    ("eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==",
     '"NextToken": "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="'),
    ("AQICAHjRtDsZ8wjoqd3fr6DkOm9HcT0vIUFZkK2S", 'next_page_token = "AQICAHjRtDsZ8wjoqd3fr6DkOm9HcT0vIUFZkK2S"'),
    ("MyTestDatabaseSecret2", '"SecretName": "MyTestDatabaseSecret2"'),
    ("my-app-db-password-v2", 'secret: "my-app-db-password-v2"'),
    ("config.auth.secretKeyBase2", "secret_key = config.auth.secretKeyBase2"),
    ("Microsoft.Azure.KeyVault.Secret2", 'secretType = "Microsoft.Azure.KeyVault.Secret2"'),
]


def decoy_lines(rng: random.Random) -> list[tuple[str, str]]:
    """(value, line): UUIDs, hashes, test and publishable keys, placeholders, anon JWT, local db,
    documented example keys and dummies, paths and other values that only look like secrets."""
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
        *EXAMPLE_DECOYS, *GENERIC_DECOYS,
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
    for path, text, planted in planted_forms(rng):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        corpus.head.extend(planted)
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


JS_WORDS = ("function", "return", "var", "const", "token", "key", "auth", "user", "props", "state",
            "fetch", "headers", "Authorization", "Bearer", "apiKey", "secret", "e", "t", "n", "r",
            "this", "null", "undefined", "JSON", "parse", "window", "document")


def js_piece(rng: random.Random, words) -> str:
    """A statement of plausible minified JS, holding no secret."""
    a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
    n = rng.randint(0, 99999)
    return (f"{a}.{b}=function({c[0]}){{return {c}[{n}]||{a}.{b}({c[0]},{n})}};"
            f'var _{n}="{_s(rng, 8, string.ascii_lowercase)}";')


def build_bundle(path: Path, seed: int = 11, size: int = 3_500_000) -> list[Planted]:
    """A minified ~3.5 MB bundle (one long line of plausible JS) with a full key set planted."""
    rng = random.Random(seed)
    keys = planted_keys(rng)
    chunks: list[str] = []
    total = 0
    step = size // (len(keys) + 1)
    next_plant = step
    planted = iter(keys)
    while total < size:
        piece = js_piece(rng, JS_WORDS)
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


def repo_config(repo: str | None):
    """A starter sprint config whose repo.path is `repo`."""
    from wizard.sprint import SprintConfig

    config = SprintConfig.starter("acme", "acme.example")
    return config.model_copy(update={"repo": config.repo.model_copy(update={"path": repo})})


async def run_repo_checks(config, base_dir: Path):
    """The findings of the repository's secret checks (secrets.*, auth.token-in-local-storage)."""
    from stages.checks.secrets import REPO_CHECKS
    from wizard.engine import RunContext, run_checks
    from wizard.net import NetContext

    async with NetContext(config.network, config.target.domain, base_dir) as net:
        return (await run_checks(list(REPO_CHECKS), RunContext(config, net))).findings

"""What a rule is, and our rules, written from each provider's documented token format.

Mistral (32 characters, no prefix) and Cohere (40 characters, no prefix) keys have no
distinctive format: they are caught by the generic rule when assigned to a name such as
MISTRAL_API_KEY or COHERE_API_KEY, not by a rule of their own.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("blocker", "can-wait", "info")

# Judges a candidate (secret, whole text, secret's start offset): the severity to report, or None
# to drop it. Lets a rule decode a JWT or ask for a nearby account id.
Validator = Callable[[str, str, int], "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    provider: str
    severity: str  # blocker | can-wait | info
    pattern: re.Pattern[str]  # with a named group `secret`
    # Lower-case; every match of `pattern` starts where one of them starts (case-insensitively):
    # the pattern is tried only there.
    keywords: tuple[str, ...]
    rotation: str  # how to rotate the key, one line
    entropy_min: float | None = None  # generic rules: the value's Shannon entropy (bits/char)
    validate: Validator | None = None
    generic: bool = False  # a specific rule wins over a generic one on the same characters

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity {self.severity!r}")
        if "secret" not in self.pattern.groupindex:
            raise ValueError(f"rule {self.id}: the pattern has no group named secret")
        if not self.keywords or any(k != k.lower() for k in self.keywords):
            raise ValueError(f"rule {self.id}: keywords must be lower-case and not empty")


# Not part of a longer token on the left / right. Every pattern starts with one of its rule's
# keywords (see Rule): the engine tries it only there.
_L = r"(?<![A-Za-z0-9_\-])"
_R = r"(?![A-Za-z0-9_\-])"

PLACEHOLDER_WORDS = ("xxxx", "changeme", "change_me", "example", "placeholder", "your_", "your-",
                     "yourkey", "dummy", "redacted", "<", ">", "${", "{{", "process.env",
                     "import.meta", "****", "....", "test_key", "fake", "sample", "insert")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HEX_HASH = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal")


TEMPLATE = re.compile(r"\{[A-Za-z_][\w.]*\}|%\([A-Za-z_]\w*\)s|^\$[A-Za-z_{]")


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS) or TEMPLATE.search(value):
        return True
    return len(set(lowered)) <= 3  # aaaa..., 0000..., ****


def _jwt_payload(token: str) -> dict[str, Any] | None:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _supabase(secret: str, text: str, start: int) -> str | None:
    payload = _jwt_payload(secret)
    if payload is None:
        return None
    role = payload.get("role")
    if role == "service_role":
        return "blocker"
    if role == "anon":
        return "info"
    return None


def _generic(secret: str, text: str, start: int) -> str | None:
    if len(secret) < 16 or UUID.match(secret) or HEX_HASH.match(secret) or is_placeholder(secret):
        return None
    if not (re.search(r"[A-Za-z]", secret) and re.search(r"[0-9]", secret)):
        return None  # words and code (this.props.password), not keys
    if re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?", secret):
        return None  # a dotted expression
    return "can-wait"


def _database(secret: str, text: str, start: int) -> str | None:
    if is_placeholder(secret) or secret.lower() in ("password", "pass", "pwd", "secret", "postgres",
                                                    "root", "admin", "mysql", "redis"):
        return None
    host = text[start + len(secret) + 1:start + len(secret) + 80].lower()
    if host.startswith(LOCAL_HOSTS):
        return "info"  # a local development database
    return "blocker"


def _twilio_token(secret: str, text: str, start: int) -> str | None:
    window = text[max(0, start - 2000):start + 2000]
    if "twilio" in window.lower() or re.search(r"AC[0-9a-f]{32}", window):
        return "blocker"
    return None


def _service_account_near(text: str, start: int) -> bool:
    window = text[max(0, start - 4000):start + 8000]
    return bool(re.search(r'"type"\s*:\s*"service_account"', window)) and '"private_key' in window


def _gcp(secret: str, text: str, start: int) -> str | None:
    return "blocker" if _service_account_near(text, start) else None


def _pem(secret: str, text: str, start: int) -> str | None:
    """The key inside a GCP service-account file is that account's key: reported once, by the
    gcp-service-account rule (whose rotation applies), not twice."""
    return None if _service_account_near(text, start) else "blocker"


def _rule(id: str, provider: str, severity: str, pattern: str, keywords: tuple[str, ...],
          rotation: str, **extra: Any) -> Rule:
    return Rule(id, provider, severity, re.compile(pattern), keywords, rotation, **extra)


# Possessive (`{m,n}+`) where nothing could be given back anyway: a failed match ends sooner.
# Case-insensitivity is scoped to the names (`(?i:...)`); the values' classes spell both cases.
_ASSIGN = r"""["']?\s{0,3}+(?:[:=]|:=|=>)\s{0,3}+["'`]?"""

RULES: tuple[Rule, ...] = (
    _rule("openai-api-key", "OpenAI", "blocker",
          _L + r"(?P<secret>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|[A-Za-z0-9]{32,}))" + _R,
          ("sk-",), "Revoke it at platform.openai.com/api-keys, create a new project key, store it "
          "server-side only."),
    _rule("anthropic-api-key", "Anthropic", "blocker",
          _L + r"(?P<secret>sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,120})" + _R, ("sk-ant-",),
          "Delete it in console.anthropic.com (Settings > API keys) and create a new one."),
    _rule("google-api-key", "Google AI / Gemini", "blocker",
          _L + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + _R, ("aiza",),
          "Delete or regenerate it in Google Cloud console > APIs & Services > Credentials (or AI "
          "Studio); restrict the new key to its APIs and referrers."),
    _rule("groq-api-key", "Groq", "blocker", _L + r"(?P<secret>gsk_[A-Za-z0-9]{52})" + _R,
          ("gsk_",), "Delete it at console.groq.com/keys and create a new one."),
    _rule("huggingface-token", "Hugging Face", "blocker",
          _L + r"(?P<secret>hf_[A-Za-z0-9]{34,40})" + _R, ("hf_",),
          "Invalidate it at huggingface.co/settings/tokens and create a fine-grained token."),
    _rule("replicate-api-token", "Replicate", "blocker",
          _L + r"(?P<secret>r8_[A-Za-z0-9]{37})" + _R, ("r8_",),
          "Disable it at replicate.com/account/api-tokens and create a new one."),
    _rule("openrouter-api-key", "OpenRouter", "blocker",
          _L + r"(?P<secret>sk-or-v1-[0-9a-f]{64})" + _R, ("sk-or-v1-",),
          "Delete it at openrouter.ai/settings/keys and create a new one (set a credit limit)."),
    _rule("stripe-live-secret", "Stripe", "blocker",
          _L + r"(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,})" + _R, ("sk_live_", "rk_live_"),
          "Roll the key in the Stripe dashboard (Developers > API keys > Roll key)."),
    _rule("stripe-test-secret", "Stripe", "info",
          _L + r"(?P<secret>(?:sk|rk)_test_[A-Za-z0-9]{24,})" + _R, ("sk_test_", "rk_test_"),
          "A test-mode key moves no money; roll it in the dashboard if it was shared widely."),
    _rule("stripe-publishable", "Stripe", "info",
          _L + r"(?P<secret>pk_live_[A-Za-z0-9]{24,})" + _R, ("pk_live_",),
          "Publishable keys are public by design; nothing to rotate."),
    _rule("aws-access-key-id", "AWS", "blocker",
          _L + r"(?P<secret>A(?:KIA|SIA)[A-Z0-9]{16})" + _R, ("akia", "asia"),
          "Deactivate and delete the access key in IAM (Security credentials), create a new one, "
          "check CloudTrail for its use."),
    _rule("aws-secret-access-key", "AWS", "blocker",
          r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)" + _ASSIGN
          + r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
          ("secret_access", "secretaccess", "aws_secret", "awssecret"),
          "Deactivate and delete the access key pair in IAM, create a new one, check CloudTrail."),
    _rule("gcp-service-account", "Google Cloud", "blocker",
          r'"private_key_id"\s*:\s*"(?P<secret>[0-9a-f]{40})"', ('"private_key_id"',),
          "Delete the key in IAM > Service accounts > Keys and create a new one (or use workload "
          "identity instead of key files).", validate=_gcp),
    _rule("github-token", "GitHub", "blocker",
          _L + r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,100})" + _R,
          ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
          "Revoke it at github.com/settings/tokens (or the app's settings) and create a new one."),
    _rule("gitlab-token", "GitLab", "blocker", _L + r"(?P<secret>glpat-[A-Za-z0-9_\-]{20,})" + _R,
          ("glpat-",), "Revoke it in GitLab (User settings > Access tokens) and create a new one."),
    _rule("slack-token", "Slack", "blocker",
          _L + r"(?P<secret>xox[abpr]-[0-9A-Za-z\-]{10,})" + _R, ("xox",),
          "Revoke the token at api.slack.com/apps (OAuth & Permissions > revoke) and reinstall."),
    _rule("slack-webhook", "Slack", "blocker",
          r"https://hooks\.slack\.com/services/(?P<secret>T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
          ("https://hooks.slack.com/services/",), "Remove the webhook in the Slack app (Incoming Webhooks) and "
          "create a new URL."),
    _rule("supabase-jwt", "Supabase", "blocker",
          _L + r"(?P<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})" + _R,
          ("eyj",), "Rotate the JWT secret (Project settings > API; or move to the new API keys) and "
          "use the service_role key only on the server.", validate=_supabase),
    _rule("twilio-api-key", "Twilio", "blocker", _L + r"(?P<secret>SK[0-9a-f]{32})" + _R, ("sk",),
          "Delete the API key in the Twilio console (Account > API keys) and create a new one."),
    _rule("twilio-auth-token", "Twilio", "blocker",
          r"(?i:twilio\w{0,20}|auth_?token)" + _ASSIGN + r"(?P<secret>[0-9a-fA-F]{32})(?![0-9a-fA-F])",
          ("twilio", "auth_token", "authtoken"),
          "Rotate the auth token in the Twilio console (Account > API keys & tokens).",
          validate=_twilio_token),
    _rule("sendgrid-api-key", "SendGrid", "blocker",
          _L + r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _R, ("sg.",),
          "Delete it in SendGrid (Settings > API Keys) and create a new restricted key."),
    _rule("cloudflare-api-token", "Cloudflare", "blocker",
          r"(?i:(?:cloudflare|cf)[\w\-]{0,24}(?:token|key))" + _ASSIGN
          + r"(?P<secret>[A-Za-z0-9_\-]{40})(?![A-Za-z0-9_\-])", ("cloudflare", "cf_", "cf-"),
          "Roll or delete the token in the Cloudflare dashboard (My Profile > API Tokens)."),
    _rule("database-url", "Database", "blocker",
          r"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://"
          r"[^:@/\s\"'`]*:(?P<secret>[^@/\s\"'`]{3,200})@[^\s\"'`/]+",
          ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp"),
          "Change the database user's password (or create a new user), update the app's "
          "environment, and restrict network access to the database.", validate=_database),
    _rule("private-key", "Private key (PEM)", "blocker",
          r"-----BEGIN[A-Z ]{0,30} PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|\s)*(?P<secret>[A-Za-z0-9+/=]{32,})",
          ("-----begin",), "Replace the key pair (new key, new certificate or deploy key) and "
          "revoke the old one wherever it is trusted.", validate=_pem),
    _rule("generic-secret", "Unknown (generic)", "can-wait",
          r"(?i:api[_\-]?key|secret|token|passw(?:or)?d|pwd|credentials?|auth[_\-]?key)"
          r"[A-Za-z0-9_\-]{0,30}+" + _ASSIGN + r"(?P<secret>[A-Za-z0-9+/_\-.=~!@#$%^&*]{16,200}+)",
          ("apikey", "api_key", "api-key", "authkey", "auth_key", "auth-key", "secret", "token", "passw",
           "pwd", "credential"),
          "Find the service the value belongs to, rotate it there, and move it to the secret store.",
          entropy_min=3.5, validate=_generic, generic=True),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}

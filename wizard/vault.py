"""Credentials and the redaction of secret values everywhere.

Credentials live in the OS keyring (service `launch-ready`, one entry per sprint and credential
name), else in an environment variable named in the docs (the CI path); there is no plaintext
fallback file. Every secret the vault hands out is registered, and every sink (log files,
reports, screens, error lines) passes text through `redact` before it leaves the process.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import re
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from wizard.errors import EnvironmentProblem

SERVICE = "launch-ready"
MASK = "••••••"


@dataclass(frozen=True)
class CredentialKind:
    name: str
    label: str
    env: str | None  # the environment variable read when the keyring has nothing (CI)


CREDENTIALS: dict[str, CredentialKind] = {
    c.name: c
    for c in (
        CredentialKind("cloudflare-token", "Cloudflare API token", "CLOUDFLARE_API_TOKEN"),
        CredentialKind("alert-webhook", "Alert webhook URL", "LAUNCH_READY_ALERT_WEBHOOK"),
        CredentialKind("user-a", "Test account A (token or password)", "LAUNCH_READY_USER_A"),
        CredentialKind("user-b", "Test account B (token or password)", "LAUNCH_READY_USER_B"),
        CredentialKind("admin", "Test admin account (token or password)", "LAUNCH_READY_ADMIN"),
        CredentialKind("webhook-secret", "Webhook signing secret", "LAUNCH_READY_WEBHOOK_SECRET"),
        CredentialKind("prompt-canary", "System prompt canary", "LAUNCH_READY_PROMPT_CANARY"),
        CredentialKind("smtp-password", "Alert SMTP password", "LAUNCH_READY_SMTP_PASSWORD"),
    )
}

NO_KEYRING = (
    "no usable keyring: install and unlock one (GNOME Keyring or KWallet on Linux; the system "
    "keychain on macOS and Windows), or in CI set the credential's environment variable, e.g. "
    "CLOUDFLARE_API_TOKEN"
)


@dataclass(frozen=True)
class Secret:
    """A credential value and where it came from; its repr never shows the value."""

    value: str
    source: str  # "keyring" or the environment variable's name

    def __repr__(self) -> str:
        return f"Secret({mask(self.value)}, from {self.source})"

    __str__ = __repr__

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(value: str) -> str:
    """The first 4 characters at most (for long values), then the mask: enough to recognise."""
    return (value[:4] if len(value) >= 16 else "") + MASK


def _kind(name: str) -> CredentialKind:
    if name not in CREDENTIALS:
        from wizard.errors import UsageError

        raise UsageError(f"unknown credential {name!r}; known: {', '.join(CREDENTIALS)}")
    return CREDENTIALS[name]


def keyring_usable() -> bool:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


# ---------------------------------------------------------------- the demo's credential agent
# `launch-ready demo` keeps its throw-away credentials in its own memory and answers for them on
# a Unix socket only this user can open, for as long as it serves: a second terminal's
# `check demo` or `apply demo` finds them with nothing copied, and nothing written to a file.

AGENT_SOURCE = "the demo sandbox"


def agent_dir() -> Path:
    """This user's private folder for agent sockets (created 0700 by the agent)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / f"launch-ready-{os.getuid()}"


def agent_socket(root: Path) -> Path:
    """Where a sandbox serving the sprint folder `root` answers (short: sockets have ~100 bytes)."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return agent_dir() / f"{digest}.sock"


def _from_agent(root: Path, name: str) -> str | None:
    """The credential from a live demo agent for this sprint folder, else None (quickly)."""
    path = agent_socket(root)
    try:
        folder = path.parent.stat()
        if folder.st_uid != os.getuid() or folder.st_mode & 0o077:
            return None  # not our private folder: never trust what answers there
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2)
            conn.connect(str(path))
            conn.sendall(json.dumps({"get": name}).encode() + b"\n")
            answer = conn.makefile("rb").readline(64 * 1024)
        value = json.loads(answer).get("value")
    except (OSError, ValueError, AttributeError):
        return None  # no demo serving this sprint (or it just stopped)
    return value if isinstance(value, str) and value else None


class Vault:
    """One sprint's credentials. Reading never fails for want of a keyring (the environment is
    the fallback); storing without one is an environment problem (exit 3). With the sprint's
    folder (`root`), a demo sandbox serving it answers first: its values are the live ones."""

    def __init__(self, sprint_name: str, root: Path | None = None):
        self.sprint = sprint_name
        self.root = root

    def _username(self, name: str) -> str:
        return f"{self.sprint}/{name}"

    def get(self, name: str) -> Secret | None:
        kind = _kind(name)
        value = _from_agent(self.root, name) if self.root is not None else None
        if value:
            register_secret(value)
            return Secret(value, AGENT_SOURCE)
        if keyring_usable():
            import keyring
            import keyring.errors

            try:
                value = keyring.get_password(SERVICE, self._username(name))
            except keyring.errors.KeyringError as exc:
                raise EnvironmentProblem(f"the keyring refused to read {name}: {exc}") from None
            if value:
                register_secret(value)
                return Secret(value, "keyring")
        if kind.env:
            env_value = os.environ.get(kind.env)
            if env_value:
                register_secret(env_value)
                return Secret(env_value, kind.env)
        return None

    def require(self, name: str) -> Secret:
        """The credential, or an error saying what is really missing: with no usable keyring,
        the keyring itself or the environment variable (exit 3); else the entry (exit 2)."""
        secret = self.get(name)
        if secret is not None:
            return secret
        if not keyring_usable():
            raise EnvironmentProblem(self.missing(name))
        from wizard.errors import UsageError

        raise UsageError(self.missing(name))

    def missing(self, name: str) -> str:
        """One line on how to provide a credential that is not there, for this machine."""
        kind = _kind(name)
        if not keyring_usable():
            return (f"no {kind.label} for {self.sprint}, and no usable keyring to keep one in: "
                    "install and unlock one (GNOME Keyring or KWallet on Linux; the system "
                    f"keychain on macOS and Windows), or set {kind.env} in the environment (CI)")
        return (f"no {kind.label} for {self.sprint}: run `launch-ready credentials {self.sprint} "
                f"set {name}`, or set {kind.env} in CI")

    def set(self, name: str, value: str) -> None:
        _kind(name)
        register_secret(value)
        self._keyring_call("store", name, lambda kr: kr.set_password(SERVICE, self._username(name), value))

    def forget(self, name: str) -> bool:
        """Remove a stored credential; False when there was none."""
        import keyring.errors

        _kind(name)
        try:
            self._keyring_call("forget", name,
                               lambda kr: kr.delete_password(SERVICE, self._username(name)))
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    def stored(self) -> dict[str, str]:
        """Credential name -> where it is found ("keyring" or the env variable), names only."""
        found = {}
        for name in CREDENTIALS:
            secret = self.get(name)
            if secret is not None:
                found[name] = secret.source
        return found

    @staticmethod
    def _keyring_call(what: str, name: str, call) -> None:
        if not keyring_usable():
            raise EnvironmentProblem(NO_KEYRING)
        import keyring
        import keyring.errors

        try:
            call(keyring)
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringError as exc:
            raise EnvironmentProblem(f"the keyring refused to {what} {name}: {exc}") from None


# ---------------------------------------------------------------- redaction

_lock = threading.Lock()
_secrets: set[str] = set()

# Credential-looking values in evidence: tokens in URLs and headers of probes.
_PATTERNS = [
    re.compile(r"(?i)(authorization:\s*(?:bearer|basic|token)\s+)[^\s\"',;]+"),
    re.compile(r"(?i)(\"?(?:authorization|x-api-key|x-auth-key|api[-_]?key|cookie|set-cookie)\"?\s*[:=]\s*\"?(?:bearer\s+)?)[^\s\"',;&]{6,}"),
    re.compile(r"(?i)([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature)=)[^&\s\"'#]+"),
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(?=@)"),  # user:password@ in URLs
]


# Screen-share (presentation) mode also hides what is not secret but not for a client's eyes:
# e-mail addresses, Cloudflare account/zone/record ids, IP addresses (the origin's above all).
_PRESENTING = threading.Event()
_SCREEN_PATTERNS = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "•••@•••"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "•••id•••"),
]
_IP_CANDIDATE = re.compile(r"(?<![\w.:])[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*(?![\w.:])")


def _mask_ip(match: re.Match) -> str:
    try:
        ipaddress.ip_address(match.group(0))
    except ValueError:
        return match.group(0)
    return "•.•.•.•"


def set_presenting(on: bool) -> None:
    """Screen-share mode: what is drawn on screen is masked further (see screen_text)."""
    if on:
        _PRESENTING.set()
    else:
        _PRESENTING.clear()


def presenting() -> bool:
    return _PRESENTING.is_set()


def screen_text(text: str) -> str:
    """Text about to be drawn: secrets always masked; more while screen-sharing."""
    text = redact(text)
    if presenting():
        for pattern, replacement in _SCREEN_PATTERNS:
            text = pattern.sub(replacement, text)
        text = _IP_CANDIDATE.sub(_mask_ip, text)
    return text


def redact_data(value, mask_text=None):
    """The same masking applied to every string inside nested dicts and lists (evidence)."""
    mask_text = mask_text or redact
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: redact_data(v, mask_text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, mask_text) for v in value]
    return value


def register_secret(value: str | None) -> None:
    """Remember a secret so it is masked wherever it would be written or shown."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Mask every registered secret, and anything that looks like a credential."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in every log record, arguments and tracebacks included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True

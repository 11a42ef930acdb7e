"""The generic rules: a value assigned to a secret-looking name, and a bearer token in an
Authorization header. They report a value only when it looks like a secret: random (entropy of
the value alone), letters and digits, and not a path, a URL or host, an ARN or other namespaced
id, a dotted or word-joined identifier, a base64-encoded JSON document (pagination tokens), a
UUID or a hash, a placeholder; and not under a name that says the value is not the secret itself
(token_url, secret_name, api_key_id, NextToken, page_token...)."""

from __future__ import annotations

import base64
import binascii
import re

from wizard.probes.secrets.base import NAMED_BRANCHES, Candidate, rule
from wizard.probes.secrets.placeholders import HEX_HASH, UUID, is_placeholder

_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")
_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?")
# A path segment made of words: api, v1, users, main.4f3a2b1c.chunk.js, {id}, getUserToken.
_WORDY = re.compile(r"[a-z0-9]*[a-z]{2,}[a-z0-9]*(?:[._\-][a-z0-9]+)*|[A-Za-z][a-z]+(?:[A-Z][a-z]+)*"
                    r"|v\d+|\d{1,4}|\{[^}]*\}|[a-z]+[_\-][a-z]+")
_HOST = re.compile(r"(?:[a-z0-9\-]+\.)+[a-z]{2,}(?:/\S*)?")
_WORD_PART = re.compile(r"[a-z]{2,}|[A-Z][a-z]+|[A-Z]{2,}|\d{1,4}|[a-z]+\d{1,3}|v\d+")
_WORD_RUN = re.compile(r"[A-Z]?[a-z]{3,}")
_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+\d{0,4}|(?:[A-Z][a-z]+){2,}\d{0,4}")
# Names whose value is about the secret, not the secret (normalised: lower-case, letters and
# digits only): where it is, what it is called, how long it is, how it is checked...
_NOT_THE_SECRET = re.compile(
    r"(?:next|page|continuation|pagination|starting|resume|sync|idempotency|clientrequest|csrf"
    r"|xsrf|cancellation|change|verification|max|min|num|total|refreshafter)(?:token|key)"
    r"|tokeniz|(?:token|key|secret|password|passwd|pwd|credentials?)(?:ids?|names?|arns?|urls?|uris?"
    r"|paths?|endpoints?|files?|dirs?|types?|len|length|size|count|limit|max|min|prefix|suffix"
    r"|fields?|headers?|labels?|hints?|version|policy|ttl|expir\w*|region|kind|format|refs?"
    r"|location|hash|hashed|regex|pattern|envvar|var|placeholder|selector|input|param|query"
    r"|reset|rotation\w*|strength|validator|required|storage|store|provider|source|cache|mask)\d*$")
_NAME_BEFORE = re.compile(r"[A-Za-z0-9_\-.$]{0,40}$")
_KEYISH_JSON = ("private_key", "secret", "password", "api_key", "apikey", "access_key")


def _name(c: Candidate) -> tuple[str, str]:
    """(the whole name the value is assigned to, the character after it). Read here, not
    captured by the pattern: a capture group costs every keyword hit, this only candidates."""
    start = c.match.start()
    before = _NAME_BEFORE.search(c.text[max(0, start - 40):start])
    name = _NAME_RE.match(c.text, start)
    end = name.end() if name else start
    return (before.group(0) if before else "") + c.text[start:end], c.text[end:end + 1]


def not_the_secret(name: str) -> bool:
    return bool(_NOT_THE_SECRET.search(re.sub(r"[^a-z0-9]", "", name.lower())))


def path_like(value: str) -> bool:
    """/api/v1/users, ./config/x, ~/.ssh/id, api/v1/tokens, static/js/main.4f3a.chunk.js."""
    if value.startswith(("/", "./", "../", "~/")):
        return True
    if "/" not in value:
        return False
    parts = [p for p in value.split("/") if p]
    return len(parts) >= 2 and all(_WORDY.fullmatch(p) for p in parts)


def wordy(value: str) -> bool:
    """Three quarters of it in words of 3+ small letters (ConfigPipelinesR2TableCredentials,
    standard_b64encode): a name, not a random value (a random 16-character value is this wordy
    about once in 200, a 24-character one once in 1,000)."""
    runs = _WORD_RUN.findall(value)
    return len(runs) >= 2 and sum(map(len, runs)) >= 0.75 * len(value)


def identifier_like(value: str) -> bool:
    """A dotted expression, a host, a camelCase name, words joined by - _ . (my-app-secret-v2),
    or mostly words."""
    if _DOTTED.fullmatch(value) or _HOST.fullmatch(value) or _CAMEL.fullmatch(value) or wordy(value):
        return True
    parts = [p for p in re.split(r"[-_.]+", value) if p]
    return len(parts) >= 2 and all(_WORD_PART.fullmatch(p) for p in parts)


def encoded_json(value: str) -> bool:
    """base64 of a JSON object (a pagination or state token), not holding a key."""
    if not value.startswith("eyJ") or "." in value:
        return False
    head = value[:len(value) // 4 * 4]
    try:
        data = base64.b64decode(head, altchars=b"-_")
    except (binascii.Error, ValueError):
        return False
    text = data.decode("utf-8", "replace").lower()
    return text.startswith("{") and not any(word in text for word in _KEYISH_JSON)


def looks_secret(value: str) -> bool:
    """The value-only judgement of the generic rules."""
    if len(value) < 16 or UUID.match(value) or HEX_HASH.match(value) or is_placeholder(value):
        return False
    if not (_LETTER.search(value) and _DIGIT.search(value)):
        return False  # words and code (this.props.password), not keys
    return not (path_like(value) or identifier_like(value) or encoded_json(value))


def _generic(c: Candidate) -> str | None:
    if c.text[c.match.start() - 1:c.match.start()] in (":", "/"):
        return None  # the name is a part of an ARN, a path or a namespaced type (::Secret)
    name, after = _name(c)
    if not looks_secret(c.secret) or not_the_secret(name):
        return None
    if after == ">" and not _CLOSING_TAG.match(c.text, c.end):
        return None  # <token>value without its </token>: not an XML element
    if c.text[c.end:c.end + 1] == ":":
        return None  # the value goes on: an ARN, a URL, host:port, a namespaced id
    return "can-wait"


def _bearer(c: Candidate) -> str | None:
    value = c.secret
    if is_placeholder(value) or path_like(value) or identifier_like(value):
        return None
    if not (_LETTER.search(value) and _DIGIT.search(value)):
        return None
    return "can-wait"


_NAME = (r"(?i:api[_\-]?key|secret|token|passw(?:or)?d|pwd|credentials?|auth[_\-]?key)"
         r"[A-Za-z0-9_\-]{0,30}+")
_NAME_RE = re.compile(_NAME)
# <password>value</password>, also with the value on its own line (the validator checks the
# closing tag).
_XML = r">\s{0,200}+"
_CLOSING_TAG = re.compile(r"\s{0,200}+</")
_VALUE = r"(?P<secret>[A-Za-z0-9+/_\-.=~!@#$%^&*]{16,200}+)"
_ROTATION = "Find the service the value belongs to, rotate it there, and move it to the secret store."

RULES = (
    rule("generic-secret", "Unknown (generic)", "can-wait",
         _NAME + "(?:" + _XML + "|" + NAMED_BRANCHES + ")" + _VALUE,
         ("apikey", "api_key", "api-key", "authkey", "auth_key", "auth-key", "secret", "token", "passw",
          "pwd", "credential"), _ROTATION, entropy_min=3.5, validate=_generic, generic=True),
    # Authorization: Bearer <token> in curl lines, HTTP files and header objects (the scheme and
    # the token are separated by a space: the keyword holds it, "Bearer"+t in code is no hit).
    rule("bearer-token", "Unknown (bearer token)", "can-wait",
         r"(?<![A-Za-z0-9_])(?i:bearer) {1,3}+(?P<secret>[A-Za-z0-9\-._~+/]{20,1000}+=*)"
         r"(?![A-Za-z0-9\-._~+/=])", ("bearer ",), _ROTATION, entropy_min=3.0, validate=_bearer,
         generic=True),
)

"""What an error response must never show a user: stack traces, framework debug pages, server file
paths, database errors, the AI provider's own error strings, and keys. Each hit comes with a short excerpt in which
every key-like run is cut to its first four characters, so no key is ever shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.probes.secrets.engine import scan_text

EXCERPT_REACH = 40  # characters kept either side of a hit
_KEYISH = re.compile(r"[A-Za-z0-9_\-]")
# 16+ key characters with a letter and a digit: keys, tokens, ids (not words like "AuthenticationError")
_KEYLIKE = re.compile(r"(?=[A-Za-z_\-]*[0-9])(?=[0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{16,}")

# (kind, pattern): the first hit of each pattern per response is reported.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(p)) for kind, p in (
    ("Python stack trace", r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+"),
    ("Node stack trace", r"\bat (?:[\w$.<>\[\] ]+ )?\((?:/|node:|[A-Z]:\\)[^)]*:\d+:\d+\)"),
    ("Java stack trace", r"\bat [\w$.]+\([\w$]+\.java:\d+\)|Exception in thread \""
                         r"|java\.lang\.\w+(?:Exception|Error)"),
    ("Ruby stack trace", r"\.rb:\d+:in [`']"),
    ("PHP error", r"(?:PHP )?(?:Fatal error|Parse error|Warning|Notice): .{0,200}? on line \d+"
                  r"|Stack trace:\s*#0"),
    ("debug page", r"Werkzeug Debugger|werkzeug\.exceptions|DEBUG\s*=\s*True|Django Version:|"
                   r"Action Controller: Exception caught|Whoops[!,] (?:There was an error|looks like)|"
                   r"Illuminate\\\\?[A-Z]\w+|<title>Error</title>\s*</head>\s*<body>\s*<pre>"),
    # Under /home, /app and /opt only a source file counts: /home/feed could be a route.
    ("server file path", r"(?<![\w.:/-])(?:/(?:srv|var/www|usr/(?:local/)?lib)/[\w.@\-]+/[\w.@\-/]*"
                         r"|/(?:home|app|opt)/[\w.@\-/]+\.(?:py|[cm]?js|ts|rb|php|java|go|rs|exs?)\b"
                         r"|[A-Z]:\\{1,2}(?:Users|inetpub|Program Files|srv|www|apps?)\\{1,2}[\w .\-\\]*)"),
    ("database error", r"\bsqlite3\.\w*Error\b|\bOperationalError\b|\bpsycopg2?\.\w+|SQLSTATE\[|"
                       r"syntax error at or near|You have an error in your SQL syntax|\bORA-\d{5}\b|"
                       r"Unclosed quotation mark|unterminated quoted string|SequelizeDatabaseError|"
                       r"PrismaClient\w*Error|\bMongo(?:Server)?Error\b|near \"[^\"]{0,40}\": syntax error"),
    ("provider error", r"\b(?:openai|anthropic)\.\w*Error\b|Incorrect API key provided|"
                       r"invalid x-api-key|\brate_limit_exceeded\b|\binsufficient_quota\b"),
))


@dataclass(frozen=True)
class Hit:
    kind: str
    source: str  # which request's response
    excerpt: str  # masked

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "response": self.source, "excerpt": self.excerpt}


def mask(text: str) -> str:
    """Every run of 16+ key-like characters cut to its first four (the scanner's preview)."""
    return _KEYLIKE.sub(lambda m: m.group(0)[:4] + "…", text)


def excerpt(text: str, start: int, end: int) -> str:
    """Around text[start:end], widened so no key-like run is cut in two (a cut run would escape
    the mask), then masked."""
    start, end = max(0, start - EXCERPT_REACH), min(len(text), end + EXCERPT_REACH)
    while start > 0 and _KEYISH.match(text[start - 1]):
        start -= 1
    while end < len(text) and _KEYISH.match(text[end]):
        end += 1
    return mask(" ".join(text[start:end].split()))


def scan_body(text: str, source: str) -> list[Hit]:
    """Every leak in one response body."""
    hits = [Hit(kind, source, excerpt(text, m.start(), m.end()))
            for kind, pattern in PATTERNS if (m := pattern.search(text))]
    for key in scan_text(text, source):
        hits.append(Hit(f"{key.provider} key", source, f"{key.preview} (line {key.line}, "
                                                        f"fingerprint {key.fingerprint})"))
    return hits

"""Scan text for secrets. A Match says which rule, where, a fingerprint and a 4-character preview:
never the secret itself, so matches can be logged, stored and shown as they are.

Speed: a rule runs over a text only when one of its keywords (lower-case substrings) occurs in
it, so most text never meets most rules; each rule is one compiled regex run over the whole
text (lines are found afterwards, only for the matches).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

ALLOW_MARKERS = ("launch-ready: allow", "lr-allow")
SEVERITIES = ("blocker", "can-wait", "info")
_WORD = re.compile(r"[A-Za-z0-9_\-]")

# Judges a candidate (secret, whole text, secret's start offset): the severity to report, or None
# to drop it. Lets a rule decode a JWT or ask for a nearby account id.
Validator = Callable[[str, str, int], "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    provider: str
    severity: str  # blocker | can-wait | info
    pattern: re.Pattern[str]  # with a named group `secret`
    keywords: tuple[str, ...]  # lower-case; the rule runs only when one occurs in the text
    rotation: str  # how to rotate the key, one line
    entropy_min: float | None = None  # generic rules: the value's Shannon entropy (bits/char)
    validate: Validator | None = None
    generic: bool = False  # a specific rule wins over a generic one on the same characters
    left_boundary: bool = False  # the secret must not follow a letter, digit, _ or -
    lowercase: bool = False  # the pattern is matched against the lower-cased text

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity {self.severity!r}")
        if "secret" not in self.pattern.groupindex:
            raise ValueError(f"rule {self.id}: the pattern has no group named secret")


@dataclass(frozen=True)
class Match:
    rule_id: str
    provider: str
    severity: str
    source: str  # a path, commit:path or URL
    line: int  # 1-based
    column: int  # 1-based
    fingerprint: str  # sha256 of the secret, first 12 hex
    preview: str  # at most the first 4 characters + '…'

    def location(self) -> str:
        return f"{self.source}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule_id, "provider": self.provider, "severity": self.severity,
                "source": self.source, "line": self.line, "column": self.column,
                "fingerprint": self.fingerprint, "preview": self.preview}


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def preview(secret: str) -> str:
    return secret[:4] + "…"


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def make_match(rule_id: str, provider: str, severity: str, source: str, line: int, column: int,
               secret: str) -> Match:
    """A Match for a value found outside the rules (a public env variable named like a key)."""
    return Match(rule_id, provider, severity, source, line, column, fingerprint(secret),
                 preview(secret))


class _Lines:
    """Line and column of an offset, computed only when a text has a match."""

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] | None = None

    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._starts

    def locate(self, offset: int) -> tuple[int, int, int]:
        """(line, column, line start), 1-based line and column."""
        starts = self.starts()
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1, starts[index]

    def line_text(self, start: int) -> str:
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]


def _allowed_line(lines: _Lines, line_start: int) -> bool:
    lowered = lines.line_text(line_start).lower()
    return any(marker in lowered for marker in ALLOW_MARKERS)


def scan_text(text: str, source: str, allowlist: Iterable[str] = (),
              rules: Iterable[Rule] | None = None) -> list[Match]:
    """Every secret in `text`, in order of position. `allowlist`: fingerprints to leave out."""
    if rules is None:
        from wizard.probes.secrets.rules import RULES
        rules = RULES
    allowed = frozenset(allowlist)
    lowered = text.lower()
    same_length = len(lowered) == len(text)  # offsets agree (not so for a few non-ASCII letters)
    ordered = sorted(rules, key=lambda r: r.generic)  # specific rules claim characters first
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Match]] = []
    lines = _Lines(text)
    for rule in ordered:
        if not any(k in lowered for k in rule.keywords):
            continue
        if rule.lowercase:
            found_in = lowered if same_length else text
            pattern = rule.pattern if same_length else re.compile(rule.pattern.pattern, re.I)
        else:
            found_in, pattern = text, rule.pattern
        for m in pattern.finditer(found_in):
            start, end = m.span("secret")
            secret = text[start:end]
            if not secret:
                continue
            if rule.left_boundary and start and _WORD.match(text, start - 1):
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            if rule.entropy_min is not None and shannon_entropy(secret) < rule.entropy_min:
                continue
            severity = rule.severity
            if rule.validate is not None:
                judged = rule.validate(secret, text, start)
                if judged is None:
                    continue
                severity = judged
            line, column, line_start = lines.locate(start)
            if _allowed_line(lines, line_start):
                continue
            fp = fingerprint(secret)
            taken.append((start, end))
            if fp in allowed:
                continue
            found.append((start, Match(rule.id, rule.provider, severity, source, line, column,
                                       fp, preview(secret))))
    found.sort(key=lambda item: item[0])
    return [match for _, match in found]

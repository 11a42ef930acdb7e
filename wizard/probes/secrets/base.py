"""What a rule is, what a rule's validator is given, and the regex pieces the rules share.

A rule's pattern is tried only where one of its keywords starts (see engine), shifted back by
each of its `offsets`: a keyword is usually the key's prefix (offset 0), but can sit inside it at
a known distance (Azure's 84-character keys carry `JQQJ99` at character 52). A rule with
`requires` is tried only in a text that holds one of those words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("blocker", "can-wait", "info")
CONTEXT = 4096  # the most a validator reads either side of a key (the engine's windows allow 32 KiB)


@dataclass(frozen=True)
class Candidate:
    """A pattern match a validator judges: the secret, where it is, and the text around it."""

    secret: str
    text: str
    start: int  # the secret's offset in text
    end: int
    match: re.Match[str]
    doc: bool  # the source is documentation or an example file (README, docs/, .env.example)

    def before(self, reach: int = CONTEXT) -> str:
        return self.text[max(0, self.start - reach):self.start]

    def after(self, reach: int = CONTEXT) -> str:
        return self.text[self.end:self.end + reach]

    def around(self, reach: int = CONTEXT) -> str:
        return self.text[max(0, self.start - reach):self.end + reach]

    def group(self, name: str) -> str:
        """A named group of the match ('' when it did not take part)."""
        if name not in self.match.re.groupindex:
            return ""
        return self.match.group(name) or ""


# Judges a candidate: the severity to report, or None to drop it. Lets a rule decode a JWT, ask
# for a nearby account id or endpoint, or tell two providers with one prefix apart.
Validator = Callable[[Candidate], "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    provider: str
    severity: str  # blocker | can-wait | info
    pattern: re.Pattern[str]  # with a named group `secret` (and optionally `body`, its random part)
    # Lower-case; every match of `pattern` starts where one of them starts (case-insensitively),
    # less one of `offsets`: the pattern is tried only there.
    keywords: tuple[str, ...]
    rotation: str  # how to rotate the key, one line
    entropy_min: float | None = None  # generic rules: the value's Shannon entropy (bits/char)
    validate: Validator | None = None
    generic: bool = False  # a specific rule wins over a generic one on the same characters
    # The secret's random part must look random: placeholders, runs, sequences, documented
    # examples are dropped (see placeholders.looks_dummy). Off for chosen passwords and PEM bodies.
    random: bool = True
    offsets: tuple[int, ...] = (0,)
    # Lower-case words of which the text must hold one (anywhere, found in the same keyword
    # pass) for the rule to be tried at all: a gate for rules with common keywords whose
    # validator needs one of these words near the key anyway.
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity {self.severity!r}")
        if "secret" not in self.pattern.groupindex:
            raise ValueError(f"rule {self.id}: the pattern has no group named secret")
        if not self.keywords or any(k != k.lower() for k in self.keywords):
            raise ValueError(f"rule {self.id}: keywords must be lower-case and not empty")
        if not self.offsets or any(o < 0 for o in self.offsets):
            raise ValueError(f"rule {self.id}: offsets must be >= 0 and not empty")
        if any(w != w.lower() or not w for w in self.requires):
            raise ValueError(f"rule {self.id}: required words must be lower-case")


def rule(id: str, provider: str, severity: str, pattern: str, keywords: tuple[str, ...],
         rotation: str, **extra: Any) -> Rule:
    return Rule(id, provider, severity, re.compile(pattern), keywords, rotation, **extra)


# Not part of a longer token on the left / right. Every pattern starts with one of its rule's
# keywords (see Rule): the engine tries it only there.
L = r"(?<![A-Za-z0-9_\-])"
R = r"(?![A-Za-z0-9_\-])"
# An assignment operator: `=`, `:`, `:=`, `=>`, `.=` (PHP), `?=`, `+=`, `::=`, `:::=` (make).
OPS = r"(?:=>?|:(?::{0,2}=)?|[.?+]=)"
_TYPE = r"(?:[sS]tr(?:ing)?|&(?:'static\s+)?str|\[\]byte)"
# Any of the ways code names a value (the pattern that uses it puts its name in front), with
# optional quotes around the name and the value, each branch starting with its own characters
# so that a failing one fails at once (and possessive `{m,n}+` where nothing could be given
# back anyway: a failed match ends sooner):
#   a quoted name given to a call or a .NET setting: ("API_TOKEN", "...") / key="Token" value="..."
#   an assignment: TOKEN = ..., "token": "...", $token .= "...", TOKEN ?= ...
#   a typed declaration: var apiToken string = "..." (Go), apiToken: string = "..." (TS),
#   val apiToken: String = "..." (Kotlin), const API_TOKEN: &str = "..." (Rust); a type written
#   before the name (C's const char *token = "...") is a plain assignment.
NAMED_BRANCHES = (r"""["']\s{0,3}+(?:,\s{0,3}+["'`]|value\s{0,3}+=\s{0,3}+["']|""" + OPS
                  + r"""\s{0,3}+["'`]?)|\s{0,3}+(?:""" + OPS + r"""\s{0,3}+["'`]?"""
                  r"""|:?\s{0,3}+""" + _TYPE + r"""\s{0,3}+=\s{0,3}+["'`]?)""")
NAMED = f"(?:{NAMED_BRANCHES})"
UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def nearest(window: str, anchor: int, words: tuple[str, ...]) -> int | None:
    """The distance from `anchor` to the nearest occurrence of any of `words` (lower-case) in
    `window`, or None."""
    lowered = window.lower()
    best: int | None = None
    for word in words:
        left = lowered.rfind(word, 0, anchor)
        right = lowered.find(word, anchor)
        for at in (left, right):
            if at >= 0:
                distance = anchor - at - len(word) if at < anchor else at - anchor
                distance = max(distance, 0)
                best = distance if best is None else min(best, distance)
    return best

"""Scan text for secrets. A Match says which rule, where, a fingerprint and a 4-character preview:
never the secret itself, so matches can be logged, stored and shown as they are.

Speed: one Aho-Corasick pass (ahocorasick_rs) finds every keyword of every rule in the
ASCII-lower-cased text; a rule's regex is then tried only where one of its keywords starts (each
rule's pattern begins with one of its keywords), so most text never meets any regex. Lines are
found afterwards, only for the matches.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from wizard.probes.secrets.rules import RULES, Rule

ALLOW_MARKERS = ("launch-ready: allow", "lr-allow")  # on the secret's line, within MARKER_REACH
MARKER_REACH = 1000
# Lower-cases ASCII only, so offsets in the lowered text are offsets in the text (str.lower can
# change the length, e.g. for U+0130).
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


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

    def near(self, line_start: int, start: int, end: int) -> str:
        """The line holding text[start:end], at most MARKER_REACH characters either side of it
        (a minified bundle is one line of megabytes)."""
        stop = self.text.find("\n", end, end + MARKER_REACH)
        return self.text[max(line_start, start - MARKER_REACH):
                         end + MARKER_REACH if stop < 0 else stop]


def _allowed(lines: _Lines, line_start: int, start: int, end: int) -> bool:
    lowered = lines.near(line_start, start, end).lower()
    return any(marker in lowered for marker in ALLOW_MARKERS)


class _Keywords:
    """The keywords of a rule set in one automaton: where each occurs, and whose it is."""

    def __init__(self, rules: tuple[Rule, ...], watch: tuple[str, ...]):
        self.rules = tuple(sorted(rules, key=lambda r: r.generic))  # specific rules claim first
        words = sorted({k for r in self.rules for k in r.keywords} | set(watch))
        index = {word: i for i, word in enumerate(words)}
        self.watch = [(word, index[word]) for word in watch]
        self.count = len(words)
        self.automaton = ahocorasick_rs.AhoCorasick(words)
        self.bytes_automaton = ahocorasick_rs.BytesAhoCorasick([w.encode() for w in words])
        self.owners = [[index[k] for k in r.keywords] for r in self.rules]

    def starts(self, text: str) -> list[list[int]]:
        """For each keyword, the sorted offsets where it starts in `text` (any ASCII case)."""
        if text.isascii():  # most text: bytes offsets are str offsets, and bytes are faster
            hits = self.bytes_automaton.find_matches_as_indexes(text.encode("ascii").lower(),
                                                                overlapping=True)
        else:
            lowered = text.lower()
            if len(lowered) != len(text):
                lowered = text.translate(_ASCII_LOWER)
            hits = self.automaton.find_matches_as_indexes(lowered, overlapping=True)
        found: list[list[int]] = [[] for _ in range(self.count)]
        for word, start, _ in hits:
            found[word].append(start)
        return found


@lru_cache(maxsize=8)
def _keywords(rules: tuple[Rule, ...] | None, watch: tuple[str, ...]) -> _Keywords:
    if rules is None:
        rules = RULES
    return _Keywords(rules, watch)


@dataclass(frozen=True)
class TextScan:
    matches: list[Match]
    seen: frozenset[str]  # the `watch` words that occur in the text


def scan_text(text: str, source: str, allowlist: Iterable[str] = (),
              rules: Iterable[Rule] | None = None) -> list[Match]:
    """Every secret in `text`, in order of position. `allowlist`: fingerprints to leave out."""
    return scan(text, source, allowlist, rules).matches


def scan(text: str, source: str, allowlist: Iterable[str] = (), rules: Iterable[Rule] | None = None,
         watch: tuple[str, ...] = ()) -> TextScan:
    """scan_text, also telling which `watch` words (lower-case, any ASCII case in the text) occur:
    callers gate their own work on them without another pass over the text."""
    keywords = _keywords(None if rules is None else tuple(rules), watch)
    starts = keywords.starts(text)
    allowed = frozenset(allowlist)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Match]] = []
    lines = _Lines(text)
    for rule, owned in zip(keywords.rules, keywords.owners, strict=True):
        occurs = [starts[word] for word in owned if starts[word]]
        if not occurs:
            continue
        at = occurs[0] if len(occurs) == 1 else sorted(set().union(*occurs))
        match = rule.pattern.match
        for position in at:
            m = match(text, position)
            if m is None:
                continue
            start, end = m.span("secret")
            secret = text[start:end]
            if not secret or any(s < end and start < e for s, e in taken):
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
            if _allowed(lines, line_start, start, end):
                continue
            fp = fingerprint(secret)
            taken.append((start, end))
            if fp in allowed:
                continue
            found.append((start, Match(rule.id, rule.provider, severity, source, line, column,
                                       fp, preview(secret))))
    found.sort(key=lambda item: item[0])
    seen = frozenset(word for word, index in keywords.watch if starts[index])
    return TextScan([match for _, match in found], seen)

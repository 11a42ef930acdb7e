"""Scan text for secrets. A Match says which rule, where, a fingerprint and a 4-character preview:
never the secret itself, so matches can be logged, stored and shown as they are.

Speed: one Aho-Corasick pass (ahocorasick_rs) finds every keyword of every rule in the
ASCII-lower-cased text; a rule's regex is then tried only where one of its keywords starts (each
rule's pattern begins with one of its keywords, or a fixed distance before it), so most text
never meets any regex. Lines are found afterwards, only for the matches.

Precision: a candidate whose random part is a placeholder, a documented example or a dummy (see
placeholders.looks_dummy; stricter in documentation and example files, where a value on a line
marked EXAMPLE is an example too) is dropped, and no later
rule may report those characters either (an `AIzaSyabcdef...` is not a generic secret). A
validator then judges what is left from the text near the key (at most base.CONTEXT characters
either side), so a match does not depend on text far from it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from wizard.probes.secrets.base import Candidate
from wizard.probes.secrets.placeholders import (
    PUBLISHED_EXAMPLES,
    example_nearby,
    is_doc_source,
    looks_dummy,
    shannon_entropy,
)
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
        words = sorted({k for r in self.rules for k in (*r.keywords, *r.requires)} | set(watch))
        index = {word: i for i, word in enumerate(words)}
        self.watch = [(word, index[word]) for word in watch]
        self.count = len(words)
        # A DFA: with more than a few dozen keywords the default automaton loses its SIMD
        # prefilter and is twice as slow; the DFA stays as fast as the prefiltered one.
        dfa = ahocorasick_rs.Implementation.DFA
        self.automaton = ahocorasick_rs.AhoCorasick(words, implementation=dfa)
        self.bytes_automaton = ahocorasick_rs.BytesAhoCorasick([w.encode() for w in words],
                                                               implementation=dfa)
        for r in self.rules:
            if any(a != b and b.startswith(a) for a in r.keywords for b in r.keywords):
                raise ValueError(f"rule {r.id}: a keyword is a prefix of another (drop the longer)")
        self.owners = [[index[k] for k in r.keywords] for r in self.rules]
        self.requires = [[index[k] for k in r.requires] for r in self.rules]
        # For each keyword, the rules (their indexes) it belongs to: a text's scan looks only at
        # the rules whose keywords it holds.
        self.word_rules: list[list[int]] = [[] for _ in words]
        for i, owned in enumerate(self.owners):
            for word in owned:
                self.word_rules[word].append(i)

    def starts(self, text: str) -> dict[int, list[int]]:
        """For each keyword found (by index), the sorted offsets where it starts in `text` (any
        ASCII case)."""
        if text.isascii():  # most text: bytes offsets are str offsets, and bytes are faster
            hits = self.bytes_automaton.find_matches_as_indexes(text.encode("ascii").lower(),
                                                                overlapping=True)
        else:
            lowered = text.lower()
            if len(lowered) != len(text):
                lowered = text.translate(_ASCII_LOWER)
            hits = self.automaton.find_matches_as_indexes(lowered, overlapping=True)
        found: defaultdict[int, list[int]] = defaultdict(list)
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


def _body(rule: Rule, match: re.Match[str], secret: str) -> str:
    """The key's random part: the pattern's `body` group, or the secret less its keyword."""
    if "body" in match.re.groupindex and match.group("body"):
        return match.group("body")
    head = secret[:24].lower()
    prefix = max((k for k in rule.keywords if head.startswith(k)), key=len, default="")
    return secret[len(prefix):]


class _Claimed:
    """Disjoint character spans already claimed (a key reported or allowed, a dummy dropped): a
    later candidate on any of their characters is not reported. Sorted, so a text with
    thousands of candidates costs a bisection each, not a pass over all earlier ones."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # the last span starting before `end`
        return i >= 0 and self.ends[i] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def scan(text: str, source: str, allowlist: Iterable[str] = (), rules: Iterable[Rule] | None = None,
         watch: tuple[str, ...] = ()) -> TextScan:
    """scan_text, also telling which `watch` words (lower-case, any ASCII case in the text) occur:
    callers gate their own work on them without another pass over the text."""
    keywords = _keywords(None if rules is None else tuple(rules), watch)
    starts = keywords.starts(text)
    allowed = frozenset(allowlist)
    doc = is_doc_source(source)
    claimed = _Claimed()  # reported (or allowed) keys, and dummies no rule may report
    found: list[tuple[int, Match]] = []
    lines = _Lines(text)
    word_rules, rules_owned = keywords.word_rules, keywords.owners
    present = sorted({i for word in starts for i in word_rules[word]})
    for index in present:
        rule = keywords.rules[index]
        if rule.requires and not any(word in starts for word in keywords.requires[index]):
            continue
        occurs = [starts[word] for word in rules_owned[index] if word in starts]
        # Two keywords of a rule never start at one offset (none is a prefix of another: see
        # _Keywords), so the offsets need no de-duplication.
        at = occurs[0] if len(occurs) == 1 else sorted([p for where in occurs for p in where])
        match = rule.pattern.match
        offsets = rule.offsets
        for position in at:
            if offsets == (0,):
                m = match(text, position)
            else:
                m = None
                for offset in offsets:
                    if offset <= position and (m := match(text, position - offset)) is not None:
                        break
            if m is None:
                continue
            start, end = m.span("secret")
            secret = text[start:end]
            if not secret or claimed.overlaps(start, end):
                continue
            if rule.entropy_min is not None and shannon_entropy(secret) < rule.entropy_min:
                continue
            if secret in PUBLISHED_EXAMPLES or (
                    rule.random and looks_dummy(secret, _body(rule, m, secret), strict=doc)) or (
                    doc and example_nearby(text, start, end)):
                claimed.add(start, end)
                continue
            severity = rule.severity
            if rule.validate is not None:
                judged = rule.validate(Candidate(secret, text, start, end, m, doc))
                if judged is None:
                    continue
                severity = judged
            line, column, line_start = lines.locate(start)
            if _allowed(lines, line_start, start, end):
                continue
            fp = fingerprint(secret)
            claimed.add(start, end)
            if fp in allowed:
                continue
            found.append((start, Match(rule.id, rule.provider, severity, source, line, column,
                                       fp, preview(secret))))
    found.sort(key=lambda item: item[0])
    seen = frozenset(word for word, index in keywords.watch if index in starts)
    return TextScan([match for _, match in found], seen)

"""Scan text of any length in bounded memory: overlapping windows, each given to the engine.

A file read in chunks, or a history blob's added lines, is fed piece by piece; whenever more
than WINDOW characters are buffered, the first window is scanned and the buffer moves on,
keeping the last OVERLAP characters (about) for the next window. Memory is a few windows,
whatever the length of the text.

Who reports a match: the windows share OVERLAP characters, and the boundary between what one
window reports and what the next one reports is the middle of their overlap. So a window reports
only matches that start at least OVERLAP/2 characters after its start (except the first window)
and at least OVERLAP/2 before its end (except the last): each offset of the text belongs to
exactly one window, a match seen by two windows is reported once (by the window whose half it
starts in), and the reporting window sees OVERLAP/2 = 32 KiB on either side of the match, as a
scan of the whole text would. The rules look at most 4,000 characters before a key and 8,000
after its start (the GCP service-account validator), the allow marker 1,000 characters either
side, and keys are under 1 KiB (a PEM body is cut at its first line end): 32 KiB is four times
the widest reach, at a cost of 6% of the text scanned twice. A key longer than 32 KiB (a run of
base64 that never ends) is reported once, with the fingerprint of its first 32 KiB or more.

Windows are cut after a line end when one is near (LINE_SLACK), so windows hold whole lines and
the line-based checks (public env, localStorage) see whole lines; a minified bundle, one line of
megabytes, is cut where it must be. Lines and columns are the text's own: a window knows the
line and column its first character has in the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from wizard.probes.secrets.engine import Match, TextScan, scan
from wizard.probes.secrets.rules import Rule

WINDOW = 1024 * 1024  # characters scanned at once
OVERLAP = 64 * 1024  # characters two neighbouring windows share; each side sees OVERLAP // 2
LINE_SLACK = 4096  # how far before a cut a line end is looked for


@dataclass(frozen=True)
class Window:
    """One window of the text: its characters, where they start in the text, and the part of
    it whose matches this window reports."""

    text: str
    offset: int  # the text's offset of text[0]
    line: int  # the text's line of text[0], 1-based
    column: int  # the column of text[0] on that line, 1-based
    own_from: tuple[int, int]  # (line, column) in this window where its reported part starts
    own_to: tuple[int, int] | None  # ... and where it ends (excluded); None: to the end

    def owns(self, line: int, column: int) -> bool:
        """Whether a match starting at (line, column) of this window is this window's to report."""
        at = (line, column)
        return self.own_from <= at and (self.own_to is None or at < self.own_to)

    def place(self, line: int, column: int) -> tuple[int, int]:
        """(line, column) in the text of (line, column) in this window."""
        return self.line + line - 1, column + self.column - 1 if line == 1 else column

    def relocate(self, match: Match) -> Match:
        line, column = self.place(match.line, match.column)
        return replace(match, line=line, column=column)


def _point(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of text[index], as the engine counts them (lines end at \\n)."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


class WindowScanner:
    """Feed text in pieces of any size, then `finish()`: every match of the whole text once,
    with the text's lines and columns, and the `watch` words seen anywhere in it.

    `each(window, found)` is called for every window with the engine's own result for it (lines
    relative to the window): callers run their line-based checks there, gated on `found.seen`,
    keeping what `window.owns` and placing it with `window.place`.
    """

    def __init__(self, source: str, allowlist: Iterable[str] = (),
                 rules: Iterable[Rule] | None = None, watch: tuple[str, ...] = (),
                 size: int = WINDOW, overlap: int = OVERLAP,
                 each: Callable[[Window, TextScan], None] | None = None):
        if overlap < 2 or size < 4 * overlap:
            raise ValueError(f"a window ({size}) must be at least 4 times its overlap ({overlap})")
        self.source = source
        self.allowed = frozenset(allowlist)
        self.rules = None if rules is None else tuple(rules)
        self.watch = watch
        self.size = size
        self.overlap = overlap
        self.slack = min(LINE_SLACK, overlap // 4)
        self.each = each
        self.matches: list[Match] = []
        self.seen: set[str] = set()
        self.windows = 0
        self.chars = 0  # fed so far
        self._buf = ""
        self._parts: list[str] = []
        self._pending = 0  # characters in _parts
        self._offset = 0  # the text's offset, line and column of _buf[0]
        self._line = 1
        self._column = 1
        self._own_from = 0  # offset in _buf where the next window's reported part starts

    def feed(self, piece: str) -> None:
        self.chars += len(piece)
        for start in range(0, len(piece), self.size):  # a huge piece is not copied whole again
            part = piece[start:start + self.size] if len(piece) > self.size else piece
            self._parts.append(part)
            self._pending += len(part)
            while len(self._buf) + self._pending > self.size:
                self._join()
                self._cut()

    def finish(self) -> TextScan:
        self._join()
        while len(self._buf) > self.size:
            self._cut()
        text = self._buf
        self._scan(Window(text, self._offset, self._line, self._column,
                          _point(text, self._own_from), None))
        self._buf = ""
        return TextScan(self.matches, frozenset(self.seen))

    def _join(self) -> None:
        if self._parts:
            self._buf = "".join([self._buf, *self._parts])
            self._parts.clear()
            self._pending = 0

    def _cut(self) -> None:
        """Scan the buffer's first window and keep what the next window needs."""
        buf, size, slack, overlap = self._buf, self.size, self.slack, self.overlap
        end = buf.rfind("\n", size - slack, size) + 1 or size  # after a line end when one is near
        nominal = end - overlap
        start = buf.rfind("\n", nominal - slack, nominal) + 1 or nominal  # next window
        own_to = start + overlap // 2
        window = Window(buf[:end], self._offset, self._line, self._column,
                        _point(buf, self._own_from), _point(buf, own_to))
        line, column = _point(buf, start)
        self._column = column if line > 1 else self._column + start
        self._line += line - 1
        self._offset += start
        self._own_from = own_to - start
        self._buf = buf[start:]  # before the scan: the whole buffer is not kept during it
        del buf
        self._scan(window)

    def _scan(self, window: Window) -> None:
        found = scan(window.text, self.source, self.allowed, self.rules, self.watch)
        self.windows += 1
        self.seen |= found.seen
        self.matches.extend(window.relocate(m) for m in found.matches
                            if window.owns(m.line, m.column))
        if self.each is not None:
            self.each(window, found)


def scan_stream(pieces: Iterable[str], source: str, allowlist: Iterable[str] = (),
                rules: Iterable[Rule] | None = None, watch: tuple[str, ...] = (),
                size: int = WINDOW, overlap: int = OVERLAP,
                each: Callable[[Window, TextScan], None] | None = None) -> TextScan:
    """`engine.scan` of the concatenation of `pieces`, in windows (see WindowScanner)."""
    scanner = WindowScanner(source, allowlist, rules, watch, size, overlap, each)
    for piece in pieces:
        scanner.feed(piece)
    return scanner.finish()

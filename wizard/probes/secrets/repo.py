"""Where the scanner looks in a repository: the working tree, the whole git history, committed
.env files, public env prefixes holding secrets, and tokens kept in localStorage/sessionStorage.

Every git call has a timeout and its output is read in bounded pieces; git missing or a path
that is not a repository gives `RepoScan.error`, never an exception. Files and history blobs are
read in chunks and scanned in overlapping windows (stream.py), so memory stays near the window's
size whatever their length, up to MAX_FILE_BYTES each: what is over it is listed in `capped`.
"""

from __future__ import annotations

import bisect
import codecs
import os
import re
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from wizard.errors import SprintFileError
from wizard.probes.secrets.engine import Match, TextScan, make_match, scan_text
from wizard.probes.secrets.rules import RULES_BY_ID, is_placeholder
from wizard.probes.secrets.stream import OVERLAP, WINDOW, Window, WindowScanner
from wizard.sprint import INPUT_FILE_CAP, read_capped

MAX_FILE_BYTES = 50 * 1024 * 1024  # a file (or a history blob) is scanned whole up to this cap
READ_LIMIT = 2 * 1024 * 1024  # read_bounded's default, for checks that read a file in memory
BINARY_SNIFF = 8192
READ_CHUNK = 256 * 1024  # bytes read from a file, or from git's output, at once
HEAD_LINE = 64 * 1024  # a longer header line in git's output is told by its start (paths are short)
PIPE_BYTES = 1024 * 1024  # the pipe from `git log` (the kernel's default is 64 KiB)
ENV_FILE = re.compile(r"^\.env(?:\..+)?$")
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults", ".schema")
PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_")
PUBLIC_ENV = re.compile(
    r"""(?<![A-Za-z0-9_])(?P<name>(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC)_[A-Z0-9_]+)"""
    r"""["']?\s{0,3}[:=]\s{0,3}["'`]?(?P<value>[^\s"'`,;}]*)""")
SECRET_NAME = re.compile(r"SECRET|KEY|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL")
# Names whose values are public by design even though they say KEY.
PUBLIC_NAMES = re.compile(r"PUBLISHABLE|ANON|PUBLIC_KEY$|SITE_KEY|SITEKEY|MEASUREMENT|DSN")
FRONTEND_EXT = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte")
STORAGE = re.compile(
    r"""(?P<storage>localStorage|sessionStorage)\s*(?:\.\s*setItem\s*\(\s*|\[\s*)["'`]"""
    r"""(?P<key>[^"'`]{1,80})["'`]|(?P<storage2>localStorage|sessionStorage)\.(?P<key2>\w+)\s*=[^=]""")
TOKEN_KEY = re.compile(r"(?i)token|jwt|auth|session|bearer|access|refresh|api[_-]?key|secret|credential")


# Words the secret scan watches for in the same pass, so the checks below run only where they can hit.
_PUBLIC_WATCH = frozenset(p.lower() for p in PUBLIC_PREFIXES)
_WATCH = (*sorted(_PUBLIC_WATCH), "storage")


@dataclass(frozen=True)
class StoredToken:
    path: str
    line: int
    storage: str  # localStorage | sessionStorage
    key: str


@dataclass(frozen=True)
class PublicEnv:
    name: str  # the variable's name (never its value)
    match: Match


@dataclass(frozen=True)
class Capped:
    """A file (or "<commit12>:<path>" blob) longer than the cap: scanned in its first `cap` bytes."""
    path: str
    size: int  # its bytes (a blob: the bytes of its added lines)


@dataclass
class RepoScan:
    root: str
    matches: list[Match] = field(default_factory=list)  # secrets in the working tree
    env_files: list[str] = field(default_factory=list)  # tracked .env files
    public_env: list[PublicEnv] = field(default_factory=list)
    stored_tokens: list[StoredToken] = field(default_factory=list)
    cap: int = MAX_FILE_BYTES  # bytes scanned of a file at most
    capped: list[Capped] = field(default_factory=list)  # files over the cap
    files: int = 0
    binary_skipped: int = 0
    error: str | None = None


@dataclass
class HistoryScan:
    matches: list[Match] = field(default_factory=list)  # source = "<commit12>:<path>"
    commits: int = 0
    cap: int = MAX_FILE_BYTES  # bytes scanned of one file's added lines in one commit at most
    capped: list[Capped] = field(default_factory=list)  # path = "<commit12>:<path>"
    incomplete: str | None = None  # why the walk stopped early
    error: str | None = None


class GitError(Exception):
    pass


def _git(root: Path, args: list[str], timeout: float, limit: int = 64 * 1024 * 1024) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (not on PATH)")
    try:
        proc = subprocess.run([git, "-C", str(root), *args], capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise GitError(f"git could not run: {exc.strerror}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[0] if message else proc.returncode}")
    return proc.stdout[:limit]


def repo_root(path: Path, timeout: float = 20) -> Path:
    """The top of the git work tree holding `path`; GitError when there is none."""
    if not path.is_dir():
        raise GitError(f"{path} is not a directory")
    out = _git(path, ["rev-parse", "--show-toplevel"], timeout)
    return Path(out.decode("utf-8", "surrogateescape").strip())


def list_files(root: Path, timeout: float = 30) -> list[tuple[str, bool]]:
    """(path, tracked) for tracked and untracked-not-ignored files."""
    out = _git(root, ["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard"],
               timeout)
    seen: dict[str, bool] = {}
    for entry in out.split(b"\0"):
        if len(entry) < 3:
            continue
        tag, name = entry[:1], entry[2:].decode("utf-8", "surrogateescape")
        seen[name] = seen.get(name, False) or tag != b"?"
    return list(seen.items())


def is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return bool(ENV_FILE.match(name)) and not name.endswith(ENV_TEMPLATES)


def read_bounded(path: Path, limit: int = READ_LIMIT) -> tuple[str | None, bool]:
    """(text, truncated); text None for a binary file (a NUL in the first 8 KiB)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if b"\0" in data[:BINARY_SNIFF]:
        return None, False
    truncated = len(data) > limit
    return data[:limit].decode("utf-8", "replace"), truncated


def public_env_matches(text: str, source: str, allowlist: Iterable[str] = ()) -> list[PublicEnv]:
    """NEXT_PUBLIC_/VITE_/REACT_APP_/EXPO_PUBLIC_ variables whose value is a secret, or whose
    name says SECRET/KEY/TOKEN and whose value does not look public."""
    allowed = frozenset(allowlist)
    found: list[PublicEnv] = []
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if "_" not in line or "lr-allow" in line or "launch-ready: allow" in line:
            continue
        for m in PUBLIC_ENV.finditer(line):
            name, value = m.group("name"), m.group("value")
            if not value:
                continue
            # the assignment, not the value alone: the rules see the name (FIREBASE_API_KEY
            # holds a web config key, public by design; DEEPSEEK_API_KEY is not OpenAI's)
            specific = [h for h in scan_text(m.group(0), source) if not RULES_BY_ID[h.rule_id].generic]
            hits = [h for h in specific if h.severity != "info" and h.fingerprint not in allowed]
            column = m.start("value") + 1
            if hits:
                hit = hits[0]
                found.append(PublicEnv(name, Match(hit.rule_id, hit.provider, hit.severity, source,
                                                   number, column, hit.fingerprint, hit.preview)))
                continue
            if (SECRET_NAME.search(name) and not PUBLIC_NAMES.search(name) and len(value) >= 8
                    and not is_placeholder(value)
                    and not value.startswith(("http://", "https://", "pk_", "$"))
                    and not specific):  # info hits (anon, pk_, Firebase) are public
                match = make_match("public-env-name", "Unknown (named like a secret)", "blocker",
                                   source, number, column, value)
                if match.fingerprint not in allowed:
                    found.append(PublicEnv(name, match))
    return found


def stored_tokens(text: str, source: str) -> list[tuple[int, StoredToken]]:
    """(column, token) for every token write."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if "Storage" not in line or "lr-allow" in line or "launch-ready: allow" in line:
            continue
        for m in STORAGE.finditer(line):
            storage = m.group("storage") or m.group("storage2")
            key = m.group("key") or m.group("key2")
            if key and TOKEN_KEY.search(key):
                found.append((m.start() + 1, StoredToken(source, number, storage, key[:80])))
    return found


@dataclass(frozen=True)
class FileScan:
    found: TextScan  # the secrets and watched words of the file's first `cap` bytes
    size: int  # the file's bytes
    capped: bool  # longer than the cap


def scan_file(path: Path, source: str, allowlist: Iterable[str] = (), cap: int = MAX_FILE_BYTES,
              watch: tuple[str, ...] = (), window: int = WINDOW, overlap: int = OVERLAP,
              each: Callable[[Window, TextScan], None] | None = None) -> FileScan | None:
    """The secrets in a file, read in chunks and scanned in windows (memory stays near the
    window's size), up to `cap` bytes; None for a binary file (a NUL in the first 8 KiB)."""
    chunk = max(BINARY_SNIFF, min(READ_CHUNK, window // 4))  # the window's memory is the bound
    with open(path, "rb") as handle:
        data = handle.read(chunk)
        if b"\0" in data[:BINARY_SNIFF]:
            return None
        scanner = WindowScanner(source, allowlist, watch=watch, size=window, overlap=overlap,
                                each=each)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        read, capped = 0, False
        while data:
            take = data[:cap - read]
            read += len(take)
            scanner.feed(decoder.decode(take))
            if len(take) < len(data) or (read >= cap and handle.read(1)):
                capped = True
                break
            data = handle.read(chunk)
        scanner.feed(decoder.decode(b"", final=True))
        size = max(read, os.fstat(handle.fileno()).st_size)
    return FileScan(scanner.finish(), size, capped)


def _line_checks(result: RepoScan, name: str, allowed: frozenset[str],
                 ) -> Callable[[Window, TextScan], None]:
    """The public-env and localStorage checks, run in each window whose scan saw their words;
    a window keeps what starts in its own part (so the overlap is reported once)."""
    frontend = name.endswith(FRONTEND_EXT)

    def each(window: Window, found: TextScan) -> None:
        if found.seen & _PUBLIC_WATCH:
            for item in public_env_matches(window.text, name, allowed):
                if window.owns(item.match.line, item.match.column):
                    result.public_env.append(PublicEnv(item.name, window.relocate(item.match)))
        if frontend and "storage" in found.seen:
            for column, token in stored_tokens(window.text, name):
                if window.owns(token.line, column):
                    result.stored_tokens.append(
                        replace(token, line=window.place(token.line, column)[0]))

    return each


def scan_worktree(path: Path, allowlist: Iterable[str] = (), timeout: float = 60,
                  max_bytes: int = MAX_FILE_BYTES, window: int = WINDOW,
                  overlap: int = OVERLAP) -> RepoScan:
    """Scan the working tree of the repository at `path` (tracked + untracked-not-ignored):
    every text file whole, up to `max_bytes` bytes of each (a file over it is in `capped`)."""
    allowed = frozenset(allowlist)
    result = RepoScan(root=str(path), cap=max_bytes)
    try:
        root = repo_root(Path(path), timeout)
        files = list_files(root, timeout)
    except GitError as exc:
        result.error = str(exc)
        return result
    result.root = str(root)
    deadline = time.monotonic() + timeout
    for name, tracked in sorted(files):
        if tracked and is_env_file(name):
            result.env_files.append(name)
        full = root / name
        try:
            if not stat.S_ISREG(os.lstat(full).st_mode):  # symlinks and deleted files are skipped
                continue
        except OSError:
            continue
        if time.monotonic() > deadline:
            result.error = f"the working tree scan stopped after {timeout:.0f} s at {name}"
            break
        try:
            scanned = scan_file(full, name, allowed, max_bytes, _WATCH, window, overlap,
                                _line_checks(result, name, allowed))
        except OSError:
            continue
        if scanned is None:
            result.binary_skipped += 1
            continue
        result.files += 1
        if scanned.capped:
            result.capped.append(Capped(name, scanned.size))
        result.matches.extend(scanned.found.matches)
    return result


_COMMIT = b"\0commit "
# -U0: "@@ -a[,b] +c[,d] @@" is followed by b removed lines, then d added ones (lines c..c+d-1
# of the new file); a count left out is 1. A "\ No newline at end of file" line may follow the
# removed lines and the added ones (not counted).
_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))?")
_CR = re.compile(rb"\r+(?=\n)|\r+\Z")  # a line's trailing CRs (the line ends are not kept)
_QUOTED = re.compile(rb'\\([0-7]{1,3}|.)', re.DOTALL)
_ESCAPES = {b"a": b"\a", b"b": b"\b", b"t": b"\t", b"n": b"\n", b"v": b"\v", b"f": b"\f",
            b"r": b"\r"}
# The parser's states: between hunks (reading whole lines), at a hunk's start, stepping over
# lines (removed ones, or the rest of an over-long line), before a hunk's added lines (a
# "\ No newline" line may come first), in its added lines, and in an added line over a piece.
_HEAD, _OPEN, _SKIP, _MARK, _ADD, _LONG = range(6)
_ADDED_END = re.compile(rb"\n(?!\+)")  # the line end after which a block of added lines ends
_REMOVED_END = re.compile(rb"\n(?!-)")


def _target(line: bytes) -> str | None:
    """The path of a "+++ b/<path>" line, None for /dev/null (a deleted file). Git writes a
    path with special characters C-quoted ("b/tab\there"), and puts a tab after one with a space."""
    name = line[4:].rstrip(b"\r")
    if name.endswith(b"\t"):  # a literal tab in a path is always quoted: this one is git's
        name = name[:-1]
    if len(name) > 1 and name.startswith(b'"') and name.endswith(b'"'):
        name = _QUOTED.sub(lambda m: (bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit()
                                      else _ESCAPES.get(m[1], m[1])), name[1:-1])
    return name[2:].decode("utf-8", "surrogateescape") if name.startswith(b"b/") else None


class _Blob:
    """One file's added lines in one commit, scanned in windows as git prints them (the lines
    joined by \n, never held whole), up to `cap` bytes. Lines are handed on in pieces of about
    READ_CHUNK bytes (one decode and one feed per piece, not per line)."""

    def __init__(self, source: str, allowed: frozenset[str], cap: int, window: int, overlap: int):
        self.source = source
        self.cap = cap
        self.scanner = WindowScanner(source, allowed, size=window, overlap=overlap)
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.chunk = max(BINARY_SNIFF, min(READ_CHUNK, window // 4))
        self.size = 0  # bytes of its added lines and the line ends between them, also past the cap
        self.pending: list[bytes] = []
        self.held = 0  # bytes in pending
        self.fed = 0  # bytes handed to the scanner (at most cap)
        self.lines = 0  # added lines so far
        self.starts: list[int] = []  # the blob's line where a run of consecutive file lines starts
        self.numbers: list[int] = []  # ... and that run's first line in the file
        self.last = -1

    def _begin(self, number: int, count: int) -> None:
        """`count` added lines begin: lines number..number+count-1 of the file."""
        if number != self.last + 1 or not self.starts:
            self.starts.append(self.lines + 1)
            self.numbers.append(number)
        self.last = number + count - 1
        if self.lines:
            self.more(b"\n")
        self.lines += count

    def block(self, number: int, data: bytes, count: int) -> None:
        """`count` whole added lines as git prints them ("+" before each, "\n" after), the first
        line `number` of the file: one strip of the "+"s and one hand-on for all of them."""
        self._begin(number, count)
        text = data[1:-1].replace(b"\n+", b"\n")
        if b"\r" in text:
            text = _CR.sub(b"", text)
        self.more(text)

    def line(self, number: int, data: bytes) -> None:
        """An added line begins: line `number` of the file, `data` its start (no "+")."""
        self._begin(number, 1)
        self.more(data)

    def more(self, data: bytes) -> None:
        """More of the current line."""
        self.size += len(data)
        if self.fed + self.held < self.cap:
            self.pending.append(data)
            self.held += len(data)
            if self.held >= self.chunk:
                self._push()

    def _push(self) -> None:
        data = b"".join(self.pending)[:self.cap - self.fed]
        self.pending.clear()
        self.held = 0
        self.fed += len(data)
        self.scanner.feed(self.decoder.decode(data))

    def finish(self) -> list[Match]:
        self._push()
        self.scanner.feed(self.decoder.decode(b"", final=True))
        found = []
        for m in self.scanner.finish().matches:
            run = bisect.bisect_right(self.starts, m.line) - 1
            found.append(replace(m, line=self.numbers[run] + m.line - self.starts[run]))
        return found


def _step(buf: bytes, pos: int, lines: int, block_end: re.Pattern[bytes]) -> tuple[int, int]:
    """Step over up to `lines` lines of `buf` from `pos`: (where it stopped, after a line end
    or at the buffer's end; the lines left). A hunk's added lines all start with "+" (its removed
    ones with "-") and what follows them does not: one search finds where they end (or that
    they go on past the buffer), and a count of the line ends checks it; short runs (or a
    surprise) are stepped line by line."""
    if lines > 4:
        m = block_end.search(buf, pos)
        stop = m.end() if m is not None else buf.rfind(b"\n", pos) + 1
        if stop <= pos:
            return pos, lines
        count = buf.count(b"\n", pos, stop)
        if count == lines or (count < lines and (m is None or stop == len(buf))):
            return stop, lines - count
    while lines:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            break
        pos = nl + 1
        lines -= 1
    return pos, lines


def _widen_pipe(fd: int) -> None:
    """Let git write on while a blob is scanned: a pipe of PIPE_BYTES, not 64 KiB (Linux; the
    default elsewhere, or when the kernel says no)."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if PIPE_BYTES and setpipe is not None:
        try:
            fcntl.fcntl(fd, setpipe, PIPE_BYTES)
        except OSError:
            pass


def _trailing_cr(buf: bytes, start: int, end: int) -> int:
    """Where buf[start:end] ends without its trailing CRs (held back: a line end may follow)."""
    while end > start and buf[end - 1] == 13:
        end -= 1
    return end


def scan_history(path: Path, allowlist: Iterable[str] = (), timeout: float = 120,
                 max_bytes: int = 1024 * 1024 * 1024, max_blob_bytes: int = MAX_FILE_BYTES,
                 window: int = WINDOW, overlap: int = OVERLAP,
                 piece: int = READ_CHUNK) -> HistoryScan:
    """Every line ever added on any ref (`git log --all -p -U0`), streamed: git's output is read
    `piece` bytes at most at a time and held a piece or two at most (a longer added line is
    handed on in parts, a longer removed one stepped over; a header line is read whole up to
    HEAD_LINE), each file's added lines in a commit are scanned in windows, up to
    `max_blob_bytes` (a blob over it is in `capped`), and the walk stops after `max_bytes` of
    output or `timeout` seconds.

    The output is parsed by the hunks' counts, not line by line in Python: the removed lines are
    stepped over with `bytes.find`, and a hunk's added lines (consecutive lines of the file) go
    to the blob in one piece, so a "+++ b/x" among them is content."""
    allowed = frozenset(allowlist)
    result = HistoryScan(cap=max_blob_bytes)
    git = shutil.which("git")
    if git is None:
        result.error = "git is not installed (not on PATH)"
        return result
    try:
        root = repo_root(Path(path), min(timeout, 20))
    except GitError as exc:
        result.error = str(exc)
        return result
    args = [git, "-C", str(root), "-c", "core.quotepath=off", "log", "--all", "-p", "--no-color",
            "--no-ext-diff", "--no-renames", "-U0", "--format=%x00commit %H"]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError as exc:
        result.error = f"git could not run: {exc.strerror}"
        return result
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    _widen_pipe(fd)
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    commit = ""
    blob: _Blob | None = None

    def flush() -> None:
        nonlocal blob
        if blob is not None:
            result.matches.extend(blob.finish())
            if blob.size > blob.cap:
                result.capped.append(Capped(blob.source, blob.size))
        blob = None

    piece = max(piece, 1)
    head = max(piece, HEAD_LINE)  # a header line is read whole up to this, even in small pieces
    state = _HEAD
    after = _HEAD  # the state once the lines skipped are stepped over
    left = 0  # lines left to step over (_SKIP) or to add (_ADD, _LONG: this one included)
    removed = adding = 0  # the current hunk's removed and added lines
    number = 0  # the file's line of the next added line
    buf = b""
    pos = 0  # buf[pos:] is not parsed yet (at most about a piece is kept)
    read = 0
    ended = False
    try:
        while not ended:
            chunk = os.read(fd, piece)
            if not chunk:
                ended = True
                if pos < len(buf):  # a last line without a line end: parsed as one
                    chunk = b"\n"
            else:
                read += len(chunk)
                if read > max_bytes:  # what comes within the bound is scanned, to its last line
                    result.incomplete = (f"the history is over {max_bytes // 2**20} MiB; "
                                         "scanned its start")
                    chunk = chunk[:len(chunk) - (read - max_bytes)]
                    ended = True
            buf = buf[pos:] + chunk if pos < len(buf) else chunk
            pos = 0
            end = len(buf)
            while pos < end:
                if state == _ADD:
                    p, n = _step(buf, pos, left, _ADDED_END)
                    if p > pos:
                        if blob is not None:
                            blob.block(number, buf[pos:p], left - n)
                        number += left - n
                        left, pos = n, p
                    if not left:
                        state = _HEAD
                        continue
                    if end - pos <= piece:
                        break  # the line goes on in the next piece
                    cut = _trailing_cr(buf, pos + 1, end)  # longer than a piece: handed in parts
                    if blob is not None:
                        blob.line(number, buf[pos + 1:cut])
                    number += 1
                    pos, state = cut, _LONG
                elif state == _LONG:
                    nl = buf.find(b"\n", pos)
                    if nl < 0:
                        cut = _trailing_cr(buf, pos, end)
                        if end - cut > piece:  # CRs only: not held back without end
                            cut = end
                        if blob is not None and cut > pos:
                            blob.more(buf[pos:cut])
                        pos = cut
                        break
                    cut = _trailing_cr(buf, pos, nl)
                    if blob is not None and cut > pos:
                        blob.more(buf[pos:cut])
                    pos, left = nl + 1, left - 1
                    state = _ADD if left else _HEAD
                elif state == _SKIP:
                    p, n = _step(buf, pos, left, _REMOVED_END)
                    if n:  # within a line: its end is in a later piece
                        left, pos = n, end
                        break
                    pos, state = p, after
                    if state == _ADD:
                        left = adding
                elif state == _OPEN:  # a hunk's lines begin
                    if removed:
                        state, left, after = _SKIP, removed, _MARK if adding else _HEAD
                    else:
                        state, left = (_ADD, adding) if adding else (_HEAD, 0)
                elif state == _MARK:
                    if buf[pos] == 0x5C:  # "\ No newline at end of file" after the removed lines
                        state, left, after = _SKIP, 1, _ADD
                    else:
                        state, left = _ADD, adding
                else:
                    nl = buf.find(b"\n", pos)
                    if nl < 0 and end - pos <= head:
                        break  # the line goes on in the next piece
                    line = buf[pos:nl] if nl >= 0 else buf[pos:end]
                    if line[:1] == b"+" and not line.startswith(b"+++ "):
                        state, left = _ADD, 1  # an added line outside a hunk (git prints none)
                        continue
                    if nl >= 0:
                        pos = nl + 1
                    else:  # over HEAD_LINE long: told by its start, the rest stepped over
                        state, left, after = _SKIP, 1, _HEAD
                    if line.startswith(b"@@"):
                        m = _HUNK.match(line)
                        removed, number, adding = 0, 0, 0
                        if m:
                            removed = 1 if m[1] is None else int(m[1])
                            number = int(m[2])
                            adding = 1 if m[3] is None else int(m[3])
                        if state == _SKIP:
                            after = _OPEN
                        else:
                            state = _OPEN
                    elif line.startswith(b"+++ "):
                        flush()
                        target = _target(line)
                        if target is not None:
                            blob = _Blob(f"{commit[:12]}:{target}", allowed, max_blob_bytes,
                                         window, overlap)
                    elif line.startswith(b"diff --git"):
                        flush()
                    elif line.startswith(_COMMIT):
                        flush()
                        commit = line[len(_COMMIT):].strip().decode("ascii", "replace")
                        result.commits += 1
        flush()
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
    if timed_out.is_set():
        result.incomplete = f"the history walk stopped after {timeout:.0f} s (at {result.commits} commits)"
    return result


def load_allowlist(path: Path) -> dict[str, str]:
    """secrets-allowlist.yaml: `allow: [{fingerprint: <12 hex>, reason: why}]` -> {fp: reason}.
    A missing file is an empty allowlist; a malformed one raises ValueError (path and why)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(read_capped(path, INPUT_FILE_CAP, "a secrets allowlist")) or {}
    except SprintFileError as exc:
        raise ValueError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    entries = data.get("allow", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected `allow:` with a list of fingerprint/reason entries")
    allowed: dict[str, str] = {}
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not re.fullmatch(r"[0-9a-f]{12}",
                                                           str(entry.get("fingerprint", ""))):
            raise ValueError(f"{path}: entry {index} needs a 12-hex `fingerprint`")
        allowed[str(entry["fingerprint"])] = str(entry.get("reason", ""))
    return allowed

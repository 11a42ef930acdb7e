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
from wizard.probes.secrets.rules import is_placeholder
from wizard.probes.secrets.stream import OVERLAP, WINDOW, Window, WindowScanner
from wizard.sprint import INPUT_FILE_CAP, read_capped

MAX_FILE_BYTES = 50 * 1024 * 1024  # a file (or a history blob) is scanned whole up to this cap
READ_LIMIT = 2 * 1024 * 1024  # read_bounded's default, for checks that read a file in memory
BINARY_SNIFF = 8192
READ_CHUNK = 256 * 1024  # bytes read from a file, or from git's output, at once
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
            hits = [h for h in scan_text(value, source, allowed) if h.severity != "info"]
            column = m.start("value") + 1
            if hits:
                hit = hits[0]
                found.append(PublicEnv(name, Match(hit.rule_id, hit.provider, hit.severity, source,
                                                   number, column, hit.fingerprint, hit.preview)))
                continue
            if (SECRET_NAME.search(name) and not PUBLIC_NAMES.search(name) and len(value) >= 8
                    and not is_placeholder(value)
                    and not value.startswith(("http://", "https://", "pk_", "$"))
                    and not scan_text(value, source)):  # info hits (anon, pk_) are public
                match = make_match("public-env-name", "Unknown (named like a secret)", "blocker",
                                   source, number, column, value)
                if match.fingerprint not in allowed:
                    found.append(PublicEnv(name, match))
    return found


def stored_tokens(text: str, source: str) -> list[StoredToken]:
    return [token for _, token in _stored_tokens(text, source)]


def _stored_tokens(text: str, source: str) -> list[tuple[int, StoredToken]]:
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
            for column, token in _stored_tokens(window.text, name):
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
_HUNK = re.compile(rb"@@ -\S+ \+(\d+)(?:,(\d+))?")


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

    def line(self, number: int, data: bytes) -> None:
        """An added line begins: line `number` of the file, `data` its start."""
        if number != self.last + 1 or not self.starts:
            self.starts.append(self.lines + 1)
            self.numbers.append(number)
        self.last = number
        if self.lines:
            data = b"\n" + data
        self.lines += 1
        self.size += len(data)  # more(data), inlined: once per line ever added
        if self.fed + self.held < self.cap:
            self.pending.append(data)
            self.held += len(data)
            if self.held >= self.chunk:
                self._push()

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


def scan_history(path: Path, allowlist: Iterable[str] = (), timeout: float = 120,
                 max_bytes: int = 1024 * 1024 * 1024, max_blob_bytes: int = MAX_FILE_BYTES,
                 window: int = WINDOW, overlap: int = OVERLAP,
                 piece: int = READ_CHUNK) -> HistoryScan:
    """Every line ever added on any ref (`git log --all -p -U0`), streamed: git's output is read
    `piece` bytes at most at a time (a longer line comes in several), each file's added lines
    in a commit are scanned in windows, up to `max_blob_bytes` (a blob over it is in `capped`),
    and the walk stops after `max_bytes` of output or `timeout` seconds."""
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
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    commit = ""
    blob: _Blob | None = None
    next_line = 0
    remaining = 0  # added lines left in the current hunk (a "+++ " among them is content)
    inside = b""  # the rest of a line longer than `piece` follows: b"+" an added one, b"-" other
    read = 0

    def flush() -> None:
        nonlocal blob
        if blob is not None:
            result.matches.extend(blob.finish())
            if blob.size > blob.cap:
                result.capped.append(Capped(blob.source, blob.size))
        blob = None

    assert proc.stdout is not None
    try:
        while True:
            raw = proc.stdout.readline(piece)
            if not raw:
                break
            read += len(raw)
            if read > max_bytes:
                result.incomplete = f"the history is over {max_bytes // 2**20} MiB; scanned its start"
                break
            ends = raw.endswith(b"\n")
            content = raw.rstrip(b"\r\n") if ends else raw
            if inside:  # the next piece of an over-long line
                if inside == b"+" and blob is not None:
                    blob.more(content)
                inside = b"" if ends else inside
                continue
            if raw.startswith(b"+") and (remaining > 0 or not raw.startswith(b"+++ ")):
                if blob is not None:
                    blob.line(next_line, content[1:])
                next_line += 1
                remaining -= 1
                inside = b"" if ends else b"+"
                continue
            inside = b"" if ends else b"-"
            if raw.startswith(b"@@"):
                m = _HUNK.match(raw)
                next_line = int(m.group(1)) if m else 0
                remaining = (1 if m.group(2) is None else int(m.group(2))) if m else 0
            elif raw.startswith(b"+++ "):
                flush()
                target = content[4:].decode("utf-8", "surrogateescape")
                if target.startswith("b/"):
                    blob = _Blob(f"{commit[:12]}:{target[2:]}", allowed, max_blob_bytes, window,
                                 overlap)
            elif raw.startswith(b"diff --git"):
                flush()
                remaining = 0
            elif raw.startswith(_COMMIT):
                flush()
                remaining = 0
                commit = raw[len(_COMMIT):].strip().decode("ascii", "replace")
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

"""Where the scanner looks in a repository: the working tree, the whole git history, committed
.env files, public env prefixes holding secrets, and tokens kept in localStorage/sessionStorage.

Every git call has a timeout and its output is read in bounded pieces; git missing or a path
that is not a repository gives `RepoScan.error`, never an exception.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from wizard.errors import SprintFileError
from wizard.probes.secrets.engine import Match, make_match, scan, scan_text
from wizard.probes.secrets.rules import is_placeholder
from wizard.sprint import INPUT_FILE_CAP, read_capped

MAX_FILE_BYTES = 2 * 1024 * 1024
BINARY_SNIFF = 8192
MAX_HISTORY_LINE = 8 * 1024 * 1024
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


@dataclass
class RepoScan:
    root: str
    matches: list[Match] = field(default_factory=list)  # secrets in the working tree
    env_files: list[str] = field(default_factory=list)  # tracked .env files
    public_env: list[PublicEnv] = field(default_factory=list)
    stored_tokens: list[StoredToken] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)  # files scanned in their first 2 MiB only
    files: int = 0
    binary_skipped: int = 0
    error: str | None = None


@dataclass
class HistoryScan:
    matches: list[Match] = field(default_factory=list)  # source = "<commit12>:<path>"
    commits: int = 0
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


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[str | None, bool]:
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
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if "Storage" not in line or "lr-allow" in line or "launch-ready: allow" in line:
            continue
        for m in STORAGE.finditer(line):
            storage = m.group("storage") or m.group("storage2")
            key = m.group("key") or m.group("key2")
            if key and TOKEN_KEY.search(key):
                found.append(StoredToken(source, number, storage, key[:80]))
    return found


def scan_worktree(path: Path, allowlist: Iterable[str] = (), timeout: float = 60,
                  max_bytes: int = MAX_FILE_BYTES) -> RepoScan:
    """Scan the working tree of the repository at `path` (tracked + untracked-not-ignored)."""
    allowed = frozenset(allowlist)
    result = RepoScan(root=str(path))
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
            text, truncated = read_bounded(full, max_bytes)
        except OSError:
            continue
        if text is None:
            result.binary_skipped += 1
            continue
        result.files += 1
        if truncated:
            result.truncated.append(name)
        found = scan(text, name, allowed, watch=_WATCH)
        result.matches.extend(found.matches)
        if found.seen & _PUBLIC_WATCH:
            result.public_env.extend(public_env_matches(text, name, allowed))
        if "storage" in found.seen and name.endswith(FRONTEND_EXT):
            result.stored_tokens.extend(stored_tokens(text, name))
    return result


_COMMIT = b"\0commit "


def scan_history(path: Path, allowlist: Iterable[str] = (), timeout: float = 120,
                 max_bytes: int = 1024 * 1024 * 1024) -> HistoryScan:
    """Every line ever added on any ref (`git log --all -p -U0`), streamed."""
    allowed = frozenset(allowlist)
    result = HistoryScan()
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
    commit, file_path = "", ""
    added: list[str] = []
    numbers: list[int] = []
    next_line = 0
    read = 0

    def flush() -> None:
        if added and file_path:
            source = f"{commit[:12]}:{file_path}"
            for m in scan_text("\n".join(added), source, allowed):
                result.matches.append(Match(m.rule_id, m.provider, m.severity, source,
                                            numbers[m.line - 1], m.column, m.fingerprint,
                                            m.preview))
        added.clear()
        numbers.clear()

    assert proc.stdout is not None
    try:
        while True:
            raw = proc.stdout.readline(MAX_HISTORY_LINE)
            if not raw:
                break
            read += len(raw)
            if read > max_bytes:
                result.incomplete = f"the history is over {max_bytes // 2**20} MiB; scanned its start"
                break
            if not raw.endswith(b"\n"):  # an over-long line: skip its remainder
                while True:
                    rest = proc.stdout.readline(MAX_HISTORY_LINE)
                    read += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
            if raw.startswith(b"+") and not raw.startswith(b"+++ "):
                added.append(raw[1:].rstrip(b"\r\n").decode("utf-8", "replace"))
                numbers.append(next_line)
                next_line += 1
            elif raw.startswith(b"@@"):
                m = re.match(rb"@@ -\S+ \+(\d+)", raw)
                next_line = int(m.group(1)) if m else 0
            elif raw.startswith(b"+++ "):
                flush()
                target = raw[4:].rstrip(b"\r\n").decode("utf-8", "surrogateescape")
                file_path = target[2:] if target.startswith("b/") else ""
            elif raw.startswith(b"diff --git"):
                flush()
                file_path = ""
            elif raw.startswith(_COMMIT):
                flush()
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

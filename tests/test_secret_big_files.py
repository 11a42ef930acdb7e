"""Big files and history blobs are scanned whole, in overlapping windows, in bounded memory, up
to a cap that the findings name. Keys are generated at run time (tests/secret_corpus.py)."""

from __future__ import annotations

import json
import random
import shutil
import tracemalloc
from functools import partial
from pathlib import Path

import pytest

from tests.secret_corpus import (
    decoy_lines,
    gcp_json,
    git,
    js_piece,
    pem_key,
    planted_keys,
    repo_config,
    run_repo_checks,
)
from wizard.probes.secrets.engine import scan
from wizard.probes.secrets.repo import READ_CHUNK, Capped, scan_file, scan_history, scan_worktree
from wizard.probes.secrets.stream import OVERLAP, WINDOW, WindowScanner, scan_stream

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

WORDS = ["function", "return", "var", "const", "user", "props", "state", "fetch", "headers",
         "this", "null", "undefined", "JSON", "parse", "window", "document", "e", "t", "n"]


def _key(seed: int, rule: str = "github-token"):
    return next(k for k in planted_keys(random.Random(seed)) if k.rule == rule)


def _minified(rng: random.Random, size: int) -> str:
    """About `size` characters of one-line minified JS with no secret in it."""
    pieces: list[str] = []
    total = 0
    while total < size:
        piece = js_piece(rng, WORDS)
        pieces.append(piece)
        total += len(piece)
    return "".join(pieces)[:size]


def _repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    return root


def _commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def _by_id(findings) -> dict[str, list]:
    by_id: dict[str, list] = {}
    for f in findings:
        by_id.setdefault(f.id, []).append(f)
    return by_id


def _dumped(findings) -> str:
    return json.dumps([f.model_dump(mode="json") for f in findings])


# ---------------------------------------------------------------- the working tree


async def test_a_key_at_84_percent_of_a_committed_minified_bundle_is_found(tmp_path):
    """The 3.5 MB one-line bundle is over the old 2 MiB read; now it is scanned whole."""
    root = _repo(tmp_path / "repo")
    key = _key(1)
    filler = _minified(random.Random(2), 3_500_000)
    at = int(len(filler) * 0.84)
    text = filler[:at] + ";" + key.line + filler[at:]
    (root / "dist").mkdir()
    (root / "dist" / "app.min.js").write_text(text)
    _commit(root, "bundle")
    column = at + 1 + key.line.index(key.value) + 1

    scan = scan_worktree(root)
    assert [(m.source, m.line, m.column, m.fingerprint) for m in scan.matches] == [
        ("dist/app.min.js", 1, column, key.fingerprint)]
    assert scan.capped == [] and scan.cap == 50 * 1024 * 1024

    findings = await run_repo_checks(repo_config(str(root)), tmp_path)
    repo = _by_id(findings)["secrets.repo"]
    assert [f.evidence["fingerprint"] for f in repo] == [key.fingerprint]
    assert repo[0].evidence["locations"] == ["dist/app.min.js:1"]
    assert repo[0].evidence["cap_bytes"] == 50 * 1024 * 1024 and repo[0].evidence["capped"] == []
    assert key.value not in _dumped(findings)


def test_a_key_straddling_a_window_boundary_is_found_once_at_its_column():
    """Every offset from before the first window's reporting boundary to past its end: the key
    is found once, in the right column, wherever the cut falls (a one-line text: hard cuts)."""
    size, overlap = 4096, 1024
    key = _key(3)
    filler = _minified(random.Random(4), 3 * size)
    planted = ";" + key.line + ";"
    for at in range(size - overlap - 100, size + 50, 7):
        text = filler[:at] + planted + filler[at:]
        found = scan_stream([text[i:i + 999] for i in range(0, len(text), 999)], "b.js",
                            size=size, overlap=overlap)
        assert [(m.line, m.column, m.fingerprint) for m in found.matches] == [
            (1, at + planted.index(key.value) + 1, key.fingerprint)], at


def test_a_key_in_the_overlap_is_reported_once_and_lines_stay_right():
    """A key in the lines two windows share (cut at line ends): once, at its line and column."""
    size, overlap = 4096, 1024
    key = _key(5)
    lines = [f"var line{i} = {i};" for i in range(600)]
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    at = next(i for i, start in enumerate(starts) if start > 3300)  # in the first window's end
    lines[at] = "  " + key.line
    text = "\n".join(lines)
    offset = text.index(key.value)
    assert size - overlap < offset < size  # in both windows
    scanner = WindowScanner("f.js", size=size, overlap=overlap)
    scanner.feed(text)
    found = scanner.finish()
    assert scanner.windows > 2
    assert [(m.line, m.column) for m in found.matches] == [(at + 1, 3 + key.line.index(key.value))]


def test_windows_agree_with_one_scan_of_the_whole_text():
    """Every rule, decoys, service-account files, PEM keys and allow markers over 2 MiB of lines:
    the windows (default and small ones) give exactly the matches of one whole-text scan."""
    rng = random.Random(6)
    lines: list[str] = []
    while sum(map(len, lines)) < 2_200_000:
        lines += [k.line for k in planted_keys(rng)]
        lines += [line for _, line in decoy_lines(rng)]
        lines += [gcp_json(rng)[0], pem_key(rng)[0], _key(rng.randint(0, 999)).line + " # lr-allow"]
        lines += ["x = 1  # filler " * rng.randint(0, 40) for _ in range(rng.randint(100, 200))]
    text = "\n".join(lines)
    whole = scan(text, "m.py", watch=("storage", "vite_"))
    assert len(whole.matches) > 500
    pieces = [text[i:i + 70_001] for i in range(0, len(text), 70_001)]
    for size, overlap in ((WINDOW, OVERLAP), (65536, 16384)):
        found = scan_stream(pieces, "m.py", size=size, overlap=overlap, watch=("storage", "vite_"))
        assert found.matches == whole.matches and found.seen == whole.seen


@pytest.mark.parametrize("boundary", ["report", "end"])
def test_a_service_account_file_across_a_default_window_boundary_is_one_finding(boundary):
    """Its "type" line in one window, its key id in the next: the validator still sees both
    (32 KiB either side), and its PEM key is not reported apart from it."""
    rng = random.Random(7)
    account, key_id = gcp_json(rng)
    cut = WINDOW - OVERLAP // 2 if boundary == "report" else WINDOW
    line = "x = 1  # filler filler filler\n"
    for shift in range(-len(account), 200, 150):
        head = line * ((cut + shift) // len(line))
        text = head + account + "\n" + line * 1000
        found = scan_stream([text], "sa.json")
        assert [m.rule_id for m in found.matches] == ["gcp-service-account"], shift
        assert found.matches[0].line == head.count("\n") + account[:account.index(key_id)].count("\n") + 1


def test_public_env_and_local_storage_in_windows_are_reported_once(tmp_path):
    root = _repo(tmp_path / "repo")
    key = _key(8, "openai-api-key")
    lines = [f"export const v{i} = {i};" for i in range(2000)]
    lines[300] = f"const k = NEXT_PUBLIC_OPENAI_KEY={key.value};"
    lines[700] = "localStorage.setItem('access_token', t);"
    (root / "app.js").write_text("\n".join(lines) + "\n")
    _commit(root, "app")
    for size, overlap in ((4096, 1024), (8192, 2048), (WINDOW, OVERLAP)):
        scan = scan_worktree(root, window=size, overlap=overlap)
        assert [(p.name, p.match.line, p.match.column) for p in scan.public_env] == [
            ("NEXT_PUBLIC_OPENAI_KEY", 301, len("const k = NEXT_PUBLIC_OPENAI_KEY=") + 1)]
        assert [(t.path, t.line, t.key) for t in scan.stored_tokens] == [
            ("app.js", 701, "access_token")]
        assert [(m.line, m.fingerprint) for m in scan.matches] == [(301, key.fingerprint)]


async def test_a_file_over_the_cap_is_named_and_scanned_up_to_it(tmp_path, monkeypatch):
    """Replaces test_secret_scan.test_large_file_is_bounded (the old `truncated` list)."""
    root = _repo(tmp_path / "repo")
    before, after = _key(9), _key(10, "groq-api-key")
    cap = 4096
    filler = _minified(random.Random(11), 3 * cap)
    (root / "big.js").write_text(filler[:1000] + ";" + before.line + filler + ";" + after.line)
    (root / "small.js").write_text("const a = 1;\n")
    _commit(root, "big")
    size = (root / "big.js").stat().st_size

    scan = scan_worktree(root, max_bytes=cap)
    assert scan.capped == [Capped("big.js", size)] and scan.cap == cap and scan.files == 2
    assert [m.fingerprint for m in scan.matches] == [before.fingerprint]  # not the one past the cap

    monkeypatch.setattr("stages.checks.secrets.scan_worktree", partial(scan_worktree, max_bytes=cap))
    findings = await run_repo_checks(repo_config(str(root)), tmp_path)
    [key] = _by_id(findings)["secrets.repo"]
    assert key.evidence["fingerprint"] == before.fingerprint
    assert key.evidence["cap_bytes"] == cap
    assert key.evidence["capped"] == [{"path": "big.js", "bytes": size}]
    assert before.value not in _dumped(findings) and after.value not in _dumped(findings)

    (root / "big.js").write_text(filler[:10_000])  # no key: the pass is a warning naming the file
    findings = await run_repo_checks(repo_config(str(root)), tmp_path)
    [clean] = _by_id(findings)["secrets.repo"]
    assert clean.status.value == "warn"
    assert clean.summary == ("no secret in 2 file(s) of the working tree (scanned the first 4 KiB "
                             "of 1 file(s): big.js (9.8 KiB))")
    assert clean.evidence["capped"] == [{"path": "big.js", "bytes": 10_000}]


def test_scan_file_stops_at_the_cap_on_a_character_boundary(tmp_path):
    """A cap inside a multi-byte character: the text up to it, a replacement char, no error."""
    path = tmp_path / "u.txt"
    path.write_text("é" * 5000, encoding="utf-8")
    scanned = scan_file(path, "u.txt", cap=4097)
    assert scanned is not None and scanned.capped and scanned.size == 10000
    path.write_bytes(b"\x00" + b"a" * 100)
    assert scan_file(path, "u.txt") is None  # binary: skipped as before


def test_memory_stays_near_the_window_size(tmp_path):
    """A file 32 times the window: the scan's peak allocation is a few windows, not the file."""
    size, overlap = 128 * 1024, 32 * 1024
    keys = [_key(20 + i) for i in range(8)]
    block = _minified(random.Random(12), 600_000)
    path = tmp_path / "big.js"
    with open(path, "w") as handle:
        for key in keys:
            handle.write(block + ";" + key.line)
    file_size = path.stat().st_size
    assert file_size > 32 * size
    tracemalloc.start()
    try:
        scanned = scan_file(path, "big.js", window=size, overlap=overlap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert scanned is not None
    assert [m.fingerprint for m in scanned.found.matches] == [k.fingerprint for k in keys]
    assert peak < 8 * size < file_size / 4, peak


def test_a_window_must_hold_its_overlap():
    with pytest.raises(ValueError, match="4 times"):
        WindowScanner("f", size=1000, overlap=500)


# ---------------------------------------------------------------- history


async def test_history_finds_a_key_near_the_end_of_a_deleted_bundle(tmp_path):
    root = _repo(tmp_path / "repo")
    bundle_key, line_key = _key(30), _key(31, "stripe-live-secret")
    filler = _minified(random.Random(13), 3_500_000)
    at = int(len(filler) * 0.97)
    (root / "dist").mkdir()
    (root / "dist" / "app.min.js").write_text(filler[:at] + ";" + bundle_key.line + filler[at:])
    lines = [f"row {i}, {i * 7}" for i in range(200_000)]
    lines[199_000] = line_key.line
    (root / "dist" / "rows.txt").write_text("\n".join(lines) + "\n")
    commit = _commit(root, "bundle")
    git(root, "rm", "-q", "-r", "dist")
    _commit(root, "no bundle")

    history = scan_history(root)
    assert history.error is None and history.commits == 2 and history.capped == []
    assert [(m.source, m.line, m.column, m.fingerprint) for m in history.matches] == [
        (f"{commit[:12]}:dist/app.min.js", 1, at + 2 + bundle_key.line.index(bundle_key.value),
         bundle_key.fingerprint),
        (f"{commit[:12]}:dist/rows.txt", 199_001, 1 + line_key.line.index(line_key.value),
         line_key.fingerprint)]

    findings = await run_repo_checks(repo_config(str(root)), tmp_path)
    gone = {f.evidence["fingerprint"]: f for f in _by_id(findings)["secrets.git-history"]}
    assert gone[bundle_key.fingerprint].evidence["locations"] == [f"{commit[:12]}:dist/app.min.js:1"]
    assert gone[line_key.fingerprint].evidence["capped"] == []
    assert bundle_key.value not in _dumped(findings)


def test_history_lines_of_a_modified_file_keep_their_numbers_across_windows(tmp_path):
    """-U0 hunks are not contiguous: each added line keeps its number in the file, also when the
    blob's added lines span several windows."""
    root = _repo(tmp_path / "repo")
    path = root / "config.py"
    lines = [f"value_{i} = {i}  # " + "padding " * 30 for i in range(100)]
    path.write_text("\n".join(lines) + "\n")
    _commit(root, "config")
    first, second = _key(40), _key(41, "gitlab-token")
    lines[3] = first.line
    lines[90] = second.line
    for i in range(20, 80, 3):
        lines[i] = f"changed_{i} = {i}  # " + "padding " * 30
    path.write_text("\n".join(lines) + "\n")
    commit = _commit(root, "keys")
    path.unlink()
    _commit(root, "gone")
    history = scan_history(root, window=4096, overlap=1024)
    assert [(m.source, m.line) for m in history.matches] == [
        (f"{commit[:12]}:config.py", 4), (f"{commit[:12]}:config.py", 91)]


def test_an_over_long_history_line_is_scanned_not_skipped(tmp_path):
    """Read in 4 KiB pieces (the production piece is 256 KiB): a 60 KB line comes in 15 pieces,
    all scanned, even one that starts like a diff header."""
    root = _repo(tmp_path / "repo")
    key = _key(50)
    piece = 4096
    filler = _minified(random.Random(14), 60_000)
    header = "@@ -1 +1 @@ diff --git a/x b/x +++ b/evil.js "
    text = filler[:piece - 1] + header + filler[piece:50_000] + ";" + key.line + filler[50_000:]
    (root / "long.js").write_text(text + "\nconst next = 1;\n")
    commit = _commit(root, "long")
    git(root, "rm", "-q", "long.js")
    _commit(root, "gone")
    history = scan_history(root, piece=piece, window=16384, overlap=4096)
    assert [(m.source, m.line, m.column) for m in history.matches] == [
        (f"{commit[:12]}:long.js", 1, text.index(key.value) + 1)]


def test_an_added_line_that_looks_like_a_file_header_stays_in_its_file(tmp_path):
    """A line "++ b/other" is added as "+++ b/other": within a hunk it is content, not a header."""
    root = _repo(tmp_path / "repo")
    key = _key(51)
    (root / "notes.md").write_text("++ b/other.md\n" + key.line + "\n")
    commit = _commit(root, "notes")
    history = scan_history(root)
    assert [(m.source, m.line) for m in history.matches] == [(f"{commit[:12]}:notes.md", 2)]


async def test_a_history_blob_over_the_cap_is_named(tmp_path, monkeypatch):
    root = _repo(tmp_path / "repo")
    before, after = _key(60), _key(61, "groq-api-key")
    cap = 4096
    lines = [f"row {i}" for i in range(2000)]
    lines[10], lines[1900] = before.line, after.line
    (root / "dump.txt").write_text("\n".join(lines) + "\n")
    commit = _commit(root, "dump")
    (root / "dump.txt").unlink()
    _commit(root, "gone")
    added = len("\n".join(lines))  # the added lines and the line ends between them

    history = scan_history(root, max_blob_bytes=cap)
    assert history.capped == [Capped(f"{commit[:12]}:dump.txt", added)] and history.cap == cap
    assert [(m.line, m.fingerprint) for m in history.matches] == [(11, before.fingerprint)]

    monkeypatch.setattr("stages.checks.secrets.scan_history",
                        partial(scan_history, max_blob_bytes=cap))
    findings = await run_repo_checks(repo_config(str(root)), tmp_path)
    [key] = _by_id(findings)["secrets.git-history"]
    assert key.evidence["fingerprint"] == before.fingerprint
    assert key.evidence["capped"] == [{"path": f"{commit[:12]}:dump.txt", "bytes": added}]

    lines[10] = "row 10"  # no key before the cap: the pass is a warning naming the blob
    root2 = _repo(tmp_path / "repo2")
    (root2 / "dump.txt").write_text("\n".join(lines) + "\n")
    commit2 = _commit(root2, "dump")
    findings = await run_repo_checks(repo_config(str(root2)), tmp_path)
    [clean] = _by_id(findings)["secrets.git-history"]
    assert clean.status.value == "warn"
    assert clean.summary == ("no deleted secret in 1 commit(s) of history (scanned the first 4 KiB "
                             f"of 1 file(s) in history: {commit2[:12]}:dump.txt "
                             f"({added / 1024:.1f} KiB))")
    assert after.value not in _dumped(findings) and before.value not in _dumped(findings)


def _at(source: str, number: int, line: str, key) -> tuple[str, int, int, str]:
    """Where `key` is found on `line` (line `number` of `source`): (source, line, column, fp)."""
    return source, number, line.index(key.value) + 1, key.fingerprint


def test_history_hunks_of_every_kind_give_each_key_its_file_line_and_column(tmp_path):
    """Three commits of -U0 hunks of every shape: removed + added lines, pure additions and
    pure removals, several hunks in a file, a last line without a line end (removed and added),
    CRLF lines, a "+++ b/..." line as content, a deleted file, a binary file before a text file,
    a path with a space: every planted key at its commit, path, line and column, and the same
    whatever the size of the pieces git's output is read in."""
    root = _repo(tmp_path / "repo")
    keys = {k.rule: k for k in planted_keys(random.Random(70))}
    more = {k.rule: k for k in planted_keys(random.Random(71))}
    (root / "assets").mkdir()
    (root / "src").mkdir()
    app = [f"value_{i} = {i}" for i in range(1, 31)]
    (root / "src" / "app.py").write_text("\n".join(app) + "\n")
    notes = ["const a = 1;", "const b = 2;", "const c = 3;", "const d = 4;", "const last = 0;"]
    (root / "src" / "notes.js").write_text("\n".join(notes))  # no line end at its end
    old = ["import os", "", "    " + keys["gitlab-token"].line, "print(os.name)"]
    (root / "src" / "old.py").write_text("\n".join(old) + "\n")
    (root / "assets" / "logo.bin").write_bytes(b"\x89PNG\r\n\x00\x01" + bytes(range(256)) * 4)
    (root / "assets" / "main.py").write_text("x = 1\n" + keys["groq-api-key"].line + "\n")
    first = _commit(root, "first")

    app[4] = keys["github-token"].line  # line 5 changed: one removed, one added
    app[15:15] = ["inserted = True", "  " + keys["stripe-live-secret"].line]  # after line 15
    del app[26:28]  # old lines 25-26: removed only
    app[-1] = "value_30 = 'changed'  # " + keys["openai-api-key"].line
    (root / "src" / "app.py").write_text("\n".join(app) + "\n")
    notes[-1] = "const last = 1; " + keys["huggingface-token"].line  # still no line end
    (root / "src" / "notes.js").write_text("\n".join(notes))
    spaced = ["++ b/other.py", "token = 1", "\t" + keys["replicate-api-token"].line]
    (root / "src" / "my config.py").write_text("\n".join(spaced) + "\n")
    win = ["a = 1", "b = " + keys["sendgrid-api-key"].line, "c = 3"]
    (root / "src" / "win.py").write_bytes(("\r\n".join(win) + "\r\n").encode())
    (root / "src" / "old.py").unlink()
    (root / "assets" / "logo.bin").write_bytes(b"\x89PNG\r\n\x00\x02" + bytes(range(256)) * 5)
    second = _commit(root, "second")
    app2 = list(app)

    notes[-1] = "const last = 2;"  # the last line gets its line end, and a line follows it
    notes += [more["github-token"].line]
    (root / "src" / "notes.js").write_text("\n".join(notes) + "\n")
    app[1:3] = ["# two lines became three", more["gitlab-token"].line, "value_3 = 3"]
    (root / "src" / "app.py").write_text("\n".join(app) + "\n")
    third = _commit(root, "third")

    c1, c2, c3 = first[:12], second[:12], third[:12]
    expected = sorted([
        _at(f"{c1}:assets/main.py", 2, keys["groq-api-key"].line, keys["groq-api-key"]),
        _at(f"{c1}:src/old.py", 3, old[2], keys["gitlab-token"]),
        _at(f"{c2}:src/app.py", 5, app2[4], keys["github-token"]),
        _at(f"{c2}:src/app.py", 17, "  " + keys["stripe-live-secret"].line,
            keys["stripe-live-secret"]),
        _at(f"{c2}:src/app.py", 30, app2[-1], keys["openai-api-key"]),
        _at(f"{c2}:src/notes.js", 5, "const last = 1; " + keys["huggingface-token"].line,
            keys["huggingface-token"]),
        _at(f"{c2}:src/my config.py", 3, spaced[2], keys["replicate-api-token"]),
        _at(f"{c2}:src/win.py", 2, win[1], keys["sendgrid-api-key"]),
        _at(f"{c3}:src/notes.js", 6, more["github-token"].line, more["github-token"]),
        _at(f"{c3}:src/app.py", 3, more["gitlab-token"].line, more["gitlab-token"]),
    ])
    planted = {fp for *_, fp in expected}
    assert len(planted) == len(expected)
    for piece in (READ_CHUNK, 4096, 97, 5):  # down to pieces shorter than a line
        history = scan_history(root, piece=piece)
        assert history.error is None and history.incomplete is None and history.commits == 3
        assert history.capped == []
        found = sorted((m.source, m.line, m.column, m.fingerprint) for m in history.matches
                       if m.fingerprint in planted)
        assert found == expected, piece
        assert not [m for m in history.matches if m.source.startswith(f"{c2}:src/old.py")]


def test_history_long_added_and_removed_lines_stay_in_bounded_memory(tmp_path):
    """A 6 MB one-line file added, then changed (its 6 MB line removed and another added):
    git's output is held a piece or two at a time and the lines are scanned in windows, so the
    peak allocation is a few windows and pieces, not the line; the keys keep their columns."""
    root = _repo(tmp_path / "repo")
    size, overlap, piece = 128 * 1024, 32 * 1024, 64 * 1024
    first, second = _key(80), _key(81, "gitlab-token")
    filler = _minified(random.Random(15), 6_000_000)
    one = filler[:5_000_000] + ";" + first.line + filler[5_000_000:]
    (root / "bundle.js").write_text("head\n" + one + "\n")
    c1 = _commit(root, "bundle")
    two = filler[:100] + ";" + second.line + filler[100:]
    (root / "bundle.js").write_text("head\n" + two + "\n")
    c2 = _commit(root, "bundle again")
    tracemalloc.start()
    try:
        history = scan_history(root, window=size, overlap=overlap, piece=piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(m.source, m.line, m.column, m.fingerprint) for m in history.matches] == [
        (f"{c2[:12]}:bundle.js", 2, two.index(second.value) + 1, second.fingerprint),
        (f"{c1[:12]}:bundle.js", 2, one.index(first.value) + 1, first.fingerprint)]
    assert peak < 8 * size + 4 * piece < len(one) / 4, peak


def test_history_paths_git_quotes_or_pads_are_read_back(tmp_path):
    """Git puts a tab after a path with a space on its "+++" line, and C-quotes a path with a
    tab, a quote or a backslash ("b/a\\tb.py"): the source is the path itself, and its lines
    are scanned (they used to be attributed to "path\\t", or dropped)."""
    root = _repo(tmp_path / "repo")
    names = ["my config.py", "tab\tname.py", 'say "hi".py', "back\\slash.py", "é ü.py"]
    keys = [_key(90 + i) for i in range(len(names))]
    for name, key in zip(names, keys, strict=True):
        (root / name).write_text("x = 1\n" + key.line + "\n")
    commit = _commit(root, "odd names")[:12]
    history = scan_history(root)
    assert sorted((m.source, m.line, m.fingerprint) for m in history.matches) == sorted(
        (f"{commit}:{name}", 2, key.fingerprint) for name, key in zip(names, keys, strict=True))

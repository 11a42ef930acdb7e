"""Our secret scanner against detect-secrets (all plugins, `scan --no-verify`) on the same files in
the same run: a generated git repository and a minified ~3.5 MB bundle with planted keys of every
rule (tests/secret_corpus.py), then a clean corpus (copies of installed site-packages of our own
dependencies) for false positives.

Times: ours in-process (wizard.probes.secrets); detect-secrets as its CLI, with its start-up
(measured alone and printed). Recall: a planted key counts as found by ours when a match has its
fingerprint; by detect-secrets when a result has its hashed_secret (sha1 of the value) or, in
multi-line files, a result sits on the key's line.

Timing: the repository and the bundle are scanned three times by ours and the best run is
kept; detect-secrets gets three runs on the repository (best kept) and one on the bundle (it
takes seconds there). Best-of-three keeps the figures steady on a busy machine.

Run: python tests/bench/secret_scan.py
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.secret_corpus import build_bundle, build_repo, git  # noqa: E402
from wizard.probes.secrets.engine import scan_text  # noqa: E402
from wizard.probes.secrets.repo import scan_history, scan_worktree  # noqa: E402

DETECT = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or shutil.which(
    "detect-secrets")
CLEAN_PACKAGES = ("httpx", "httpcore", "idna", "yaml", "jinja2", "dns", "keyring", "h11")
FILLER_FILES = 150


RUNS = 3


def best(work, runs: int = RUNS):
    """(best time, result of the last run) over `runs` runs of work()."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def detect_secrets(cwd: Path, files: list[str], runs: int = 1) -> tuple[float, dict]:
    def once() -> str:
        return subprocess.run([DETECT, "scan", "--no-verify", *files], cwd=cwd, capture_output=True,
                              text=True, check=True, timeout=900).stdout
    elapsed, out = best(once, runs)
    return elapsed, json.loads(out)["results"]


def ds_found(results: dict, planted, where: dict[str, tuple[str, int]] | None = None) -> int:
    hashes = {r["hashed_secret"] for rs in results.values() for r in rs}
    lines = {(name, r["line_number"]) for name, rs in results.items() for r in rs}
    found = 0
    for key in planted:
        sha1 = hashlib.sha1(key.value.encode()).hexdigest()
        if sha1 in hashes or (where and where.get(key.value) in lines):
            found += 1
    return found


def filler(root: Path, rng: random.Random) -> None:
    """Ordinary source files so the repository has some size (~3.5 MB)."""
    words = ["user", "session", "message", "model", "prompt", "stream", "token_count", "limit",
             "config", "request", "response", "chat", "history", "retry", "timeout", "headers"]
    lib = root / "lib"
    lib.mkdir()
    for i in range(FILLER_FILES):
        lines = []
        for _ in range(400):
            a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
            lines.append(f"    {a}_{b} = {c}.get('{b}', {rng.randint(0, 9999)})  # {a} {c}")
        (lib / f"module_{i}.py").write_text(f"def handler_{i}({words[i % 16]}):\n" + "\n".join(lines))


def lockfile(root: Path, rng: random.Random, packages: int = 1500) -> None:
    """A package-lock.json as every JavaScript repository commits one: sha512 integrity strings."""
    b64 = string.ascii_letters + string.digits + "+/"
    entries = {}
    for i in range(packages):
        name = f"pkg-{i}-" + "".join(rng.choice(string.ascii_lowercase) for _ in range(6))
        entries[f"node_modules/{name}"] = {
            "version": f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}",
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
            "integrity": "sha512-" + "".join(rng.choice(b64) for _ in range(86)) + "==",
            "dev": rng.random() < 0.5}
    (root / "package-lock.json").write_text(json.dumps(
        {"name": "app", "lockfileVersion": 3, "packages": entries}, indent=2))


def where_planted(root: Path, planted) -> dict[str, tuple[str, int]]:
    spots: dict[str, tuple[str, int]] = {}
    values = {p.value for p in planted}
    for path in root.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.split("\n"), 1):
            for value in values:
                if value in line:
                    spots.setdefault(value, (str(path.relative_to(root)), number))
    return spots


def main() -> None:
    if DETECT is None:
        sys.exit("detect-secrets is not installed: pip install -e '.[test]'")
    tmp = Path(tempfile.mkdtemp(prefix="secret-bench-"))
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path) -> None:
    rng = random.Random(3)
    empty = tmp / "empty.txt"
    empty.write_text("\n")
    startup, _ = detect_secrets(tmp, ["empty.txt"])
    print(f"detect-secrets {subprocess.run([DETECT, '--version'], capture_output=True, text=True).stdout.strip()}"
          f", all plugins, {os.cpu_count()} cores; its start-up alone: {startup:.2f} s")

    # The bundle.
    bundle = tmp / "bundle.min.js"
    keys = build_bundle(bundle)
    ours, matches = best(lambda: scan_text(bundle.read_text(), bundle.name))  # reading included
    theirs, results = detect_secrets(tmp, [bundle.name])
    found = {m.fingerprint for m in matches}
    ours_recall = sum(k.fingerprint in found for k in keys)
    print(f"\nbundle ({bundle.stat().st_size / 1e6:.1f} MB minified, {len(keys)} planted keys)")
    print(f"  ours            {ours:7.3f} s   recall {ours_recall}/{len(keys)}")
    print(f"  detect-secrets  {theirs:7.3f} s   recall {ds_found(results, keys)}/{len(keys)}")
    print(f"  ours is {theirs / ours:.0f}x faster ({(theirs - startup) / ours:.0f}x without its start-up)")

    # The repository: working tree (same files for both), then history (ours only).
    corpus = build_repo(tmp / "repo")
    filler(corpus.root, rng)
    lockfile(corpus.root, rng)
    git(corpus.root, "add", ".")
    git(corpus.root, "commit", "-q", "-m", "filler")
    files = [name for name in git(corpus.root, "ls-files").splitlines()]
    size = sum((corpus.root / f).stat().st_size for f in files)
    ours, tree = best(lambda: scan_worktree(corpus.root))
    ours_history, history = best(lambda: scan_history(corpus.root))
    theirs, results = detect_secrets(corpus.root, files, RUNS)
    found = {m.fingerprint for m in tree.matches}
    head = corpus.head
    spots = where_planted(corpus.root, head)
    print(f"\nrepository working tree ({len(files)} files, {size / 1e6:.1f} MB, {len(head)} planted keys)")
    print(f"  ours            {ours:7.3f} s   recall {sum(p.fingerprint in found for p in head)}/{len(head)}")
    print(f"  detect-secrets  {theirs:7.3f} s   recall {ds_found(results, head, spots)}/{len(head)}")
    print(f"  ours is {theirs / ours:.0f}x faster ({(theirs - startup) / ours:.0f}x without its start-up)")
    in_history = {m.fingerprint for m in history.matches}
    print(f"  history ({history.commits} commits): ours {ours_history:.3f} s, recall of keys deleted "
          f"from HEAD {sum(p.fingerprint in in_history for p in corpus.history)}/{len(corpus.history)}"
          "; detect-secrets does not read history")
    decoys = {hashlib.sha256(d.encode()).hexdigest()[:12] for d in corpus.decoys}
    blockers = [m for m in tree.matches if m.fingerprint in decoys and m.severity == "blocker"]
    print(f"  decoys reported as blockers by ours: {len(blockers)}")

    # False positives on a clean corpus.
    clean = tmp / "clean"
    site = Path(__import__("httpx").__file__).resolve().parents[1]
    for name in CLEAN_PACKAGES:
        if (site / name).is_dir():
            shutil.copytree(site / name, clean / name, ignore=shutil.ignore_patterns("__pycache__"))
    clean_files = sorted(str(p.relative_to(clean)) for p in clean.rglob("*") if p.is_file())
    clean_size = sum((clean / f).stat().st_size for f in clean_files)
    started = time.perf_counter()
    ours_fp = []
    for name in clean_files:
        data = (clean / name).read_bytes()
        if b"\0" not in data[:8192]:
            ours_fp.extend(scan_text(data.decode("utf-8", "replace"), name))
    ours = time.perf_counter() - started
    theirs, results = detect_secrets(clean, clean_files)
    theirs_fp = sum(len(rs) for rs in results.values())
    by_severity = {s: sum(m.severity == s for m in ours_fp) for s in ("blocker", "can-wait", "info")}
    print(f"\nclean corpus: site-packages {', '.join(CLEAN_PACKAGES)} ({len(clean_files)} files, "
          f"{clean_size / 1e6:.1f} MB)")
    print(f"  ours            {ours:7.3f} s   false positives {len(ours_fp)} {by_severity}")
    for m in ours_fp[:10]:
        print(f"    {m.rule_id} {m.source}:{m.line} {m.preview}")
    print(f"  detect-secrets  {theirs:7.3f} s   false positives {theirs_fp}")


if __name__ == "__main__":
    main()

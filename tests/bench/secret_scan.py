"""Our secret scan against detect-secrets, both as whole processes (start-up included), on the
same repositories in the same run, as a new user would time them:

- ours: `launch-ready check SPRINT --only 'secrets.*' --format json` (working tree, git history,
  committed .env files, public env prefixes, localStorage tokens; secrets.client-bundle asks
  the system resolver about a .invalid domain, which answers NXDOMAIN at once, and skips);
- detect-secrets: `detect-secrets scan --no-verify` in the repository (all plugins, every file
  git tracks).

Repositories (all generated here, keys random in the right format: tests/secret_corpus.py):
1. the labelled repository (source, package-lock.json, planted keys and decoys) holding a
   committed ~3.5 MB minified bundle with its own planted keys, one at ~84% of the file;
2. a clean repository (copies of installed site-packages of our dependencies) for false
   positives.

Recall: a planted key counts as found by ours when a finding has its fingerprint; by
detect-secrets when a result has its hashed_secret (sha1 of the value) or, in multi-line files,
a result sits on the key's line. Times are the best of three runs of each, alternating. The
figures for the README are the ratio lines.

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

BIN = Path(sys.executable).parent
DETECT = shutil.which("detect-secrets", path=str(BIN)) or shutil.which("detect-secrets")
OURS = shutil.which("launch-ready", path=str(BIN)) or shutil.which("launch-ready")
CLEAN_PACKAGES = ("httpx", "httpcore", "idna", "yaml", "jinja2", "dns", "keyring", "h11")
FILLER_FILES = 150
RUNS = 3


def timed(argv: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1: ours found blockers
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.strip()[:400]}")
    return elapsed, proc.stdout


def side_by_side(ours_argv: list[str], theirs_argv: list[str], cwd: Path,
                 runs: int = RUNS) -> tuple[float, str, float, str]:
    """Best of `runs` whole-process runs of each, alternating so load hits both alike."""
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed(ours_argv, cwd))
        theirs.append(timed(theirs_argv, cwd))
    best_ours, best_theirs = min(ours), min(theirs)
    return best_ours[0], ours[-1][1], best_theirs[0], theirs[-1][1]


def sprint(tmp: Path, name: str, repo: Path) -> Path:
    """A sprint scanning `repo`, on a domain that does not exist."""
    folder = tmp / f"sprint-{name}"
    subprocess.run([OURS, "new", name, "--domain", "bench.invalid", "--no-tui", "--dir", str(folder)],
                   check=True, capture_output=True, timeout=60)
    config = folder / "sprint.yaml"
    config.write_text(config.read_text().replace("  path: null", f"  path: {repo}"))
    return folder


def ours_argv(folder: Path) -> list[str]:
    return [OURS, "check", str(folder), "--only", "secrets.*", "--format", "json"]


def theirs_argv() -> list[str]:
    return [DETECT, "scan", "--no-verify"]


def our_fingerprints(report: str) -> list[dict]:
    return [f for f in json.loads(report)["findings"] if f["evidence"].get("fingerprint")]


def ds_found(results: dict, planted, where: dict[str, tuple[str, int]]) -> int:
    hashes = {r["hashed_secret"] for rs in results.values() for r in rs}
    lines = {(name, r["line_number"]) for name, rs in results.items() for r in rs}
    return sum(hashlib.sha1(k.value.encode()).hexdigest() in hashes or where.get(k.value) in lines
               for k in planted)


def filler(root: Path, rng: random.Random) -> None:
    """Ordinary source files so the repository has some size."""
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


def labelled_repo(tmp: Path):
    rng = random.Random(3)
    corpus = build_repo(tmp / "repo")
    filler(corpus.root, rng)
    lockfile(corpus.root, rng)
    bundle = corpus.root / "web" / "dist" / "app.min.js"
    bundle.parent.mkdir(parents=True)
    bundle_keys = build_bundle(bundle)
    git(corpus.root, "add", ".")
    git(corpus.root, "commit", "-q", "-m", "filler and the built bundle")
    return corpus, bundle, bundle_keys


def clean_repo(tmp: Path) -> Path:
    clean = tmp / "clean"
    site = Path(__import__("httpx").__file__).resolve().parents[1]
    for name in CLEAN_PACKAGES:
        if (site / name).is_dir():
            shutil.copytree(site / name, clean / name, ignore=shutil.ignore_patterns("__pycache__"))
    git(clean, "init", "-q")
    git(clean, "add", ".")
    git(clean, "commit", "-q", "-m", "clean")
    return clean


def size_of(root: Path) -> tuple[int, int]:
    files = git(root, "ls-files").splitlines()
    return len(files), sum((root / f).stat().st_size for f in files)


def main() -> None:
    if DETECT is None or OURS is None:
        sys.exit("detect-secrets or launch-ready is not installed: pip install -e '.[test]'")
    tmp = Path(tempfile.mkdtemp(prefix="secret-bench-"))
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path) -> None:
    empty = tmp / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "README").write_text("nothing here\n")
    git(empty, "add", ".")
    git(empty, "commit", "-q", "-m", "empty")
    version = subprocess.run([DETECT, "--version"], capture_output=True, text=True).stdout.strip()
    ours_empty, _, theirs_empty, _ = side_by_side(ours_argv(sprint(tmp, "empty", empty)),
                                                  theirs_argv(), empty)
    print(f"detect-secrets {version}, all plugins; {os.cpu_count()} cores; best of {RUNS} "
          "whole-process runs each")
    print(f"start-up (a one-file repository): ours {ours_empty:.3f} s, "
          f"detect-secrets {theirs_empty:.3f} s")

    corpus, bundle, bundle_keys = labelled_repo(tmp)
    planted = corpus.head + bundle_keys
    files, size = size_of(corpus.root)
    ours, report, theirs, out = side_by_side(ours_argv(sprint(tmp, "labelled", corpus.root)),
                                             theirs_argv(), corpus.root)
    found = our_fingerprints(report)
    fingerprints = {f["evidence"]["fingerprint"] for f in found}
    results = json.loads(out)["results"]
    spots = where_planted(corpus.root, planted)
    deep = bundle_keys[int(len(bundle_keys) * 0.84)]
    print(f"\nrepository with a committed {bundle.stat().st_size / 1e6:.1f} MB minified bundle "
          f"({files} files, {size / 1e6:.1f} MB, {len(planted)} planted keys in the tree, "
          f"{len(corpus.history)} more only in history)")
    print(f"  ours            {ours:7.3f} s   recall {sum(p.fingerprint in fingerprints for p in planted)}"
          f"/{len(planted)} (+ history {sum(p.fingerprint in fingerprints for p in corpus.history)}"
          f"/{len(corpus.history)}); the key at 84% of the bundle: "
          f"{'found' if deep.fingerprint in fingerprints else 'MISSED'}")
    print(f"  detect-secrets  {theirs:7.3f} s   recall {ds_found(results, planted, spots)}/{len(planted)}"
          " (does not read history)")
    print(f"  ratio ours / detect-secrets: 1/{theirs / ours:.0f} ({ours / theirs:.3f})")
    decoys = {hashlib.sha256(d.encode()).hexdigest()[:12] for d in corpus.decoys}
    blockers = [f for f in found if f["evidence"]["fingerprint"] in decoys and f["severity"] == "blocker"]
    print(f"  decoys reported as blockers by ours: {len(blockers)}")

    clean = clean_repo(tmp)
    files, size = size_of(clean)
    ours, report, theirs, out = side_by_side(ours_argv(sprint(tmp, "clean", clean)), theirs_argv(),
                                             clean)
    ours_fp = our_fingerprints(report)
    by_severity = {s: sum(f["severity"] == s for f in ours_fp) for s in ("blocker", "can-wait", "info")}
    theirs_fp = sum(len(rs) for rs in json.loads(out)["results"].values())
    print(f"\nclean repository: site-packages {', '.join(CLEAN_PACKAGES)} ({files} files, "
          f"{size / 1e6:.1f} MB)")
    print(f"  ours            {ours:7.3f} s   false positives {len(ours_fp)} {by_severity}")
    for f in ours_fp[:10]:
        print(f"    {f['evidence']['rule']} {f['evidence']['locations'][0]} {f['evidence']['preview']}")
    print(f"  detect-secrets  {theirs:7.3f} s   false positives {theirs_fp}")
    print(f"  ratio ours / detect-secrets: 1/{theirs / ours:.0f} ({ours / theirs:.3f})")


if __name__ == "__main__":
    main()

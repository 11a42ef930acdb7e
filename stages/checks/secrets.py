"""The repository's secret checks: the working tree and git history of `repo.path`.

Stage 1 (quick audit: "a secret appears in frontend code or a public repo"): secrets.repo,
secrets.git-history, secrets.env-committed. Stage 2 (fix auth and secret handling: they are
code patterns to change, not only keys to rotate): secrets.public-env-prefix and
auth.token-in-local-storage.

One working-tree scan and one history walk per run (stages.per_run.once), in a thread. One
finding per provider and key (fingerprint), listing every location; a finding holds the key's
first 4 characters at most, never the key. Fingerprints in the sprint's secrets-allowlist.yaml
and lines marked `launch-ready: allow` (or `lr-allow`) are left out. Every file, and every file's
added lines in a commit, is scanned whole up to a cap (50 MiB): one over it is named, with its
size, in the evidence of every finding and turns a pass into a warning.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from stages.base import Check
from stages.checks.per_run import once
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.secrets.engine import Match
from wizard.probes.secrets.repo import (
    Capped,
    HistoryScan,
    RepoScan,
    load_allowlist,
    scan_history,
    scan_worktree,
)
from wizard.probes.secrets.rules import RULES_BY_ID
from wizard.sprint import ALLOWLIST_FILE

MAX_LOCATIONS = 50
NOT_CONFIGURED = "repo.path is not set in sprint.yaml (the product's repository to scan)"


def repo_path(ctx: RunContext) -> Path | None:
    if not ctx.config.repo.path:
        return None
    path = Path(ctx.config.repo.path).expanduser()
    base = getattr(ctx.net, "base_dir", None)
    return path if path.is_absolute() or base is None else Path(base) / path


def allowlist_path(ctx: RunContext) -> Path | None:
    base = getattr(ctx.net, "base_dir", None)
    return Path(base) / ALLOWLIST_FILE if base is not None else None


def _allowlist(ctx: RunContext) -> frozenset[str]:
    path = allowlist_path(ctx)
    return frozenset(load_allowlist(path)) if path is not None else frozenset()


async def _shared_scan(ctx: RunContext, key: str, scan):
    """One scan of the repo per run (the checks share it), or the allowlist's error line."""
    async def work():
        try:
            allowed = _allowlist(ctx)
        except ValueError as exc:
            return str(exc)
        return await asyncio.to_thread(scan, repo_path(ctx), allowed)

    return await once(ctx.net, key, work)


async def _worktree(ctx: RunContext) -> RepoScan | str:
    return await _shared_scan(ctx, "secrets-worktree", scan_worktree)


async def _history(ctx: RunContext) -> HistoryScan | str:
    return await _shared_scan(ctx, "secrets-history", scan_history)


def _locations(matches: list[Match]) -> list[str]:
    return list(dict.fromkeys(m.location() for m in matches))


def key_finding(check: Check, matches: list[Match], where: str, advice: str,
                extra: dict | None = None) -> Finding:
    """One finding for one key (provider + fingerprint) found at every location in `matches`."""
    first = matches[0]
    rule = RULES_BY_ID.get(first.rule_id)
    locations = _locations(matches)
    severity = Severity(first.severity)
    info = severity is Severity.INFO
    shown = ", ".join(locations[:3]) + (f" and {len(locations) - 3} more" if len(locations) > 3 else "")
    evidence = {"provider": first.provider, "rule": first.rule_id,
                "fingerprint": first.fingerprint, "preview": first.preview,
                "locations": locations[:MAX_LOCATIONS], "location_count": len(locations),
                **(extra or {})}
    rotation = rule.rotation if rule else "Rotate it with its provider."
    return check.finding(
        f"{first.provider}:{first.fingerprint}", Status.WARN if info else Status.FAIL,
        f"a {first.provider} key ({first.preview}) {where} {shown}"
        + (" (test or public key)" if info else ""),
        evidence, remediation=("" if info else advice) + rotation, severity=severity)


def _size(n: int) -> str:
    for unit, name in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= unit:
            return f"{n // unit} {name}" if n % unit == 0 else f"{n / unit:.1f} {name}"
    return f"{n} bytes"


def cap_evidence(scan: RepoScan | HistoryScan) -> dict:
    """The cap and what it cut (paths, or commit:path, with their sizes), for every finding."""
    return {"cap_bytes": scan.cap,
            "capped": [{"path": c.path, "bytes": c.size} for c in scan.capped[:MAX_LOCATIONS]],
            "capped_count": len(scan.capped)}


def cap_note(cap: int, capped: list[Capped], what: str) -> str:
    """'scanned the first 50 MiB of 2 file(s): dist/app.js (73.2 MiB), ...', or ''."""
    if not capped:
        return ""
    shown = ", ".join(f"{c.path} ({_size(c.size)})" for c in capped[:3])
    more = f" and {len(capped) - 3} more" if len(capped) > 3 else ""
    return f"scanned the first {_size(cap)} of {len(capped)} {what}: {shown}{more}"


def _group(matches: list[Match]) -> list[list[Match]]:
    groups: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for m in matches:
        groups[(m.provider, m.fingerprint)].append(m)
    return list(groups.values())


def _not_run(check: Check, ctx: RunContext, scan: RepoScan | HistoryScan | str | None,
             ) -> list[Finding] | None:
    subject = ctx.config.repo.path or "repo"
    if scan is None:
        return [check.finding(subject, Status.SKIPPED, NOT_CONFIGURED,
                              remediation="Set repo.path to the repository's checkout.")]
    if isinstance(scan, str):
        return [check.finding(subject, Status.ERROR, scan, remediation=f"Fix {ALLOWLIST_FILE}.")]
    if scan.error and not getattr(scan, "files", 0) and not getattr(scan, "commits", 0):
        return [check.finding(subject, Status.ERROR, f"the repository could not be read: {scan.error}",
                              remediation="Check repo.path points at a git checkout and git is installed.")]
    return None


# ---------------------------------------------------------------- secrets.repo


async def _repo(ctx: RunContext, check: Check) -> list[Finding]:
    scan = await _worktree(ctx) if repo_path(ctx) else None
    if (early := _not_run(check, ctx, scan)) is not None:
        return early
    assert isinstance(scan, RepoScan)
    capped = cap_evidence(scan)
    findings = [key_finding(check, group, "is in the repository at",
                            "Rotate it first, then remove it from the code and read it from the "
                            "environment (it stays in git history until rewritten). ", capped)
                for group in _group(scan.matches)]
    if findings:
        return findings
    notes = [note for note in (cap_note(scan.cap, scan.capped, "file(s)"), scan.error) if note]
    return [check.finding(scan.root, Status.WARN if notes else Status.PASS,
                          f"no secret in {scan.files} file(s) of the working tree"
                          + (f" ({'; '.join(notes)})" if notes else ""),
                          {"files": scan.files, "binary_skipped": scan.binary_skipped, **capped},
                          remediation=("Files over the cap were scanned in their start only: "
                                       "check the rest by hand, or keep build output out of git."
                                       if scan.capped else ""))]


# ---------------------------------------------------------------- secrets.git-history


async def _git_history(ctx: RunContext, check: Check) -> list[Finding]:
    if not repo_path(ctx):
        return _not_run(check, ctx, None) or []
    worktree, history = await asyncio.gather(_worktree(ctx), _history(ctx))
    if (early := _not_run(check, ctx, history)) is not None:
        return early
    assert isinstance(history, HistoryScan)
    in_head = {m.fingerprint for m in worktree.matches} if isinstance(worktree, RepoScan) else set()
    gone = [m for m in history.matches if m.fingerprint not in in_head]
    extra = {**({"history_incomplete": history.incomplete} if history.incomplete else {}),
             **cap_evidence(history)}
    findings = [key_finding(check, group, "was deleted from the code but is still in git history at",
                            "Anyone with a clone has it: rotate it (rewriting history does not "
                            "un-leak it). ", extra)
                for group in _group(gone)]
    if findings:
        return findings
    subject = ctx.config.repo.path or "repo"
    notes = [note for note in (cap_note(history.cap, history.capped, "file(s) in history"),
                               history.incomplete) if note]
    return [check.finding(subject, Status.WARN if notes else Status.PASS,
                          f"no deleted secret in {history.commits} commit(s) of history"
                          + (f" ({'; '.join(notes)})" if notes else ""),
                          {"commits": history.commits, **extra},
                          remediation=("A file's added lines over the cap were scanned in their "
                                       "start only (commit:path above)." if history.capped else ""))]


# ---------------------------------------------------------------- secrets.env-committed


async def _env_committed(ctx: RunContext, check: Check) -> list[Finding]:
    scan = await _worktree(ctx) if repo_path(ctx) else None
    if (early := _not_run(check, ctx, scan)) is not None:
        return early
    assert isinstance(scan, RepoScan)
    findings = []
    for path in scan.env_files:
        inside = [m for m in scan.matches if m.source == path]
        providers = sorted({m.provider for m in inside})
        findings.append(check.finding(
            path, Status.FAIL,
            f"{path} is committed to git" + (f" with {len(inside)} secret(s) ({', '.join(providers)})"
                                             if inside else ""),
            {"path": path, "secrets": len(inside), "providers": providers,
             "fingerprints": sorted({m.fingerprint for m in inside})},
            remediation=f"`git rm --cached {path}`, add it to .gitignore, commit an .env.example "
                        "with names only, and rotate every value it held (history keeps them)."))
    return findings or [check.finding(scan.root, Status.PASS, "no .env file is tracked by git")]


# ---------------------------------------------------------------- secrets.public-env-prefix


async def _public_env(ctx: RunContext, check: Check) -> list[Finding]:
    scan = await _worktree(ctx) if repo_path(ctx) else None
    if (early := _not_run(check, ctx, scan)) is not None:
        return early
    assert isinstance(scan, RepoScan)
    by_key: dict[tuple[str, str], list] = defaultdict(list)
    for item in scan.public_env:
        by_key[(item.match.provider, item.match.fingerprint)].append(item)
    findings = []
    for items in by_key.values():
        names = sorted({i.name for i in items})
        findings.append(key_finding(
            check, [i.match for i in items], f"is in public env variable(s) {', '.join(names)} at",
            "Build tools inline these into the browser bundle: use a server-only variable (no "
            "public prefix) and call the provider from your server. ", {"variables": names}))
    return findings or [check.finding(scan.root, Status.PASS,
                                      "no NEXT_PUBLIC_/VITE_/REACT_APP_/EXPO_PUBLIC_ variable holds a secret")]


# ---------------------------------------------------------------- auth.token-in-local-storage


async def _local_storage(ctx: RunContext, check: Check) -> list[Finding]:
    scan = await _worktree(ctx) if repo_path(ctx) else None
    if (early := _not_run(check, ctx, scan)) is not None:
        return early
    assert isinstance(scan, RepoScan)
    by_key: dict[tuple[str, str], list] = defaultdict(list)
    for token in scan.stored_tokens:
        by_key[(token.storage, token.key)].append(token)
    findings = []
    for (storage, key), tokens in by_key.items():
        locations = list(dict.fromkeys(f"{t.path}:{t.line}" for t in tokens))
        findings.append(check.finding(
            f"{storage}:{key}", Status.FAIL,
            f"frontend code keeps {key!r} in {storage} ({', '.join(locations[:3])})",
            {"storage": storage, "key": key, "locations": locations[:MAX_LOCATIONS]},
            remediation="Any script on the page (one XSS, one compromised dependency) can read it: "
                        "keep the session in an HttpOnly, Secure, SameSite cookie instead."))
    return findings or [check.finding(scan.root, Status.PASS,
                                      "no token is written to localStorage or sessionStorage")]


REPO_CHECKS = (
    Check("secrets.repo", 1, "No secret in the repository's files", Severity.BLOCKER, _repo,
          "Working tree of repo.path (tracked and untracked-not-ignored files)", timeout_s=120),
    Check("secrets.git-history", 1, "No deleted secret left in git history", Severity.BLOCKER,
          _git_history, "Every line ever added on any ref", timeout_s=180),
    Check("secrets.env-committed", 1, "No .env file is committed", Severity.BLOCKER,
          _env_committed, "Tracked .env, .env.local, .env.production... files", timeout_s=120),
    Check("secrets.public-env-prefix", 2, "No secret in a browser-public env variable",
          Severity.BLOCKER, _public_env, "NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_",
          timeout_s=120),
    Check("auth.token-in-local-storage", 2, "Auth tokens are not kept in localStorage",
          Severity.CAN_WAIT, _local_storage, "localStorage/sessionStorage.setItem of tokens",
          timeout_s=120),
)
CHECKS = REPO_CHECKS  # for stages.registry

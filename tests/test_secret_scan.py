"""The secret scanner against a labelled corpus generated here (tests/secret_corpus.py): zero
misses, decoys never blockers, and no secret value in any result."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict

import pytest

from tests.secret_corpus import (
    build_bundle,
    build_repo,
    decoy_lines,
    planted_keys,
    repo_config,
    run_repo_checks,
)
from wizard.probes.secrets.engine import Match, fingerprint, scan, scan_text, shannon_entropy
from wizard.probes.secrets.repo import load_allowlist, scan_history, scan_worktree
from wizard.probes.secrets.rules import RULES

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("corpus") / "repo")


@pytest.fixture(scope="module")
def worktree(corpus):
    return scan_worktree(corpus.root)


@pytest.fixture(scope="module")
def history(corpus):
    return scan_history(corpus.root)


def _dump(matches) -> str:
    return json.dumps([asdict(m) if isinstance(m, Match) else repr(m) for m in matches])


def test_every_rule_has_a_planted_key():
    planted = {p.rule for p in planted_keys(random.Random(1))}
    assert planted | {"private-key", "gcp-service-account", "stripe-test-secret",
                      "stripe-publishable"} >= {r.id for r in RULES}


def test_each_planted_line_is_found_with_its_rule():
    for key in planted_keys(random.Random(3)):
        matches = scan_text("x = 1\n" + key.line + "\n", "f.py")
        hits = [m for m in matches if m.fingerprint == key.fingerprint]
        assert hits, key.rule
        assert hits[0].rule_id == key.rule and hits[0].line == 2
        assert hits[0].preview == key.value[:4] + "…"
        assert key.value not in _dump(matches)


def test_decoys_are_never_blockers():
    lines = decoy_lines(random.Random(5))
    matches = scan_text("\n".join(line for _, line in lines), "decoys.py")
    assert all(m.severity != "blocker" for m in matches), matches


def test_inline_marker_and_allowlist():
    key = planted_keys(random.Random(9))[0]
    assert scan_text(key.line + "  # lr-allow", "f") == []
    assert scan_text(key.line + "  // launch-ready: allow", "f") == []
    assert scan_text(key.line, "f", allowlist={key.fingerprint}) == []


def test_keys_in_any_case_of_their_keyword_and_after_non_ascii_text():
    """Keywords are found in ASCII-lower-cased text; offsets stay right after letters whose
    lower case is longer (U+0130) or non-ASCII at all."""
    for key in planted_keys(random.Random(11)):
        prefix = "İstanbul ünïcode çа 🙂 "
        matches = scan_text(prefix + key.line, "f")
        hit = next(m for m in matches if m.fingerprint == key.fingerprint)
        assert hit.column == len(prefix) + key.line.index(key.value) + 1, key.rule
    upper = scan_text("API_KEY = 'Zx81Qw7Rt5Ym3Kp9Ln2V'", "f")
    assert [m.rule_id for m in upper] == ["generic-secret"]


def test_the_inline_marker_is_read_near_the_key_on_a_minified_line():
    key = planted_keys(random.Random(9))[0]
    near = "var a=1;" * 10 + key.line + "/* lr-allow */" + "var b=2;" * 10
    far = "/* lr-allow */" + "var a=1;" * 200 + key.line
    assert scan_text(near, "bundle.js") == []
    assert [m.fingerprint for m in scan_text(far, "bundle.js")] == [key.fingerprint]


def test_watched_words_come_from_the_same_pass():
    found = scan("const k = process.env.NEXT_PUBLIC_X; localStorage.x = 1", "f",
                 watch=("next_public_", "vite_", "storage"))
    assert found.seen == {"next_public_", "storage"} and found.matches == []


def test_entropy_and_fingerprint():
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2
    assert len(fingerprint("x")) == 12


def test_worktree_finds_every_key_in_head(corpus, worktree):
    assert worktree.error is None
    found = {m.fingerprint for m in worktree.matches}
    assert [p.rule for p in corpus.head if p.fingerprint not in found] == []
    assert worktree.binary_skipped == 1
    assert ("src/fixture.py" not in {m.source for m in worktree.matches})


def test_worktree_decoys_not_blockers(corpus, worktree):
    decoys = {fingerprint(d) for d in corpus.decoys}
    assert all(m.severity != "blocker" for m in worktree.matches if m.fingerprint in decoys)


def test_history_finds_deleted_keys(corpus, history):
    assert history.error is None and history.commits == 3
    found = {m.fingerprint: m for m in history.matches}
    assert [p.rule for p in corpus.history if p.fingerprint not in found] == []
    sample = found[corpus.history[0].fingerprint]
    assert sample.source.endswith(":old_config.py") and sample.line == 1


def test_env_public_prefix_and_local_storage(worktree):
    assert worktree.env_files == [".env", ".env.local", ".env.production"]
    names = {p.name: p.match for p in worktree.public_env}
    assert names["NEXT_PUBLIC_OPENAI_KEY"].rule_id == "openai-api-key"
    assert names["VITE_ADMIN_TOKEN"].rule_id == "public-env-name"
    assert "NEXT_PUBLIC_SUPABASE_URL" not in names
    assert [(t.path, t.line, t.key) for t in worktree.stored_tokens] == [
        ("src/auth.js", 2, "access_token")]


def test_public_env_values_are_judged_with_their_names():
    """A Firebase web config key in NEXT_PUBLIC_FIREBASE_API_KEY is public by design; a random
    value under a secret's name stays a blocker (the generic rule's can-wait does not claim it)."""
    from wizard.probes.secrets.repo import public_env_matches

    rng = random.Random(5)
    firebase = "AIza" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH23456789") for _ in range(35))
    secret = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH23456789") for _ in range(32))
    text = f"NEXT_PUBLIC_FIREBASE_API_KEY={firebase}\nVITE_SERVICE_SECRET={secret}\n"
    found = {p.name: p.match for p in public_env_matches(text, ".env.production")}
    assert list(found) == ["VITE_SERVICE_SECRET"]
    assert (found["VITE_SERVICE_SECRET"].rule_id, found["VITE_SERVICE_SECRET"].severity) == (
        "public-env-name", "blocker")


def test_no_secret_in_any_result(corpus, worktree, history):
    dumped = _dump(worktree.matches) + _dump(history.matches) + repr(worktree) + repr(history)
    for value in corpus.all_values() + [corpus.named_public]:
        assert value not in dumped


def test_bundle(tmp_path):
    bundle = tmp_path / "bundle.js"
    keys = build_bundle(bundle, size=400_000)
    matches = scan_text(bundle.read_text(), "bundle.js")
    found = {m.fingerprint for m in matches}
    assert [k.rule for k in keys if k.fingerprint not in found] == []


def test_not_a_repo_is_an_error_not_a_crash(tmp_path, monkeypatch):
    assert "not a git repository" in scan_worktree(tmp_path).error.lower()
    assert scan_history(tmp_path / "missing").error
    monkeypatch.setenv("PATH", "")
    assert "git is not installed" in scan_worktree(tmp_path).error
    assert "git is not installed" in scan_history(tmp_path).error


def test_allowlist_file(tmp_path):
    path = tmp_path / "secrets-allowlist.yaml"
    assert load_allowlist(path) == {}
    path.write_text("allow:\n  - fingerprint: 0123456789ab\n    reason: test fixture\n")
    assert load_allowlist(path) == {"0123456789ab": "test fixture"}
    path.write_text("allow:\n  - fingerprint: nope\n")
    with pytest.raises(ValueError, match="entry 1"):
        load_allowlist(path)


# ---------------------------------------------------------------- the checks


async def test_checks_report_each_key_once_and_never_the_secret(corpus, tmp_path):
    findings = await run_repo_checks(repo_config(str(corpus.root)), tmp_path)
    by_id: dict[str, list] = {}
    for f in findings:
        by_id.setdefault(f.id, []).append(f)
    repo = {f.evidence["fingerprint"] for f in by_id["secrets.repo"]}
    assert {p.fingerprint for p in corpus.head} <= repo
    history = {f.evidence["fingerprint"] for f in by_id["secrets.git-history"]}
    assert {p.fingerprint for p in corpus.history} <= history
    assert not history & repo  # a key still in HEAD is secrets.repo's
    assert len(repo) == len(by_id["secrets.repo"])  # one finding per key
    assert {f.subject for f in by_id["secrets.env-committed"]} == {
        ".env", ".env.local", ".env.production"}
    public = {v for f in by_id["secrets.public-env-prefix"] for v in f.evidence["variables"]}
    assert public == {"NEXT_PUBLIC_OPENAI_KEY", "VITE_ADMIN_TOKEN"}
    assert [f.subject for f in by_id["auth.token-in-local-storage"]] == ["localStorage:access_token"]
    decoys = {fingerprint(d) for d in corpus.decoys}
    assert all(not f.is_blocker for f in findings if f.evidence.get("fingerprint") in decoys)
    dumped = json.dumps([f.model_dump(mode="json") for f in findings])
    for value in corpus.all_values() + [corpus.named_public]:
        assert value not in dumped
    key = by_id["secrets.repo"][0]
    assert key.remediation and key.evidence["locations"] and key.evidence["preview"].endswith("…")


async def test_allowlist_file_in_the_sprint(corpus, tmp_path):
    key = corpus.head[0]
    (tmp_path / "secrets-allowlist.yaml").write_text(
        f"allow:\n  - fingerprint: {key.fingerprint}\n    reason: accepted fixture\n")
    findings = await run_repo_checks(repo_config(str(corpus.root)), tmp_path)
    assert key.fingerprint not in {f.evidence.get("fingerprint") for f in findings}
    (tmp_path / "secrets-allowlist.yaml").write_text("allow: 3\n")
    findings = await run_repo_checks(repo_config(str(corpus.root)), tmp_path)
    assert {f.status.value for f in findings} == {"error"}


async def test_not_configured_is_skipped_and_not_a_repo_is_error(tmp_path):
    findings = await run_repo_checks(repo_config(None), tmp_path)
    assert {f.status.value for f in findings} == {"skipped"}
    assert all("repo.path" in f.summary for f in findings)
    findings = await run_repo_checks(repo_config(str(tmp_path)), tmp_path)
    assert {f.status.value for f in findings} == {"error"}


def test_templated_passwords_are_not_secrets():
    text = ('url = f"postgres://app:{password}@db.internal/x"\n'
            'other = "mysql://u:%(pw)s@h/db"\nthird = "redis://:$REDIS_PASSWORD@cache:6379"\n')
    assert scan_text(text, "settings.py") == []


def test_a_service_account_file_is_one_finding(worktree):
    """Its private key is the account's key: one match (gcp-service-account), not two."""
    in_file = [m.rule_id for m in worktree.matches if m.source == "service-account.json"]
    assert in_file == ["gcp-service-account"]

"""The sprint store: validation that names what and where, atomic writes, the lock, versions."""

from __future__ import annotations

import pytest

from wizard.errors import SprintFileError, SprintLocked, SprintNotFound
from wizard.filelock import FileLock
from wizard.sprint import Progress, Sprint, SprintConfig, recent_sprints, remember

GOOD = """\
schema: launch-ready/sprint@1
name: acme
target:
  domain: acme.example
  canonical: acme.example
  hosts: [acme.example, www.acme.example]
  pages: [https://acme.example/]
"""


def write_sprint(tmp_path, text: str) -> Sprint:
    (tmp_path / "sprint.yaml").write_text(text)
    return Sprint(tmp_path)


def test_a_hand_written_sprint_loads_with_defaults(tmp_path):
    config = write_sprint(tmp_path, GOOD).load_config()
    assert config.target.hosts == ["acme.example", "www.acme.example"]
    assert config.network.request_budget == 500
    assert config.email.sends_mail is True


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD + "colour: blue\n", 8, "unknown key 'colour' in the top level"),
        (GOOD.replace("  pages:", "  hots: [x]\n  pages:"), 7, "unknown key 'hots' in target"),
        (GOOD.replace("domain: acme.example", "domain: acme..example"), 4, "target.domain"),
        (GOOD.replace("[acme.example, www.acme.example]", "[]"), 6, "at least one host"),
        (GOOD.replace("www.acme.example]", "www.other.example]"), 6, "outside the domain"),
        (GOOD.replace("canonical: acme.example", "canonical: app.acme.example"), 4, "must also be listed"),
        (GOOD + "network:\n  nameservers: ['10.0.0.1:99999']\n", 9, "port"),
        (GOOD + "network:\n  connect_to: ['a:b']\n", 9, "four fields"),
        ("schema: launch-ready/sprint@1\nname: acme\n", 1, "missing key 'target'"),
    ],
)
def test_invalid_config_names_what_and_where(tmp_path, text, line, words):
    sprint = write_sprint(tmp_path, text)
    with pytest.raises(SprintFileError) as err:
        sprint.load_config()
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'sprint.yaml'}:{line}: "), message
    assert words in message
    assert "\n" not in message


def test_python_tags_are_refused(tmp_path):
    sprint = write_sprint(tmp_path, GOOD + "x: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(SprintFileError, match=r"sprint.yaml:8: refused: .*python/object/apply"):
        sprint.load_config()


def test_corrupt_progress_is_reported_and_never_overwritten(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    sprint.progress_path.write_bytes(b"schema: launch-ready/progress@1\nposition: [unclosed\n")
    before = sprint.progress_path.read_bytes()
    with pytest.raises(SprintFileError, match=r"progress.yaml:\d+: is not valid YAML"):
        sprint.load_progress()
    with pytest.raises(SprintFileError):
        sprint.save_progress(Progress())
    assert sprint.progress_path.read_bytes() == before


def test_newer_version_is_refused_with_upgrade_hint(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    sprint.progress_path.write_text("schema: launch-ready/progress@7\nfuture: true\n")
    with pytest.raises(SprintFileError, match="progress.yaml:1: was written by a newer launch-ready"):
        sprint.load_progress()


def test_unreadable_file_is_a_clear_error(tmp_path):
    sprint = write_sprint(tmp_path, GOOD)
    sprint.config_path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(SprintFileError, match="is not UTF-8 text"):
        sprint.load_config()


def test_progress_round_trips(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    progress = sprint.load_progress()
    progress.position.stage, progress.position.row = 7, 2
    progress.answer("handover.owner-registrar", "yes", "Ana; 1Password vault 'Ops'")
    progress.decide("dns.resolves@www.acme.example", "accepted-risk", "www comes next week")
    sprint.save_progress(progress)
    again = Sprint(sprint.root).load_progress()
    assert again == progress


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    other = FileLock(sprint.root / ".lock")
    with other:
        with pytest.raises(SprintLocked, match=r"in use by another launch-ready \(pid \d+ on .*since"):
            sprint.save_progress(Progress())
    sprint.save_progress(Progress())  # free again once the holder lets go


def test_find_by_name_and_path(home, tmp_path):
    created = Sprint.create(home / "acme", SprintConfig.starter("acme", "acme.example"))
    assert Sprint.find("acme").root == created.root
    assert Sprint.find(str(created.root)).root == created.root
    with pytest.raises(SprintNotFound, match="no sprint here"):
        Sprint.find("missing")


def test_recent_sprints_newest_first(home):
    a = Sprint.create(home / "a", SprintConfig.starter("a", "a.example"))
    b = Sprint.create(home / "b", SprintConfig.starter("b", "b.example"))
    remember(a, "a")
    remember(b, "b")
    remember(a, "a")
    assert [e.name for e in recent_sprints()] == ["a", "b"]


def test_internationalised_names_become_punycode(tmp_path):
    config = SprintConfig.starter("shop", "Bücher.example")
    assert config.target.domain == "xn--bcher-kva.example"
    assert config.target.hosts[1] == "www.xn--bcher-kva.example"


def test_free_notes_are_kept_and_an_empty_one_removes_it(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    progress = sprint.load_progress()
    progress.note("dns.resolves@acme.example", "  apex moves to the new host on Monday ")
    progress.position.key = "dns.resolves@acme.example"
    sprint.save_progress(progress)
    again = sprint.load_progress()
    assert again.notes["dns.resolves@acme.example"].text == "apex moves to the new host on Monday"
    assert again.position.key == "dns.resolves@acme.example"
    again.note("dns.resolves@acme.example", "")
    assert again.notes == {}


# ---------------------------------------------------------------- size bounds


def _cli(home, *args):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "LAUNCH_READY_HOME": str(home)})


def test_a_20_mb_sprint_yaml_is_refused_before_it_is_parsed(home):
    """A long list pasted into sprint.yaml: one line naming the file and the cap, exit 2, fast
    (it used to hang `check` for minutes), and the file is left as it was."""
    root = home / "big"
    root.mkdir(parents=True)
    hosts = "".join(f"  - h{i}.acme.example\n" for i in range(900_000))
    text = GOOD.replace("  hosts: [acme.example, www.acme.example]\n",
                        "  hosts:\n  - acme.example\n" + hosts)
    (root / "sprint.yaml").write_text(text)
    assert (root / "sprint.yaml").stat().st_size > 20 * 1024 * 1024
    done = _cli(home, "check", "big")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{root / 'sprint.yaml'}: is 2" in done.stderr  # "is 2x.x MiB"
    assert "over the 1.0 MiB launch-ready reads for a sprint.yaml" in done.stderr
    assert (root / "sprint.yaml").read_text() == text


def test_a_long_list_under_the_file_cap_is_refused_by_its_own_bound(tmp_path):
    hosts = "".join(f"  - h{i}.acme.example\n" for i in range(201))
    sprint = write_sprint(tmp_path, GOOD.replace("  hosts: [acme.example, www.acme.example]\n",
                                                 "  hosts:\n  - acme.example\n" + hosts))
    with pytest.raises(SprintFileError, match=r"sprint.yaml:7: target.hosts: List should have at most 200"):
        sprint.load_config()


@pytest.mark.parametrize(("name", "release", "what"), [
    ("secrets-allowlist.yaml", "", "a secrets allowlist"),
    ("staging.env", "release:\n  staging_env: staging.env\n  production_env: prod.env\n", "an env file"),
])
def test_files_the_sprint_names_are_capped_too(home, name, release, what):
    root = home / "acme"
    root.mkdir(parents=True)
    (root / "sprint.yaml").write_text(GOOD + release)
    (root / name).write_text("# x\n" * 300_000)  # 1.2 MB
    done = _cli(home, "check", "acme", "--only", "dns.resolves")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"{root / name}: is 1.1 MiB, over the 1.0 MiB launch-ready reads for {what}" in done.stderr


def test_a_progress_file_over_its_cap_is_refused_and_kept(tmp_path, monkeypatch):
    import wizard.sprint

    sprint = write_sprint(tmp_path, GOOD)
    sprint.save_progress(Progress())
    before = sprint.progress_path.read_bytes()
    monkeypatch.setattr(wizard.sprint, "PROGRESS_FILE_CAP", 10)
    with pytest.raises(SprintFileError, match="over the 10 bytes launch-ready reads for a progress.yaml"):
        sprint.load_progress()
    with pytest.raises(SprintFileError):
        sprint.save_progress(Progress())
    assert sprint.progress_path.read_bytes() == before

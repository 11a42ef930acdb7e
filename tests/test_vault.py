"""Credentials in the real OS keyring (gnome-keyring over D-Bus), the environment as the CI
path, token verification and least privilege, and masking everywhere."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
import pytest

from wizard.cli import main
from wizard.sandbox.state import ALL_PERMISSIONS
from wizard.vault import MASK, Vault, mask, redact, register_secret, screen_text, set_presenting

TOKEN = "lrCanaryTok_" + "Q7w9Zk2XbP4m" * 2 + "aa"  # 40 characters, like a Cloudflare token


def cli(home, *args, stdin: str | None = None, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "wizard", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "LAUNCH_READY_HOME": str(home),
                                                       **(env or {})})


def test_set_reads_stdin_stores_in_the_keyring_and_never_echoes(real_keyring, sprint, home):
    done = cli(home, "credentials", "acme", "set", stdin=TOKEN + "\n")
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr and mask(TOKEN) in done.stdout
    assert keyring.get_password("launch-ready", "acme/cloudflare-token") == TOKEN
    listed = cli(home, "credentials", "acme", "list")
    assert "cloudflare-token" in listed.stdout and "in keyring" in listed.stdout
    assert TOKEN not in listed.stdout
    assert cli(home, "credentials", "acme", "forget").returncode == 0
    assert keyring.get_password("launch-ready", "acme/cloudflare-token") is None


def test_the_token_is_never_an_argument(sprint, home):
    done = cli(home, "credentials", "acme", "set", "cloudflare-token", TOKEN)
    assert done.returncode == 2 and "1 unexpected argument(s), not shown" in done.stderr
    assert TOKEN not in done.stderr


def test_no_keyring_backend_is_exit_3_with_guidance(sprint, home):
    done = cli(home, "credentials", "acme", "set", stdin=TOKEN + "\n")
    assert done.returncode == 3
    assert "no usable keyring" in done.stderr and "GNOME Keyring" in done.stderr
    assert "CLOUDFLARE_API_TOKEN" in done.stderr and done.stderr.count("\n") == 1


def test_verify_without_keyring_or_token_names_what_is_missing_exit_3(sprint, home):
    done = cli(home, "credentials", "acme", "verify")
    assert done.returncode == 3 and done.stderr.count("\n") == 1
    assert "no Cloudflare API token for acme, and no usable keyring" in done.stderr
    assert "GNOME Keyring" in done.stderr and "CLOUDFLARE_API_TOKEN" in done.stderr
    assert "credentials acme set" not in done.stderr  # it would fail for want of a keyring


def test_verify_with_a_keyring_but_no_token_names_the_set_command(real_keyring, sprint, home):
    done = cli(home, "credentials", "acme", "verify")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "run `launch-ready credentials acme set cloudflare-token`" in done.stderr


def test_the_environment_works_without_a_keyring_and_stores_nothing(sprint, sandbox, home):
    done = cli(home, "credentials", "acme", "verify", env={"CLOUDFLARE_API_TOKEN": sandbox.token})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "from CLOUDFLARE_API_TOKEN: active" in done.stdout
    assert sandbox.token not in done.stdout


def test_the_environment_path_leaves_the_keyring_empty(real_keyring, sprint, sandbox, home):
    cli(home, "credentials", "acme", "verify", env={"CLOUDFLARE_API_TOKEN": sandbox.token})
    assert keyring.get_password("launch-ready", "acme/cloudflare-token") is None


def test_a_token_with_every_permission_passes(real_keyring, sprint, sandbox, home):
    Vault("acme").set("cloudflare-token", sandbox.token)
    done = cli(home, "credentials", "acme", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "from keyring: active" in done.stdout and "missing" not in done.stdout


def test_a_missing_permission_is_named_with_the_token_to_create(real_keyring, sprint, sandbox, home):
    partial = "lrPartialTok_" + "x" * 27
    sandbox.world.add_token(partial, permissions=ALL_PERMISSIONS - {"Cache Rules Read", "Cache Rules Write"})
    Vault("acme").set("cloudflare-token", partial)
    done = cli(home, "credentials", "acme", "verify")
    assert done.returncode == 1
    assert "missing: Zone · Cache Rules · Read" in done.stdout
    assert "Zone · Cache Rules · Edit" in done.stdout and "Specific zone > acme.example" in done.stdout
    assert partial not in done.stdout


def test_a_rejected_token_is_exit_3(sprint, sandbox, home):
    done = cli(home, "credentials", "acme", "verify", env={"CLOUDFLARE_API_TOKEN": "nope-" + "z" * 35})
    assert done.returncode == 3 and "Cloudflare rejected the token" in done.stderr


def test_global_api_keys_are_refused(real_keyring, sprint, home):
    done = cli(home, "credentials", "acme", "set", stdin="0123456789abcdef0123456789abcdef01234\n")
    assert done.returncode == 2 and "Global API Key" in done.stderr
    assert keyring.get_password("launch-ready", "acme/cloudflare-token") is None


def test_global_key_variables_in_the_environment_are_ignored(sprint, sandbox, home):
    done = cli(home, "credentials", "acme", "verify", env={
        "CLOUDFLARE_API_TOKEN": sandbox.token, "CLOUDFLARE_EMAIL": "ops@acme.example",
        "CLOUDFLARE_API_KEY": "0123456789abcdef0123456789abcdef01234"})
    assert done.returncode == 0, done.stdout + done.stderr  # the emulator refuses global-key headers
    assert "ignored" in done.stdout


def test_redaction_masks_registered_and_credential_looking_values():
    register_secret(TOKEN)
    text = (f"token {TOKEN}; Authorization: Bearer abc.def.ghi; https://u:pw@db.acme.example/x; "
            "https://acme.example/cb?api_key=s3cr3t&x=1")
    masked = redact(text)
    assert TOKEN not in masked and "abc.def.ghi" not in masked and "pw@" not in masked
    assert "s3cr3t" not in masked and "x=1" in masked and masked.count(MASK) == 4


def test_screen_share_mode_masks_more_on_screen_only():
    text = "ops@acme.example 127.0.0.3 zone 3280cac962ec8e89e0fa295db45114fa 2001:db8::10 at 12:30:45"
    set_presenting(True)
    try:
        shown = screen_text(text)
    finally:
        set_presenting(False)
    for hidden in ("ops@acme.example", "127.0.0.3", "3280cac962ec8e89e0fa295db45114fa", "2001:db8::10"):
        assert hidden not in shown
    assert "12:30:45" in shown and screen_text(text) == text


def test_a_secret_pasted_into_a_note_is_not_written(sprint):
    register_secret(TOKEN)
    progress = sprint.load_progress()
    progress.note("dns.resolves@acme.example", f"the token is {TOKEN}")
    sprint.save_progress(progress)
    assert TOKEN not in sprint.progress_path.read_text()


def test_main_masks_secrets_in_error_lines(sprint, capsys, monkeypatch):
    import wizard.cli as cli_module

    register_secret(TOKEN)

    def boom(args):
        raise RuntimeError(f"upstream said {TOKEN}")

    monkeypatch.setattr(cli_module, "_check", boom)
    assert main(["check", "acme"]) == 4
    err = capsys.readouterr().err
    log = err.strip().rsplit(" ", 1)[-1]
    assert TOKEN not in err and TOKEN not in open(log).read()
    assert pytest  # keeps the import used when run alone


def test_watched_urls_add_the_health_check_reads_skipped_on_free(sprint, sandbox, home):
    """The demo sprint watches URLs; its zone is on Free, where health checks do not exist."""
    done = cli(home, "credentials", "acme", "verify", env={"CLOUDFLARE_API_TOKEN": sandbox.token})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not needed (Free Website)" in done.stdout  # the plan has no health checks
    assert "Zone · Health Checks · Read" in done.stdout


def test_on_pro_a_token_without_health_checks_is_told_what_to_add(sprint, sandbox, home):
    with sandbox.world.lock:
        sandbox.world.zone_by_name("acme.example").plan = "pro"
    partial = "lrNoHealthTok_" + "y" * 26
    sandbox.world.add_token(partial, permissions=ALL_PERMISSIONS - {"Health Checks Read",
                                                                    "Health Checks Write"})
    done = cli(home, "credentials", "acme", "verify", env={"CLOUDFLARE_API_TOKEN": partial})
    assert done.returncode == 1
    assert "missing: Zone · Health Checks · Read" in done.stdout
    assert "Zone · Health Checks · Edit; Account · Notifications · Edit" in done.stdout

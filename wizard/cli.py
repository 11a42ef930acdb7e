"""The command line (DESIGN.md 3.1). Headless commands never import Textual, so `--version` and
`check` start fast and run in CI; the TUI is imported only by the commands that open it.

Every user-fixable problem prints one line and exits 2 (or 3 for the environment); anything else
is a bug: one line naming the log that holds the traceback, exit 4.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from wizard import __version__
from wizard.errors import LaunchReadyError, UsageError
from wizard.vault import mask, redact

EXIT_OK, EXIT_BLOCKERS, EXIT_USAGE, EXIT_ENV, EXIT_BUG = 0, 1, 2, 3, 4


def _run_async(coroutine):
    """asyncio.run, imported here: `--version` and `--help` never load asyncio (~70 ms)."""
    import asyncio

    return asyncio.run(coroutine)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2."""

    def error(self, message: str):
        if message.startswith("unrecognized arguments:"):
            count = len(message.split(":", 1)[1].split())
            # not echoed: a secret typed on the command line must not be printed back
            message = (f"{count} unexpected argument(s), not shown; credentials are never given "
                       "on the command line (`credentials ... set` prompts for them)")
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="launch-ready",
        description="Take an AI chatbot product from 'the demo works' to 'it can take real "
        "traffic' in a two-day launch sprint. Without a command: pick a sprint to resume.",
    )
    parser.add_argument("--version", action="version", version=f"launch-ready {__version__}")
    present = _Parser(add_help=False)  # a parent: only its arguments are copied
    present.add_argument("--present", action="store_true", default=argparse.SUPPRESS,
                         help="screen-share mode: also mask e-mails, Cloudflare ids and IP addresses")
    parser.add_argument("--present", action="store_true",
                        help="screen-share mode: also mask e-mails, Cloudflare ids and IP addresses")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("new", help="start a new sprint", parents=[present])
    p.add_argument("name", help="sprint name: lower-case letters, digits, '-' and '_'")
    p.add_argument("--domain", help="the product's registrable domain, e.g. acme.example")
    p.add_argument("--dir", type=Path, help="create the sprint in this folder (default: the sprints home)")
    p.add_argument("--no-tui", action="store_true", help="only create the files (needs --domain)")

    p = sub.add_parser("open", help="open a sprint in the wizard where it was left", parents=[present])
    p.add_argument("sprint", metavar="NAME|PATH")

    p = sub.add_parser("check", help="run the automated checks headless (for CI)")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("--stage", type=int, action="append", default=[], metavar="N",
                   help="only this stage (repeatable)")
    p.add_argument("--only", action="append", default=[], metavar="CHECK_ID",
                   help="only this check (repeatable)")
    p.add_argument("--format", choices=["text", "json", "sarif", "junit"], default="text")
    p.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--save", action="store_true", help="record the results in progress.yaml")

    p = sub.add_parser("plan", help="what the Cloudflare fixes would change (writes nothing)")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("--fix", action="append", default=[], metavar="FIX_ID",
                   help="a fix (repeatable; default: every fix the last saved results ask for)")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("apply", help="snapshot, apply the fixes, verify (rolls back on failure)")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("--fix", action="append", default=[], metavar="FIX_ID",
                   help="a fix (repeatable; default: every fix the last saved results ask for)")
    p.add_argument("--finish", metavar="CHANGE_ID", help="complete an interrupted change set instead")
    p.add_argument("--yes", action="store_true", help="required: you reviewed `launch-ready plan`")

    p = sub.add_parser("rollback", help="restore a change set's snapshot")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("change", nargs="?", metavar="CHANGE_ID", help="default: the newest applied one")
    p.add_argument("--force", action="store_true", help="overwrite objects changed since the apply")
    p.add_argument("--yes", action="store_true", help="required: the zone is changed")

    p = sub.add_parser("demo", help="start the built-in sandbox and open the wizard on the demo sprint",
                       parents=[present])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="run every check on the demo and print the report")
    mode.add_argument("--serve", action="store_true", help="print the demo sprint and the endpoints, serve until Ctrl-C")
    p.add_argument("--fault", action="append", default=[], metavar="KIND@ENDPOINT#N",
                   help="inject a fault into the Cloudflare API, e.g. '500@POST /zones/{zone_id}/dns_records/batch#1' "
                   "(KIND: 429, 500, timeout, drop; repeatable)")
    p.add_argument("--latency-ms", type=int, default=0, metavar="MS",
                   help="added latency per DNS answer and per origin response")

    p = sub.add_parser("credentials", help="store, verify or forget the sprint's credentials (OS keyring)")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("action", choices=["set", "verify", "forget", "list"])
    p.add_argument("credential", nargs="?", default="cloudflare-token",
                   help="which one (default cloudflare-token; see `list`)")

    p = sub.add_parser("api", help="describe the product's API from its OpenAPI document")
    api = p.add_subparsers(dest="api_command", metavar="ACTION", parser_class=_Parser, required=True)
    p = api.add_parser("discover", help="propose the api: section from an OpenAPI document, write it once confirmed")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("--openapi", required=True, metavar="URL|FILE",
                   help="the document: a file, or a URL on the sprint's domain or a loopback address")
    p.add_argument("--base-url", metavar="URL", help="the API's base URL (default: the document's server)")
    p.add_argument("--environment", choices=["staging", "production", "local"],
                   help="default: local for a loopback base URL, else the section's current one")
    p.add_argument("--answer", action="append", default=[], metavar="KEY=VALUE",
                   help="answer a question without a prompt, e.g. 'chat=POST /api/chat' or 'chat=none' (repeatable)")
    p.add_argument("--yes", action="store_true", help="write without asking for confirmation")

    p = sub.add_parser("handover", help="render the handover documents")
    p.add_argument("sprint", metavar="NAME|PATH")
    p.add_argument("--output", type=Path, metavar="DIR", help="folder to write to (default: the sprint's reports/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except LaunchReadyError as exc:
        _say(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted; nothing half-written was kept")
        return 130
    except Exception as exc:  # a bug: keep the traceback out of the user's face
        path = _write_crash_log()
        _say(f"internal error ({type(exc).__name__}); the details are in {path}")
        return EXIT_BUG


def _say(line: str) -> None:
    print(f"launch-ready: {redact(line)}", file=sys.stderr)


def _write_crash_log() -> Path:
    from wizard.sprint import now, sprints_home

    logs = sprints_home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"crash-{now().strftime('%Y%m%d-%H%M%S')}.log"
    path.write_text(redact(traceback.format_exc()), encoding="utf-8")
    return path


def _dispatch(args: argparse.Namespace) -> int:
    handlers = {None: _picker, "new": _new, "open": _open, "check": _check, "handover": _handover,
                "demo": _demo, "credentials": _credentials, "plan": _plan, "apply": _apply,
                "rollback": _rollback, "api": _api}
    return handlers[args.command](args)


def _load(ref: str):
    """The open sprint, its config and progress read and validated (exit 2 when they cannot be)."""
    from wizard.application.open_sprint import OpenSprint

    return OpenSprint.load(ref)


def _picker(args) -> int:
    from wizard.tui.app import run_tui

    return run_tui(present=args.present)


def _new(args) -> int:
    from wizard.sprint import Sprint, SprintConfig, remember, sprints_home, validate_sprint_name

    try:
        validate_sprint_name(args.name)
        config = SprintConfig.starter(args.name, args.domain) if args.domain else None
    except ValueError as exc:
        raise UsageError(f"{exc}") from None
    root = args.dir or sprints_home() / args.name
    if (root / "sprint.yaml").exists():
        raise UsageError(f"{root}: a sprint already exists here; open it with `launch-ready open {root}`")
    if args.no_tui:
        if config is None:
            raise UsageError("--no-tui needs --domain, e.g. `launch-ready new acme --domain acme.example --no-tui`")
        sprint = Sprint.create(root, config)
        remember(sprint, config.name)
        print(f"created {sprint.config_path}; edit it, then run `launch-ready check {sprint.root}`")
        return EXIT_OK
    from wizard.tui.app import run_tui

    return run_tui(new_name=args.name, new_dir=args.dir, new_domain=args.domain, present=args.present)


def _open(args) -> int:
    from wizard.sprint import remember

    op = _load(args.sprint)
    sprint = op.sprint
    sprint.locked().acquire()
    try:
        remember(sprint, op.name)
        from wizard.tui.app import run_tui

        return run_tui(sprint, present=args.present)
    finally:
        sprint.locked().release()


def _check(args) -> int:
    return _run_checks(args, _load(args.sprint))


def _run_checks(args, op) -> int:
    import stages
    from wizard.application.checks import RENDERERS, CheckFinished, CheckProgress, check_report

    checks = stages.select_ids(args.stage, args.only)  # validates --stage / --only first
    if args.save:
        op.sprint.locked().acquire()
    try:
        show_progress = sys.stderr.isatty() and args.output is None

        done = [0, len(checks)]

        def on_event(event) -> None:
            if not show_progress:
                return
            if isinstance(event, CheckFinished):
                done[0] = event.done
                line = f"[{event.done}/{event.total}] {event.check_id}"
            elif isinstance(event, CheckProgress):
                line = f"[{done[0]}/{done[1]}] {event.check_id}: {event.requests} requests sent"
            else:
                return
            print(f"\r{line[:60]:<60}", end="", file=sys.stderr)

        report = _run_async(check_report(op, stage_numbers=args.stage, only=args.only,
                                          on_event=on_event, save=args.save))
        if show_progress and checks:
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    finally:
        if args.save:
            op.sprint.locked().release()
    text = RENDERERS[args.format](report)
    if args.output:
        from wizard.sprint import write_atomic

        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_BLOCKERS if report["blockers"] else EXIT_OK


NOTHING_TO_FIX = "nothing to fix: no check asks for a Cloudflare fix (name one with --fix to plan it anyway)"


def _plan(args) -> int:
    import json

    from wizard.application.fixes import fixes_to_plan, make_plan

    op = _load(args.sprint)
    fixes = args.fix or _run_async(fixes_to_plan(op, _step))
    if not fixes:
        print(NOTHING_TO_FIX)
        return EXIT_OK
    plan = _run_async(make_plan(op, fixes))
    if args.format == "json":
        print(redact(json.dumps(plan.model_dump(mode="json", by_alias=True), indent=2)))
    else:
        print(redact(_plan_text(plan)))
    return EXIT_OK


def _plan_text(plan) -> str:
    lines = [f"plan for {plan.zone} ({', '.join(plan.fixes)}): {len(plan.changes)} change(s), "
             f"{plan.api_calls()} API call(s)"]
    lines += [f"  {c.describe()}" + (f"\n      note: {c.note}" if c.note else "") for c in plan.changes]
    lines += [f"  note: {n}" for n in plan.notes]
    if plan.empty:
        lines.append("  nothing to change: the zone already matches")
    return "\n".join(lines)


def _step(line: str) -> None:
    print(f"  {redact(line)}", file=sys.stderr, flush=True)


def _apply(args) -> int:
    from wizard.application.fixes import apply_fixes, finish, fixes_to_plan, make_plan

    if not args.yes:
        raise UsageError("apply changes the live zone: review `launch-ready plan` first, then add --yes")
    op = _load(args.sprint)
    with op.sprint.locked():
        if args.finish:
            result = _run_async(finish(op, args.finish, _step))
        else:
            fixes = args.fix or _run_async(fixes_to_plan(op, _step, save=True))
            if not fixes:
                print(NOTHING_TO_FIX)
                return EXIT_OK
            plan = _run_async(make_plan(op, fixes))
            print(redact(_plan_text(plan)))
            if plan.empty:
                return EXIT_OK
            result = _run_async(apply_fixes(op, plan, _step))
    return _report_change(result, "applied")


def _rollback(args) -> int:
    from wizard.application.fixes import rollback

    if not args.yes:
        raise UsageError("rollback changes the live zone: add --yes")
    op = _load(args.sprint)
    with op.sprint.locked():
        result = _run_async(rollback(op, args.change, force=args.force, on_step=_step))
    return _report_change(result, "rolled-back")


def _report_change(result, wanted: str) -> int:
    outcome = result.outcome
    print(redact(f"change set {outcome.change_id}: {outcome.state}: {outcome.message} "
                 f"({outcome.calls} API calls)"))
    for f in result.checks:
        print(redact(f"  {f.label()} {f.id} {f.subject}"))
    ok = outcome.state == wanted and (wanted != "applied" or result.verified is not False)
    return EXIT_OK if ok else EXIT_BLOCKERS


def _demo(args) -> int:
    import time

    from wizard.application.open_sprint import OpenSprint
    from wizard.sandbox.faults import Faults
    from wizard.sandbox.run import Sandbox
    from wizard.sprint import remember, sprints_home

    started = time.perf_counter()
    faults = Faults()
    try:
        for spec in args.fault:
            fault = Faults.parse(spec)
            faults.add(fault.kind, fault.endpoint, fault.nth, fault.times)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    faults.dns_latency_s = faults.http_latency_s = max(args.latency_ms, 0) / 1000
    with Sandbox(faults) as sandbox:
        sprint = sandbox.write_demo_sprint(sprints_home() / "demo")
        sandbox.share_credentials(sprint)  # from memory, to this user's processes only
        op = OpenSprint.load(sprint)
        remember(sprint, op.name)
        if args.headless:
            args.stage, args.only, args.format, args.output, args.save = [], [], "text", None, False
            return _run_checks(args, op)
        if args.serve:
            stopped = _stop_on_interrupt()  # before "ready": a Ctrl-C right after it is clean too
            print(f"sprint  {sprint.root}")
            for name, where in sandbox.endpoints().items():
                print(f"{name:<15} {where}")
            # Never printed: other terminals get the demo's credentials from its agent.
            print(f"{'credentials':<15} served to your other terminals' launch-ready; never printed")
            print(f"ready in {time.perf_counter() - started:.2f} s; Ctrl-C stops", flush=True)
            stopped.wait()
            return EXIT_OK
        sprint.locked().acquire()
        try:
            from wizard.tui.app import run_tui

            return run_tui(sprint, present=args.present)
        finally:
            sprint.locked().release()


def _stop_on_interrupt():
    """An event Ctrl-C or SIGTERM sets (instead of raising); the caller waits on it, then stops
    the sandbox cleanly."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _credentials(args) -> int:
    from wizard.application.credentials import store
    from wizard.vault import CREDENTIALS

    op = _load(args.sprint)
    if args.credential not in CREDENTIALS:
        raise UsageError(f"unknown credential {args.credential!r}; known: {', '.join(CREDENTIALS)}")
    kind = CREDENTIALS[args.credential]
    if args.action == "list":
        stored = op.vault.stored()
        for name, c in CREDENTIALS.items():
            where = stored.get(name)
            print(f"{name:<18} {c.label:<40} {('in ' + where) if where else 'not set'}")
        return EXIT_OK
    if args.action == "forget":
        gone = op.vault.forget(args.credential)
        print(f"{kind.label}: removed from the keyring" if gone else f"{kind.label}: nothing stored")
        return EXIT_OK
    if args.action == "set":
        value = _read_secret(f"{kind.label} for {op.name} (input hidden): ")
        store(op, args.credential, value)
        print(f"{kind.label} stored in the keyring as {mask(value)}")
        return EXIT_OK
    return _verify_token(op)


def _read_secret(prompt: str) -> str:
    """A masked prompt on a terminal; a pipe is read as is (never a command-line argument)."""
    import getpass

    value = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    value = value.strip()
    if not value:
        raise UsageError("nothing was entered; the credential was not changed")
    return value


def _verify_token(op) -> int:
    import os

    from wizard.application.credentials import WRITES_NEEDED, verify_token
    from wizard.errors import EnvironmentProblem

    if os.environ.get("CLOUDFLARE_API_KEY") or os.environ.get("CLOUDFLARE_EMAIL"):
        print("note: CLOUDFLARE_EMAIL / CLOUDFLARE_API_KEY are set and ignored (tokens only)")
    checked = _run_async(verify_token(op))
    if checked.report.rejected:
        raise EnvironmentProblem(f"Cloudflare rejected the token from {checked.secret.source} "
                                 f"({checked.secret.masked}); " + checked.recipe)
    print(checked.headline)
    for permission, purpose, state in checked.rows():
        print(f"  {state:<22} {permission:<32} {purpose}")
    print(f"  write permissions cannot be checked without writing; the fixes need: {WRITES_NEEDED}")
    if checked.report.missing:
        print(f"missing: {', '.join(checked.report.missing)}. {checked.recipe}")
        return EXIT_BLOCKERS
    return EXIT_OK


def _handover(args) -> int:
    from wizard.application.deliverables import write_deliverables

    op = _load(args.sprint)
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        raise UsageError(f"{args.output} is a file; --output takes a folder")
    for path in write_deliverables(op, args.output):
        print(path)
    return EXIT_OK



def _api(args) -> int:
    from wizard.cli_discover import discover

    return discover(args, _load(args.sprint))

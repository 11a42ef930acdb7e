"""The launch-ready Textual app and `run_tui`, the one entry point the CLI calls.

The App owns the open Session (and with it the sprint's lock, released on quit) and the check
runs: a run is an App worker, so switching screens never cancels it, and its progress is
published on `run_progress` for whichever screen shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal

from stages import STAGES, registry, select_ids
from wizard.application.checks import CheckFinished, CheckProgress, CheckStarted, Event, run_sprint
from wizard.application.fixes import (
    FixResult,
    apply_fixes,
    finish,
    has_unfinished,
    make_plan,
    rollback,
)
from wizard.errors import LaunchReadyError
from wizard.sprint import RateLimit, Sprint, SprintConfig
from wizard.tui.screens.changes import ChangesScreen
from wizard.tui.screens.credentials import CredentialsScreen
from wizard.tui.screens.handover import HandoverScreen
from wizard.tui.screens.help import HelpScreen
from wizard.tui.screens.picker import PickerScreen
from wizard.tui.screens.plan_review import PlanReviewScreen
from wizard.tui.screens.setup import SetupScreen
from wizard.tui.screens.stage import StageScreen
from wizard.tui.session import Session
from wizard.tui.setup_rules import sprint_root
from wizard.tui.widgets.title_bar import TitleBar
from wizard.vault import presenting, screen_text, set_presenting

THEME = "ansi-dark"  # the terminal's own palette: readable over SSH and screen sharing


class LaunchReadyApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "launch-ready"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+t", "toggle_sharing", "Screen-share mode", show=False),
    ]

    def __init__(self, sprint: Sprint | None = None, *, new_name: str | None = None,
                 new_dir: Path | None = None, new_domain: str | None = None,
                 present: bool = False) -> None:
        super().__init__()
        set_presenting(present)
        self.theme = THEME
        self.start_sprint, self.new_name, self.new_dir, self.new_domain = (
            sprint, new_name, new_dir, new_domain)
        self.session: Session | None = None
        self.run_state = ""  # "running 2/5…" while checks run, else empty
        self.run_progress: Signal[str] = Signal(self, "run-progress")

    def on_mount(self) -> None:
        # The check modules (and checkdmarc, the Cloudflare SDK, the API probes) load in a thread
        # once the first frame is up, so neither that frame nor the first run waits for them.
        self.call_after_refresh(self.run_worker, registry.load_all, thread=True, group="preload",
                                exit_on_error=False)
        if self.start_sprint is not None:
            try:
                self.open_sprint(self.start_sprint)
                return
            except LaunchReadyError as exc:
                picker = PickerScreen()
                self.push_screen(picker)
                self.call_after_refresh(picker.show_error, str(exc))
                return
        if self.new_name is not None:
            self.push_screen(SetupScreen(name=self.new_name, domain=self.new_domain or "",
                                         new_dir=self.new_dir))
        else:
            self.push_screen(PickerScreen())

    @property
    def active_session(self) -> Session:
        """The open sprint's Session; only screens of an open sprint ask for it."""
        if self.session is None:
            raise RuntimeError("no sprint is open: the session exists only after open_sprint")
        return self.session

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def notify(self, message: str, **kwargs) -> None:
        """Every message on screen is masked like the rest of the screen."""
        super().notify(screen_text(message), **kwargs)

    def action_toggle_sharing(self) -> None:
        """Screen-share mode: also mask e-mail addresses, Cloudflare ids and IP addresses."""
        set_presenting(not presenting())
        for screen in self.screen_stack:
            for bar in screen.query(TitleBar):
                bar.show_sharing()
            if isinstance(screen, StageScreen):
                screen.refresh_view()
        self.notify("Screen-share mode on: e-mails, ids and addresses are masked" if presenting()
                    else "Screen-share mode off")

    # ------------------------------------------------------------ navigation

    def _show(self, screen: Screen) -> None:
        """Top-level screens replace each other; help, setup edits and dialogs stack on top."""
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_sprint(self, sprint: Sprint) -> None:
        """Lock and load the sprint, then show its saved stage. Raises LaunchReadyError.

        A change set interrupted last time (a killed apply) is shown first, to finish or undo."""
        self.session = Session.open(sprint)
        self._show(StageScreen(self.session))
        if has_unfinished(sprint):
            self.push_screen(ChangesScreen(self.session))
            self.notify("A Cloudflare change was interrupted: finish it (f) or roll it back (r).",
                        severity="warning", timeout=10)

    def open_new_sprint(self) -> None:
        self._show(SetupScreen())

    def create_sprint(self, config: SprintConfig, new_dir: Path | None) -> None:
        self.open_sprint(Sprint.create(sprint_root(config.name, new_dir), config))

    def update_config(self, config: SprintConfig) -> None:
        self.active_session.save_config(config)
        self.pop_screen()
        self.notify("Setup saved to sprint.yaml")

    def cancel_setup(self, screen: SetupScreen) -> None:
        if screen.config is not None:
            self.pop_screen()
        else:
            self._show(PickerScreen())

    def open_setup(self) -> None:
        self.push_screen(SetupScreen(self.active_session.config))

    def open_handover(self) -> None:
        self.push_screen(HandoverScreen(self.active_session))

    def open_credentials(self) -> None:
        self.push_screen(CredentialsScreen(self.active_session))

    def open_changes(self) -> None:
        self.push_screen(ChangesScreen(self.active_session))

    def action_open_help(self) -> None:
        self.open_help()

    def open_help(self) -> None:
        screen = self.screen
        name = type(screen).__name__.removesuffix("Screen").lower()
        self.push_screen(HelpScreen(name, screen.active_bindings))

    # ------------------------------------------------------------ check runs

    def start_run(self, stage: int) -> None:
        if self.run_state:
            self.notify("A run is already going; its rows update as checks finish.")
            return
        if not select_ids([stage]):
            self.notify(f"Stage {stage} has no automated checks yet: answer its manual items (m).")
            return
        self._publish(f"running 0/{len(select_ids([stage]))}…")
        self.run_worker(self._run(stage), group="checks", exclusive=True, exit_on_error=False)

    def _publish(self, state: str) -> None:
        self.run_state = state
        self.run_progress.publish(state)

    async def _run(self, stage: int) -> None:
        total = len(select_ids([stage]))
        done = 0
        active: dict[str, int] = {}  # running check -> HTTP requests it sent so far

        def publish() -> None:
            lines = [f"running {done}/{total}…"]
            lines += [f"  {check_id}: {sent} request{'s' * (sent != 1)} sent" if sent else
                      f"  {check_id}: working" for check_id, sent in active.items()]
            self._publish("\n".join(lines))

        def on_event(event: Event) -> None:
            nonlocal done
            if isinstance(event, CheckStarted):
                active[event.check_id] = 0
            elif isinstance(event, CheckProgress):
                if event.check_id in active:
                    active[event.check_id] = event.requests
            elif isinstance(event, CheckFinished):
                active.pop(event.check_id, None)
                done = event.done
                session.progress.record(list(event.findings), {event.check_id})
            publish()

        session = self.active_session

        async def run() -> None:
            # each finished check was recorded as it came in (live rows): save them once
            result = await run_sprint(session, stages=[stage], on_event=on_event)
            session.save()
            self.notify(f"Stage {stage}: {len(result.findings)} results in {result.duration_s:.1f} s")

        await self._guarded("run", run())

    async def _guarded(self, what: str, work: Awaitable[None]) -> None:
        """A worker's body: a problem is one notification, never a traceback (the run log or the
        change set's journal has the details); the progress line is cleared either way."""
        try:
            await work
        except LaunchReadyError as exc:
            self.notify(str(exc), severity="error")
        except Exception as exc:
            self.notify(f"The {what} stopped: {type(exc).__name__}: {exc}", severity="error")
        finally:
            self._publish("")

    # ------------------------------------------------------------ Cloudflare fixes

    def start_fix(self, fix_ids: list[str]) -> None:
        """Plan (worker) -> review (modal) -> apply -> re-run the checks, all off the UI thread."""
        if self.run_state:
            self.notify("Something is already running; wait for it to finish.")
            return
        self._publish("planning…")
        self.run_worker(self._fix(fix_ids), group="checks", exclusive=True, exit_on_error=False)

    async def _fix(self, fix_ids: list[str]) -> None:
        session = self.active_session

        async def fix() -> None:
            while True:
                plan = await make_plan(session, fix_ids)
                self._publish("")
                limits = session.config.cloudflare.rate_limit if "cf.rate-limit" in plan.fixes else None
                answer = await self.push_screen_wait(PlanReviewScreen(plan, limits))
                if not isinstance(answer, RateLimit):
                    break
                config = session.config.model_copy(deep=True)
                config.cloudflare.rate_limit = answer
                session.save_config(config)  # the thresholds are the sprint's: plan again with them
                self._publish("planning…")
            if not answer:
                self.notify("Nothing applied.")
                return
            self._publish("applying…")
            self._said_change(await apply_fixes(session, plan, on_step=self._publish))

        await self._guarded("fix", fix())

    def start_change(self, action: str, change_id: str) -> None:
        """Roll back or finish a change set in a worker."""
        if self.run_state:
            self.notify("Something is already running; wait for it to finish.")
            return
        self._publish(f"{action}…")
        self.run_worker(self._change(action, change_id), group="checks", exclusive=True,
                        exit_on_error=False)

    async def _change(self, action: str, change_id: str) -> None:
        session = self.active_session

        async def change() -> None:
            if action == "rollback":
                self._said_change(await rollback(session, change_id, on_step=self._publish))
            else:
                self._said_change(await finish(session, change_id, on_step=self._publish))

        await self._guarded(action, change())
        if isinstance(self.screen, ChangesScreen):
            self.screen.reload()

    def _said_change(self, result: FixResult) -> None:
        outcome = result.outcome
        verified = {True: " · checks pass", False: " · some checks still fail", None: ""}[result.verified]
        good = outcome.state in ("applied", "rolled-back") and result.verified is not False
        self.notify(f"{outcome.state}: {outcome.message}{verified}",
                    severity="information" if good else "warning", timeout=10)

    # ------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, StageScreen):
            for stage in STAGES:
                yield SystemCommand(f"Go to stage {stage.number}: {stage.title}", stage.goal,
                                    lambda n=stage.number: screen.action_show_stage(n))
            yield SystemCommand("Run this stage's checks", "r", screen.action_run)
            yield SystemCommand("Handover preview", "h: render the deliverables",
                                screen.action_handover)
            yield SystemCommand("Setup", "s: domain, hosts, pages", screen.action_setup)
            yield SystemCommand("Credentials", "c: Cloudflare token and test accounts (keyring)",
                                self.open_credentials)
            yield SystemCommand("Fix everything the checks ask for", "F: plan, review, apply",
                                screen.action_fix_all)
            yield SystemCommand("Cloudflare changes", "x: applied change sets, rollback",
                                self.open_changes)
        yield SystemCommand("Screen-share mode " + ("off" if presenting() else "on"),
                            "ctrl+t: mask e-mails, Cloudflare ids and IP addresses as well",
                            self.action_toggle_sharing)
        yield SystemCommand("Help", "?: every key on this screen", self.open_help)


def run_tui(sprint: Sprint | None = None, *, new_name: str | None = None,
            new_dir: Path | None = None, new_domain: str | None = None, present: bool = False) -> int:
    """Run the wizard until the user quits; the sprint's lock is released on the way out."""
    app = LaunchReadyApp(sprint, new_name=new_name, new_dir=new_dir, new_domain=new_domain,
                         present=present)
    code = app.run()
    return code or 0

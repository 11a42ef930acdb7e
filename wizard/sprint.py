"""The sprint: config and progress models, and the one store that reads and writes them.

sprint.yaml is the user's (hand-editable, safe to commit); progress.yaml is the tool's. Both are
versioned documents written atomically under the sprint's lock, read with safe YAML only, and a
file that cannot be used is reported with its path and line and left exactly as it was.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import platformdirs
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wizard.addresses import (
    in_scope,
    local_base_url,
    normalize_hostname,
    normalize_url,
    parse_connect_to,
    parse_nameserver,
)
from wizard.errors import SprintFileError, SprintNotFound, UsageError
from wizard.filelock import FileLock
from wizard.findings import Finding
from wizard.sections import Api, Monitoring, Release, split_route
from wizard.vault import redact

SPRINT_SCHEMA: Final = "launch-ready/sprint@1"
PROGRESS_SCHEMA: Final = "launch-ready/progress@1"
RECENT_SCHEMA: Final = "launch-ready/recent@1"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


# ---------------------------------------------------------------- sprint.yaml (config)


class Target(_Model):
    domain: str
    canonical: str | None = None
    # Lists are bounded: every entry is probed on every run, and a runaway list must not hang one.
    hosts: list[str] = Field(max_length=200)
    pages: list[str] = Field(default_factory=list, max_length=100)
    private_urls: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        return normalize_hostname(v)

    @field_validator("canonical")
    @classmethod
    def _canonical(cls, v: str | None) -> str | None:
        return None if v is None else normalize_hostname(v)

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if not v:
            raise ValueError("list at least one host, e.g. [acme.example, www.acme.example]")
        domain = info.data.get("domain")
        out: dict[str, None] = {}  # ordered, without repeats
        for host in v:
            name = normalize_hostname(host)
            if domain and not in_scope(name, domain):
                raise ValueError(f"host {name} is outside the domain {domain}")
            out[name] = None
        return list(out)

    @field_validator("pages", "private_urls")
    @classmethod
    def _urls(cls, v: list[str], info: ValidationInfo) -> list[str]:
        domain = info.data.get("domain")
        return [normalize_url(u, domain) for u in v] if domain else v

    @model_validator(mode="after")
    def _canonical_listed(self) -> Target:
        canonical = self.canonical or self.domain
        if canonical not in self.hosts:
            raise ValueError(f"canonical host {canonical} must also be listed in hosts")
        self.__dict__["canonical"] = canonical
        return self


class Email(_Model):
    sends_mail: bool = True
    dkim_selectors: list[str] = Field(default_factory=list, max_length=50)


class RateLimit(_Model):
    """cf.rate-limit's thresholds (edit them here or in setup, then plan again): requests per
    period per visitor IP, and how long a visitor over it is blocked. The Free plan allows a
    period and a timeout of 10 s only."""

    requests_per_period: int = Field(default=10, ge=1, le=100_000)
    period_s: int = Field(default=10, ge=10, le=3600)
    mitigation_timeout_s: int = Field(default=10, ge=0, le=86_400)


class CloudflareConfig(_Model):
    zone: str | None = None
    api_base_url: str | None = None
    rate_limit: RateLimit = Field(default_factory=RateLimit)

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        return None if v is None else normalize_hostname(v)


class Repo(_Model):
    path: str | None = None


class Network(_Model):
    nameservers: list[str] = Field(default_factory=list, max_length=10)
    connect_to: list[str] = Field(default_factory=list, max_length=50)
    ca_bundle: str | None = None
    timeout_s: float = Field(default=10, gt=0, le=120)
    request_budget: int = Field(default=500, ge=1, le=100_000)

    @field_validator("nameservers")
    @classmethod
    def _nameservers(cls, v: list[str]) -> list[str]:
        for spec in v:
            parse_nameserver(spec)
        return v

    @field_validator("connect_to")
    @classmethod
    def _connect_to(cls, v: list[str]) -> list[str]:
        for spec in v:
            parse_connect_to(spec)
        return v


class SprintConfig(_Model):
    schema_: Literal["launch-ready/sprint@1"] = Field(default=SPRINT_SCHEMA, alias="schema")
    name: str
    target: Target
    email: Email = Field(default_factory=Email)
    cloudflare: CloudflareConfig = Field(default_factory=CloudflareConfig)
    repo: Repo = Field(default_factory=Repo)
    network: Network = Field(default_factory=Network)
    api: Api = Field(default_factory=Api)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    release: Release = Field(default_factory=Release)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return validate_sprint_name(v)

    @property
    def zone(self) -> str:
        """The Cloudflare zone the checks read and the fixes change: cloudflare.zone, else the domain."""
        return self.cloudflare.zone or self.target.domain

    @property
    def scope_hosts(self) -> list[str]:
        """Hosts outside the domain the probes may contact: a local API's loopback host."""
        if self.api.environment == "local" and self.api.base_url:
            return [urlsplit(self.api.base_url).hostname or ""]
        return []

    @model_validator(mode="after")
    def _in_scope(self) -> SprintConfig:
        """Every URL the API, monitoring and release sections name is inside the domain (or, for
        a local API, on its loopback base URL's host)."""
        api, monitoring = self.api, self.monitoring
        if api.environment == "local":
            local_base_url(api.base_url)
        api_urls: list[str | None] = [api.openapi, *(split_route(r)[1] for r in (*api.protected_routes, *api.admin_routes))]
        for part in (api.login, *api.resources, api.chat, api.webhook, api.signup, api.account):
            api_urls += [getattr(part, f, None) for f in ("url", "create_url", "new_session",
                                                           "me_url", "update_url", "password_url")]
        for api_url in filter(None, api_urls):
            if api_url.startswith(("http://", "https://")) and not self.scope_hosts:
                normalize_url(api_url, self.target.domain)
            elif api_url.startswith(("http://", "https://")) and urlsplit(api_url).hostname not in self.scope_hosts:
                raise ValueError(f"{api_url!r} is not on the local API {api.base_url}")
        urls = [None if self.scope_hosts else api.base_url, *(w.url for w in monitoring.urls),
                *monitoring.latency_urls, *self.release.paths]
        for url in urls:
            if url and not url.startswith("/"):
                normalize_url(url, self.target.domain)
        for host in api.output_hosts:
            normalize_hostname(host)
        return self

    @classmethod
    def starter(cls, name: str, domain: str) -> SprintConfig:
        """A new sprint's config: the apex and www, the apex canonical."""
        domain = normalize_hostname(domain)
        return cls(
            name=name,
            target=Target(
                domain=domain,
                canonical=domain,
                hosts=[domain, f"www.{domain}"],
                pages=[f"https://{domain}/"],
            ),
            cloudflare=CloudflareConfig(zone=domain),
        )


def validate_sprint_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"sprint name {name!r} may hold lower-case letters, digits, '-' and '_' (max 63)"
        )
    return name


# ---------------------------------------------------------------- progress.yaml


class Position(_Model):
    """Where the user was: the stage, the row index, and the row's finding key (which survives
    rows being added above it; the index is the fallback)."""

    stage: int = Field(default=1, ge=1, le=7)
    row: int = Field(default=0, ge=0)
    key: str | None = None


class Result(_Model):
    finding: Finding
    at: datetime


class Decision(_Model):
    kind: Literal["accepted-risk", "deferred"]
    note: str = Field(min_length=1)
    at: datetime


class ManualAnswer(_Model):
    answer: Literal["yes", "no", "n/a"]
    note: str = ""
    at: datetime


class Note(_Model):
    text: str = Field(min_length=1)
    at: datetime


class ChangeLogEntry(_Model):
    """A Cloudflare change set as it ended: written from the outcome, never from the intent."""

    id: str
    fixes: list[str]
    state: str  # applied, rolled-back, rollback-failed, ... (as the change set's result says)
    verified: bool | None = None  # the checks that asked for the fixes passed afterwards
    summary: str
    at: datetime


class Progress(_Model):
    schema_: Literal["launch-ready/progress@1"] = Field(default=PROGRESS_SCHEMA, alias="schema")
    position: Position = Field(default_factory=Position)
    last_run: datetime | None = None
    results: dict[str, Result] = Field(default_factory=dict)
    decisions: dict[str, Decision] = Field(default_factory=dict)
    manual: dict[str, ManualAnswer] = Field(default_factory=dict)
    notes: dict[str, Note] = Field(default_factory=dict)
    changes: list[ChangeLogEntry] = Field(default_factory=list)

    def log_change(self, entry: ChangeLogEntry) -> None:
        """Record (or update, by id) what a change set really did."""
        self.changes = [c for c in self.changes if c.id != entry.id] + [entry]

    def record(self, findings: list[Finding], ran: set[str], at: datetime | None = None) -> None:
        """Keep the newest finding per check and subject; a check that ran drops subjects it no
        longer reports (a host removed from the config, say)."""
        at = at or now()
        self.results = {k: r for k, r in self.results.items() if r.finding.id not in ran}
        for f in findings:
            self.results[f.key] = Result(finding=f, at=at)
        self.last_run = at

    def findings(self) -> list[Finding]:
        return [r.finding for r in self.results.values()]

    def decide(self, key: str, kind: str, note: str) -> None:
        """`kind` comes from the user: the model checks it (accepted-risk or deferred)."""
        self.decisions[key] = Decision.model_validate({"kind": kind, "note": note, "at": now()})

    def answer(self, item_id: str, answer: str, note: str) -> None:
        """`answer` comes from the user: the model checks it (yes, no or n/a)."""
        self.manual[item_id] = ManualAnswer.model_validate({"answer": answer, "note": note,
                                                            "at": now()})

    def note(self, key: str, text: str) -> None:
        """A free note on a finding (one without a decision); empty text removes it."""
        if text.strip():
            self.notes[key] = Note(text=text.strip(), at=now())
        else:
            self.notes.pop(key, None)


# ---------------------------------------------------------------- YAML reading with lines


MIB = 1024 * 1024
# Every file launch-ready parses has a cap, checked before it is read: a sprint file holds a few
# kilobytes, and a runaway one (a list pasted a million times) must not hang a run.
SPRINT_FILE_CAP = 1 * MIB  # sprint.yaml, recent.yaml
PROGRESS_FILE_CAP = 64 * MIB  # progress.yaml: findings with their evidence
INPUT_FILE_CAP = 1 * MIB  # files a sprint names: the secrets allowlist, env files
ALLOWLIST_FILE = "secrets-allowlist.yaml"


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB // 10 else f"{size} bytes"


def refuse_over_cap(path: Path, size: int, cap: int, what: str) -> None:
    if size > cap:
        raise SprintFileError(path, f"is {_mib(size)}, over the {_mib(cap)} launch-ready reads "
                              f"for {what}: trim it")


def read_capped(path: Path, cap: int, what: str) -> str:
    """A UTF-8 file read whole, or SprintFileError (exit 2) when it is over `cap` bytes, not UTF-8
    or unreadable. The size is checked before reading, and the read stops at the cap anyway."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > cap else handle.read(cap + 1)  # it may grow after fstat
    except OSError as exc:
        raise SprintFileError(path, f"cannot be read ({exc.strerror})") from None
    refuse_over_cap(path, max(size, len(data)), cap, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SprintFileError(path, "is not UTF-8 text") from None


def _read_yaml(path: Path, cap: int) -> tuple[Any, yaml.Node | None]:
    text = read_capped(path, cap, f"a {path.name}")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = getattr(exc, "problem", "") or ""
        raise SprintFileError(
            path, f"refused: {tag.split(' tag ')[-1] or 'a tag'} (only plain YAML is read)", line
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SprintFileError(path, f"is not valid YAML ({exc.problem})", line) from None
    except yaml.YAMLError as exc:
        raise SprintFileError(path, f"is not valid YAML ({exc})") from None
    finally:
        loader.dispose()
    return data, node


def _line_of(node: yaml.Node | None, loc: tuple, key_line: bool = False) -> int | None:
    """Line of the YAML node at a pydantic error location (or of the nearest parent)."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    best = (k if key_line else v).start_mark.line + 1
                    node = v
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            return best
    return best


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(exc: ValidationError, path: Path, node: yaml.Node | None) -> SprintFileError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _dotted(loc[:-1]) if len(loc) > 1 else "the top level"
        msg = f"unknown key {loc[-1]!r} in {parent}: remove it or check its spelling"
        return SprintFileError(path, msg, _line_of(node, loc, key_line=True))
    if kind == "missing":
        return SprintFileError(path, f"missing key {_dotted(loc)!r}", _line_of(node, loc[:-1]))
    text = err["msg"].removeprefix("Value error, ")
    if kind == "literal_error" and loc and loc[-1] == "schema":
        text = f"unsupported schema {err.get('input')!r} ({text})"
    return SprintFileError(path, f"{_dotted(loc)}: {text}", _line_of(node, loc))


def _check_schema(path: Path, data: Any, node: yaml.Node | None, expected: str) -> None:
    if not isinstance(data, dict):
        raise SprintFileError(path, "must be a YAML mapping (key: value)", _line_of(node, ()))
    found = data.get("schema")
    family, _, version = expected.partition("@")
    if isinstance(found, str) and found.startswith(family + "@") and found != expected:
        theirs = found.partition("@")[2]
        if theirs.isdigit() and int(theirs) > int(version):
            raise SprintFileError(
                path,
                f"was written by a newer launch-ready ({found}); upgrade launch-ready to open it",
                _line_of(node, ("schema",)),
            )


def _parse(path: Path, model: type[BaseModel], expected: str, cap: int = SPRINT_FILE_CAP):
    data, node = _read_yaml(path, cap)
    _check_schema(path, data, node, expected)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, path, node) from None


def _dump(model: BaseModel) -> str:
    data = model.model_dump(mode="json", by_alias=True, exclude_none=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: old or new, never torn.

    Callers hold the file's lock, so temp files left by a killed writer can go."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# ---------------------------------------------------------------- the store


def sprints_home() -> Path:
    env = os.environ.get("LAUNCH_READY_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("launch-ready"))


class Sprint:
    """A sprint directory: its files, its lock, and the only code that writes them."""

    def __init__(self, root: Path):
        self.root = Path(root).expanduser().resolve()
        self._lock = FileLock(self.root / ".lock")

    # paths
    config_path = property(lambda self: self.root / "sprint.yaml")
    progress_path = property(lambda self: self.root / "progress.yaml")
    logs_dir = property(lambda self: self.root / "logs")
    reports_dir = property(lambda self: self.root / "reports")
    changes_dir = property(lambda self: self.root / "changes")

    @classmethod
    def create(cls, root: Path, config: SprintConfig) -> Sprint:
        root = Path(root).expanduser()
        if (root / "sprint.yaml").exists():
            raise UsageError(f"{root}: a sprint already exists here; open it with `launch-ready open {root}`")
        root.mkdir(parents=True, exist_ok=True)
        sprint = cls(root)
        with sprint.locked():
            sprint.save_config(config)
            sprint.save_progress(Progress())
        return sprint

    @classmethod
    def find(cls, name_or_path: str) -> Sprint:
        """NAME is a sprint in the sprints home; anything with a slash (or an existing folder) is a path."""
        path = Path(name_or_path).expanduser()
        looks_like_path = os.sep in name_or_path or name_or_path.startswith((".", "~"))
        if not looks_like_path and not (path.is_dir() and (path / "sprint.yaml").exists()):
            try:
                validate_sprint_name(name_or_path)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            path = sprints_home() / name_or_path
        if not (path / "sprint.yaml").is_file():
            raise SprintNotFound(
                f"{path}: no sprint here (sprint.yaml missing); start one with `launch-ready new NAME`"
            )
        return cls(path)

    # reading
    def load_config(self) -> SprintConfig:
        """The config, and the files it names checked against their caps (before any run)."""
        config = _parse(self.config_path, SprintConfig, SPRINT_SCHEMA)
        inputs = [(self.root / ALLOWLIST_FILE, "a secrets allowlist"),
                  *((self.resolve(p), "an env file") for p in (
                      config.release.staging_env, config.release.production_env) if p)]
        for path, what in inputs:
            if path.is_file():
                refuse_over_cap(path, path.stat().st_size, INPUT_FILE_CAP, what)
        return config

    def load_progress(self) -> Progress:
        if not self.progress_path.exists():
            return Progress()
        return _parse(self.progress_path, Progress, PROGRESS_SCHEMA, PROGRESS_FILE_CAP)

    def resolve(self, value: str) -> Path:
        """A path from the config: relative ones start at the sprint folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    # locking
    def locked(self) -> FileLock:
        """Hold the sprint for this process (a wizard session, a saving check run)."""
        return self._lock

    @property
    def is_locked_here(self) -> bool:
        return self._lock.held

    # writing: always under the lock, never over a file we could not read
    def save_config(self, config: SprintConfig) -> None:
        self._write(self.config_path, _dump(config), SprintConfig, SPRINT_SCHEMA)

    def save_progress(self, progress: Progress) -> None:
        self._write(self.progress_path, _dump(progress), Progress, PROGRESS_SCHEMA)

    def _write(self, path: Path, text: str, model: type[BaseModel], schema: str) -> None:
        with self._lock:
            if path.exists():  # refuse to replace a file we cannot read
                _parse(path, model, schema, PROGRESS_FILE_CAP if model is Progress else SPRINT_FILE_CAP)
            write_atomic(path, redact(text))  # a secret pasted into a note stays out of the file


# ---------------------------------------------------------------- recent sprints


class RecentEntry(_Model):
    path: str
    name: str
    opened_at: datetime


class Recent(_Model):
    schema_: Literal["launch-ready/recent@1"] = Field(default=RECENT_SCHEMA, alias="schema")
    sprints: list[RecentEntry] = Field(default_factory=list)


def _recent_path() -> Path:
    return sprints_home() / "recent.yaml"


def recent_sprints() -> list[RecentEntry]:
    """Recently opened sprints, newest first, those still on disk only."""
    path = _recent_path()
    if not path.exists():
        return []
    recent = _parse(path, Recent, RECENT_SCHEMA)
    return [e for e in recent.sprints if (Path(e.path) / "sprint.yaml").exists()]


def remember(sprint: Sprint, name: str) -> None:
    path = _recent_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_name(".recent.lock"), wait_s=5):
        recent = _parse(path, Recent, RECENT_SCHEMA) if path.exists() else Recent()
        entries = [e for e in recent.sprints if e.path != str(sprint.root)]
        entries.insert(0, RecentEntry(path=str(sprint.root), name=name, opened_at=now()))
        recent.sprints = entries[:20]
        write_atomic(path, _dump(recent))

""".env files read and compared by name and value fingerprint, never by value: staging and
production sharing a secret, a variable production lacks, a browser-exposed (public-prefixed)
variable holding a secret. Values stay inside this module; what leaves it is names and
fingerprints (sha256, 12 hex), and every secret-named value is registered for masking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from wizard.errors import SprintFileError
from wizard.probes.secrets.engine import fingerprint, scan_text
from wizard.probes.secrets.repo import (
    PUBLIC_NAMES,
    SECRET_NAME,
    public_env_matches,
)
from wizard.probes.secrets.rules import is_placeholder
from wizard.sprint import INPUT_FILE_CAP, read_capped
from wizard.vault import register_secret

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(?P<rest>.*)$")


def parse_env(text: str) -> dict[str, str]:
    """KEY=VALUE lines as dotenv reads them: `export ` prefix, single/double/back quotes (a
    double-quoted value may span lines and keeps \\n escapes), `#` comments on their own line or
    after an unquoted value. The last assignment of a name wins."""
    values: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        m = _LINE.match(lines[i])
        i += 1
        if not m:
            continue
        rest = m.group("rest").strip()
        if rest[:1] in ("'", '"', "`"):
            quote, body = rest[0], rest[1:]
            while quote not in body and i < len(lines):  # a multi-line quoted value
                body += "\n" + lines[i]
                i += 1
            value = body.split(quote, 1)[0]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        else:
            value = re.split(r"\s+#", rest, maxsplit=1)[0].strip()
        values[m.group("name")] = value
    return values


def secret_named(name: str) -> bool:
    return bool(SECRET_NAME.search(name.upper())) and not PUBLIC_NAMES.search(name.upper())


def looks_secret(name: str, value: str) -> bool:
    """A value to keep apart between environments: a known key format, or a non-placeholder
    value under a secret-looking name."""
    if not value or is_placeholder(value):
        return False
    return bool(scan_text(value, name)) or (secret_named(name) and len(value) >= 8)


@dataclass(frozen=True)
class EnvFile:
    path: Path
    values: dict[str, str] = field(repr=False)
    text: str = field(repr=False)

    def fingerprints(self) -> dict[str, str]:
        """name -> fingerprint, for the secret-looking values only (a fingerprint of `true`
        would give the value away)."""
        return {n: fingerprint(v) for n, v in self.values.items() if looks_secret(n, v)}


def read_env_file(path: Path) -> EnvFile:
    try:
        text = read_capped(path, INPUT_FILE_CAP, "an env file")
    except SprintFileError as exc:
        raise ValueError(str(exc)) from None
    values = parse_env(text)
    for name, value in values.items():
        if looks_secret(name, value):
            register_secret(value)
    return EnvFile(path, values, text)


@dataclass(frozen=True)
class Separation:
    shared_secrets: list[dict]  # {"name", "fingerprint"}: the same secret in both
    missing_in_production: list[str]
    public_secrets: list[dict]  # {"file", "name", "fingerprint", "provider"}
    staging_names: int
    production_names: int

    def evidence(self) -> dict:
        return {"shared_secrets": self.shared_secrets,
                "missing_in_production": self.missing_in_production,
                "public_secrets": self.public_secrets,
                "variables": {"staging": self.staging_names, "production": self.production_names}}


def compare(staging: EnvFile, production: EnvFile) -> Separation:
    staged, produced = staging.fingerprints(), production.fingerprints()
    shared = [{"name": n, "fingerprint": fp} for n, fp in sorted(produced.items())
              if fp in staged.values()]
    public = []
    for env in (staging, production):
        for found in public_env_matches(env.text, env.path.name):
            public.append({"file": env.path.name, "name": found.name,
                           "fingerprint": found.match.fingerprint, "provider": found.match.provider})
    return Separation(
        shared_secrets=shared,
        missing_in_production=sorted(set(staging.values) - set(production.values)),
        public_secrets=public,
        staging_names=len(staging.values), production_names=len(production.values),
    )

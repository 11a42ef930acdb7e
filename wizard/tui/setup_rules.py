"""What each setup field accepts, as plain functions over the typed text.

They reuse wizard.addresses (the same rules sprint.yaml is validated with), so a value typed in
the form and the same value written by hand are accepted or refused alike. Each returns the
normalised value and raises ValueError with the reason a person reads under the field.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from wizard.addresses import in_scope, normalize_hostname, normalize_url
from wizard.sprint import sprints_home, validate_sprint_name

_SPLIT = re.compile(r"[,\n]")


def split_list(text: str) -> list[str]:
    """Comma or one per line; blanks ignored."""
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def sprint_root(name: str, new_dir: Path | None) -> Path:
    """Where a new sprint goes: the folder given, else the sprints home."""
    return new_dir or sprints_home() / name


def check_name(text: str, new_dir: Path | None = None) -> str:
    name = validate_sprint_name(text.strip())
    if (sprint_root(name, new_dir) / "sprint.yaml").exists():
        raise ValueError(f"a sprint named {name!r} already exists; open it from the picker")
    return name


def check_domain(text: str) -> str:
    return normalize_hostname(text)


def check_hosts(text: str, domain: str | None) -> list[str]:
    """Empty means the apex and www, as a new sprint starts (once the domain is valid)."""
    if not split_list(text):
        return [domain, f"www.{domain}"] if domain else []
    hosts: list[str] = []
    for raw in split_list(text):
        host = normalize_hostname(raw)
        if domain is not None and not in_scope(host, domain):
            raise ValueError(f"{host} is outside the domain {domain}")
        if host not in hosts:
            hosts.append(host)
    return hosts


def check_canonical(text: str, domain: str | None, hosts: list[str] | None) -> str | None:
    """Empty means the domain itself; it must be one of the hosts."""
    canonical = normalize_hostname(text) if text.strip() else domain
    if canonical is not None and hosts is not None and canonical not in hosts:
        raise ValueError(f"{canonical} must also be listed in hosts")
    return canonical


def check_pages(text: str, domain: str | None) -> list[str]:
    if domain is None:
        return split_list(text)
    return [normalize_url(url, domain) for url in split_list(text)]


def section_value(model: type[BaseModel], field: str, value):
    """One field of a sprint.yaml section, validated by that section's own model (the rules a
    hand-edited file meets); ValueError carries the model's reason."""
    try:
        return getattr(model.model_validate({field: value}), field)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None


def check_yes_no(text: str) -> bool:
    answer = text.strip().lower()
    if answer in ("yes", "y", "true"):
        return True
    if answer in ("no", "n", "false"):
        return False
    raise ValueError("answer yes or no")


def check_optional_path(text: str) -> str | None:
    """A folder that exists, or empty for none."""
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.is_dir():
        raise ValueError(f"{path} is not a folder on this machine")
    return str(path)


def check_optional_url(text: str) -> str | None:
    if not text.strip():
        return None
    if not re.match(r"^https?://[^\s/]+", text.strip()):
        raise ValueError("an http(s) URL, e.g. http://127.0.0.1:8080/client/v4; empty for Cloudflare's own")
    return text.strip()

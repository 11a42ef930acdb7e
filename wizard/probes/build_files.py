"""What makes a build repeatable from a checkout, read from the repository's files: a lockfile,
a pinned runtime, and a CI workflow that builds and deploys. Each part names the file that
shows it, so a person can check the answer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

LOCKFILES = ("package-lock.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "bun.lock",
             "poetry.lock", "uv.lock", "Pipfile.lock", "Gemfile.lock", "go.sum", "Cargo.lock",
             "composer.lock")
RUNTIME_FILES = (".nvmrc", ".node-version", ".python-version", ".tool-versions", "runtime.txt",
                 ".ruby-version")
_PIN = re.compile(r"^\s*[A-Za-z0-9_.\-\[\]]+\s*==\s*\S", re.M)
_REQUIREMENT = re.compile(r"^\s*[A-Za-z0-9]", re.M)
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(?P<image>\S+)", re.M | re.I)
_BUILD = re.compile(r"\b(build|compile|docker build|next build|vite build|npm run build|pnpm build|"
                    r"yarn build|cargo build|go build|poetry build|uv build)\b", re.I)
_DEPLOY = re.compile(r"\b(deploy|release|publish|vercel|netlify|fly(ctl)?\s+deploy|wrangler|"
                     r"railway|render|heroku|kubectl|helm|gcloud|aws\s|terraform\s+apply)\b", re.I)
CI_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml",
            ".circleci/config.yml", "bitbucket-pipelines.yml", "azure-pipelines.yml",
            ".buildkite/pipeline.yml")


@dataclass(frozen=True)
class BuildSetup:
    lockfiles: list[str]
    runtime: list[str]  # "file: what pins it"
    ci: list[str]  # CI files that build and deploy
    ci_partial: list[str]  # CI files that do one of the two ("file: build only")

    def evidence(self) -> dict:
        return {"lockfiles": self.lockfiles, "runtime": self.runtime, "ci": self.ci,
                "ci_partial": self.ci_partial}

    @property
    def missing(self) -> list[str]:
        return [*(["a lockfile"] if not self.lockfiles else []),
                *(["a pinned runtime version"] if not self.runtime else []),
                *(["a CI workflow that builds and deploys"] if not self.ci else [])]


def _read(path: Path, limit: int = 512 * 1024) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _lockfiles(root: Path) -> list[str]:
    found = [name for name in LOCKFILES if (root / name).is_file()]
    for path in sorted(root.glob("requirements*.txt")):
        text = _read(path)
        if _REQUIREMENT.search(text) and len(_PIN.findall(text)) == len(
                [ln for ln in text.splitlines() if _REQUIREMENT.match(ln)]):
            found.append(f"{path.name} (every requirement pinned with ==)")
    return found


def _runtime(root: Path) -> list[str]:
    found = [f"{name}: {_read(root / name).strip().splitlines()[0][:40]}"
             for name in RUNTIME_FILES if (root / name).is_file() and _read(root / name).strip()]
    package = root / "package.json"
    if package.is_file():
        try:
            engines = json.loads(_read(package)).get("engines") or {}
        except (ValueError, AttributeError):
            engines = {}
        if isinstance(engines, dict) and engines.get("node"):
            found.append(f"package.json engines.node: {str(engines['node'])[:40]}")
    for dockerfile in sorted(root.glob("Dockerfile*")):
        for m in _FROM.finditer(_read(dockerfile)):
            image = m.group("image")
            tag = image.rsplit("@", 1)[1] if "@" in image else (
                image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "")
            if tag and tag != "latest" and image.lower() != "scratch":
                found.append(f"{dockerfile.name}: FROM {image[:60]}")
                break
    return found


def _ci(root: Path) -> tuple[list[str], list[str]]:
    full, partial = [], []
    for pattern in CI_GLOBS:
        for path in sorted(root.glob(pattern)):
            text = _read(path)
            name = path.relative_to(root).as_posix()
            build, deploy = bool(_BUILD.search(text)), bool(_DEPLOY.search(text))
            if build and deploy:
                full.append(name)
            elif build or deploy:
                partial.append(f"{name}: {'build' if build else 'deploy'} only")
    return full, partial


def inspect_build(root: Path) -> BuildSetup:
    ci, partial = _ci(root)
    return BuildSetup(_lockfiles(root), _runtime(root), ci, partial)

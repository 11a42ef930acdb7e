"""Errors a user can act on. Each carries its exit code (DESIGN.md 3.1) and reads as one line."""

from __future__ import annotations


class LaunchReadyError(Exception):
    """A problem the user can fix; the faces print `str(err)` as one line and exit with `exit_code`."""

    exit_code = 2


class UsageError(LaunchReadyError):
    """Bad input: arguments, names, values."""


class SprintFileError(LaunchReadyError):
    """A sprint file that cannot be used: corrupt, unreadable, invalid or from a newer version."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")


class SprintNotFound(LaunchReadyError):
    pass


class SprintLocked(LaunchReadyError):
    """Another launch-ready holds the sprint; nothing was written."""


class EnvironmentProblem(LaunchReadyError):
    """No network at all, no keyring backend, a rejected token."""

    exit_code = 3

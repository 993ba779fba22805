"""The git command line, run as a subprocess: arguments as a list (never a shell string).

Every call runs `git -C PATH ...` with a clean, predictable environment: no pager, no prompt, no
GIT_DIR/GIT_WORK_TREE inherited from the caller, UTF-8 log output. Failures become GitError with
one readable line (git's own first error line).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Git", "GitError", "GitNotInstalled", "NotARepository"]

# Variables that would point git at another repository than the one named.
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                         "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR")
# Settings that would change the output git prints for our format strings.
_CONFIG = ("-c", "log.showSignature=false", "-c", "i18n.logOutputEncoding=UTF-8", "-c", "core.quotePath=false")
_CHUNK = 1 << 16


class GitError(Exception):
    """A git command failed; the message is one line."""


class GitNotInstalled(GitError):
    """The `git` executable is not on PATH."""


class NotARepository(GitError):
    """The path is not inside a git repository."""


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    environment.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"})
    return environment


def _first_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0] if lines else "no message"


class Git:
    """The git command line on one repository (`git -C path ...`)."""

    def __init__(self, path: Path):
        self.path = path

    def _command(self, args: tuple[str, ...]) -> list[str]:
        return ["git", "-C", str(self.path), *_CONFIG, *args]

    def run(self, *args: str, check: bool = True) -> str | None:
        """The output of `git ARGS` (trailing newline removed); None on failure when not `check`."""
        try:
            done = subprocess.run(self._command(args), capture_output=True, env=_environment(),
                                  stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise GitNotInstalled("git is not installed (no `git` on PATH)") from None
        if done.returncode != 0:
            if not check:
                return None
            raise GitError(f"git {args[0]} failed: {_first_line(done.stderr)}")
        return done.stdout.decode("utf-8", "replace").removesuffix("\n")

    def succeeds(self, *args: str) -> bool:
        """True when `git ARGS` exits 0 (for yes/no questions such as `merge-base --is-ancestor`)."""
        return self.run(*args, check=False) is not None

    def fields(self, *args: str) -> Iterator[str]:
        """The NUL-separated fields `git ARGS` prints, streamed (bounded memory for long logs)."""
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(self._command(args), stdout=subprocess.PIPE, stderr=errors,
                                           stdin=subprocess.DEVNULL, env=_environment())
            except FileNotFoundError:
                raise GitNotInstalled("git is not installed (no `git` on PATH)") from None
            pending = b""
            try:
                while chunk := process.stdout.read(_CHUNK):
                    *complete, pending = (pending + chunk).split(b"\0")
                    for field in complete:
                        yield field.decode("utf-8", "replace")
            finally:
                process.stdout.close()
                returncode = process.wait()
            if returncode != 0:
                errors.seek(0)
                raise GitError(f"git {args[0]} failed: {_first_line(errors.read())}")
            if pending:
                yield pending.decode("utf-8", "replace")

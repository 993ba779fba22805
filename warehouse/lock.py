"""The writer lock: one process at a time writes a warehouse (`<db>.lock`, an flock).

The holder writes its pid and command line into the lock file, so a process that finds the
lock held can say whom it waits for. The kernel releases the lock when the holder exits, even
when it is killed; the file itself stays (removing it would race with the next holder).
"""
from __future__ import annotations

import fcntl
import math
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from warehouse.db import WarehouseError
from warehouse.files import process_exists

__all__ = ["WriterLock", "lock_path", "current_command", "lock_timeout", "TIMEOUT_VARIABLE"]

TIMEOUT_VARIABLE = "PITWALL_LOCK_TIMEOUT"
POLL_SECONDS = 0.1
COMMAND_CHARS = 300


def lock_path(path: Path) -> Path:
    """The lock file of the warehouse at `path`."""
    return path.with_name(path.name + ".lock")


def current_command() -> str:
    """This process's command line as a shell would show it (program name without its folder)."""
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])[:COMMAND_CHARS]


def lock_timeout() -> float | None:
    """PITWALL_LOCK_TIMEOUT in seconds; None (wait as long as it takes) when unset."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise WarehouseError(f"{TIMEOUT_VARIABLE}={raw!r}: expected a number of seconds, 0 or more")
    return seconds


class WriterLock:
    """The writer lock of the warehouse at `path`, taken on behalf of `command`."""

    def __init__(self, path: Path, command: str):
        self.path = path
        self.command = command
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False (at once) when another process holds it."""
        try:
            fd = os.open(lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise WarehouseError(f"cannot create the lock file {lock_path(self.path)}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{self.command}\n".encode(), 0)
        self._fd = fd
        return True

    def acquire(self, timeout: float | None, on_wait: Callable[[str], None]) -> None:
        """Take the lock, waiting for the holder (one `on_wait` line) at most `timeout` seconds."""
        if self.try_acquire():
            return
        holder = self.holder()
        if timeout != 0:
            on_wait(f"waiting for {holder} to finish writing {self.path}")
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                raise WarehouseError(
                    f"{self.path}: {holder} is still writing it after {timeout:g} s ({TIMEOUT_VARIABLE}); "
                    f"nothing was written, try again later")
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str:
        """Who holds the lock, as the lock file says: `pid 1234 (pitwall sync github ...)`, else
        `another process` (a tool such as flock(1) holds it; the file names an exited process)."""
        try:
            pid, _, command = lock_path(self.path).read_text(encoding="utf-8", errors="replace").partition("\n")
        except OSError:
            pid, command = "", ""
        if not pid.strip().isdigit() or int(pid) <= 0 or not process_exists(int(pid)):
            return "another process"
        return f"pid {pid.strip()} ({command.strip()})"

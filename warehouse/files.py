"""Small file-system facts shared by the lock, the snapshot and the export folder."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["fsync_path", "process_exists"]


def fsync_path(path: Path) -> None:
    """Flush a file's content, or a folder's entries, to disk (so a power cut keeps what a kill keeps)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def process_exists(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""Replace a folder whole, so that a kill leaves the previous folder or the complete new one.

The new content is written into a hidden sibling `.NAME.partial-PID` (same file system), which
then takes the folder's place: renamed onto it when it is missing, swapped with it in one
`renameat2(RENAME_EXCHANGE)` call when it exists (Linux), after which the previous content is
deleted. Where the swap is not available (another OS, a file system without it) the previous
folder is first renamed aside, then the new one into place: a kill between these two renames
leaves the folder missing and the previous content in `.NAME.partial-PID-previous`. A partial
folder left by a killed process is deleted by the next replacement of the same folder.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from warehouse.files import fsync_path, process_exists

__all__ = ["partial_folders", "replace_folder"]

AT_FDCWD = -100
RENAME_EXCHANGE = 2
UNSUPPORTED = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV)
_LIBC = ctypes.CDLL(None, use_errno=True)


def partial_folders(target: Path) -> list[Path]:
    """The partial folders of `target` on disk (being written, or left by a killed process)."""
    return sorted(target.parent.glob(f".{target.name}.partial-*"))




def _remove_leftovers(target: Path) -> None:
    """Delete the partial folders of `target` whose process is gone (or is this one, by pid reuse)."""
    for folder in partial_folders(target):
        pid = folder.name.rpartition("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid() or not process_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False when this system or file system cannot."""
    call = getattr(_LIBC, "renameat2", None)
    if call is None:
        return False
    if call(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))




def replace_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Make `target` a folder holding exactly what `fill(folder)` writes, replacing it whole."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}"
    partial.mkdir()
    try:
        fill(partial)
        for written in [*partial.iterdir(), partial]:
            fsync_path(written)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if not target.exists():
        partial.rename(target)
    elif _exchange(partial, target):
        shutil.rmtree(partial, ignore_errors=True)      # it now holds the previous content
    else:
        previous = partial.with_name(partial.name + "-previous")
        target.rename(previous)
        partial.rename(target)
        shutil.rmtree(previous, ignore_errors=True)
    fsync_path(target.parent)

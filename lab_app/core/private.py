"""Files for their owner only: the workspace holds people's words, so nothing it makes is
readable by other accounts on the machine (store, index, uploads, exports, backups, locks)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

OWNER_ONLY_UMASK = 0o077  # new files 0600, new folders 0700
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def owner_only() -> None:
    """From now on, every file and folder this process creates is its owner's only.

    A umask rather than a chmod after each write: the store, the index (written by Chroma's own
    code), lock files, exports and backups are all covered from the moment they exist, with no
    window in which another account could open them."""
    os.umask(OWNER_ONLY_UMASK)


def private_folder(path: Path) -> Path:
    """Make the folder (and missing parents) and make sure it is its owner's only: a workspace
    made by an older version (0755) is closed the first time it is opened again."""
    path = Path(path)
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # someone else's folder: leave it as it is
        if path.stat().st_mode & 0o077:
            path.chmod(FOLDER_MODE)
    return path


def tighten(folder: Path) -> None:
    """Make the folder's own files and folders owner-only, one level deep (enough: a folder
    0700 closes everything inside it) — for workspaces made before files were created so."""
    for path in Path(folder).iterdir():
        with contextlib.suppress(OSError):  # gone meanwhile, or someone else's
            if not path.is_symlink() and path.stat().st_mode & 0o077:
                path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)


def private_file(path: Path) -> Path:
    """Make an existing file its owner's only (for files written before owner_only ran)."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if path.stat().st_mode & 0o077:
            path.chmod(FILE_MODE)
    return path

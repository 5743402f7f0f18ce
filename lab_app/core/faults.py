"""Faults said in one line: names shown visibly, storage errors without the data being written."""

from __future__ import annotations

import errno
import re
import traceback
import unicodedata

# Characters that move or hide text when printed: line breaks, other controls, and the
# bidirectional marks, overrides and isolates that can make "evil\u202etxt.md" read as
# "evilmd.txt". Zero-width and other format characters (category Cf) hide text too.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
_WRITE_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EFBIG: "a file grew past the size this system allows",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk reported an input/output error",
}
# What SQLite says when a write fails for lack of room or rights, and what to do about it.
_SQLITE_HINTS = (
    ("database or disk is full", "free some disk space, then run the same command again"),
    ("disk i/o error", "check the disk has free space and is writable, then try again"),
    ("readonly database", "make the workspace folder writable, then try again"),
    ("database is locked", "another qlab or app process is writing: try again in a minute"),
    ("file is not a database", "the store file is damaged: restore it from a backup"),
    ("database disk image is malformed", "the store file is damaged: restore it from a backup"),
)
MAX_NAME_CHARS = 200


class WorkspaceFault(RuntimeError):
    """The workspace could not read or write its own files; str(err) is one line saying what
    failed and what to do, and never holds extract text or other personal data."""


def visible(name: object) -> str:
    """A file name (or other outside text) safe to print on one line: line breaks, controls and
    bidirectional overrides are shown as escapes such as \\n and \\u202e, never acted on (and
    a backslash as \\\\, so an escape in the name cannot pass for one)."""
    text = _escaped(str(name).replace("\\", "\\\\"))
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1] + "…"


def one_line(text: str) -> str:
    """A message as one visible line: runs of spaces, tabs and line breaks become one space,
    any other hidden character is shown escaped. Names in it went through visible() already,
    so backslashes are left as they are."""
    return _escaped(" ".join(str(text).split()))


def _escaped(text: str) -> str:
    shown = []
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            code = ord(char)
            shown.append(
                {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
                or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
            )
        else:
            shown.append(char)
    return "".join(shown)


def describe(err: BaseException, doing: str) -> str:
    """One line for a failure while `doing` something ("writing the store"), naming the cause
    and what to do. Database errors are reduced to the driver's first line: SQLAlchemy's own
    message would quote the statement's parameters, which hold the answers being written."""
    cause = _cause(err)
    if isinstance(cause, OSError) and cause.errno in _WRITE_ERRNOS:
        where = f" ({visible(cause.filename)})" if cause.filename else ""
        return (
            f"{doing} failed: {_WRITE_ERRNOS[cause.errno]}{where}: "
            "free space or fix the folder's permissions, then run the same command again"
        )
    message = _first_line(cause)
    lowered = message.lower()
    for needle, hint in _SQLITE_HINTS:
        if needle in lowered:
            return f"{doing} failed ({message}): {hint}"
    return f"{doing} failed ({type(cause).__name__}: {message})"


def is_storage_fault(err: BaseException) -> bool:
    """True for failures of the disk or the database itself (no room, read-only, damaged)
    rather than of one file's content: ingest stops instead of trying the next file."""
    cause = _cause(err)
    if isinstance(cause, OSError) and cause.errno in _WRITE_ERRNOS:
        return True
    lowered = _first_line(cause).lower()
    return any(needle in lowered for needle, _ in _SQLITE_HINTS)


def unexpected(err: BaseException) -> str:
    """One line for a bug: the error's type and where it was raised, never its message (which
    may quote the data being handled)."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "lab_app" in f.filename or "/ingest/" in f.filename]
    where = ""
    if ours or frames:
        frame = (ours or frames)[-1]
        tail = re.split(r"[\\/](?=(?:lab_app|ingest)[\\/])", frame.filename)[-1]
        where = f" at {tail.replace(chr(92), '/')}:{frame.lineno}"
    return (
        f"unexpected {type(err).__name__}{where}: nothing more is shown because the message "
        "may quote the Lab's material; please report it with the command you ran"
    )


def _cause(err: BaseException) -> BaseException:
    """The driver's error under SQLAlchemy's wrapper (its .orig), else the error itself."""
    return getattr(err, "orig", None) or err


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return one_line(lines[0]) if lines else type(err).__name__

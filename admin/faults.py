"""Faults below the command worded as one line: the database's errors
(``storage/faults.py``) and the operating system's (a full disk, a file that
cannot be read), so that no command ends with a traceback for them."""

from __future__ import annotations

from banso.engine.errors import BansoError, InvalidValue


class SystemFault(BansoError):
    """The operating system refused (a full disk, a folder that cannot be written)."""

    exit_code = 1


def translate(exc: BaseException) -> BansoError | None:
    """Banso's error for ``exc``, or None to let it propagate (a bug)."""
    from banso.storage.faults import hide_passwords, storage_fault

    fault = storage_fault(exc)
    if fault is not None:
        return fault
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        reason = exc.strerror or type(exc).__name__
        return SystemFault(hide_passwords(f"cannot use{where}: {reason}"))
    if isinstance(exc, OverflowError):
        return InvalidValue("a number", str(exc), "a number in range")
    if isinstance(exc, UnicodeError):
        return InvalidValue("a text", str(exc)[:80], "text that can be encoded")
    return None

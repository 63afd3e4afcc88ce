"""Module-level loggers that import structlog when a line is written, not at import.

``import structlog`` loads its whole package, ``dev`` (which imports rich) and
``stdlib`` (asyncio) included: about a third of the baseline start-up, paid by
every command although most write no log line at all. ``get_logger()`` stands in
for ``structlog.get_logger()`` at module level: each call looks the logger up
again, as structlog's own uncached proxy does (the configuration is not cached,
see admin/logs.py), so ``structlog.testing.capture_logs`` sees the lines too.
"""

from __future__ import annotations

from typing import Any


class LazyLogger:
    """``structlog.get_logger(*args)``, resolved on every method lookup."""

    def __init__(self, *args: Any) -> None:
        self._args = args

    def __getattr__(self, name: str) -> Any:
        import structlog

        return getattr(structlog.get_logger(*self._args), name)


def get_logger(*args: Any) -> Any:
    """A logger for module level that costs nothing until it writes."""
    return LazyLogger(*args)

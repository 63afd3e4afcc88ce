"""structlog, configured here and nowhere else: JSON lines for machines, a
readable console for people, always on stderr (stdout belongs to the output).

Both structlog's loggers and the stdlib's (APScheduler, Alembic, …) end in one
handler on the root logger, so every line has the same shape and destination.
The rest of the code adds context with `bind_command` and `job`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import structlog
from structlog.stdlib import ProcessorFormatter
from structlog.tracebacks import ExceptionDictTransformer

# Libraries that speak at INFO about routine work (every migration step, every
# state-machine callback, every font subset, every job run): only their
# warnings are worth a line (APScheduler announces every job it adds and runs).
_QUIET_LOGGERS = (
    "alembic",
    "apscheduler",
    "transitions",
    "weasyprint",
    "fontTools",
    "asyncio",
)


class _BansoHandler(logging.StreamHandler[TextIO]):
    """The root handler `configure_logging` installs, recognised to replace it later."""


def configure_logging(log_format: str = "auto", stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to ``stream`` (stderr) as JSON lines or console text."""
    out = stream if stream is not None else sys.stderr
    as_json = log_format == "json" or (log_format == "auto" and not out.isatty())

    # Run on every line, whether structlog or the stdlib ("foreign") made it.
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    rendering: list[structlog.typing.Processor] = (
        [
            # No locals in the frames: they may hold passwords and URLs with secrets.
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
        if as_json
        else [
            _console_words(),
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    )
    handler = _BansoHandler(out)
    handler.setFormatter(
        ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BansoHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            # Rendering is the handler's job: a logger cached before a second
            # call still follows the new format and stream.
            ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Not cached: a module's logger made before a reconfiguration (tests, the
        # demo, an embedding caller) must follow the configuration of the moment.
        cache_logger_on_first_use=False,
    )


def _console_words() -> structlog.typing.Processor:
    from banso.admin.logs_ja import in_japanese  # the console's words, for people

    return in_japanese


def bind_command(command: str, actor: str | None) -> None:
    """Start a fresh log context naming the command being run and who runs it."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(command=command, actor=actor)


@contextmanager
def job(name: str) -> Iterator[None]:
    """Bind ``job=name`` for the body; log an escaping exception as ``job.failed``, re-raise."""
    with structlog.contextvars.bound_contextvars(job=name):
        try:
            yield
        except Exception:
            # Looked up here, not at import: a logger cached at import time
            # would bypass `structlog.testing.capture_logs` in tests.
            structlog.get_logger(__name__).exception("job.failed", job=name)
            raise

"""structlog, configured here and nowhere else: JSON lines for machines, a
readable console for people, always on stderr (stdout belongs to the output).

Both structlog's loggers and the stdlib's (APScheduler, Alembic, …) end in one
handler on the root logger, so every line has the same shape and destination.
The rest of the code adds context with `bind_command` and `job`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import structlog
    from structlog.stdlib import ProcessorFormatter

# structlog is imported only when a line is written (banso.engine.lazylog): its
# package loads rich and asyncio, a third of a command's start-up. Until then the
# configuration waits here and runs right after the first import of structlog,
# by whichever module imports it first (see `_when_structlog`).
_pending: dict[str, Callable[[], None]] = {}

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

    handler = _BansoHandler(out)
    handler.setFormatter(
        _formatter(as_json) if "structlog" in sys.modules else _DeferredFormatter(as_json)
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BansoHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    _when_structlog("configure", _configure_structlog)


def _shared() -> list[structlog.typing.Processor]:
    """Run on every line, whether structlog or the stdlib ("foreign") made it."""
    import structlog

    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _formatter(as_json: bool) -> ProcessorFormatter:
    import structlog
    from structlog.stdlib import ProcessorFormatter
    from structlog.tracebacks import ExceptionDictTransformer

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
    return ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[ProcessorFormatter.remove_processors_meta, *rendering],
    )


class _DeferredFormatter(logging.Formatter):
    """The handler's formatter until structlog is imported: it imports it (and so
    configures it) on the first line, a stdlib one (Alembic, APScheduler, …)."""

    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self._as_json = as_json
        self._real: logging.Formatter | None = None

    def format(self, record: logging.LogRecord) -> str:
        if self._real is None:
            self._real = _formatter(self._as_json)
        return self._real.format(record)


def _configure_structlog() -> None:
    import structlog
    from structlog.stdlib import ProcessorFormatter

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
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


def _when_structlog(key: str, action: Callable[[], None]) -> None:
    """Run ``action`` now if structlog is imported, else right after it is (a later
    action of the same ``key`` replaces a waiting one)."""
    if "structlog" in sys.modules:
        _pending.pop(key, None)
        action()
        return
    if not _pending and not any(isinstance(f, _AfterStructlog) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterStructlog())
    _pending[key] = action


def _run_pending() -> None:
    for key in ("configure", "bind"):  # the configuration before the context
        action = _pending.pop(key, None)
        if action is not None:
            action()


class _AfterStructlog:
    """A meta-path finder for ``structlog`` alone, once: it hands the import to the
    usual finders and runs the waiting configuration when the package is loaded."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "structlog":
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is None:
            return spec
        load = loader.exec_module

        def exec_module(module: Any) -> None:
            load(module)
            _run_pending()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _console_words() -> structlog.typing.Processor:
    from banso.admin.logs_ja import in_japanese  # the console's words, for people

    return in_japanese


def bind_command(command: str, actor: str | None) -> None:
    """Start a fresh log context naming the command being run and who runs it."""

    def bind() -> None:
        import structlog

        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(command=command, actor=actor)

    _when_structlog("bind", bind)


@contextmanager
def job(name: str) -> Iterator[None]:
    """Bind ``job=name`` for the body; log an escaping exception as ``job.failed``, re-raise."""
    import structlog

    with structlog.contextvars.bound_contextvars(job=name):
        try:
            yield
        except Exception:
            # Looked up here, not at import: a logger cached at import time
            # would bypass `structlog.testing.capture_logs` in tests.
            structlog.get_logger(__name__).exception("job.failed", job=name)
            raise

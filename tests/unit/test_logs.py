"""`banso.admin.logs`: one renderer for structlog and stdlib lines, context, job failures."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from structlog.stdlib import ProcessorFormatter

from banso.admin.logs import bind_command, configure_logging, job


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Leave structlog, the root logger and the context as the next test expects them."""
    root = logging.getLogger()
    root_level = root.level
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    structlog.contextvars.clear_contextvars()
    # The console's words follow the process's language, which tests before
    # these (in-process commands with BANSO_LANG=en) leave set.
    from banso.admin import i18n

    i18n.set_language(i18n.DEFAULT)
    yield
    i18n.set_language(i18n.DEFAULT)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    # Only ours: pytest's own capture handlers come and go on the root too.
    for handler in [h for h in root.handlers if isinstance(h.formatter, ProcessorFormatter)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(root_level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


def json_lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_carry_command_actor_and_job() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    bind_command("engagement approve-plan", "pref@example.jp")
    log = structlog.get_logger()

    with job("sweep"):
        log.info("sweep.done", reminders=2)
    log.info("command.done")

    inside, after = json_lines(out)
    assert inside["event"] == "sweep.done"
    assert inside["reminders"] == 2
    assert inside["level"] == "info"
    assert inside["timestamp"].endswith("Z")
    assert (inside["command"], inside["actor"], inside["job"]) == (
        "engagement approve-plan",
        "pref@example.jp",
        "sweep",
    )
    assert (after["command"], after["actor"]) == ("engagement approve-plan", "pref@example.jp")
    assert "job" not in after


def test_auto_on_a_stream_that_is_not_a_terminal_is_json() -> None:
    out = io.StringIO()
    configure_logging("auto", out)
    structlog.get_logger().info("daemon.started", sweep_every=60)
    assert json_lines(out)[0]["sweep_every"] == 60


def test_bind_command_starts_a_fresh_context_and_accepts_no_actor() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    structlog.contextvars.bind_contextvars(stale="left over", job="old")
    bind_command("daemon", None)
    structlog.get_logger().info("daemon.started")

    (line,) = json_lines(out)
    assert (line["command"], line["actor"]) == ("daemon", None)
    assert "stale" not in line and "job" not in line


def test_a_nested_job_restores_the_outer_one() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    log = structlog.get_logger()

    with job("outer"):
        with job("inner"):
            log.info("step", n=1)
        log.info("step", n=2)
    log.info("step", n=3)

    assert [line.get("job") for line in json_lines(out)] == ["inner", "outer", None]


def test_a_stdlib_record_comes_out_as_the_same_json_line() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    bind_command("daemon", None)

    logging.getLogger("apscheduler.scheduler").warning("Added job %r to job store", "sweep")

    (line,) = json_lines(out)
    assert line["event"] == "Added job 'sweep' to job store"
    assert line["logger"] == "apscheduler.scheduler"
    assert line["level"] == "warning"
    assert line["command"] == "daemon"
    assert "timestamp" in line


def test_noisy_libraries_speak_only_from_warning_up() -> None:
    out = io.StringIO()
    configure_logging("json", out)

    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("transitions.core").info("Executed callback")
    logging.getLogger("alembic.runtime.migration").warning("something odd")

    assert [line["event"] for line in json_lines(out)] == ["something odd"]


def test_a_failing_job_logs_one_structured_traceback_and_re_raises() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    bind_command("daemon", None)

    def deliver() -> None:
        password = "s3cret"  # a local that must not reach the log
        raise ValueError(f"boom {len(password)}")

    with pytest.raises(ValueError, match="boom 6"), job("outbox.send"):
        deliver()

    (line,) = json_lines(out)
    assert (line["event"], line["job"], line["level"]) == ("job.failed", "outbox.send", "error")
    assert line["command"] == "daemon"
    exception = line["exception"]
    assert isinstance(exception, list) and len(exception) == 1
    (stack,) = exception
    assert (stack["exc_type"], stack["exc_value"]) == ("ValueError", "boom 6")
    assert [frame["name"] for frame in stack["frames"]][-1] == "deliver"
    assert "s3cret" not in out.getvalue()
    assert "exc_info" not in line


def test_a_stdlib_exception_is_a_structured_traceback_too() -> None:
    out = io.StringIO()
    configure_logging("json", out)

    try:
        raise KeyError("job-id")
    except KeyError:
        logging.getLogger("apscheduler.scheduler").exception("Error running job")

    (line,) = json_lines(out)
    assert line["event"] == "Error running job"
    assert line["exception"][0]["exc_type"] == "KeyError"


def test_console_mode_renders_the_traceback_as_text() -> None:
    out = io.StringIO()
    configure_logging("console", out)

    with pytest.raises(ZeroDivisionError), job("sweep"):
        _ = 1 / 0

    text = out.getvalue()
    # The process speaks Japanese by default: the console line is a sentence for people.
    assert "ジョブ sweep が失敗しました" in text and "job.failed" not in text
    assert "Traceback (most recent call last):" in text
    assert "ZeroDivisionError: division by zero" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_configuring_twice_does_not_double_the_lines() -> None:
    out = io.StringIO()
    configure_logging("json", out)
    configure_logging("json", out)

    structlog.get_logger().info("once")
    logging.getLogger("apscheduler.scheduler").warning("once too")

    assert [line["event"] for line in json_lines(out)] == ["once", "once too"]


def test_a_second_configuration_moves_every_line_to_the_new_stream() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("json", first)
    log = structlog.get_logger()
    log.info("before")  # caches this logger under the first configuration

    configure_logging("console", second)
    log.info("after")
    logging.getLogger("apscheduler.scheduler").warning("stdlib after")

    assert [line["event"] for line in json_lines(first)] == ["before"]
    text = second.getvalue()
    assert "after" in text and "stdlib after" in text
    assert not text.startswith("{")


def test_console_mode_speaks_english_with_lang_en_and_json_keeps_event_names() -> None:
    from banso.admin import i18n

    out = io.StringIO()
    configure_logging("console", out)
    bind_command("daemon", "lead@example.jp")
    i18n.set_language("en")
    try:
        structlog.get_logger("banso.test").info("sweep.done", reminders=2, missed=1)
    finally:
        i18n.set_language(i18n.DEFAULT)
    structlog.get_logger("banso.test").info("sweep.done", reminders=2, missed=1)
    english, japanese = out.getvalue().splitlines()
    assert "sweep.done" in english and "reminders=2" in english and "command=daemon" in english
    assert "見回り完了：督促2件、期限超過1件" in japanese and "コマンド=daemon" in japanese
    assert "sweep.done" not in japanese and "reminders" not in japanese and "Z " not in japanese
    out = io.StringIO()
    configure_logging("json", out)
    structlog.get_logger("banso.test").info("sweep.done", reminders=2, missed=1)
    assert json_lines(out)[0]["event"] == "sweep.done"


def test_a_configuration_made_before_structlog_is_imported_applies_on_its_first_line() -> None:
    """Commands configure logging without importing structlog (start-up): the
    configuration and the command's context wait for the first import, whoever makes it."""
    import subprocess
    import sys

    script = (
        "import io, logging, sys\n"
        "from banso.admin.logs import bind_command, configure_logging\n"
        "from banso.engine.lazylog import get_logger\n"
        "out = io.StringIO()\n"
        "configure_logging('json', out)\n"
        "bind_command('engagement start', 'lead@example.jp')\n"
        "assert 'structlog' not in sys.modules\n"
        "logging.getLogger('alembic').warning('stdlib first')\n"
        "get_logger().info('mail.queued', id=7)\n"
        "sys.stdout.write(out.getvalue())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    stdlib, ours = (json.loads(line) for line in done.stdout.splitlines())
    assert stdlib["event"] == "stdlib first" and stdlib["logger"] == "alembic"
    assert stdlib["command"] == "engagement start" and stdlib["actor"] == "lead@example.jp"
    assert ours["event"] == "mail.queued" and ours["id"] == 7 and ours["level"] == "info"
    assert ours["command"] == "engagement start" and ours["actor"] == "lead@example.jp"

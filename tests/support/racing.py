"""Racing processes started at once: each waits at a barrier folder until all are
ready, then every one is let go together (used by the race tests)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support.programme import untrusted


def release(
    barrier: Path, procs: dict[str, subprocess.Popen[str]], timeout: float
) -> dict[str, tuple[int, str, str]]:
    """Wait until every racer wrote ``ready-NAME`` in ``barrier``, touch ``go``, and
    return each one's (exit code, stdout, stderr without the trust-mode notice)."""
    try:
        deadline = time.monotonic() + timeout
        while not all((barrier / f"ready-{name}").exists() for name in procs):
            for proc in procs.values():
                if proc.poll() is not None:
                    pytest.fail(f"a racer ended before the barrier: {proc.communicate()}")
            if time.monotonic() > deadline:
                pytest.fail(f"racers not ready after {timeout} s")
            time.sleep(0.001)
        (barrier / "go").touch()
        results = {}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=timeout)
            results[name] = (proc.returncode, out, untrusted(err))
        return results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()

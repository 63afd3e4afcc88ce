"""What every benchmark module's ``results(quick)`` returns, and how memory is read.

A row: ``name``, ``figure`` (what was measured, with its unit), ``target`` (the
issue's budget), ``ratio`` (figure / target, or against a baseline measured in the
same run), all text, ``ok`` (the target is met) and ``peak_mb`` (the peak resident
memory, in MiB, of the process that measured it or of its largest child).
"""

from __future__ import annotations

import resource
import sys
from dataclasses import dataclass
from pathlib import Path

Row = dict[str, object]
MEMORY_BUDGET_MB = 500.0


def peak_mb() -> float:
    """The largest peak RSS so far of this process and of any child it waited for."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / scale


def row(name: str, figure: str, target: str, ratio: float, ok: bool, peak: float) -> Row:
    return {
        "name": name,
        "figure": figure,
        "target": target,
        "ratio": f"{ratio:.2f}×",
        "ok": ok,
        "peak_mb": round(peak, 1),
    }


@dataclass(frozen=True)
class Place:
    """A run's temporary folder: its (empty) settings file, and the folders its mail
    and the documents it drafts go to (never the working directory)."""

    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "banso.toml"

    @property
    def mail_url(self) -> str:
        return f"file://{self.folder / 'var' / 'mail'}"

    @property
    def documents(self) -> Path:
        return self.folder / "var" / "documents"

    @classmethod
    def make(cls, folder: str | Path) -> Place:
        place = cls(Path(folder))
        place.folder.mkdir(parents=True, exist_ok=True)
        place.config.write_text("", encoding="utf-8")  # no settings: the defaults
        return place

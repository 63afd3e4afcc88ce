"""How long a large monthly report takes to write: ``python -m bench.bench_documents``.

Builds a 月次業務報告書 of a month with 500 dispatches (``--dispatches``) spread over
organisation × theme lines (the prefecture and the 27 municipalities, nine themes, two
dispatches a line as the spec's monthly cap allows), with an engagement line for each,
consultations, deadlines and the next month's plan, straight from services.content.

Times the PDF (documents.pdf through ``Renderer().render(content, "pdf")``) and the
.docx (``Renderer().render(content, "docx")``, once documents/word.py exists): the first
render in the process (it loads the library, and for the PDF the fonts) and the best of
``--runs`` after it. Targets: ≤ 1 s for the .docx, ≤ 4 s for the PDF; printed, not
asserted. Peak memory: the Python heap per format (tracemalloc, in a separate untimed
render, as tracing slows allocation) and the process's peak RSS at the end (getrusage).

``--out DIR`` also writes the files there for a look.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from banso.documents.render import Renderer
from banso.services import content as c
from banso.services.ports import DocumentFile
from bench.common import Row, peak_mb, row

TARGETS = {"docx": 1.0, "pdf": 4.0}  # seconds, the issue's budget

ORGS = (
    "岡山県 総務部", "岡山市", "倉敷市", "津山市", "玉野市", "笠岡市", "井原市", "総社市",
    "高梁市", "新見市", "備前市", "瀬戸内市", "赤磐市", "真庭市", "美作市", "浅口市",
    "和気町", "早島町", "里庄町", "矢掛町", "鏡野町", "勝央町", "奈義町", "久米南町",
    "美咲町", "吉備中央町", "新庄村", "西粟倉村",
)  # fmt: skip
THEMES = (
    "情報システム標準化", "ガバメントクラウド", "フロントヤード改革", "生成AI",
    "ノーコード/ローコード", "情報セキュリティ", "デジタル人材育成", "BPR",
    "マイナンバーカード・オンライン手続",
)  # fmt: skip
CONSULTANTS = tuple(f"専門人材 {i:02d}" for i in range(1, 21))
PER_LINE = 2  # 最大月2回程度 per organisation × theme


def large_monthly_report(dispatches: int) -> c.MonthlyReport:
    """A monthly report for October 2026 with ``dispatches`` dispatches in it."""
    pairs = [(org, theme) for theme in THEMES for org in ORGS]
    lines: list[c.DispatchLine] = []
    left = dispatches
    for i, (org, theme) in enumerate(pairs * (dispatches // (len(pairs) * PER_LINE) + 1)):
        if left <= 0:
            break
        count = min(PER_LINE, left)
        left -= count
        onsite = count if i % 3 == 0 else count - 1
        lines.append(c.DispatchLine(org, theme, count, count * 2.5, onsite, count - onsite))
    engagements = tuple(
        c.EngagementLine(
            line.org_name, line.theme_name, "支援中", CONSULTANTS[i % len(CONSULTANTS)],
            held=4 + i % 9,
            findings="標準準拠システムへの移行後の運用経費の見直しが必要。" if i % 5 == 0 else None,
        )
        for i, line in enumerate(lines)
    )  # fmt: skip
    consultations = tuple(
        c.ConsultationLine(f"相談 {i + 1}（{THEMES[i % len(THEMES)]}）", ORGS[i % len(ORGS)],
                           ("電話", "メール", "WEB会議")[i % 3], "回答済")
        for i in range(12)
    )  # fmt: skip
    deadlines = tuple(
        c.DeadlineLine(
            f"支援計画書の作成（{line.org_name}・{line.theme_name}）", date(2026, 10, 5 + i % 25),
            "完了" if i % 4 else "期限超過", date(2026, 10, 4 + i % 25) if i % 4 else None,
        )
        for i, line in enumerate(lines[:40])
    )  # fmt: skip
    november = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
    weekdays = [d for d in november if d.weekday() < 5]
    next_month = tuple(
        c.PlannedDispatch(weekdays[i % len(weekdays)], line.org_name, line.theme_name,
                          "訪問" if i % 2 else "WEB会議")
        for i, line in enumerate(lines[:120])
    )  # fmt: skip
    # Held by month up to the reported one; this stress month's budget is scaled to it.
    by_month = (*((f"2026-{m:02d}", 200 + 50 * (m % 3)) for m in range(4, 10)),
                ("2026-10", dispatches))  # fmt: skip
    held = sum(count for _, count in by_month)
    return c.MonthlyReport(
        head=c.Head(
            programme="令和8年度 県・市町村DX推進伴走支援事業",
            fiscal_year=2026,
            contractor="株式会社伴走デジタル",
            addressee="岡山県 総務部 デジタル推進課",
            issued=date(2026, 11, 6),
            title="月次業務報告書（令和8年10月分）",
        ),
        period="2026-10",
        dispatches=tuple(lines),
        consultations=consultations,
        engagements=engagements,
        quota=c.QuotaUse(
            used=held + len(next_month),
            held=held,
            total=2400,
            standardization_used=1100,
            standardization=1800,
            by_month=by_month,
        ),
        deadlines=deadlines,
        meeting=c.MeetingLine("定例報告会", date(2026, 10, 15), "開催済", "進捗と課題を報告"),
        next_month=next_month,
        issues="町村部での専門人材の移動時間が課題。\n標準化後の運用経費の増加への対応。",
    )


@dataclass
class Timing:
    fmt: str
    first: float
    best: float
    best_cpu: float  # this process's CPU time in the best run: the wall time less other load
    size: int
    heap_peak: int  # bytes, tracemalloc


def _timed(make: Callable[[], DocumentFile]) -> tuple[float, float, DocumentFile]:
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    made = make()
    return time.perf_counter() - start, time.process_time() - start_cpu, made


def measure(fmt: str, report: c.MonthlyReport, runs: int, out: Path | None) -> Timing:
    renderer = Renderer()

    def make() -> DocumentFile:
        return renderer.render(report, fmt)

    first, _, made = _timed(make)
    best, best_cpu, _ = min((_timed(make) for _ in range(runs)), key=lambda run: run[0])
    tracemalloc.start()
    try:
        make()
        _, heap_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / made.filename).write_bytes(made.data)
    return Timing(fmt, first, best, best_cpu, len(made.data), heap_peak)


def has_word_renderer() -> bool:
    return importlib.util.find_spec("banso.documents.word") is not None


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def results(quick: bool = False) -> list[Row]:
    """A row per format: the best of 3 renders of a 500-dispatch monthly report after
    the first (``quick``: 50 dispatches, best of 1)."""
    dispatches, runs = (50, 1) if quick else (500, 3)
    report = large_monthly_report(dispatches)
    out: list[Row] = []
    for fmt in ("docx", "pdf"):
        if fmt == "docx" and not has_word_renderer():
            print("documents: no .docx renderer (documents/word.py) yet")
            continue
        t = measure(fmt, report, runs, None)
        target = TARGETS[fmt]
        out.append(
            row(
                f"monthly report .{fmt}, {dispatches} dispatches",
                f"{t.best:.2f} s best of {runs} (first {t.first:.2f} s, cpu {t.best_cpu:.2f} s, "
                f"{t.size / 1024:.0f} KiB)",
                f"≤ {target:.0f} s",
                t.best / target,
                t.best <= target,
                peak_mb(),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dispatches", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="timed renders after the first")
    parser.add_argument("--out", type=Path, help="also write the files to this folder")
    args = parser.parse_args(argv)

    report = large_monthly_report(args.dispatches)
    print(
        f"monthly report 令和8年10月分: {sum(d.count for d in report.dispatches)} dispatches "
        f"on {len(report.dispatches)} organisation × theme lines, "
        f"{len(report.engagements)} engagements, {len(report.deadlines)} deadlines, "
        f"{len(report.next_month)} planned next month",
        flush=True,
    )
    timings: list[Timing] = []
    for fmt in ("docx", "pdf"):
        if fmt == "docx" and not has_word_renderer():
            print("docx: skipped, documents/word.py is not there yet (no .docx renderer)")
            continue
        timings.append(measure(fmt, report, max(args.runs, 1), args.out))

    print(f"\n{'format':<7}{'first':>9}{'best of ' + str(args.runs):>12}{'(cpu)':>8}"
          f"{'target':>9}{'first/target':>14}{'best/target':>13}{'size':>10}"
          f"{'heap peak':>12}")  # fmt: skip
    for t in timings:
        target = TARGETS[t.fmt]
        verdict = ", ".join(
            f"{what} {'ok' if seconds <= target else 'OVER'}"
            for what, seconds in (("first", t.first), ("best", t.best))
        )
        print(
            f"{t.fmt:<7}{t.first:>8.2f}s{t.best:>11.2f}s{t.best_cpu:>7.2f}s{target:>8.1f}s"
            f"{t.first / target:>14.2f}{t.best / target:>13.2f}"
            f"{t.size / 1024:>8.0f}KiB{t.heap_peak / (1024 * 1024):>9.1f}MiB  {verdict}"
        )
    print(f"\nprocess peak RSS: {peak_rss_mib():.0f} MiB (every render above, libraries and fonts)")
    print("first = the first render in this process (loads the library and fonts); "
          "targets: ≤ 1 s .docx, ≤ 4 s PDF")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

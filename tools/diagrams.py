"""State diagrams of every workflow, drawn from the definitions as SVG (pure Python).

    .venv/bin/python tools/diagrams.py          # write docs/diagrams/<kind>.svg
    .venv/bin/python tools/diagrams.py --check  # exit 1 if a file is not what the definitions give

The picture is read from ``banso.workflows.DEFINITIONS`` (the states, triggers,
roles and Japanese labels the ``transitions`` machines are built from), so it
cannot drift from the rules without tests/unit/test_diagrams.py noticing. The
layout is computed here, not by graphviz, so the output is the same on every
machine and nothing has to be installed to check it:

- states are ranked by the longest path from the initial state (back edges,
  found by a depth-first walk in declared order, do not count);
- the longest chain from the initial state is the top row, left to right; the
  other states go below their rank's column;
- a move to the next column of the same row is a straight arrow; every other
  move is a curve through the band between the rows, or an arc over the top row;
- a trigger that keeps the state (``dest=None``, or back to the same state) is
  listed inside the state's box with ↻; ✉ marks a trigger that queues mail.

Widths are estimated from the characters (a full-width character is one em),
and every coordinate is written with one decimal, so the text is deterministic.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from banso.engine.outbox import Notify
from banso.engine.workflow import Effect, WorkflowDefinition
from banso.workflows import DEFINITIONS
from banso.workflows.roles import role_label

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "diagrams"

# A CJK-capable font first: without one the Japanese labels are blank boxes.
FONT = (
    "'Noto Sans CJK JP', 'Noto Sans JP', 'Source Han Sans JP', 'IPAexGothic', "
    "'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif"
)
TITLE_SIZE = 18
STATE_SIZE = 16
CODE_SIZE = 10
LINE_SIZE = 12
MARGIN = 24.0
PAD = 12.0
MIN_BOX = 120.0
MIN_GAP = 80.0
BAND = 150.0  # the height between two rows, where curves and their labels run
ARC_STEP = 34.0  # each arc over the top row climbs this much higher than the last
LINE_HEIGHT = 16.0

INK = "#1f2933"
MUTED = "#616e7c"
STATE_FILL = "#f0f4f8"
INITIAL_FILL = "#e3f2fd"
FINAL_FILL = "#eef7ee"
EDGE = "#334e68"


def text_width(text: str, size: float) -> float:
    """Roughly how wide ``text`` is at ``size`` px: full-width characters one em, others 0.6
    (symbols such as ↻ and ✉ are drawn one em wide by the CJK fonts)."""
    wide = sum(
        1 for c in text if unicodedata.east_asian_width(c) in "WFA" or 0x2190 <= ord(c) < 0x2800
    )
    return size * (wide + 0.6 * (len(text) - wide))


def num(value: float) -> str:
    """A coordinate as written in the file: one decimal, no trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# Short names keep the boxes narrow; the legend spells 責任者 out.
SHORT_ROLES = {"lead": "責任者"}


def mails(effects: Sequence[Effect]) -> str:
    """✉ after a trigger that queues mail (the user guide lists who receives which)."""
    return " ✉" if any(isinstance(e, Notify) for e in effects) else ""


def roles_ja(roles: Sequence[str]) -> str:
    names = (SHORT_ROLES.get(r) or role_label(r) for r in roles)
    return "〔" + "・".join(names) + "〕" if roles else ""


@dataclass
class Move:
    """The triggers that take a record from one state to another (one arrow)."""

    source: str
    dest: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Box:
    name: str
    label: str
    inner: list[str]
    column: int = 0
    row: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width


def moves_of(definition: WorkflowDefinition) -> tuple[list[Move], dict[str, list[str]]]:
    """The arrows (merged per source and destination) and, per state, the triggers kept inside."""
    moves: dict[tuple[str, str], Move] = {}
    inner: dict[str, list[str]] = {name: [] for name in definition.states}
    for t in definition.transitions:
        line = t.label + roles_ja(t.roles) + mails(t.effects)
        for source in t.source:
            if t.dest is None or t.dest == source:
                inner[source].append("↻ " + line)
            else:
                moves.setdefault((source, t.dest), Move(source, t.dest)).lines.append(line)
    return list(moves.values()), inner


def ranks(definition: WorkflowDefinition, moves: Sequence[Move]) -> dict[str, int]:
    """Longest path from the initial state, back edges (to a state still on the walk) left out."""
    order = list(definition.states)
    out: dict[str, list[str]] = {s: [] for s in order}
    for m in moves:
        out[m.source].append(m.dest)
    forward: set[tuple[str, str]] = set()
    seen: set[str] = set()
    on_walk: set[str] = set()

    def walk(state: str) -> None:
        seen.add(state)
        on_walk.add(state)
        for nxt in out[state]:
            if nxt not in on_walk:
                forward.add((state, nxt))
            if nxt not in seen:
                walk(nxt)
        on_walk.discard(state)

    for start in [definition.initial, *order]:
        if start not in seen:
            walk(start)
    rank = dict.fromkeys(order, 0)
    # Relax |states| times: the forward edges form a DAG, so this settles.
    for _ in order:
        for a, b in sorted(forward, key=lambda e: (order.index(e[0]), order.index(e[1]))):
            rank[b] = max(rank[b], rank[a] + 1)
    return rank


def main_chain(
    definition: WorkflowDefinition, moves: Sequence[Move], rank: dict[str, int]
) -> list[str]:
    """The longest chain of forward moves from the initial state (declared order breaks ties)."""
    order = list(definition.states)
    nxt: dict[str, list[str]] = {s: [] for s in order}
    for m in moves:
        if rank[m.dest] == rank[m.source] + 1:
            nxt[m.source].append(m.dest)
    depth: dict[str, int] = {}

    def longest(state: str) -> int:
        if state not in depth:
            depth[state] = 1 + max((longest(n) for n in nxt[state]), default=0)
        return depth[state]

    chain = [definition.initial]
    while nxt[chain[-1]]:
        chain.append(max(nxt[chain[-1]], key=lambda n: (longest(n), -order.index(n))))
    return chain


def layout(definition: WorkflowDefinition) -> tuple[dict[str, Box], list[Move]]:
    moves, inner = moves_of(definition)
    rank = ranks(definition, moves)
    chain = main_chain(definition, moves, rank)
    boxes = {
        name: Box(name, state.label, inner[name], column=rank[name])
        for name, state in definition.states.items()
    }
    used: dict[int, int] = {}
    for i, name in enumerate(chain):
        boxes[name].column, boxes[name].row = i, 0
        used[i] = 1
    for name in definition.states:
        if name not in chain:
            # Under the middle of the states it is reached from, so its arrows fan in.
            box = boxes[name]
            froms = [m.source for m in moves if m.dest == name]
            if froms and all(f in chain for f in froms):
                cols = sorted(boxes[f].column for f in froms)
                box.column = (cols[0] + cols[-1] + 1) // 2
            box.row = used.get(box.column, 0) or 1
            used[box.column] = box.row + 1
    for box in boxes.values():
        widths = [
            text_width(box.label, STATE_SIZE),
            text_width(box.name, CODE_SIZE),
            *(text_width(line, LINE_SIZE) for line in box.inner),
        ]
        box.width = max(MIN_BOX, max(widths) + 2 * PAD)
        box.height = 2 * PAD + STATE_SIZE + 6 + CODE_SIZE + LINE_HEIGHT * len(box.inner)
        if box.inner:
            box.height += 8
    columns = max(b.column for b in boxes.values()) + 1
    rows = max(b.row for b in boxes.values()) + 1
    col_width = [max((b.width for b in boxes.values() if b.column == c), default=MIN_BOX)
                 for c in range(columns)]  # fmt: skip
    row_height = [max(b.height for b in boxes.values() if b.row == r) for r in range(rows)]
    # The gap after each column fits the widest label of a straight arrow across it.
    gap = [MIN_GAP] * columns
    for m in moves:
        a, b = boxes[m.source], boxes[m.dest]
        if a.row == b.row and b.column == a.column + 1:
            widest = max(text_width(line, LINE_SIZE) for line in m.lines)
            gap[a.column] = max(gap[a.column], widest + 2 * PAD)
    arcs = sum(1 for m in moves if _is_arc(boxes[m.source], boxes[m.dest]))
    # The creation dot, its arrow and its label, left of the first column.
    start_space = max(64.0, text_width(_create_label(definition), LINE_SIZE) + 36)
    top = MARGIN + TITLE_SIZE + 20 + arcs * ARC_STEP + (LINE_HEIGHT * 2 if arcs else 0)
    xs = [MARGIN + start_space]
    for c in range(1, columns):
        xs.append(xs[-1] + col_width[c - 1] + gap[c - 1])
    ys = [top]
    for r in range(1, rows):
        ys.append(ys[-1] + row_height[r - 1] + BAND)
    for box in boxes.values():
        box.x = xs[box.column] + (col_width[box.column] - box.width) / 2
        box.y = ys[box.row]
    return boxes, moves


def _is_arc(a: Box, b: Box) -> bool:
    """A move along the top row that is not to the next column goes over the top."""
    return a.row == b.row == 0 and b.column != a.column + 1


def _cubic(p: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    u = 1 - t
    x = u**3 * p[0][0] + 3 * u * u * t * p[1][0] + 3 * u * t * t * p[2][0] + t**3 * p[3][0]
    y = u**3 * p[0][1] + 3 * u * u * t * p[1][1] + 3 * u * t * t * p[2][1] + t**3 * p[3][1]
    return x, y


Rect = tuple[float, float, float, float]  # left, top, right, bottom


class Labels:
    """Edge labels on a white ground; a label that may move (one on a curve) steps up or
    down until it overlaps neither a box nor a label placed before it."""

    def __init__(self, obstacles: Iterable[Rect]) -> None:
        self.placed: list[Rect] = list(obstacles)
        self.svg: list[str] = []

    def add(
        self,
        lines: Sequence[str],
        x: float,
        y: float,
        anchor: str = "middle",
        *,
        movable: bool = False,
    ) -> None:
        """``y`` is the first line's baseline."""
        width = max(text_width(line, LINE_SIZE) for line in lines)
        left = {"middle": x - width / 2, "start": x, "end": x - width}[anchor]
        height = LINE_HEIGHT * len(lines) + 3
        for dy in (0.0, 18.0, -18.0, 36.0, -36.0, 54.0, -54.0, 72.0, -72.0) if movable else (0.0,):
            rect = (
                left - 3,
                y + dy - LINE_SIZE - 1,
                left + width + 3,
                y + dy - LINE_SIZE - 1 + height,
            )
            if not any(_overlap(rect, other) for other in self.placed):
                break
        y += dy
        self.placed.append(rect)
        self.svg.append(
            f'<rect x="{num(rect[0])}" y="{num(rect[1])}" width="{num(width + 6)}" '
            f'height="{num(height)}" fill="#ffffff" fill-opacity="0.9"/>'
        )
        for i, line in enumerate(lines):
            self.svg.append(
                f'<text x="{num(x)}" y="{num(y + i * LINE_HEIGHT)}" font-size="{LINE_SIZE}" '
                f'text-anchor="{anchor}" fill="{INK}">{escape(line)}</text>'
            )


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _spread(count: int, index: int, box: Box) -> float:
    """Where the ``index``-th of ``count`` arrows meets a box's top or bottom side."""
    return box.x + box.width * (index + 1) / (count + 1)


def render(definition: WorkflowDefinition) -> str:
    """The SVG text of one workflow's state diagram."""
    boxes, moves = layout(definition)
    edges: list[str] = []
    labels = Labels((b.x, b.y, b.right, b.bottom) for b in boxes.values())
    # Labels on curves are placed last, around the fixed ones.
    later: list[tuple[list[str], float, float, str]] = []
    # Ends of curves on each box's top and bottom sides, spread so arrows do not overlap.
    ends: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(moves):
        a, b = boxes[m.source], boxes[m.dest]
        if not _is_arc(a, b) and not (a.row == b.row and b.column == a.column + 1):
            down = b.row > a.row or (b.row == a.row and a.row > 0)
            ends.setdefault((m.source, "bottom" if down else "top"), []).append(i)
            ends.setdefault((m.dest, "top" if down else "bottom"), []).append(i)

    def end_x(state: str, side: str, i: int) -> float:
        group = sorted(ends[(state, side)], key=lambda j: _other_x(boxes, moves[j], state))
        return _spread(len(group), group.index(i), boxes[state])

    arc_index = 0
    arcs_total = sum(1 for m in moves if _is_arc(boxes[m.source], boxes[m.dest]))
    for i, m in enumerate(moves):
        a, b = boxes[m.source], boxes[m.dest]
        if a.row == b.row and b.column == a.column + 1:
            y = a.y + min(a.height, b.height) / 2
            edges.append(_path(f"M{num(a.right)},{num(y)} L{num(b.x - 2)},{num(y)}"))
            mid = (a.right + b.x) / 2
            labels.add(m.lines, mid, y - 8 - LINE_HEIGHT * (len(m.lines) - 1))
        elif _is_arc(a, b):
            arc_index += 1
            # Later arcs climb higher, so every arc keeps its own lane.
            height = (arcs_total - arc_index + 1) * ARC_STEP + 18
            x0, x1 = a.cx + 10, b.cx - 10
            y0 = a.y
            pts = [(x0, y0), (x0, y0 - height), (x1, y0 - height), (x1, b.y - 2)]
            edges.append(_path(_bezier(pts)))
            apex = _cubic(pts, 0.5)
            labels.add(m.lines, apex[0], apex[1] - 4 - LINE_HEIGHT * (len(m.lines) - 1))
        else:
            down = b.row > a.row or (b.row == a.row and a.row > 0)
            if down:
                x0, y0 = end_x(m.source, "bottom", i), a.bottom
                x1, y1 = end_x(m.dest, "top", i), b.y - 2
            else:
                x0, y0 = end_x(m.source, "top", i), a.y
                x1, y1 = end_x(m.dest, "bottom", i), b.bottom + 2
            if b.row == a.row:  # below a lower row: dip under it
                ym = a.bottom + BAND * 0.6
                pts = [(x0, y0), (x0, ym), (x1, ym), (x1, b.bottom + 2)]
            else:
                ym = (y0 + y1) / 2
                pts = [(x0, y0), (x0, ym), (x1, ym), (x1, y1)]
            edges.append(_path(_bezier(pts)))
            at = _cubic(pts, 0.22 if down else 0.5)
            anchor = "start" if x1 >= x0 else "end"
            later.append((m.lines, at[0] + (6 if anchor == "start" else -6), at[1] + 4, anchor))
    shapes: list[str] = []
    for box in boxes.values():
        shapes += _box(box, initial=box.name == definition.initial,
                       final=not any(m.source == box.name for m in moves))  # fmt: skip
    first = boxes[definition.initial]
    sy = first.y + min(first.height, 60) / 2
    sx = MARGIN + 10
    shapes.append(f'<circle cx="{num(sx)}" cy="{num(sy)}" r="7" fill="{INK}"/>')
    edges.append(_path(f"M{num(sx + 7)},{num(sy)} L{num(first.x - 2)},{num(sy)}"))
    labels.add([_create_label(definition)], sx - 10, sy - 12, "start")
    for lines, x, y, anchor in later:
        labels.add(lines, x, y, anchor, movable=True)
    width = max(b.right for b in boxes.values()) + MARGIN
    height = max(b.bottom for b in boxes.values()) + MARGIN + 2 * LINE_HEIGHT + 8
    title = f"{definition.label}（{definition.kind}）の状態遷移"
    legend = (
        "〔 〕内は操作できる役割（責任者＝プロジェクト責任者）。"
        "↻ は状態を変えない操作、✉ はメールを送る操作。二重枠は終了状態。"
    )
    width = max(
        width,
        MARGIN * 2 + text_width(title, TITLE_SIZE),
        MARGIN * 2 + text_width(legend, LINE_SIZE),
    )
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" font-family={quoteattr(FONT)} '
        'xml:lang="ja">',
        f"<title>{escape(title)}</title>",
        "<!-- Generated by tools/diagrams.py from banso.workflows; do not edit by hand. -->",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/>'
        "</marker>",
        "</defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{num(MARGIN)}" y="{num(MARGIN + TITLE_SIZE)}" font-size="{TITLE_SIZE}" '
        f'font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    foot = [
        f'<text x="{num(MARGIN)}" y="{num(height - MARGIN / 2 - 4)}" font-size="{LINE_SIZE}" '
        f'fill="{MUTED}">{escape(legend)}</text>',
        "</svg>",
    ]
    return "\n".join([*head, *edges, *shapes, *labels.svg, *foot]) + "\n"


def _create_label(definition: WorkflowDefinition) -> str:
    return "作成" + roles_ja(definition.create_roles) + mails(definition.create_effects)


def _other_x(boxes: dict[str, Box], move: Move, state: str) -> float:
    other = move.dest if move.source == state else move.source
    return boxes[other].cx


def _bezier(pts: Sequence[tuple[float, float]]) -> str:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
    return f"M{num(x0)},{num(y0)} C{num(x1)},{num(y1)} {num(x2)},{num(y2)} {num(x3)},{num(y3)}"


def _path(d: str) -> str:
    return (
        f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.5" marker-end="url(#arrow)"/>'
    )


def _box(box: Box, *, initial: bool, final: bool) -> list[str]:
    fill = INITIAL_FILL if initial else FINAL_FILL if final else STATE_FILL
    out = [
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" '
        f'height="{num(box.height)}" rx="8" fill="{fill}" stroke="{INK}" stroke-width="1.5"/>'
    ]
    if final:  # a state nothing leaves: a second frame, as in UML's final state
        out.append(
            f'<rect x="{num(box.x + 4)}" y="{num(box.y + 4)}" width="{num(box.width - 8)}" '
            f'height="{num(box.height - 8)}" rx="5" fill="none" stroke="{INK}" stroke-width="1"/>'
        )
    y = box.y + PAD + STATE_SIZE
    out.append(
        f'<text x="{num(box.cx)}" y="{num(y)}" font-size="{STATE_SIZE}" font-weight="bold" '
        f'text-anchor="middle" fill="{INK}">{escape(box.label)}</text>'
    )
    y += CODE_SIZE + 6
    out.append(
        f'<text x="{num(box.cx)}" y="{num(y)}" font-size="{CODE_SIZE}" text-anchor="middle" '
        f'fill="{MUTED}">{escape(box.name)}</text>'
    )
    if box.inner:
        y += 6
        out.append(
            f'<line x1="{num(box.x)}" y1="{num(y)}" x2="{num(box.right)}" y2="{num(y)}" '
            f'stroke="{INK}" stroke-width="0.75"/>'
        )
        for line in box.inner:
            y += LINE_HEIGHT
            out.append(
                f'<text x="{num(box.x + PAD)}" y="{num(y)}" font-size="{LINE_SIZE}" '
                f'fill="{INK}">{escape(line)}</text>'
            )
    return out


def diagrams(definitions: Iterable[WorkflowDefinition] = DEFINITIONS) -> dict[str, str]:
    """File name → SVG text, one per workflow."""
    return {f"{d.kind}.svg": render(d) for d in definitions}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a diagram is stale")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder (docs/diagrams)")
    args = parser.parse_args(argv)
    wanted = diagrams()
    if args.check:
        stale = sorted(
            name for name, text in wanted.items()
            if not (args.out / name).exists() or (args.out / name).read_text("utf-8") != text
        )  # fmt: skip
        extra = sorted(p.name for p in args.out.glob("*.svg") if p.name not in wanted)
        for name in stale:
            print(f"{args.out / name}: stale; run tools/diagrams.py", file=sys.stderr)
        for name in extra:
            print(f"{args.out / name}: no workflow of that name; remove it", file=sys.stderr)
        return 1 if stale or extra else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (args.out / name).write_text(text, "utf-8")
    for p in sorted(args.out.glob("*.svg")):
        if p.name not in wanted:
            p.unlink()
    print(f"{len(wanted)} diagrams in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

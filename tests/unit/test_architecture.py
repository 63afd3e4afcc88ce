"""The house as DESIGN.md draws it: layers, no cycles, light imports, one package.

The layer contracts themselves live in pyproject.toml ([tool.importlinter]) so
that `make lint` and this suite check the same thing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "workflows", "services", "storage", "notifications", "documents", "admin")


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*(f"banso.{p}" for p in PACKAGES))


def test_the_import_contracts_hold() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    modules = sorted(graph.modules)
    # Tarjan's strongly connected components over the module graph: any
    # component of two or more modules is an import cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(root: str) -> None:
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    assert cycles == []


def _imported_by(argv: list[str], tmp_path: Path) -> set[str]:
    """The modules loaded once `banso ARGV` has run, in a fresh interpreter."""
    script = (
        "import json, sys\n"
        "from banso.admin.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


DOCUMENT_LIBRARIES = {"docx", "docxtpl", "openpyxl", "pptx", "weasyprint", "PIL"}


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_imports_no_sqlalchemy(tmp_path: Path) -> None:
    loaded = _tops(_imported_by(["--help"], tmp_path))
    assert "click" in loaded
    assert not loaded & {"sqlalchemy", "alembic", "jinja2", "apscheduler", *DOCUMENT_LIBRARIES}


def test_showing_an_engagement_loads_no_mail_document_or_scheduler_library(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'banso.db'}"
    subprocess.run(
        [str(Path(sys.executable).with_name("banso")), "--db", db, "init"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    loaded = _imported_by(["--db", db, "engagement", "show", "1"], tmp_path)
    tops = _tops(loaded)
    assert "sqlalchemy" in tops  # it did reach the database
    assert not tops & {"jinja2", "apscheduler", "docx", "openpyxl", "weasyprint", "icalendar"}
    assert not {m for m in loaded if m.startswith(("banso.notifications", "banso.documents"))}


def test_listing_a_deliverables_files_loads_no_document_library(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'banso.db'}"
    subprocess.run(
        [str(Path(sys.executable).with_name("banso")), "--db", db, "init"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    loaded = _tops(_imported_by(["--db", db, "deliverable", "files", "1"], tmp_path))
    assert "sqlalchemy" in loaded
    assert not loaded & DOCUMENT_LIBRARIES

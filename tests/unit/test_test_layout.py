"""The layout of tests/ and bench/ (DESIGN.md): shared helpers live in
``tests/support``; no module imports a module of ``tests/unit``,
``tests/integration`` or ``tests/e2e``; ``bench/`` imports nothing from ``tests``.

Worker scripts started as ``python -m tests.integration.X`` are named in strings,
not imported, and so are not imports here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITES = ("tests.unit", "tests.integration", "tests.e2e")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> Iterator[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports
    resolved; ``from X import y`` yields both X and X.y (y may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            yield origin
            yield from (f"{origin}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def forbidden_imports(module: str, imports: Iterable[str]) -> list[str]:
    """The imports of ``module`` that break the layout."""
    if under(module, "bench"):
        return sorted({name for name in imports if under(name, "tests")})
    return sorted({name for name in imports if any(under(name, s) for s in SUITES)})


def python_files() -> list[Path]:
    return sorted(
        path
        for folder in ("tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def test_no_test_module_imports_another_and_bench_imports_no_test() -> None:
    files = python_files()
    found = {module_name(p) for p in files}
    assert {"tests.support.programme", "tests.support.toy", "tests.support.smtp"} <= found
    assert "bench.bench_send" in found and __name__.endswith("test_test_layout")

    broken = {}
    for path in files:
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        imports = imported_modules(source, module, is_package=path.name == "__init__.py")
        bad = forbidden_imports(module, imports)
        if bad:
            broken[str(path.relative_to(ROOT))] = bad
    assert broken == {}, (
        f"shared helpers belong in tests/support; bench/ may import nothing from tests: {broken}"
    )


def test_the_check_sees_every_way_of_importing() -> None:
    source = "\n".join(
        [
            "import tests.e2e.test_daemon",
            "from tests.integration import toy",
            "from . import test_race",
            "from ..unit.test_era import x",
            "import importlib; importlib.import_module('tests.e2e.test_mail_e2e')",
            "from tests.support.programme import Banso",
            "from tests import support",
            "cmd = ['-m', 'tests.integration.race_worker']",
        ]
    )
    found = list(imported_modules(source, "tests.integration.test_x"))
    assert forbidden_imports("tests.integration.test_x", found) == [
        "tests.e2e.test_daemon",
        "tests.e2e.test_mail_e2e",
        "tests.integration",
        "tests.integration.test_race",
        "tests.integration.toy",
        "tests.unit.test_era",
        "tests.unit.test_era.x",
    ]
    helpers = "from tests.support.smtp import SmtpServer\nimport banso.storage.db\n"
    assert (
        forbidden_imports("tests.e2e.test_y", imported_modules(helpers, "tests.e2e.test_y")) == []
    )
    assert forbidden_imports("bench.bench_z", imported_modules(helpers, "bench.bench_z")) == [
        "tests.support.smtp",
        "tests.support.smtp.SmtpServer",
    ]

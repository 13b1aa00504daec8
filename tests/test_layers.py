"""The package's shape: one layer per folder, imports running downward only.

Read from the source with ``ast`` (nothing is imported), so a new upward or sideways import,
a library used outside its layer, or a module grown past the size a reader can hold fails
here with the file and line that did it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "server"
TESTS = Path(__file__).resolve().parent

ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"core"}),
    "boards": frozenset({"core", "boards"}),
    "store": frozenset({"core", "boards", "store"}),
    "sync": frozenset({"core", "boards", "sync"}),
    "archive": frozenset({"core", "boards", "store", "archive"}),
    "http": frozenset({"core", "boards", "store", "sync", "archive", "http"}),
    "wiring": frozenset({"core", "boards", "store", "sync", "archive", "http", "wiring"}),
}
"""Layer -> the layers its modules may import (``wiring`` is ``app.py`` and ``cli.py``)."""

LIBRARIES: dict[str, tuple[str, ...]] = {
    "sqlalchemy": ("store/",),
    "alembic": ("store/",),
    "psycopg": ("store/",),
    "asyncpg": ("store/",),
    "starlette": ("http/", "app.py"),
    "redis": ("sync/fanout.py", "sync/subscription.py"),
    "hiredis": ("sync/subscription.py",),
    "uvicorn": (
        "sync/transport.py",
        "sync/board_state.py",
        "http/connections.py",
        "core/logs.py",
        "cli.py",
    ),
    "jinja2": ("http/pages.py", "archive/reports.py"),
    "weasyprint": ("archive/reports.py",),
}
"""Library -> the only places (paths under ``server/``) that may import it."""

TOP_LEVEL = {"__init__.py", "app.py", "cli.py", "py.typed", *ALLOWED} - {"wiring"}
RESOURCE_NOTES = {"web", "schemas"}
"""``server/web`` and ``server/schemas`` hold only a note: the installed package's data."""
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
PURE_DATA_MODULES: set[str] = set()
"""Modules allowed past ``MAX_MODULE_LINES`` because they are tables, not logic."""


@dataclass(frozen=True)
class Import:
    module: str
    line: int


def modules() -> list[Path]:
    return sorted(p for p in SERVER.rglob("*.py") if "migrations" not in p.parts)


def name_of(path: Path) -> str:
    return path.relative_to(SERVER).as_posix()


def layer_of(path: Path) -> str:
    first = path.relative_to(SERVER).parts[0]
    return first if first in ALLOWED else "wiring"


def imports_of(path: Path, root: Path = SERVER) -> list[Import]:
    """Absolute names of everything the module imports (relative imports resolved)."""
    package = [root.name, *path.relative_to(root).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if node.module is None or module in {"server", *(f"server.{x}" for x in ALLOWED)}:
                found += [Import(f"{module}.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append(Import(module, node.lineno))
    return found


def target_layer(module: str) -> str | None:
    """The layer an imported ``server.*`` name belongs to; None for anything else."""
    parts = module.split(".")
    if parts[0] != "server" or len(parts) == 1:
        return None
    return parts[1] if parts[1] in ALLOWED else "wiring"


def test_server_top_level_holds_only_the_wiring_and_the_layers() -> None:
    names = {p.name for p in SERVER.iterdir() if p.name != "__pycache__"}
    assert names - RESOURCE_NOTES == TOP_LEVEL


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_imports_run_downward_only(path: Path) -> None:
    layer = layer_of(path)
    wrong = [
        f"line {imp.line}: {imp.module} ({target_layer(imp.module)})"
        for imp in imports_of(path)
        if target_layer(imp.module) not in {None, *ALLOWED[layer]}
    ]
    assert not wrong, f"{name_of(path)} ({layer}) may import only {sorted(ALLOWED[layer])}"


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_libraries_stay_in_their_layer(path: Path) -> None:
    name = name_of(path)
    wrong = [
        f"line {imp.line}: {imp.module}"
        for imp in imports_of(path)
        for library, places in LIBRARIES.items()
        if imp.module.split(".")[0] == library and not name.startswith(places)
    ]
    assert not wrong, f"{name} imports a library outside the places allowed for it"


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_modules_and_functions_stay_short(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if name_of(path) not in PURE_DATA_MODULES:
        assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


def test_the_checker_sees_upward_imports(tmp_path: Path) -> None:
    """The rule is not vacuous: absolute and relative upward imports are both resolved."""
    upward = tmp_path / "server" / "store" / "bad.py"
    upward.parent.mkdir(parents=True)
    upward.write_text("from server.sync.room import Room\nfrom ..http import access\n")
    found = imports_of(upward, tmp_path / "server")
    assert [target_layer(i.module) for i in found] == ["sync", "http"]


@pytest.mark.parametrize("path", sorted(TESTS.glob("test_*.py")), ids=lambda p: p.name)
def test_test_modules_share_helpers_through_tests_support_only(path: Path) -> None:
    others = [
        f"line {imp.line}: {imp.module}"
        for imp in imports_of(path, TESTS)
        if imp.module.startswith("tests.test_")
    ]
    assert not others, "shared helpers belong in tests/support/"

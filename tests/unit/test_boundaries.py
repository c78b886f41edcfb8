"""The domain stays free of web, display, printer and scheduler code (STYLE.md point 1)."""

import ast
from pathlib import Path

import skranke.queue

FORBIDDEN = (
    "skranke.web",
    "skranke.displays",
    "skranke.printers",
    "starlette",
    "escpos",
    "apscheduler",
    "uvicorn",
    "websockets",
)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_queue_package_imports_nothing_from_web_displays_printers_or_their_libraries() -> None:
    root = Path(skranke.queue.__file__).parent
    offenders = {
        f"{path.name}: {name}"
        for path in root.rglob("*.py")
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }

    assert offenders == set()


def test_the_check_would_notice_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from starlette.requests import Request\nimport escpos.printer\n")

    assert imported_modules(module) == {"starlette.requests", "escpos.printer"}


SQL_LIBRARIES = ("sqlalchemy", "sqlmodel", "asyncpg", "aiosqlite", "sqlite3")
WITHOUT_SQL = ("queue", "web", "displays", "printers", "notify")


def _package(name: str) -> Path:
    return Path(skranke.queue.__file__).parent.parent / name


def test_sql_lives_only_in_the_store() -> None:
    offenders = {
        f"{package}/{path.relative_to(_package(package))}: {name}"
        for package in WITHOUT_SQL
        for path in _package(package).rglob("*.py")
        for name in imported_modules(path)
        if any(name == lib or name.startswith(lib + ".") for lib in SQL_LIBRARIES)
    }

    assert offenders == set()


def test_the_store_knows_nothing_of_the_web_displays_or_printers() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in _package("store").rglob("*.py")
        for name in imported_modules(path)
        if any(name.startswith(f"skranke.{layer}") for layer in ("web", "displays", "printers"))
    }

    assert offenders == set()

"""Route and socket handlers stay short: parse, call one use case, map errors (STYLE.md 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import skranke.web

MAX_LINES = 25
HANDLER_ARGUMENTS = {"request", "websocket"}


def handlers(root: Path) -> list[tuple[str, int]]:
    """Every async function in `root` taking a request or websocket first, with its length."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.AsyncFunctionDef) or not node.args.args:
                continue
            if node.args.args[0].arg in HANDLER_ARGUMENTS:
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((f"{path.name}:{node.name}", length))
    return found


def test_no_route_or_socket_handler_is_longer_than_25_lines() -> None:
    found = handlers(Path(skranke.web.__file__).parent)

    assert len(found) > 30, "the handler finder found too few handlers to be looking right"
    assert [(name, n) for name, n in found if n > MAX_LINES] == []

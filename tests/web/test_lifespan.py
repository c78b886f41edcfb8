"""Importing opens nothing; the lifespan opens everything and closes it again."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.web.app import create_app

IMPORT_EVERYTHING = """
import importlib, os, pkgutil, threading, skranke
for module in pkgutil.walk_packages(skranke.__path__, "skranke."):
    if ".migrations" not in module.name and module.name != "skranke.__main__":
        importlib.import_module(module.name)
print(threading.active_count(), sorted(os.listdir(".")))
"""


def test_importing_every_module_opens_no_thread_database_or_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "1 []"


def writer_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("skranke-db")]


def test_lifespan_starts_the_database_and_stops_it(sqlite_db: str) -> None:
    app = create_app(Settings(database_url=sqlite_db))
    assert not hasattr(app.state, "db")

    with TestClient(app) as client:
        running = writer_threads()
        assert client.get("/api/v1/branches").status_code == 200

    assert "skranke-db-writer" in running
    assert writer_threads() == []

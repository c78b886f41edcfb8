"""A real uvicorn server in a thread that can be restarted on the same port."""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn

from tests.conftest import ServerThread


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PortServer(ServerThread):
    """Like ServerThread, but on a chosen port: a restarted server is back where pages expect it."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

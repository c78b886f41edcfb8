"""The yardstick for display fan-out: a bare `websockets` server broadcasting one message.

Run as `python bench/_bare_ws.py PORT`. Every connection is a display, except one that sends
"control": each text it sends afterwards is broadcast as a call message to all displays.
"""

from __future__ import annotations

import json
import sys

import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

DISPLAYS: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    first = await ws.recv()
    if first == "control":
        async for number in ws:
            message = {"type": "call", "event": 1, "number": number, "counter": 3}
            text = json.dumps(
                {**message, "area": "library", "recall": False}, separators=(",", ":")
            )
            broadcast(DISPLAYS, text)
        return
    DISPLAYS.add(ws)
    try:
        await ws.send(json.dumps({"type": "snapshot", "seq": 1}))
        await ws.wait_closed()
    finally:
        DISPLAYS.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, ping_interval=20) as server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))

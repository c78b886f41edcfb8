"""`/ws/agent/{device}`: where `skranke print-agent` on a kiosk PC picks up its print jobs.

Middleware does not guard websockets, so the endpoint checks the kiosk's device token
(`Authorization: Bearer` on the handshake) itself. A refused handshake gets a JSON 401/403,
like the API. Browsers cannot set that header, so no page can open this socket for a victim.
"""

from __future__ import annotations

import contextlib
import json
import logging

from starlette.responses import JSONResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from skranke.printers.agent_hub import AgentHub
from skranke.printers.spooler import Spooler
from skranke.queue.accounts import Principal, hash_token, principal_for_token
from skranke.queue.states import DeviceKind
from skranke.store.engine import Database
from skranke.web.auth import TokenCache

log = logging.getLogger(__name__)
MAX_MESSAGE = 4096


async def _kiosk(websocket: WebSocket) -> Principal | str:
    """The kiosk this agent prints for, or why it may not."""
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return "Expected 'Authorization: Bearer <kiosk device token>'"
    cache: TokenCache = websocket.app.state.tokens
    known, who = cache.get(hash_token(token))
    if not known:
        db: Database = websocket.app.state.db
        who = await db.read(principal_for_token, token)
        cache.put(hash_token(token), who)
    if who is None:
        return "Unknown or revoked token"
    device = websocket.path_params["device"]
    if who.kind != DeviceKind.KIOSK.value or who.name != device:
        return f"Expected the token of kiosk {device!r}, but got a {who.kind} token of {who.name!r}"
    return who


async def _refuse(websocket: WebSocket, status: int, detail: str) -> None:
    error = "unauthorized" if status == 401 else "forbidden"
    response = JSONResponse({"error": error, "detail": detail}, status_code=status)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(response)
    else:
        await websocket.close(code=1008)


async def agent_socket(websocket: WebSocket) -> None:
    who = await _kiosk(websocket)
    if isinstance(who, str):
        status = 403 if who.startswith("Expected the token") else 401
        return await _refuse(websocket, status, who)
    await websocket.accept()
    spooler: Spooler = websocket.app.state.spooler
    hub: AgentHub = spooler.agents

    async def send(text: str) -> None:
        try:
            await websocket.send_text(text)
        except WebSocketDisconnect as exc:
            raise ConnectionError(f"agent socket closed ({exc.code})") from None

    link = hub.connect(who.name, send)
    if who.device_id is not None:
        spooler.kick(who.device_id)  # jobs made while it was away go now
    try:
        # The receive loop is how a vanished agent is noticed; acks arrive here too.
        while (message := await websocket.receive())["type"] != "websocket.disconnect":
            text = message.get("text")
            if text and len(text) <= MAX_MESSAGE:
                with contextlib.suppress(ValueError):
                    if isinstance(parsed := json.loads(text), dict):
                        hub.receive(link, parsed)
    finally:
        hub.disconnect(link)


def routes() -> list[WebSocketRoute]:
    return [WebSocketRoute("/ws/agent/{device}", agent_socket)]

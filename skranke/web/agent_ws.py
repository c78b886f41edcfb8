"""`/ws/agent/{device}`: where `skranke print-agent` on a kiosk PC picks up its print jobs.

The agent presents the kiosk's device token (`Authorization: Bearer` on the handshake), which
the one authentication middleware turns into `websocket.user`, as for HTTP; the endpoint asks
for a kiosk, and for the one named in the path. A refused handshake gets a JSON 401/403, like
the API. Browsers cannot set that header, so no page can open this socket for a victim.
"""

from __future__ import annotations

import contextlib
import json
import logging

from starlette.responses import JSONResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from skranke.printers.agent_hub import AgentHub, AgentLink, Send
from skranke.printers.spooler import Spooler
from skranke.queue.accounts import Principal
from skranke.web.auth import KIOSK, require
from skranke.web.errors import ApiError

log = logging.getLogger(__name__)
MAX_MESSAGE = 4096


def _kiosk(websocket: WebSocket) -> Principal:
    """The kiosk this agent prints for; an ApiError (401/403) says why it may not."""
    who = require(websocket, KIOSK)
    device = websocket.path_params["device"]
    if who.name != device:
        detail = f"Expected the token of kiosk {device!r}, but got that of {who.name!r}"
        raise ApiError(403, "forbidden", detail)
    return who


async def _refuse(websocket: WebSocket, refused: ApiError) -> None:
    body = {"error": refused.error, "detail": refused.detail}
    response = JSONResponse(body, status_code=refused.status)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(response)
    else:
        await websocket.close(code=1008)


def _sender(websocket: WebSocket) -> Send:
    async def send(text: str) -> None:
        try:
            await websocket.send_text(text)
        except WebSocketDisconnect as exc:
            raise ConnectionError(f"agent socket closed ({exc.code})") from None

    return send


async def _receive_acks(websocket: WebSocket, hub: AgentHub, link: AgentLink) -> None:
    # The receive loop is how a vanished agent is noticed; acks arrive here too.
    while (message := await websocket.receive())["type"] != "websocket.disconnect":
        text = message.get("text")
        if text and len(text) <= MAX_MESSAGE:
            with contextlib.suppress(ValueError):
                if isinstance(parsed := json.loads(text), dict):
                    hub.receive(link, parsed)


async def agent_socket(websocket: WebSocket) -> None:
    try:
        who = _kiosk(websocket)
    except ApiError as refused:
        return await _refuse(websocket, refused)
    await websocket.accept()
    spooler: Spooler = websocket.app.state.spooler
    link = spooler.agents.connect(who.name, _sender(websocket))
    if who.device_id is not None:
        spooler.kick(who.device_id)  # jobs made while it was away go now
    try:
        await _receive_acks(websocket, spooler.agents, link)
    finally:
        spooler.agents.disconnect(link)


def routes() -> list[WebSocketRoute]:
    return [WebSocketRoute("/ws/agent/{device}", agent_socket)]

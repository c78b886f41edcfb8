"""The websocket contract: snapshot, numbered events, and who may open which socket."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.site import Site, tracking_of


def hello(ws: Any, token: str) -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token})
    snapshot: dict[str, Any] = ws.receive_json()
    return snapshot


def next_of_type(ws: Any, kind: str, limit: int = 10) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message among the next {limit}")


def test_display_gets_a_snapshot_then_the_call_with_the_next_seq(site: Site) -> None:
    site.issue("flytning")

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        snapshot = hello(ws, site.creds.display_token)
        called = site.call_next(counter=2)
        call = ws.receive_json()

    assert snapshot["type"] == "snapshot" and snapshot["calls"] == []
    waiting = {a["area"]: a["waiting"] for a in snapshot["areas"]}
    assert waiting == {"library": 0, "borgerservice": 1}
    assert call["type"] == "call" and call["seq"] == snapshot["seq"] + 1
    assert (call["number"], call["counter"], call["area"]) == (called["number"], 2, "borgerservice")


def test_display_snapshot_lists_todays_calls_newest_first(site: Site) -> None:
    site.issue("flytning")
    site.issue("laan")
    site.call_next(counter=2)
    site.call_next(counter=3)

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        snapshot = hello(ws, site.creds.display_token)

    assert [(c["number"], c["counter"]) for c in snapshot["calls"]] == [("L001", 3), ("F001", 2)]


def test_a_reloaded_display_lists_a_recalled_number_once(site: Site) -> None:
    # A recall calls the number again; live, the display moves it to the top. A reload must
    # show the same, not the number both as "now calling" and among the earlier calls.
    site.issue("flytning")
    site.issue("flytning")
    first = site.call_next(counter=2)
    recalled = site.client.post(f"/api/v1/tickets/{first['id']}/recall", headers=site.staff)
    assert recalled.status_code == 200, recalled.text
    site.call_next(counter=5)

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        snapshot = hello(ws, site.creds.display_token)

    assert [(c["number"], c["counter"]) for c in snapshot["calls"]] == [("F002", 5), ("F001", 2)]
    assert snapshot["calls"][1]["recall"] is True


def test_queue_figures_follow_a_call_without_a_request(site: Site) -> None:
    site.issue("flytning")
    site.issue("flytning")

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        hello(ws, site.creds.display_token)
        site.call_next(counter=2)
        queue = next_of_type(ws, "queue")

    waiting = {a["area"]: a["waiting"] for a in queue["areas"]}
    assert waiting["borgerservice"] == 1


def test_phone_socket_follows_its_ticket_until_called(site: Site) -> None:
    ticket = site.issue("flytning")

    with site.client.websocket_connect(f"/ws/ticket/{tracking_of(ticket)}") as ws:
        snapshot = ws.receive_json()
        site.call_next(counter=2)
        update = next_of_type(ws, "ticket")

    assert snapshot["ticket"]["state"] == "waiting" and snapshot["ticket"]["position"] == 1
    assert update["ticket"]["state"] == "called"
    assert update["ticket"]["counter"]["number"] == 2


def test_counter_socket_with_a_session_sees_its_current_ticket(site: Site) -> None:
    site.log_in()
    site.issue("flytning")

    with site.client.websocket_connect("/ws/counter/2") as ws:
        snapshot = ws.receive_json()
        site.call_next(counter=2)
        update = next_of_type(ws, "counter")

    assert snapshot["current"] is None and snapshot["waiting"][0]["number"] == "F001"
    assert update["current"]["number"] == "F001" and update["current"]["state"] == "called"


def test_asking_for_a_resync_brings_a_fresh_snapshot(site: Site) -> None:
    with site.client.websocket_connect("/ws/display/display-1") as ws:
        first = hello(ws, site.creds.display_token)
        ws.send_json({"type": "resync"})
        second = ws.receive_json()

    assert second["type"] == "snapshot" and second["seq"] == first["seq"] + 1


def closed_with(site: Site, path: str, **kwargs: Any) -> int:
    with (
        site.client.websocket_connect(path, **kwargs) as ws,
        pytest.raises(WebSocketDisconnect) as e,
    ):
        ws.receive_json()
    return e.value.code


def test_counter_socket_refuses_anonymous_clients(site: Site) -> None:
    assert closed_with(site, "/ws/counter/2") == 4401


@pytest.mark.parametrize("who", ["kiosk_token", "display_token"])
def test_counter_socket_refuses_device_tokens(site: Site, who: str) -> None:
    headers = site.auth(getattr(site.creds, who))

    assert closed_with(site, "/ws/counter/2", headers=headers) == 4403


def test_counter_socket_accepts_a_staff_api_token(site: Site) -> None:
    headers = site.auth(site.creds.staff_token)

    with site.client.websocket_connect("/ws/counter/2", headers=headers) as ws:
        assert ws.receive_json()["type"] == "snapshot"


def test_counter_socket_accepts_an_admin_api_token(site: Site) -> None:
    headers = site.auth(site.creds.admin_token)

    with site.client.websocket_connect("/ws/counter/2", headers=headers) as ws:
        assert ws.receive_json()["type"] == "snapshot"


def test_counter_socket_refuses_an_unknown_token_and_an_unknown_counter(site: Site) -> None:
    staff = site.auth(site.creds.staff_token)

    assert closed_with(site, "/ws/counter/2", headers=site.auth("skt_revoked")) == 4401
    assert closed_with(site, "/ws/counter/999", headers=staff) == 4404


def test_display_socket_refuses_the_token_of_another_display(site: Site) -> None:
    with site.client.websocket_connect("/ws/display/display-2") as ws:
        ws.send_json({"type": "hello", "token": site.creds.display_token})
        with pytest.raises(WebSocketDisconnect) as refused:
            ws.receive_json()

    assert refused.value.code == 4401


def test_display_socket_refuses_a_wrong_or_missing_token(site: Site) -> None:
    with site.client.websocket_connect("/ws/display/display-1") as ws:
        ws.send_json({"type": "hello", "token": site.creds.kiosk_token})
        with pytest.raises(WebSocketDisconnect) as wrong:
            ws.receive_json()
    with site.client.websocket_connect("/ws/display/display-1") as ws:
        ws.send_json({"type": "hello"})
        with pytest.raises(WebSocketDisconnect) as missing:
            ws.receive_json()

    assert wrong.value.code == missing.value.code == 4401


def test_unknown_ticket_socket_is_closed_as_not_found(site: Site) -> None:
    assert closed_with(site, "/ws/ticket/no-such-ticket") == 4404


def test_a_foreign_origin_is_refused_before_the_handshake(site: Site) -> None:
    site.log_in()
    headers = {"origin": "https://evil.example"}

    # Closed before the handshake completes: a real server answers the upgrade with HTTP 403.
    with pytest.raises(WebSocketDisconnect) as refused:
        site.client.websocket_connect("/ws/counter/2", headers=headers).__enter__()

    assert refused.value.code == 4403


def test_the_own_and_the_public_origin_are_allowed(site: Site) -> None:
    for origin in ("http://testserver", "http://testserver:80"):
        headers = {"origin": origin, "host": "testserver:80" if ":80" in origin else "testserver"}
        with site.client.websocket_connect("/ws/ticket/x", headers=headers) as ws:
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4404


def set_display(site: Site, **values: Any) -> None:
    import sqlalchemy as sa

    from skranke.store.tables import device_t

    def update(conn: sa.Connection) -> None:
        conn.execute(sa.update(device_t).where(device_t.c.key == "display-1").values(**values))

    site.write(update)


def test_an_area_display_shows_only_its_area(site: Site) -> None:
    set_display(site, area="library")
    site.issue("flytning")
    site.issue("laan")

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        snapshot = hello(ws, site.creds.display_token)
        site.call_next(counter=2)
        site.call_next(counter=3)
        call = next_of_type(ws, "call")

    assert [a["area"] for a in snapshot["areas"]] == ["library"]
    assert (call["number"], call["area"]) == ("L001", "library")


def test_an_english_display_announces_in_danish_then_english(site: Site) -> None:
    set_display(site, language="en")

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        snapshot = hello(ws, site.creds.display_token)

    assert snapshot["announce"] == ["da", "en"]

"""Operations: health and readiness probes, Prometheus metrics, request ids."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.queue.issuing import PrinterProblem, alert
from skranke.store import Conn, branches
from skranke.web.app import create_app
from skranke.web.logs import RequestIdFilter
from skranke.web.metrics import Metrics
from skranke.web.ops import Observe
from tests.conftest import unreachable_postgres_url
from tests.site import Site, in_process

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(site: Site, headers: dict[str, str] | None = None) -> Samples:
    response = site.client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_healthz_answers_ok(demo: Site) -> None:
    response = demo.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_on_sqlite_is_ready_without_a_listener(demo: Site) -> None:
    response = demo.client.get("/readyz")

    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert response.json()["status"] == "ready"
    assert checks["database"] == {"ok": True, "detail": "sqlite answers"}
    assert checks["listener"]["ok"] and checks["listener"]["detail"].startswith("not needed")
    assert checks["leader"] == {"ok": True, "detail": "this process"}


def test_readyz_is_503_naming_the_checks_that_failed_when_the_database_is_away() -> None:
    url = unreachable_postgres_url()
    app = create_app(Settings(database_url=url, public_url="http://127.0.0.1"))

    with TestClient(app, raise_server_exceptions=False) as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")

    assert health.status_code == 200
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["error"] == "not_ready"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["listener"] == {"ok": False, "detail": "not connected; reconnecting"}
    assert body["checks"]["leader"]["ok"] is False
    assert "database:" in body["detail"] and "listener:" in body["detail"]


def test_metrics_count_issued_and_called_tickets_and_show_the_queue(demo: Site) -> None:
    before = scrape(demo)
    demo.issue("flytning")
    demo.issue("flytning")
    demo.call_next(2)

    after = scrape(demo)

    branch = demo.branch
    issued = value(after, "skranke_tickets_issued_total", branch=branch, service="flytning")
    called = value(after, "skranke_tickets_called_total", branch=branch, service="flytning")
    assert value(before, "skranke_tickets_issued_total", branch=branch, service="flytning") is None
    assert (issued, called) == (2, 1)
    assert value(after, "skranke_tickets_waiting", branch=branch, service="flytning") == 1
    longest = value(after, "skranke_longest_wait_seconds", branch=branch, service="flytning")
    assert longest is not None and longest >= 0
    assert value(after, "skranke_database_up") == 1
    # Every service is listed, an empty queue too.
    assert value(after, "skranke_tickets_waiting", branch=branch, service="pas") == 0


def test_request_latency_is_labelled_by_route_template_not_raw_path(demo: Site) -> None:
    demo.issue("flytning")
    demo.call_next(2)
    demo.client.get("/no/such/page")

    samples = scrape(demo)

    name = "skranke_http_request_duration_seconds_count"
    route = "/api/v1/counters/{counter}/call-next"
    assert value(samples, name, method="POST", route=route, status="200") == 1
    assert value(samples, name, method="GET", route="unmatched", status="404") == 1
    assert not any("/counters/2/" in dict(labels).get("route", "") for _, labels in samples)
    assert all(name.startswith("skranke_") for name, _ in samples)


def test_metrics_show_a_printer_problem_until_the_printer_recovers(demo: Site) -> None:
    def printer(problem: PrinterProblem | None) -> None:
        def write(conn: Conn) -> None:
            branch_id = branches.row(conn, demo.branch).id
            alert(conn, branch_id, "kiosk-1", problem, "offline", datetime.now(UTC))

        demo.write(write)

    printer(PrinterProblem.OFFLINE)
    down = scrape(demo)
    printer(None)
    up = scrape(demo)

    labels = {"branch": demo.branch, "kiosk": "kiosk-1", "problem": "offline"}
    assert value(down, "skranke_printer_problem", **labels) == 1
    assert value(up, "skranke_printer_problem", **labels) is None


def test_metrics_count_websocket_connections_by_kind(demo: Site) -> None:
    hub = demo.app.state.hub
    metrics: Metrics = demo.app.state.metrics

    class FakeLink:
        kind = "display"

    hub.links[1].add(FakeLink())
    try:
        samples = scrape(demo)
    finally:
        hub.links.pop(1)

    assert metrics.snapshot.sockets  # read at scrape time from the hub
    assert value(samples, "skranke_websocket_connections", branch=demo.branch, kind="display") == 1


def test_metrics_want_the_token_when_one_is_set(sqlite_db: str) -> None:
    with in_process(sqlite_db, metrics_token="scrape-me") as site:
        none = site.client.get("/metrics")
        wrong = site.client.get("/metrics", headers=site.auth("guess"))
        right = scrape(site, site.auth("scrape-me"))
        health = site.client.get("/healthz")

    assert none.status_code == 401 and wrong.status_code == 401
    assert none.json()["error"] == "unauthorized"
    assert value(right, "skranke_database_up") == 1
    assert health.status_code == 200  # the probes stay open


def test_a_sane_request_id_is_echoed_and_anything_else_replaced(demo: Site) -> None:
    kept = demo.client.get("/healthz", headers={"X-Request-Id": "proxy-42.a:b"})
    odd = demo.client.get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    fresh = demo.client.get("/healthz")

    assert kept.headers["x-request-id"] == "proxy-42.a:b"
    assert odd.headers["x-request-id"] != "bad id\twith spaces"
    assert len(fresh.headers["x-request-id"]) == 32
    assert fresh.headers["x-request-id"] != demo.client.get("/healthz").headers["x-request-id"]


def test_log_records_of_a_request_carry_its_id(caplog: pytest.LogCaptureFixture) -> None:
    async def noisy(request: Request) -> PlainTextResponse:
        logging.getLogger("skranke.test").warning("handling")
        return PlainTextResponse("ok")

    app = Observe(Starlette(routes=[Route("/", noisy)]), Metrics())
    caplog.handler.addFilter(RequestIdFilter())
    with TestClient(app) as client, caplog.at_level(logging.WARNING):
        response = client.get("/", headers={"X-Request-Id": "abc-123"})
    logging.getLogger("skranke.test").warning("outside")

    ids = [getattr(r, "request_id", None) for r in caplog.records]
    assert response.headers["x-request-id"] == "abc-123"
    assert ids == ["abc-123", "-"]


@pytest.mark.postgres
def test_readyz_on_postgresql_sees_the_listener_and_takes_or_names_the_leader(
    postgres_db: str,
) -> None:
    with in_process(postgres_db) as site:
        ready = site.client.get("/readyz")
        site.issue("flytning")
        samples = scrape(site)

    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["database"] == {"ok": True, "detail": "postgresql answers"}
    assert checks["listener"]["ok"] and checks["listener"]["detail"].startswith("connected")
    assert checks["leader"] == {"ok": True, "detail": "this process"}
    assert value(samples, "skranke_tickets_waiting", branch=site.branch, service="flytning") == 1

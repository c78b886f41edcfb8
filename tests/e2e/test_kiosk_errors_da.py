"""Every refusal the kiosk can meet, walked in Chromium on a Danish kiosk: each is said in
Danish, as the catalogue says it (from the answer's `reason` and `error` codes), and never as
the server's English `detail`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from skranke.store import Conn, memo
from skranke.store.tables import booking_t, service_t
from skranke.web.i18n import translator
from tests.e2e.screens.test_kiosk_fits import (
    CPH,
    book,
    layout_problems,
    open_kiosk,
    revoke_kiosk,
    set_clock,
)
from tests.e2e.test_kiosk import use_printer
from tests.hours.conftest import Clock, local, with_branch
from tests.site import Site, served

_ = translator("da")
# Words of the server's English sentences ("Unknown service 'laan' at branch ...", "Expected
# ...", "Booking K7FQ3X is cancelled and cannot be checked in"): none may reach the screen
# ("at" and "for" are Danish words as well, so they are not on the list).
ENGLISH = {
    "the", "ticket", "is", "not", "found", "error", "expected", "unknown", "booking", "but",
    "got", "branch", "service", "cannot", "checked", "please", "try", "again", "too", "early",
    "late", "closed", "drop-in", "needs", "token", "forbidden", "conflict", "invalid", "request",
    "wait", "of", "and", "you", "your", "this", "from", "unavailable", "database",
}  # fmt: skip
BOOK_URL = "http://127.0.0.1/book"


def english_words(message: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z-]*", message.lower())) & ENGLISH


def notice(page: Any) -> str:
    """The message drawn over the screen, once it is there (and inside the screen)."""
    page.wait_for_function(
        "() => { const m = document.querySelector('#kiosk-message');"
        " return m.textContent && m.textContent !== 'Et øjeblik …'; }",
        timeout=15000,
    )
    assert layout_problems(page) == []
    text = str(page.locator("#kiosk-message").inner_text()).strip()
    page.get_by_role("button", name="OK").click()
    return text


def checkin_message(page: Any, code: str) -> str:
    page.locator("#checkin-code").fill(code)
    page.locator(".kiosk-code-submit").click()
    page.wait_for_function(
        "() => { const m = document.querySelector('#checkin-message');"
        " return m.textContent && m.textContent !== 'Et øjeblik …'; }"
    )
    assert layout_problems(page) == []
    return str(page.locator("#checkin-message").inner_text()).strip()


def tap_as(page: Any, button: str, body: str) -> None:
    """A tap whose request asks for another errand (one that has no button)."""
    page.route("**/tickets", lambda route: route.continue_(post_data=body))
    page.locator(f"button[data-service={button}]").click()


def deactivate_service(key: str) -> Any:
    def run(conn: Conn) -> None:
        conn.execute(sa.update(service_t).where(service_t.c.key == key).values(active=False))
        memo.forget(conn)

    return run


def cancel_booking(code: str) -> Any:
    def run(conn: Conn) -> None:
        conn.execute(sa.update(booking_t).where(booking_t.c.code == code).values(state="cancelled"))

    return run


@pytest.fixture
def kiosk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1080, "height": 1920})
    context.set_default_timeout(5000)
    try:
        yield context
    finally:
        context.close()


def open_page(context: Any, site: Site) -> Any:
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/kiosk-1#token={site.creds.kiosk_token}")
    page.wait_for_selector("body[data-ready=true]")
    return page


def test_every_ticket_refusal_is_said_in_danish(browser: Any, live_demo: Site) -> None:
    said: dict[str, tuple[str, str]] = {}
    page = open_kiosk(browser, live_demo, "da", 1080, 1920)
    try:
        tap_as(page, "laan", '{"service": "pas", "language": "da"}')
        said["booking only"] = (notice(page), _("kiosk.error.booking_only", url=BOOK_URL))
        page.unroute("**/tickets")

        live_demo.write(deactivate_service("print"))
        page.locator("button[data-service=print]").click()
        said["inactive service"] = (notice(page), _("kiosk.error.unknown_service"))

        tap_as(page, "laan", '{"service": "hundeskat", "language": "da"}')
        said["unknown service"] = (notice(page), _("kiosk.error.unknown_service"))
        page.unroute("**/tickets")

        tap_as(page, "laan", '{"service": "laan", "language": "xx"}')
        said["bad request"] = (notice(page), _("kiosk.error"))
        page.unroute("**/tickets")

        # No server of ours limits kiosk taps; a proxy in front of it may (429).
        limited = '{"error": "rate_limited", "detail": "Too many requests; try later"}'
        page.route("**/tickets", lambda route: route.fulfill(status=429, body=limited))
        page.locator("button[data-service=laan]").click()
        said["rate limited"] = (notice(page), _("kiosk.error.rate"))
        page.unroute("**/tickets")

        # The proxy answers 503 while the server restarts: retried, then given up.
        gone = '{"error": "unavailable", "detail": "The database is unavailable"}'
        page.route("**/tickets", lambda route: route.fulfill(status=503, body=gone))
        page.locator("button[data-service=laan]").click()
        said["unavailable"] = (notice(page), _("kiosk.error"))
        page.unroute("**/tickets")

        # The printer is away: the number on screen, and the screen says so.
        use_printer(live_demo, "network://127.0.0.1:9")
        page.locator("button[data-service=laan]").click()
        page.wait_for_function("() => document.querySelector('[data-field=print]').textContent")
        printed = str(page.locator("[data-field=print]").inner_text())
        said["printer away"] = (printed, _("kiosk.print.failed"))
        assert layout_problems(page) == []
        page.get_by_role("button", name="Færdig").click()
        page.wait_for_selector("body[data-ready=true]")

        revoke_kiosk(live_demo)
        page.locator("button[data-service=laan]").click()
        page.locator("#out-of-order").wait_for(state="visible")
        out = str(page.locator("#out-of-order").inner_text())
        title, text = _("kiosk.out_of_order.title"), _("kiosk.out_of_order.text")
        said["revoked token"] = (out.replace("⚠", "").strip(), f"{title}\n\n{text}")
    finally:
        page.context.close()

    for what, (shown, wanted) in said.items():
        assert english_words(shown) == set(), what
        assert shown == wanted, what


def test_closed_past_the_cut_off_and_too_late_are_said_in_danish(
    kiosk: Any, sqlite_db: str
) -> None:
    clock = Clock(local(2026, 12, 8, 16, 40))
    setup = with_branch(cutoff_minutes=10)
    said: dict[str, tuple[str, str]] = {}
    with served(sqlite_db, setup, state={"clock": clock}, kiosk_hours=True) as site:
        page = open_page(kiosk, site)
        for _n in range(3):
            staff = site.client.post(
                f"/api/v1/branches/{site.branch}/tickets",
                json={"service": "digital"},
                headers=site.staff,
            )
            assert staff.status_code == 201, staff.text
        page.locator("button[data-service=digital]").click()
        said["wait past closing"] = (notice(page), _("kiosk.too_late_message", url=BOOK_URL))

        clock.now = local(2026, 12, 8, 16, 55)
        page.locator("button[data-service=laan]").click()
        said["past the cut-off"] = (notice(page), _("kiosk.cutoff.text"))

        clock.now = local(2026, 12, 8, 16, 40)
        page = open_page(kiosk, site)
        clock.now = local(2026, 12, 8, 21, 22)
        page.locator("button[data-service=laan]").click()
        said["closed"] = (notice(page), _("kiosk.closed.text"))

    for what, (shown, wanted) in said.items():
        assert english_words(shown) == set(), what
        assert shown == wanted, what


def test_every_checkin_refusal_is_said_in_danish(kiosk: Any, live_demo: Site) -> None:
    said: dict[str, tuple[str, str]] = {}
    booking = book(live_demo, "en")
    # The day of the booking, two hours before it (the page takes the server's day).
    set_clock(live_demo, booking.start - timedelta(hours=2))
    page = open_page(kiosk, live_demo)
    page.locator("button[data-action=checkin]").click()

    said["not a code"] = (
        checkin_message(page, "K7"),
        _("kiosk.checkin.invalid", example="K7FQ3X"),
    )
    said["unknown code"] = (
        checkin_message(page, "AAAAAA"),
        _("kiosk.checkin.unknown", code="AAAAAA"),
    )

    come_back = f"{(booking.start - timedelta(minutes=30)).astimezone(CPH):%H:%M}"
    said["too early"] = (
        checkin_message(page, booking.code),
        _("kiosk.checkin.too_early", time=come_back),
    )

    set_clock(live_demo, booking.start + timedelta(minutes=20))
    said["too late"] = (checkin_message(page, booking.code), _("kiosk.checkin.too_late"))

    # Wrong branch: a code of another branch's booking, checked in at this branch's kiosk.
    page.route(
        "**/checkins",
        lambda route: route.fulfill(
            status=403,
            body='{"error": "forbidden", "detail": "Booking X is for Y, not this branch",'
            ' "reason": "other_branch", "params": {"branch": "Y"}}',
        ),
    )
    said["other branch"] = (checkin_message(page, booking.code), _("kiosk.checkin.other_branch"))
    page.unroute("**/checkins")

    set_clock(live_demo, booking.start - timedelta(minutes=5))
    page.locator("#checkin-code").fill(booking.code)
    page.locator(".kiosk-code-submit").click()
    page.wait_for_function("() => document.querySelector('[data-field=number]').textContent")
    page = open_page(kiosk, live_demo)
    page.locator("button[data-action=checkin]").click()
    said["already checked in"] = (checkin_message(page, booking.code), _("kiosk.checkin.already"))

    other = book(live_demo, "da")
    live_demo.write(cancel_booking(other.code))
    set_clock(live_demo, other.start - timedelta(minutes=5))
    said["cancelled"] = (checkin_message(page, other.code), _("kiosk.checkin.not_usable"))

    for what, (shown, wanted) in said.items():
        assert english_words(shown) == set(), what
        assert shown == wanted, what

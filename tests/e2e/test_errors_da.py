"""Every error path of the booking, phone and counter pages, walked in Danish: each message is
the Danish sentence for its reason, and no English sentence of the domain reaches the page.

Booking pages are server-rendered: plain HTTP and the HTML. The phone page's forms and the
counter page's actions run in Chromium. Where a second person's action must land between a
click and its request (another clerk marks the citizen as gone), a Playwright route does it
before letting the real request through, so the server's real answer is what the page shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from skranke.store.tables import service_t
from skranke.web.booking_support import manage_token
from skranke.web.i18n import catalogue
from tests.e2e.conftest import axe_violations
from tests.e2e.live.conftest import log_in
from tests.site import Site, csrf_of, served, tracking_of

DA = catalogue("da")
# English function words and the domain's nouns. Not "at" and "to": Danish words too ("for at
# bekræfte", "to tidsrum").
ENGLISH = re.compile(
    r"\b(the|is|not|was|by|no|of|you|your|has|been|cannot|please|try|again|ticket|counter|"
    r"booking|found|expected|error|invalid|unknown|got|but|branch|service|already|busy)\b",
    re.I,
)


def pattern(key: str) -> re.Pattern[str]:
    """The Danish text of `key` with its blanks as wildcards."""
    parts = re.split(r"\{\w+\}", DA[key])
    return re.compile(".+?".join(re.escape(p) for p in parts))


class Walk:
    """What each error path showed, beside the catalogue key it should have shown."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def saw(self, path: str, key: str, message: str) -> None:
        self.seen.append((path, key, " ".join(message.split())))

    def check(self) -> None:
        wrong = [(p, k, m) for p, k, m in self.seen if not pattern(k).fullmatch(m)]
        english = [(p, m) for p, _, m in self.seen if ENGLISH.search(m)]
        assert wrong == [] and english == []


def test_the_word_list_finds_no_english_in_the_danish_catalogue() -> None:
    # Else the walk's "no English" would flag correct Danish.
    texts = {k: re.sub(r"\{\w+\}", "", v) for k, v in DA.items()}
    hits = {k: v for k, v in texts.items() if ENGLISH.search(v)}

    assert hits == {}
    assert ENGLISH.search("Counter 2 is busy; finish its ticket first")


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    # One coming booking per contact and few bookings per address: both limits are walked.
    with served(
        sqlite_db, public_url=None, max_bookings_per_contact=1, booking_ip_limit="6/hour"
    ) as site:
        yield site


# ---------------------------------------------------------------- booking pages (HTTP)

MESSAGES = re.compile(
    r'<p class="(?:notice|field-error)"[^>]*>(.*?)</p>|<div class="error-summary".*?</div>', re.S
)


def shown(page: str) -> list[str]:
    """The messages of a booking page: notices, and each error of the form's summary."""
    found = []
    for match in MESSAGES.finditer(page):
        if match.group(1) is not None:
            found.append(match.group(1))
        else:
            found += re.findall(r"<li>(.*?)</li>", match.group(0), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in found]


def errors_of(page: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None, "no error summary on the page"
    return shown(summary.group(0))


def test_every_booking_error_is_said_in_danish(site: Site) -> None:
    walk = Walk()
    client = site.client
    client.headers["Accept-Language"] = "da"
    base = f"/book/{site.branch}"
    slots = client.get("/api/v1/services/pas/slots").json()["slots"]
    first, second = slots[0]["start"], slots[1]["start"]

    for path, key, status in [
        (f"{base}/laan", "book.error.not_bookable", 404),
        (f"{base}/nope", "book.error.unknown", 404),
        ("/book/nowhere/pas", "book.error.unknown", 404),
        (f"{base}/pas/2020-01-01", "book.error.past_day", 404),
        (f"{base}/pas/2099-01-01", "book.error.too_far", 404),
        (f"{base}/pas/2026-13-45", "book.error.day", 404),
        (f"{base}/pas?month=0001-01", "book.error.address", 422),
        (f"{base}/pas/form?start=tomorrow", "book.error.gone", 409),
        ("/booking/forged", "book.error.link", 403),
        (f"/booking/{manage_token(site.app.state.settings, 'NOPE99')}", "book.error.link", 403),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        walk.saw(path, key, shown(response.text)[0])

    form = f"{base}/pas/form?start={quote(first)}"
    csrf = csrf_of(client.get(form).text)
    empty = client.post(form, data={"csrf": csrf, "start": first})
    assert empty.status_code == 422
    expected = ["book.error.name", "book.error.contact", "book.error.consent"]
    for key, message in zip(expected, errors_of(empty.text), strict=True):
        walk.saw("empty form", key, message)
    bad = {"csrf": csrf, "start": first, "name": "Karen", "email": "karen@", "phone": "12"}
    wrong = client.post(form, data={**bad, "consent": "yes"})
    for key, message in zip(
        ["book.error.email", "book.error.phone"], errors_of(wrong.text), strict=True
    ):
        walk.saw("bad e-mail and phone", key, message)
    stale = client.post(form, data={"start": first, "name": "Karen", "consent": "yes"})
    assert stale.status_code == 403
    walk.saw("no CSRF", "book.error.csrf", errors_of(stale.text)[0])

    karen = {"csrf": csrf, "name": "Karen Blixen", "email": "karen@example.dk", "consent": "yes"}
    for email in ("tove@ex.dk", "inger@ex.dk"):  # both seats of the time go to others
        other = client.post(
            "/api/v1/bookings",
            json={"service": "pas", "start": first, "name": "Tove Ditlevsen", "email": email},
        )
        assert other.status_code == 201, other.text
    taken = client.post(form, data={**karen, "start": first})
    assert taken.status_code == 409 and "De nærmeste ledige tider" in taken.text
    walk.saw("slot just taken", "book.error.taken", errors_of(taken.text)[0])
    booked = client.post(form, data={**karen, "start": second}, follow_redirects=False)
    assert booked.status_code == 303, booked.text
    limit = client.post(form, data={**karen, "start": slots[2]["start"]})
    assert limit.status_code == 409
    walk.saw("limit per contact", "book.error.limit", errors_of(limit.text)[0])
    for n, slot in enumerate(slots[3:8]):
        rate = client.post(form, data={**karen, "email": f"k{n}@ex.dk", "start": slot["start"]})
        if rate.status_code == 429:
            break
    assert rate.status_code == 429
    walk.saw("many bookings from one address", "book.error.rate", errors_of(rate.text)[0])

    manage = booked.headers["location"].split("?")[0]
    csrf = csrf_of(client.get(f"{manage}/cancel").text)
    assert client.post(f"{manage}/cancel", data={"csrf": csrf}).status_code == 303
    again = client.post(f"{manage}/cancel", data={"csrf": csrf})
    assert again.status_code == 409
    walk.saw("cancel twice", "book.error.already_cancelled", shown(again.text)[0])
    moved = client.post(f"{manage}/move", data={"csrf": csrf, "start": "soon"})
    walk.saw("move to no time", "book.error.gone", shown(moved.text)[0])

    walk.check()
    assert len(walk.seen) == 21


# ---------------------------------------------------------------- phone page (browser)


def notice(page: Any) -> str:
    text: str = page.locator('[role="alert"]:visible').last.inner_text()
    return text


def test_every_phone_page_error_is_said_in_danish(page: Any, site: Site) -> None:
    walk = Walk()
    ahead = [site.issue("flytning") for _ in range(4)]
    transferred, cancelled, rated, called, ended = (site.issue("flytning") for _ in range(5))

    page.goto(f"{site.url}/t/nope")
    walk.saw("unknown tracking code", "ticket.unknown", notice(page))
    assert axe_violations(page) == []
    page.goto(f"{site.url}/t/{tracking_of(rated)}?lang=xx")
    assert page.locator("html").get_attribute("lang") == "da"  # the ticket's own language

    def ask_sms(ticket: dict[str, Any], phone: str) -> None:
        page.get_by_label("Mobilnummer").fill(phone)
        page.get_by_role("button", name="Send mig en sms").click()
        page.wait_for_load_state()

    ask_sms(rated, "12")
    walk.saw("bad phone number", "ticket.sms_bad_phone", page.locator("#sms-error").inner_text())
    for _ in range(5):
        ask_sms(rated, "12")
    walk.saw("numbers typed too often", "ticket.sms_rate", page.locator("#sms-error").inner_text())

    page.goto(f"{site.url}/t/{tracking_of(transferred)}?lang=da")
    staff = site.staff
    move = site.client.post(
        f"/api/v1/tickets/{transferred['id']}/transfer", json={"counter": 1}, headers=staff
    )
    assert move.status_code == 201, move.text
    ask_sms(transferred, "12345678")
    walk.saw("SMS for a transferred ticket", "ticket.sms_not_offered", notice(page))

    page.goto(f"{site.url}/t/{tracking_of(cancelled)}?lang=da")
    gone = site.client.post(f"/api/v1/tickets/{cancelled['id']}/cancel", headers=staff)
    assert gone.status_code == 200, gone.text
    ask_sms(cancelled, "12345678")
    walk.saw("SMS for an ended ticket", "ticket.sms_refused", notice(page))

    for ticket, act, key in [
        (called, "call", "ticket.leave_refused_called"),
        (ended, "cancel", "ticket.leave_refused_ended"),
    ]:
        page.goto(f"{site.url}/t/{tracking_of(ticket)}?lang=da&leave=ask")
        if act == "call":
            answer = site.client.post(
                "/api/v1/counters/1/call", json={"ticket": ticket["number"]}, headers=staff
            )
        else:
            answer = site.client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=staff)
        assert answer.status_code == 200, answer.text
        page.get_by_role("button", name="Ja, jeg går igen").click()
        page.wait_for_load_state()
        walk.saw(f"leave after {act}", key, notice(page))

    assert axe_violations(page) == []
    walk.check()
    assert len(walk.seen) == 7 and len(ahead) == 4


# ---------------------------------------------------------------- counter page (browser)


def outcome(page: Any, act: Any) -> str:
    """What #message says after `act`: emptied first, so the new text is awaited."""
    page.evaluate("document.getElementById('message').textContent = ''")
    act()
    page.wait_for_function("() => document.getElementById('message').textContent.trim() !== ''")
    page.wait_for_function("() => !document.querySelector('[data-state=\"open\"]').disabled")
    text: str = page.locator("#message").inner_text()
    return text


def click(page: Any, selector: str) -> Any:
    return lambda: page.locator(selector).click()


def answer(status: int, body: dict[str, str]) -> Any:
    def fulfil(route: Any) -> None:
        route.fulfill(status=status, json=body)

    return fulfil


def deactivate(conn: Any, key: str) -> None:
    conn.execute(sa.update(service_t).where(service_t.c.key == key).values(active=False))


def test_every_counter_error_is_said_in_danish(page: Any, site: Site) -> None:
    walk = Walk()
    first, second = site.issue("flytning"), site.issue("flytning")
    log_in(page, site, counter=2)
    page.wait_for_function("() => !document.querySelector('[data-action=\"call-next\"]').disabled")
    field = page.get_by_label("Kald bestemt nummer")

    def call_number(number: str) -> None:
        field.fill(number)
        field.press("Enter")

    walk.saw(
        "unknown number", "counter.error.no_such_ticket", outcome(page, lambda: call_number("F999"))
    )
    outcome(page, click(page, '[data-action="call-next"]'))

    def gone_meanwhile(route: Any) -> None:
        # Another clerk marks the citizen as not come, just before this click arrives.
        url = f"/api/v1/tickets/{first['id']}/no-show"
        assert site.client.post(url, headers=site.staff).status_code == 200
        route.continue_()

    page.route("**/api/v1/tickets/*/serve", gone_meanwhile)
    walk.saw(
        "serve after no-show",
        "counter.error.wrong_state",
        outcome(page, click(page, '[data-action="serve"]')),
    )
    page.unroute("**/api/v1/tickets/*/serve")
    assert "»Udeblevet«" in walk.seen[-1][2]

    outcome(page, lambda: call_number(second["number"]))

    def retired_meanwhile(route: Any) -> None:
        site.write(deactivate, "digital")
        route.continue_()

    page.route("**/api/v1/tickets/*/transfer", retired_meanwhile)
    page.get_by_label("Overfør til").select_option("service:digital")
    transfer = click(page, "#transfer-button")
    walk.saw(
        "transfer to an inactive errand", "counter.error.service_inactive", outcome(page, transfer)
    )
    page.unroute("**/api/v1/tickets/*/transfer")
    # A page left open from before an errand was removed altogether.
    page.evaluate(
        """() => document.getElementById('transfer-target').add(
             Object.assign(document.createElement('option'), {value: 'service:nope'}))"""
    )
    page.get_by_label("Overfør til").select_option("service:nope")
    walk.saw(
        "transfer to an unknown errand", "counter.error.unknown_service", outcome(page, transfer)
    )

    close = click(page, '[data-state="closed"]')
    walk.saw("close with a citizen", "counter.error.counter_busy", outcome(page, close))

    for status, body, key in [
        (
            403,
            {"error": "forbidden", "detail": "Counter 2 is at a branch you do not work at"},
            "counter.error.forbidden",
        ),
        (
            503,
            {
                "error": "unavailable",
                "detail": "The database is unavailable for a moment; try again shortly",
            },
            "counter.error.unavailable",
        ),
    ]:
        # The server's own answer when access is withdrawn or the database is away.
        page.route("**/api/v1/tickets/*/recall", answer(status, body))
        walk.saw(f"answer {status}", key, outcome(page, click(page, '[data-action="recall"]')))
        page.unroute("**/api/v1/tickets/*/recall")

    page.context.clear_cookies()
    ended = outcome(page, click(page, '[data-action="recall"]'))
    walk.saw("session expired", "counter.session_ended", ended)

    walk.check()
    assert len(walk.seen) == 8

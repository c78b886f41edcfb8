"""The kiosk at the sizes it really stands at, in every kiosk language, with the full demo data
(13 errands, the booking-only ones too): nothing scrolls, every button and every message lies
on the screen, and Ukrainian and Arabic screens name no errand in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from skranke.demo import demo_setup
from skranke.queue.accounts import principal_for_token
from skranke.queue.states import LANGUAGES
from skranke.store import Conn
from skranke.store.tables import device_t
from skranke.web.auth import TokenCache
from tests.conftest import migrated_sqlite
from tests.e2e.conftest import axe_violations
from tests.site import Site, served

SHOTS = Path("/tmp/shots")
CPH = ZoneInfo("Europe/Copenhagen")
SIZES = [(1080, 1920), (1920, 1080)]
ENGLISH_NAMES = sorted(
    {s.name_en for b in demo_setup(None).branches for s in b.services if s.name_en}
)


def layout_problems(page: Any) -> list[str]:
    """Anything a citizen cannot see or reach: scrolling, or a button or message off screen."""
    return list(
        page.evaluate(
            """() => {
          const problems = [];
          const root = document.scrollingElement;
          if (root.scrollHeight > innerHeight) problems.push(`scrolls to ${root.scrollHeight}`);
          if (root.scrollWidth > innerWidth) problems.push(`is ${root.scrollWidth} wide`);
          const shown = (el) => el.getClientRects().length > 0
            && getComputedStyle(el).visibility !== 'hidden';
          const selector = 'button, a, [role=alert], [role=status], [role=dialog], .kiosk-message,'
            + ' .kiosk-number, .kiosk-booking li, h1';
          for (const el of document.querySelectorAll(selector)) {
            if (!shown(el)) continue;
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            const out = r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5;
            if (r.top < 0 || r.left < 0 || out)
              problems.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" at`
                + ` ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},`
                + `${Math.round(r.bottom)}`);
            if (el.matches('button, a') && (r.height < 44 || r.width < 44))
              problems.push(`${el.tagName} "${el.textContent.trim()}" is ${r.width}x${r.height}`);
          }
          return problems;
        }"""
        )
    )


@dataclass(frozen=True)
class Booking:
    code: str
    start: datetime


def book(site: Site, language: str = "da", service: str = "koerekort-fornyelse") -> Booking:
    """A booking made online in `language`, for a time in drop-in hours."""
    with httpx.Client(base_url=site.url, timeout=10) as http:
        found = http.get(f"/api/v1/services/{service}/slots", params={"branch": site.branch})
        start = next(
            datetime.fromisoformat(slot["start"])
            for slot in found.json()["slots"]
            if datetime.fromisoformat(slot["start"]).astimezone(CPH).hour >= 11
        )
        booked = http.post(
            "/api/v1/bookings",
            json={
                "branch": site.branch,
                "service": service,
                "start": start.isoformat(),
                "name": "Olena Kovalenko",
                "email": "olena@example.dk",
                "language": language,
            },
        )
    assert booked.status_code == 201, booked.text
    return Booking(booked.json()["code"], start)


@pytest.fixture(scope="module")
def kiosk_site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    """One demo server for the screens that only look (and take a ticket now and then): a
    server per language and size cost more than the looking."""
    with served(migrated_sqlite(tmp_path_factory.mktemp("kiosk"), sqlite_template)) as site:
        yield site


def set_clock(site: Site, at: datetime) -> None:
    assert site.server is not None
    site.server.server.config.app.state.clock = lambda: at


def revoke_kiosk(site: Site) -> None:
    """The kiosk is switched off in /admin while its page is open."""
    kiosk = site.read(principal_for_token, site.creds.kiosk_token)

    def deactivate(conn: Conn) -> None:
        conn.execute(sa.update(device_t).where(device_t.c.key == "kiosk-1").values(active=False))

    site.write(deactivate)
    cache: TokenCache = site.app.state.tokens
    cache.forget_device(kiosk.device_id)


def open_kiosk(browser: Any, site: Site, lang: str, width: int, height: int) -> Any:
    context = browser.new_context(locale="da-DK", viewport={"width": width, "height": height})
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/kiosk-1?lang={lang}#token={site.creds.kiosk_token}")
    page.wait_for_selector("body[data-ready=true]")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def visible_text(page: Any) -> str:
    return str(page.evaluate("() => document.body.innerText"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_start_screen_fits_with_every_errand_in_every_language(
    browser: Any, kiosk_site: Site, lang: str, width: int, height: int
) -> None:
    page = open_kiosk(browser, kiosk_site, lang, width, height)
    try:
        shot(page, f"kiosk-{lang}-{width}x{height}")
        assert layout_problems(page) == []
        # Every errand of the demo is named, the booking-only ones too (compactly).
        assert page.locator("button[data-service]").count() == 6
        assert page.locator(".kiosk-booking li").count() == 7
        if lang in ("uk", "ar"):
            text = visible_text(page)
            assert [n for n in ENGLISH_NAMES if n in text] == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


def take_ticket(page: Any, service: str = "flytning") -> None:
    page.locator(f"button[data-service={service}]").click()
    page.wait_for_function("() => document.querySelector('[data-field=number]').textContent")
    page.locator("#result-title").wait_for()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_ticket_screen_fits_and_names_the_errand_in_the_screens_language(
    browser: Any, kiosk_site: Site, lang: str, width: int, height: int
) -> None:
    names = {s.key: s for b in demo_setup(None).branches for s in b.services}
    page = open_kiosk(browser, kiosk_site, lang, width, height)
    try:
        take_ticket(page, "sundhedskort")
        shot(page, f"kiosk-ticket-{lang}-{width}x{height}")
        assert layout_problems(page) == []
        service = names["sundhedskort"]
        wanted = {"da": service.name_da, "en": service.name_en}.get(lang) or service.names[lang]
        assert page.locator("[data-field=service]").inner_text() == wanted
        assert re.fullmatch(r"S\d{3}", page.locator("[data-field=number]").inner_text())
        if lang in ("uk", "ar"):
            assert [n for n in ENGLISH_NAMES if n in visible_text(page)] == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_checkin_screen_fits_with_its_keypad(
    browser: Any, kiosk_site: Site, lang: str, width: int, height: int
) -> None:
    page = open_kiosk(browser, kiosk_site, lang, width, height)
    try:
        page.locator("button[data-action=checkin]").click()
        page.locator("#checkin-code").wait_for()
        page.locator("#checkin-code").fill("AAAAAA")
        page.locator(".kiosk-code-submit").click()
        page.wait_for_function("() => document.querySelector('#checkin-message').textContent")
        shot(page, f"kiosk-checkin-{lang}-{width}x{height}")
        assert layout_problems(page) == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_one_moment_and_a_refusal_are_drawn_on_the_screen(
    browser: Any, live_demo: Site, width: int, height: int
) -> None:
    page = open_kiosk(browser, live_demo, "da", width, height)
    held: list[Any] = []
    try:
        page.route("**/tickets", lambda route: held.append(route))
        page.locator("button[data-service=laan]").click()
        page.wait_for_function("() => document.querySelector('#kiosk-message').textContent")
        notice = page.locator("#kiosk-notice")
        assert notice.inner_text().strip() == "Et øjeblik …"
        assert layout_problems(page) == []
        shot(page, f"kiosk-one-moment-{width}x{height}")
        # The held tap now reaches the server, as one refused for an errand that needs a
        # booking: the server's refusal is drawn in the middle of the screen, in Danish.
        held[0].continue_(post_data='{"service": "pas", "language": "da"}')
        page.get_by_text("Det kræver en bestilt tid").wait_for()
        assert layout_problems(page) == []
        assert page.get_by_role("button", name="OK").is_visible()
        assert axe_violations(page) == []
        page.get_by_role("button", name="OK").click()
        assert notice.is_hidden()
    finally:
        page.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_tap_with_a_revoked_token_shows_out_of_order_on_the_screen(
    browser: Any, live_demo: Site, width: int, height: int
) -> None:
    page = open_kiosk(browser, live_demo, "da", width, height)
    try:
        revoke_kiosk(live_demo)
        page.locator("button[data-service=flytning]").click()
        page.locator("#out-of-order").wait_for(state="visible")
        shot(page, f"kiosk-revoked-{width}x{height}")
        assert page.get_by_role("heading", name="Skærmen er ude af drift").is_visible()
        assert page.locator("button:visible").count() == 0
        assert layout_problems(page) == []
        box = page.locator(".kiosk-out-of-order-box").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["da", "uk"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_checkin_says_for_which_time_on_the_screen(
    browser: Any, live_demo: Site, lang: str, width: int, height: int
) -> None:
    booking = book(live_demo, "en")
    set_clock(live_demo, booking.start - timedelta(minutes=10))
    page = open_kiosk(browser, live_demo, lang, width, height)
    try:
        page.locator("button[data-action=checkin]").click()
        page.locator("#checkin-code").fill(booking.code)
        page.locator(".kiosk-code-submit").click()
        page.wait_for_function("() => document.querySelector('[data-field=number]').textContent")
        shot(page, f"kiosk-checked-in-{lang}-{width}x{height}")
        time = f"{booking.start.astimezone(CPH):%H:%M}"
        wanted = {"da": f"Du er tjekket ind til kl. {time}", "uk": f"Ви зареєструвалися на {time}"}
        assert page.locator("#result-title").inner_text() == wanted[lang]
        assert layout_problems(page) == []
        # The errand needs a booking (no button), and is still named in the screen's language.
        service = "Kørekort – fornyelse" if lang == "da" else "Посвідчення водія – поновлення"
        assert page.locator("[data-field=service]").inner_text() == service
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("lang", "wanted"),
    [
        ("da", "Nummer F 1. Flytning."),
        ("uk", "Номер F 1. Зміна адреси."),
        ("en", "Number F 1. Change of address."),
    ],
)
def test_read_aloud_says_the_number_as_the_wall_display_calls_it(
    browser: Any, live_demo: Site, lang: str, wanted: str
) -> None:
    from tests.e2e.live.conftest import SPEECH_STUB

    context = browser.new_context(locale="da-DK", viewport={"width": 1080, "height": 1920})
    try:
        context.add_init_script(SPEECH_STUB)
        page = context.new_page()
        page.goto(f"{live_demo.url}/kiosk/kiosk-1?lang={lang}#token={live_demo.creds.kiosk_token}")
        page.wait_for_selector("body[data-ready=true]")
        take_ticket(page)
        page.locator("[data-action=speak]").click()
        page.wait_for_function("() => window.__spoken.length > 0")
        (spoken,) = page.evaluate("() => window.__spoken")
        # "D 2", never "D 0 0 2": the same words the display says ("Nummer F 1, skranke 2").
        assert spoken["text"] == wanted
        assert spoken["lang"] == {"da": "da-DK", "uk": "uk-UA", "en": "en-GB"}[lang]
    finally:
        context.close()

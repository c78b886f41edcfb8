from __future__ import annotations

from typing import Any

from tests.e2e.conftest import axe_violations
from tests.site import Site


def test_start_page_and_accessibility_statement_pass_axe(page: Any, live_demo: Site) -> None:
    page.goto(f"{live_demo.url}/")
    page.get_by_role("link", name="Tilgængelighedserklæring").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Tilgængelighedserklæring"
    assert axe_violations(page) == []
    page.goto(f"{live_demo.url}/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert axe_violations(page) == []


def test_unknown_page_is_a_readable_404(page: Any, live_demo: Site) -> None:
    response = page.goto(f"{live_demo.url}/ingen-side")

    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Siden findes ikke"


def test_from_the_start_page_to_the_queue_and_to_booking(page: Any, live_demo: Site) -> None:
    for lang, queue_link, book_link in (
        ("da", "Køen lige nu", "Bestil tid"),
        ("en", "The queue right now", "Book a time"),
    ):
        page.goto(f"{live_demo.url}/?lang={lang}")
        assert axe_violations(page) == []
        page.get_by_role("link", name=queue_link).click()
        assert page.get_by_role("table").is_visible()
        assert axe_violations(page) == []
        page.go_back()
        page.get_by_role("link", name=book_link).first.click()
        assert page.url.endswith("/book")

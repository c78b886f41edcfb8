"""Small things every page and screen relies on."""

from __future__ import annotations

from tests.site import Site


def test_the_favicon_a_browser_asks_for_is_there(demo: Site) -> None:
    # A wall display reloading for weeks asked for /favicon.ico and got 404 every time.
    asked = demo.client.get("/favicon.ico", follow_redirects=False)
    icon = demo.client.get(asked.headers["location"])

    assert asked.status_code == 301
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in demo.client.get("/").text

"""Staff login: session cookie, CSRF on every form and cookie call, limited attempts."""

from __future__ import annotations

import pytest

from tests.site import Site, csrf_of


def post_login(site: Site, password: str, *, csrf: str | None = None, username: str = "staff"):  # type: ignore[no-untyped-def]
    token = csrf_of(site.client.get("/login").text) if csrf is None else csrf
    data = {"username": username, "password": password, "csrf": token}
    return site.client.post("/login", data=data, follow_redirects=False)


def test_login_sets_an_httponly_samesite_session_and_opens_the_counter_page(site: Site) -> None:
    response = post_login(site, "demo-staff")

    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303 and response.headers["location"] == "/counter"
    assert "skranke_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert site.client.get("/counter").status_code == 200


def test_counter_page_sends_anonymous_visitors_to_the_login(site: Site) -> None:
    response = site.client.get("/counter?counter=2", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcounter%3Fcounter%3D2"


def test_login_form_without_the_csrf_token_is_refused(site: Site) -> None:
    site.client.get("/login")

    response = site.client.post(
        "/login", data={"username": "staff", "password": "demo-staff"}, follow_redirects=False
    )

    assert response.status_code == 400
    assert "Formularen er udløbet" in response.text
    assert "skranke_session" not in site.client.get("/counter", follow_redirects=False).text


def test_logout_form_without_the_csrf_token_is_refused(site: Site) -> None:
    site.log_in()

    refused = site.client.post("/logout", data={}, follow_redirects=False)
    accepted = site.client.post(
        "/logout", data={"csrf": csrf_of(site.client.get("/logout").text)}, follow_redirects=False
    )

    assert refused.status_code == 400
    assert accepted.status_code == 303
    assert site.client.get("/counter", follow_redirects=False).status_code == 303


def test_wrong_password_gets_a_readable_message(site: Site) -> None:
    response = post_login(site, "wrong-password")

    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in response.text


def test_login_is_refused_after_five_failures_even_with_the_right_password(site: Site) -> None:
    for _ in range(5):
        assert post_login(site, "guess").status_code == 401

    blocked = post_login(site, "demo-staff")
    english = site.client.get("/login?lang=en")
    blocked_en = post_login(site, "demo-staff", csrf=csrf_of(english.text))

    assert blocked.status_code == 429
    assert "For mange mislykkede forsøg. Vent 15 minutter" in blocked.text
    assert "Too many failed attempts. Wait 15 minutes" in blocked_en.text


def test_failures_for_one_user_do_not_block_another(site: Site) -> None:
    for _ in range(5):
        post_login(site, "guess", username="admin")

    assert post_login(site, "demo-staff").status_code == 303


def test_staff_action_with_session_needs_the_csrf_header(site: Site) -> None:
    csrf = site.log_in()
    site.issue()

    refused = site.client.post("/api/v1/counters/2/call-next")
    wrong = site.client.post("/api/v1/counters/2/call-next", headers={"X-CSRF-Token": "x"})
    accepted = site.client.post("/api/v1/counters/2/call-next", headers={"X-CSRF-Token": csrf})

    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_failed")
    assert wrong.status_code == 403
    assert accepted.status_code == 200 and accepted.json()["number"] == "F001"


@pytest.mark.parametrize("who", ["kiosk_token", "display_token", None])
def test_devices_and_anonymous_clients_cannot_take_staff_actions(
    site: Site, who: str | None
) -> None:
    ticket = site.issue()
    headers = site.auth(getattr(site.creds, who)) if who else {}

    call = site.client.post("/api/v1/counters/2/call-next", headers=headers)
    finish = site.client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=headers)

    expected = 403 if who else 401
    assert call.status_code == finish.status_code == expected
    assert call.json()["error"] in ("forbidden", "unauthorized")


def test_counter_status_endpoint_answers_staff_only(site: Site) -> None:
    site.issue()
    site.call_next(counter=2)

    kiosk = site.client.get("/api/v1/counters/2/status", headers=site.auth(site.creds.kiosk_token))
    staff = site.client.get("/api/v1/counters/2/status", headers=site.auth(site.creds.staff_token))

    assert kiosk.status_code == 403
    assert staff.json()["current"]["number"] == "F001"

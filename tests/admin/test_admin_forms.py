"""The administration's forms as a person uses them: errors all at once, saves that say so."""

from __future__ import annotations

import re
from pathlib import Path

from skranke.demo import BRANCH
from skranke.queue import administration
from skranke.queue.accounts import principal_for_token
from tests.admin.conftest import Admins, form_values, log_in
from tests.config.municipality import audit_rows
from tests.printers.helpers import EmulatorThread

B = f"/admin/b/{BRANCH}"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post_form(admins: Admins, path: str, changes: dict[str, str], drop: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """Post the page's form as it stands, with `changes` typed in and `drop` unticked."""
    values = form_values(admins.get(path).text)
    values.update(changes)
    for name in drop:
        values.pop(name, None)
    return admins.post(path, values)


def test_a_form_with_several_bad_fields_shows_every_error_next_to_its_field(
    fresh: Admins,
) -> None:
    fresh.as_("admin")
    bad = {"name_da": "", "prefix": "p1", "expected_minutes": "abc", "target_minutes": "0"}

    response = post_form(fresh, f"{B}/services/pas", bad)

    page = response.text
    assert response.status_code == 422
    for field in ("name_da", "prefix", "expected_minutes", "target_minutes"):
        assert f'id="e-{field}"' in page, field
        assert re.search(f'id="f-{field}"[^>]*aria-invalid="true"', page), field
        assert re.search(f'id="f-{field}"[^>]*aria-describedby="[^"]*e-{field}', page), field
        assert f'href="#f-{field}"' in page, field
    assert "Ret venligst 4 fejl" in page
    assert "Skriv et helt tal." in page and "Skriv et tal fra 1 til 480." in page
    assert 'value="abc"' in page and 'value="p1"' in page.replace('value="P1"', "")


def test_a_saved_change_says_so_after_the_redirect_and_again_saving_changes_nothing(
    fresh: Admins,
) -> None:
    fresh.as_("admin")

    first = post_form(fresh, f"{B}/services/pas", {"name_en": "Passports"})
    after = fresh.get(f"{B}/services/pas").text
    second = post_form(fresh, f"{B}/services/pas", {})
    again = fresh.get(f"{B}/services/pas").text

    assert first.status_code == 303 and first.headers["location"] == f"{B}/services/pas"
    assert "Gemt." in after and 'value="Passports"' in after
    assert second.status_code == 303
    assert "Ingen ændringer." in again and "Gemt." not in again


def test_every_save_is_written_to_the_audit_trail_as_who_and_old_to_new(fresh: Admins) -> None:
    fresh.as_("chef")

    post_form(fresh, f"{B}/services/pas", {"name_en": "Passports"})

    rows = fresh.site.read(audit_rows, entity="service")
    assert rows and rows[0].actor == "chef"
    assert rows[0].changes["name_en"] == ["Passport", "Passports"]


def test_the_grid_saves_every_counter_in_one_table_and_a_blank_cell_is_not_served(
    fresh: Admins,
) -> None:
    fresh.as_("admin")

    response = post_form(
        fresh, f"{B}/counters", {"w-1-pas": "", "w-2-pas": "3", "name-2": "Ved døren"}
    )

    counters = {c.number: c for c in fresh.site.read(administration.read_branch, BRANCH).counters}
    assert response.status_code == 303
    assert "pas" not in counters[1].priorities
    assert counters[2].priorities["pas"] == 3.0 and counters[2].name == "Ved døren"


def test_a_bad_cell_in_the_grid_is_named_by_counter_and_service(fresh: Admins) -> None:
    fresh.as_("admin")

    response = post_form(fresh, f"{B}/counters", {"w-1-pas": "-2", "w-3-laan": "mange"})

    assert response.status_code == 422
    assert "Skranke 1, Pas" in response.text and "Skranke 3, Lån og aflevering" in response.text
    assert 'value="mange"' in response.text


def test_a_new_counter_serves_its_own_area_until_the_grid_says_otherwise(fresh: Admins) -> None:
    fresh.as_("admin")
    csrf = fresh.as_("admin")

    response = fresh.post(
        f"{B}/counters/new", {"csrf": csrf, "number": "9", "name": "Ekstra", "area": "library"}
    )

    counters = {c.number: c for c in fresh.site.read(administration.read_branch, BRANCH).counters}
    assert response.status_code == 303
    assert counters[9].name == "Ekstra" and "laan" in counters[9].priorities
    assert "pas" not in counters[9].priorities


def test_opening_hours_with_a_lunch_break_and_a_closed_day(fresh: Admins) -> None:
    fresh.as_("admin")
    week = {"dropin-mon-0-from": "09:00", "dropin-mon-0-to": "12:00"}
    week.update({"dropin-mon-1-from": "13:00", "dropin-mon-1-to": "16:00"})

    response = post_form(
        fresh, f"{B}/hours", {**week, "new_date": "2027-03-01", "new_kind": "closed"}
    )

    branch = fresh.site.read(administration.read_branch, BRANCH)
    page = fresh.get(f"{B}/hours").text
    assert response.status_code == 303
    assert branch.hours["dropin"]["mon"] == [["09:00", "12:00"], ["13:00", "16:00"]]
    assert "2027-03-01" in branch.closed_dates
    assert "Juledag" in page or "Nytårsdag" in page  # the coming year's public holidays


def test_overlapping_or_half_filled_hours_are_refused_with_every_error(fresh: Admins) -> None:
    fresh.as_("admin")
    bad = {"dropin-tue-0-from": "12:00", "dropin-tue-0-to": "10:00", "booking-wed-0-to": "25:00"}

    response = post_form(fresh, f"{B}/hours", bad)

    assert response.status_code == 422
    assert 'id="e-dropin-tue-0-from"' in response.text
    assert 'id="e-booking-wed-0-to"' in response.text
    assert "Drop-in, Tirsdag, tidsrum 1" in response.text


def test_a_branch_policy_left_blank_falls_back_to_the_server(fresh: Admins) -> None:
    fresh.as_("admin")

    saved = post_form(fresh, f"{B}/policy", {"recall_limit": "2", "cutoff_minutes": ""})
    refused = post_form(fresh, f"{B}/policy", {"overflow_threshold_minutes": "mange"})

    policy = fresh.site.read(administration.read_branch, BRANCH).policy
    assert saved.status_code == 303 and refused.status_code == 422
    assert policy.recall_limit == 2 and policy.cutoff_minutes is None


def test_a_logo_is_uploaded_served_and_a_too_large_one_refused(fresh: Admins) -> None:
    csrf = fresh.as_("admin")

    uploaded = fresh.client.post(
        f"{B}/logo",
        data={"csrf": csrf},
        files={"logo": ("logo.png", PNG, "image/png")},
        follow_redirects=False,
    )
    served = fresh.client.get(f"/logo/{BRANCH}")
    too_big = fresh.client.post(
        f"{B}/logo",
        data={"csrf": csrf},
        files={"logo": ("big.png", PNG + b"\x00" * 61 * 1024, "image/png")},
        follow_redirects=False,
    )
    not_an_image = fresh.client.post(
        f"{B}/logo",
        data={"csrf": csrf},
        files={"logo": ("x.png", b"hello", "image/png")},
        follow_redirects=False,
    )

    assert uploaded.status_code == 303
    assert served.content == PNG and served.headers["content-type"] == "image/png"
    assert too_big.status_code in (413, 422)
    assert not_an_image.status_code == 422 and "Vælg en PNG- eller SVG-fil." in not_an_image.text


def test_a_new_kiosk_shows_its_address_once_and_the_token_in_it_works(fresh: Admins) -> None:
    csrf = fresh.as_("admin")
    data = {"csrf": csrf, "key": "kiosk-2", "kind": "kiosk", "name": "Ved elevatoren"}

    created = fresh.post(f"{B}/devices/new", {**data, "language": "da", "active": "1"})
    later = fresh.get(f"{B}/devices/kiosk-2").text

    found = re.search(r'value="(http://testserver/kiosk/kiosk-2#token=([^"]+))"', created.text)
    assert created.status_code == 200 and found is not None
    who = fresh.site.read(principal_for_token, found.group(2))
    assert who is not None and who.name == "kiosk-2"
    assert found.group(2) not in later and "#token=" not in later


def test_rotating_a_token_shows_the_new_address_and_the_old_token_stops(fresh: Admins) -> None:
    csrf = fresh.as_("admin")
    old = fresh.site.creds.kiosk_token

    rotated = fresh.post(f"{B}/devices/kiosk-1/rotate", {"csrf": csrf})

    new = re.search(r"kiosk/kiosk-1#token=([^\"]+)", rotated.text)
    assert new is not None
    assert fresh.site.read(principal_for_token, old) is None
    assert fresh.site.read(principal_for_token, new.group(1)) is not None
    ticket = fresh.site.post_ticket("flytning", token=old)
    assert ticket.status_code == 401


def test_test_print_reaches_the_printer_and_says_how_it_is(fresh: Admins, tmp_path: Path) -> None:
    fresh.as_("admin")
    with EmulatorThread(tmp_path) as printer:
        post_form(fresh, f"{B}/devices/kiosk-1", {"printer_url": printer.url})
        csrf = fresh.as_("admin")

        response = fresh.post(f"{B}/devices/kiosk-1/test-print", {"csrf": csrf})

        printed = printer.wait_for_tickets(1)
    assert response.status_code == 200
    assert "Prøvebilletten er sendt til printeren" in response.text
    assert "Hovedbiblioteket" in printed[0] and "[CUT]" in printed[0]


def test_a_test_print_to_a_printer_that_is_not_there_says_it_failed(fresh: Admins) -> None:
    fresh.as_("admin")
    post_form(fresh, f"{B}/devices/kiosk-1", {"printer_url": "network://127.0.0.1:9"})
    csrf = fresh.as_("admin")

    response = fresh.post(f"{B}/devices/kiosk-1/test-print", {"csrf": csrf})

    assert "Prøvebilletten kunne ikke udskrives" in response.text


def test_a_manager_makes_staff_for_their_branch_but_never_an_administrator(
    fresh: Admins,
) -> None:
    csrf = fresh.as_("chef")
    person = {"csrf": csrf, "username": "mette", "password": "hemmelig-1"}
    person.update(password_again="hemmelig-1", active="1", **{f"branch-{BRANCH}": "1"})

    as_admin = fresh.post("/admin/staff/new", {**person, "role": "admin"})
    as_staff = fresh.post("/admin/staff/new", {**person, "role": "staff"})
    form = fresh.get("/admin/staff/new").text

    assert as_admin.status_code == 422
    assert as_staff.status_code == 303
    assert 'value="admin"' not in form
    fresh.client.cookies.clear()
    assert log_in(fresh.client, "mette", "hemmelig-1")


def test_a_new_user_with_every_mistake_hears_of_each(fresh: Admins) -> None:
    csrf = fresh.as_("admin")
    bad = {"csrf": csrf, "username": "Mette Hansen!", "role": "staff"}

    response = fresh.post("/admin/staff/new", {**bad, "password": "kort", "password_again": "x"})

    assert response.status_code == 422
    for field in ("username", "branches", "password", "password_again"):
        assert f'id="e-{field}"' in response.text, field


def test_a_reset_password_works_and_a_deactivated_user_cannot_log_in(fresh: Admins) -> None:
    csrf = fresh.as_("admin")
    new = {"csrf": csrf, "password": "nyt-kodeord-1", "password_again": "nyt-kodeord-1"}

    reset = fresh.post("/admin/staff/staff/password", new)
    fresh.client.cookies.clear()
    assert log_in(fresh.client, "staff", "nyt-kodeord-1")
    fresh.sessions.clear()
    fresh.as_("admin")
    post_form(fresh, "/admin/staff/staff", {}, drop=("active",))
    fresh.client.cookies.clear()
    form = fresh.client.get("/login").text
    from tests.site import csrf_of

    refused = fresh.client.post(
        "/login",
        data={"csrf": csrf_of(form), "username": "staff", "password": "nyt-kodeord-1"},
        follow_redirects=False,
    )

    assert reset.status_code == 303
    assert refused.status_code == 401


def test_a_new_branch_is_made_by_an_administrator_and_opens_on_its_page(fresh: Admins) -> None:
    csrf = fresh.as_("admin")
    data = {"csrf": csrf, "key": "syd", "name": "Filial Syd", "timezone": "Europe/Copenhagen"}

    made = fresh.post("/admin/branches/new", {**data, "active": "1"})
    taken = fresh.post("/admin/branches/new", {**data, "active": "1"})

    assert made.status_code == 303 and made.headers["location"] == "/admin/b/syd"
    assert "Filial Syd" in fresh.get("/admin/b/syd").text
    assert taken.status_code == 422 and 'id="e-key"' in taken.text


def test_the_pages_speak_english_when_asked(fresh: Admins) -> None:
    fresh.as_("admin")

    page = fresh.get(f"{B}/services?lang=en").text
    error = post_form(fresh, f"{B}/services/pas", {"expected_minutes": "x"}).text

    assert "Create errand" in page and '<html lang="en"' in page
    assert "Enter a whole number." in error


def test_a_manager_sees_the_staff_of_their_branch_but_no_administrator(fresh: Admins) -> None:
    fresh.as_("chef")

    listed = fresh.get("/admin/staff").text
    admin_page = fresh.get("/admin/staff/admin")

    assert 'href="/admin/staff/staff"' in listed
    assert 'href="/admin/staff/admin"' not in listed and "chef-nord" not in listed
    assert admin_page.status_code == 404

"""The statistics page, the API and the exports agree, and only the right people see them."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from tests.stats.conftest import DAY_QUERY, StatsSite


def api_figures(s: StatsSite) -> dict[str, Any]:
    response = s.site.client.get(
        f"/api/v1/stats?{DAY_QUERY}", headers=s.site.auth(s.tokens["admin"])
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_the_api_gives_the_day_s_figures_and_its_csv_the_same(stats_site: StatsSite) -> None:
    figures = api_figures(stats_site)
    response = stats_site.site.client.get(
        f"/api/v1/stats.csv?{DAY_QUERY}", headers=stats_site.site.auth(stats_site.tokens["admin"])
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    value = {(r["section"], r["item"], r["measure"]): r["value"] for r in rows}

    assert response.headers["content-type"].startswith("text/csv")
    assert figures["summary"]["tickets"] == 11
    assert value[("summary", "", "tickets")] == "11"
    assert value[("summary", "", "within_target_share")] == "72.7"
    assert value[("summary", "", "waiting_median_minutes")] == "10.0"
    assert value[("services", "hovedbiblioteket/flytning", "waiting_p90_minutes")] == "20.0"
    assert value[("counters", "hovedbiblioteket/3", "idle_minutes")] == "121.0"
    assert value[("staff", "anna", "handling_minutes")] == "67.0"
    assert value[("bookings", "", "library_for_borgerservice")] == "1"
    assert value[("days", "2026-11-24", "tickets")] == "11"


def figure_on_page(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]+)', html)
    assert found is not None, name
    return found.group(1).strip()


def test_the_page_the_csv_and_the_workbook_show_the_same_figures(stats_site: StatsSite) -> None:
    site = stats_site.site
    site.log_in("admin", "demo-admin")
    page = site.client.get(f"/admin/stats?{DAY_QUERY}")
    figures_csv = site.client.get(f"/admin/stats.csv?{DAY_QUERY}")
    book = openpyxl.load_workbook(
        io.BytesIO(site.client.get(f"/admin/stats.xlsx?{DAY_QUERY}").content)
    )
    tickets = list(
        csv.DictReader(io.StringIO(site.client.get(f"/admin/stats/tickets.csv?{DAY_QUERY}").text))
    )
    rows_book = openpyxl.load_workbook(
        io.BytesIO(site.client.get(f"/admin/stats/tickets.xlsx?{DAY_QUERY}").content)
    )

    assert page.status_code == 200
    # Danish figures on the page: decimal commas.
    assert figure_on_page(page.text, "tickets") == "11"
    assert figure_on_page(page.text, "median_wait") == "10"
    assert figure_on_page(page.text, "within_target_share") == "72,7"
    assert figure_on_page(page.text, "mean_handling") == "11,6"
    assert figure_on_page(page.text, "library_for_borgerservice") == "1"
    value = {
        (r["section"], r["item"], r["measure"]): r["value"]
        for r in csv.DictReader(io.StringIO(figures_csv.text))
    }
    assert value[("summary", "", "within_target_share")] == "72.7"
    assert value[("summary", "", "handling_mean_minutes")] == "11.6"
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["tickets"] == 11 and summary["within_target_share"] == 72.7
    assert summary["waiting_median_minutes"] == 10.0
    counters = list(book["counters"].iter_rows(values_only=True))
    assert counters[0][:2] == ("branch", "number")
    assert {r[1]: r[-1] for r in counters[1:]} == {1: 110.0, 3: 121.0}
    # One anonymous row per ticket row (11 tickets and a transfer), with no number or token.
    assert len(tickets) == 12
    assert "number" not in tickets[0] and "tracking" not in tickets[0]
    assert sorted(float(t["wait_minutes"]) for t in tickets if t["wait_minutes"])[-1] == 20.0
    assert {t["state"] for t in tickets} == {"done", "no_show", "cancelled", "transferred"}
    assert rows_book["tickets"].max_row == 13


def test_english_page_and_a_bad_period_answer_in_words(stats_site: StatsSite) -> None:
    site = stats_site.site
    site.log_in("admin", "demo-admin")
    english = site.client.get(f"/admin/stats?{DAY_QUERY}&lang=en")
    bad = site.client.get("/admin/stats?from=2026-13-01&to=2026-11-24&lang=en")
    backwards = site.client.get("/admin/stats?from=2026-11-25&to=2026-11-24&lang=da")
    api_bad = site.client.get("/api/v1/stats?from=yesterday")
    empty = site.client.get("/admin/stats?from=2026-01-01&to=2026-01-31&lang=da")
    empty_rows = site.client.get("/admin/stats/tickets.csv?from=2026-01-01&to=2026-01-31")

    assert (
        "Served within target" in english.text
        and figure_on_page(english.text, "within_target_share") == "72.7"
    )
    assert bad.status_code == 400 and "This period cannot be used" in bad.text
    assert backwards.status_code == 400 and "Perioden kan ikke bruges" in backwards.text
    assert api_bad.status_code == 422 and api_bad.json()["error"]
    assert empty.status_code == 200 and "Ingen numre i perioden." in empty.text
    assert empty_rows.status_code == 200 and empty_rows.text.count("\n") == 1


def test_managers_see_their_branches_only_and_staff_nothing(stats_site: StatsSite) -> None:
    site = stats_site.site
    manager = site.auth(stats_site.tokens["manager"])
    staff = site.auth(stats_site.tokens["staff"])
    own = site.client.get(f"/api/v1/stats?{DAY_QUERY}", headers=manager)
    everything = site.client.get("/api/v1/stats?from=2026-11-24&to=2026-11-24", headers=manager)
    other = site.client.get("/api/v1/stats?branch=filial", headers=manager)
    unknown = site.client.get("/api/v1/stats?branch=nowhere", headers=manager)
    by_staff = site.client.get(f"/api/v1/stats?{DAY_QUERY}", headers=staff)
    nobody = site.client.get(f"/api/v1/stats?{DAY_QUERY}")
    page_nobody = site.client.get("/admin/stats", follow_redirects=False)
    site.log_in("staff", "demo-staff")
    page_staff = site.client.get("/admin/stats")
    export_staff = site.client.get(f"/admin/stats/tickets.csv?{DAY_QUERY}")
    site.log_in("manager", "demo-manager")
    page_other = site.client.get("/admin/stats?branch=filial")
    page_own = site.client.get("/admin/stats?from=2026-11-24&to=2026-11-24")

    assert own.status_code == 200 and own.json()["summary"]["tickets"] == 11
    assert [b["key"] for b in everything.json()["branches"]] == ["hovedbiblioteket"]
    assert (other.status_code, unknown.status_code) == (403, 404)
    assert (by_staff.status_code, nobody.status_code) == (403, 401)
    assert page_nobody.status_code == 303 and "/login" in page_nobody.headers["location"]
    assert page_staff.status_code == 403 and export_staff.status_code == 403
    assert page_other.status_code == 403
    assert page_own.status_code == 200 and "Filialen" not in page_own.text

"""The counter's "next in line" is who "call next" takes: a booking due now heads the list."""

from __future__ import annotations

from typing import Any

from tests.e2e.live.conftest import log_in
from tests.e2e.screens.test_counter_fits import COUNTER, busy_morning
from tests.site import Site


def first_in_line(page: Any) -> str:
    number: str = page.locator("#waiting-list li .ticket-number").first.inner_text()
    return number


def test_call_next_takes_the_first_in_line_and_the_list_moves_up(
    new_page: Any, live_demo: Site
) -> None:
    morning = busy_morning(live_demo)
    counter = new_page()
    counter.set_viewport_size({"width": 1366, "height": 768})
    log_in(counter, live_demo, counter=COUNTER)
    counter.wait_for_function("() => !document.querySelector('[data-action=\"finish\"]').disabled")
    counter.locator("#waiting-list .ticket-number").first.wait_for()
    listed = counter.locator("#waiting-list li .ticket-number").all_inner_texts()
    head = counter.locator("#waiting-list li").first.inner_text()

    counter.keyboard.press("a")
    counter.get_by_text("Ingen er kaldt.").wait_for()
    counter.keyboard.press("n")
    counter.locator("#current-number", has_text=listed[0]).wait_for()
    counter.wait_for_function(
        "(gone) => ![...document.querySelectorAll('#waiting-list .ticket-number')]"
        ".some((el) => el.textContent === gone)",
        arg=listed[0],
    )

    # The checked-in booking due now went ahead of citizens who came earlier, and said why.
    assert listed[0] == morning.booked[2]
    assert "tid kl. " in head
    assert first_in_line(counter) == listed[1]

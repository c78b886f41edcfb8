"""The queue figures after a call come from the forecast the refresher built for it."""

from __future__ import annotations

import time

from skranke.queue import waits
from tests.displays.test_sockets import hello, next_of_type
from tests.site import Site


def test_the_figures_after_a_call_cost_one_forward_run(site: Site) -> None:
    site.issue("flytning")
    site.issue("flytning")

    with site.client.websocket_connect("/ws/display/display-1") as ws:
        hello(ws, site.creds.display_token)
        time.sleep(0.5)  # the builds the tickets asked for are done
        runs = waits.runs
        site.call_next(counter=2)
        queue = next_of_type(ws, "queue")
        made = waits.runs - runs

    # The refresher's build after the call's events, reused by the display refresh: one run,
    # not one for each.
    assert made == 1
    assert {a["area"]: a["waiting"] for a in queue["areas"]}["borgerservice"] == 1

"""Schemathesis over the whole OpenAPI document, against the served app: no input gets a 5xx.

Every operation gets valid and invalid requests (by its schema: ids past the column, wrong
types, missing fields, odd text) from no caller, a kiosk and a member of staff, on SQLite and
PostgreSQL. Bounded and derandomized, so it takes seconds and CI sees the same cases each run.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from skranke.web.api import ENDPOINTS
from skranke.web.openapi import document
from tests.site import auth, served

# Examples per operation and mode; about 20 operations, so some 800 requests per database.
EXAMPLES = 20
SCHEMA = schemathesis.openapi.from_dict(document(ENDPOINTS))
# An operation schemathesis cannot read would be an Err here, and fails the first test.
RESULTS = list(SCHEMA.get_all_operations())
OPERATIONS = [result.ok() for result in RESULTS if isinstance(result, Ok)]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported with the case as generated, which is enough here.
    phases=[Phase.explicit, Phase.generate],
    # Strategies built from a schema are slow to start and filter much; neither is a bug.
    suppress_health_check=list(HealthCheck),
)


def test_every_operation_of_the_document_is_fuzzed() -> None:
    assert len(OPERATIONS) == len(RESULTS) >= 20


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_from_the_document_gets_a_5xx(database_url: str, mode: GenerationMode) -> None:
    # Bookings from one address are rate limited; the fuzzer is one address.
    with served(database_url, jobs_enabled=False, booking_ip_limit="100000/minute") as site:
        callers = {
            "nobody": {},
            "kiosk": auth(site.creds.kiosk_token),
            "staff": auth(site.creds.staff_token),
        }
        failures: list[str] = []
        with requests.Session() as session:
            for operation in OPERATIONS:
                failures += _fuzz(operation, mode, site.url, session, callers)
        assert not failures, "\n".join(failures)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    session: requests.Session,
    callers: dict[str, dict[str, str]],
) -> list[str]:
    found: list[str] = []

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(list(callers)))
    def run(case: Any, who: str) -> None:
        response = case.call(base_url=base_url, session=session, headers=callers[who])
        if response.status_code >= 500:
            found.append(f"{response.status_code} for {who}: {case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid: an operation without parameters or a body, in negative mode.
        assert mode == GenerationMode.NEGATIVE, operation.label
    return found

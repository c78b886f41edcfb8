"""One parser for a form's strings and a file's values, every fault reported at once."""

from __future__ import annotations

import pytest

from skranke.queue.config_values import counter_from, service_from, staff_from
from skranke.queue.configuration import BookingRules, InvalidSetup
from skranke.queue.states import Area, Role

FORM = {
    "key": "pas",
    "name_da": "Pas",
    "name_en": "Passport",
    "area": "borgerservice",
    "prefix": "P",
    "expected_minutes": "15",
    "walk_in": "off",
    "simple": "on",
    "target_minutes": "",
    "names": {"uk": "Паспорт", "ar": ""},
    "booking": {"slot_minutes": "20", "capacity": "2", "contact_limit": ""},
}


def test_a_forms_strings_become_numbers_and_booleans() -> None:
    service = service_from(FORM, position=4)

    assert (service.expected_minutes, service.walk_in, service.simple) == (15, False, True)
    assert (service.target_minutes, service.sort_order) == (15, 4)
    assert service.names == {"uk": "Паспорт"}
    assert service.booking == BookingRules(slot_minutes=20, capacity=2)


def test_every_fault_of_a_form_is_reported_at_once() -> None:
    form = {
        **FORM,
        "name_da": "",
        "prefix": "p1",
        "expected_minutes": "ti",
        "area": "kantine",
        "names": {"fr": "Passeport"},
    }
    form["booking"] = {"slot_minutes": "0"}

    with pytest.raises(InvalidSetup) as refused:
        service_from(form)

    assert sorted((e.path, e.code) for e in refused.value.errors) == [
        ("area", "bad_choice"),
        ("booking.slot_minutes", "out_of_range"),
        ("expected_minutes", "not_a_number"),
        ("name_da", "required"),
        ("names.fr", "unknown_field"),
        ("prefix", "bad_prefix"),
    ]


def test_an_out_of_range_fault_carries_its_limits_for_the_page() -> None:
    with pytest.raises(InvalidSetup) as refused:
        counter_from({"number": "0", "area": "library", "priorities": {"laan": "2,5"}})

    (error,) = refused.value.errors
    assert (error.path, error.code, error.params) == (
        "number",
        "out_of_range",
        {"min": 1, "max": 9999},
    )


def test_a_comma_decimal_weight_is_read_as_danish_people_write_it() -> None:
    counter = counter_from({"number": "3", "area": "library", "priorities": {"laan": "2,5"}})

    assert (counter.number, counter.area, dict(counter.priorities)) == (
        3,
        Area.LIBRARY,
        {"laan": 2.5},
    )


def test_staff_and_managers_need_a_branch_but_an_admin_does_not() -> None:
    with pytest.raises(InvalidSetup) as refused:
        staff_from({"username": "bo", "role": "manager"})

    assert [(e.path, e.code) for e in refused.value.errors] == [("branches", "required")]
    assert staff_from({"username": "kommune", "role": "admin"}).role == Role.ADMIN

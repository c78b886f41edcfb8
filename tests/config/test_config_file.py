"""kommune.toml: the set-up written and read back, and every fault reported with its line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from skranke.queue import config_file
from skranke.queue.configuration import InvalidSetup
from tests.config.municipality import five_branches


def test_a_municipality_written_as_toml_reads_back_equal() -> None:
    setup = five_branches()

    text = config_file.dump(setup)

    assert config_file.load(text) == setup


def test_writing_is_stable_so_a_diff_shows_only_what_changed() -> None:
    text = config_file.dump(five_branches())

    assert config_file.dump(config_file.load(text)) == text


def test_the_written_file_says_only_what_is_set() -> None:
    data = tomllib.loads(config_file.dump(five_branches()))

    nord = data["branches"][1]
    assert "policy" not in nord and "closed_dates" not in nord
    assert data["branches"][0]["policy"]["recall_limit"] == 2
    assert data["branches"][0]["services"][0]["names"]["uk"] == "Паспорт"


BROKEN = """\
[[branches]]
key = "nord"
name = "Filial Nord"
timezone = "Europe/Nowhere"

[branches.hours.dropin]
mon = [["10:00", "17:00"], ["16:00", "18:00"]]
tue = [["25:00", "17:00"]]

[[branches.services]]
key = "pas"
name_da = "Pas"
name_en = "Passport"
area = "borgerservice"
prefix = "pp"
expected_minutes = "lang"

[[branches.services]]
key = "pas"
name_da = "Pas igen"
area = "bibliotek"
prefix = "Q"

[[branches.counters]]
number = 1
area = "borgerservice"

[branches.counters.priorities]
pas = 1.0
kaffe = 2.0

[[branches.devices]]
key = "kiosk-1"
kind = "kiosk"
token = "skd_secret"

[[staff]]
username = "bo"
role = "staff"
"""


def test_an_invalid_file_reports_every_fault_with_its_line() -> None:
    with pytest.raises(InvalidSetup) as refused:
        config_file.load(BROKEN)

    found = {(e.line, e.path, e.code) for e in refused.value.errors}
    assert found == {
        (4, "branches[0].timezone", "bad_choice"),
        (7, "branches[0].hours.dropin.mon", "overlap"),
        (8, "branches[0].hours.dropin.tue[0]", "bad_time"),
        (15, "branches[0].services[0].prefix", "bad_prefix"),
        (16, "branches[0].services[0].expected_minutes", "not_a_number"),
        (18, "branches[0].services[1].name_en", "required"),
        (21, "branches[0].services[1].area", "bad_choice"),
        (19, "branches[0].services[1].key", "duplicate"),
        (30, "branches[0].counters[0].priorities.kaffe", "unknown_service"),
        (35, "branches[0].devices[0].token", "unknown_field"),
        (37, "staff[0].branches", "required"),
    }


def test_a_fault_reads_as_file_line_path_and_message() -> None:
    with pytest.raises(InvalidSetup) as refused:
        config_file.load(BROKEN)

    first = config_file.describe(refused.value.errors[0], "kommune.toml")

    assert first == (
        "kommune.toml:4: branches[0].timezone: "
        "Expected a time zone like Europe/Copenhagen, got 'Europe/Nowhere'"
    )


def test_a_file_that_is_not_toml_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidSetup) as refused:
        config_file.load('[[branches]]\nkey = "nord"\nname = Filial Nord\n')

    (error,) = refused.value.errors
    assert (error.line, error.code) == (3, "bad_toml")


@pytest.mark.parametrize("path", ["docs/examples/kommune.toml", "skranke/demo_kommune.toml"])
def test_the_shipped_files_are_valid_and_survive_a_round_trip(path: str) -> None:
    text = (Path(__file__).parents[2] / path).read_text()

    setup = config_file.load(text)

    assert setup.branches and setup.staff
    assert config_file.load(config_file.dump(setup)) == setup

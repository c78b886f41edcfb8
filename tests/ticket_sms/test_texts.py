"""The ticket SMS fits one message in every language, whatever the branch is called."""

from __future__ import annotations

import pytest

from skranke.notify.texts import TICKET_SMS, fits_one_sms, ticket_sms_text
from skranke.queue.outbox import TicketNotice
from skranke.queue.states import LANGUAGES

LONG_BRANCH = "Borgerservice og Bibliotek – Nørre Søby-Vestervig Kultur- og Medborgerhus"


def notice(language: str, branch: str = "Hovedbiblioteket", number: str = "F123") -> TicketNotice:
    return TicketNotice(
        id=1,
        channel="sms",
        template="third",
        attempts=1,
        phone="+4512345678",
        language=language,
        number=number,
        branch_name=branch,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("branch", ["Hovedbiblioteket", LONG_BRANCH, "Ærø – Bibliotek"])
def test_every_language_fits_one_sms_with_the_number(language: str, branch: str) -> None:
    text = ticket_sms_text(notice(language, branch, "FF123"))

    assert fits_one_sms(text) and "FF123" in text


def test_every_kiosk_language_has_its_own_text() -> None:
    assert set(TICKET_SMS) == set(LANGUAGES)


def test_danish_names_the_branch_and_keeps_the_gsm_alphabet() -> None:
    text = ticket_sms_text(notice("da", "Ærø – Bibliotek"))

    # The dash typed in the name would halve the room to 70 characters; it is plain here.
    assert "hos Ærø - Bibliotek." in text and len(text) > 70 and fits_one_sms(text)


def test_a_language_without_a_text_falls_back_to_danish() -> None:
    assert ticket_sms_text(notice("fi")).startswith("Nummer F123: Du er snart på tur")


def test_one_sms_is_160_gsm_characters_or_70_others() -> None:
    assert fits_one_sms("a" * 160) and not fits_one_sms("a" * 161)
    assert fits_one_sms("æøå" * 53) and not fits_one_sms("€" * 81)
    assert fits_one_sms("ś" * 70) and not fits_one_sms("ś" * 71)

"""Texts of the notices in Danish and English; every SMS fits one 160-character message."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from skranke.queue.outbox import Notice

SMS_LIMIT = 160
# {service} and {branch} are cut to fit, so the time, place and code are always there.
SMS = {
    "da": {
        "confirmation": "Tid bestilt: {service} {when}, {branch}. Kode {code}. "
        "Tjek ind ved skærmen ved ankomst. Aflys/flyt via linket i e-mailen.",
        "reminder": "Påmindelse: {service} i morgen {when}, {branch}. Kode {code}. "
        "Tjek ind ved skærmen ved ankomst.",
        "cancellation": "Din tid {when} ({service}) er aflyst. Kode {code}.",
    },
    "en": {
        "confirmation": "Booked: {service} {when}, {branch}. Code {code}. "
        "Check in at the kiosk when you arrive. Cancel/move via the e-mail link.",
        "reminder": "Reminder: {service} tomorrow {when}, {branch}. Code {code}. "
        "Check in at the kiosk when you arrive.",
        "cancellation": "Your appointment {when} ({service}) is cancelled. Code {code}.",
    },
}
SUBJECT = {
    "da": {
        "confirmation": "Bekræftelse: {service} {when}",
        "reminder": "Påmindelse: {service} {when}",
        "cancellation": "Aflyst: {service} {when}",
    },
    "en": {
        "confirmation": "Confirmed: {service} {when}",
        "reminder": "Reminder: {service} {when}",
        "cancellation": "Cancelled: {service} {when}",
    },
}
BODY = {
    "da": (
        "Hej {name}\n\n{lead}\n\nHvad: {service}\nHvornår: {when}\nHvor: {branch}, {address}\n"
        "Bookingkode: {code}\n\nHusk: {bring}\n\nTjek ind ved skærmen ved indgangen med koden.\n"
        "Aflys eller flyt tiden: {manage}\n"
    ),
    "en": (
        "Hello {name}\n\n{lead}\n\nWhat: {service}\nWhen: {when}\nWhere: {branch}, {address}\n"
        "Booking code: {code}\n\nBring: {bring}\n\nCheck in at the kiosk by the entrance with "
        "the code.\nCancel or move the appointment: {manage}\n"
    ),
}
LEAD = {
    "da": {
        "confirmation": "Din tid er bestilt.",
        "reminder": "Vi minder dig om din tid.",
        "cancellation": "Din tid er aflyst.",
    },
    "en": {
        "confirmation": "Your appointment is booked.",
        "reminder": "This is a reminder of your appointment.",
        "cancellation": "Your appointment is cancelled.",
    },
}


def when(start: datetime, timezone: str, language: str) -> str:
    local = start.astimezone(ZoneInfo(timezone))
    return f"{local:%d.%m.%Y kl. %H:%M}" if language == "da" else f"{local:%d %b %Y %H:%M}"


def service_name(notice: Notice) -> str:
    return notice.service_name_da if notice.language == "da" else notice.service_name_en


def sms_text(notice: Notice) -> str:
    template = SMS[_lang(notice)][notice.template]
    service, branch = service_name(notice), notice.branch_name
    values = {"when": when(notice.start, notice.timezone, notice.language), "code": notice.code}
    text = template.format(service=service, branch=branch, **values)
    # Shorten the free-text names until the message fits one SMS.
    while len(text) > SMS_LIMIT and (len(service) > 8 or len(branch) > 8):
        if len(branch) >= len(service):
            branch = branch[: max(8, len(branch) - (len(text) - SMS_LIMIT)) - 1] + "…"
        else:
            service = service[: max(8, len(service) - (len(text) - SMS_LIMIT)) - 1] + "…"
        text = template.format(service=service, branch=branch, **values)
    return text


def email_subject(notice: Notice) -> str:
    lang = _lang(notice)
    return SUBJECT[lang][notice.template].format(
        service=service_name(notice), when=when(notice.start, notice.timezone, lang)
    )


def email_body(notice: Notice, manage_url: str) -> str:
    lang = _lang(notice)
    bring = notice.what_to_bring_da if lang == "da" else notice.what_to_bring_en
    return BODY[lang].format(
        name=notice.name,
        lead=LEAD[lang][notice.template],
        service=service_name(notice),
        when=when(notice.start, notice.timezone, lang),
        branch=notice.branch_name,
        address=notice.branch_address,
        code=notice.code,
        bring=bring or "-",
        manage=manage_url,
    )


def _lang(notice: Notice) -> str:
    return notice.language if notice.language in SMS else "da"

"""Texts of the notices in Danish and English; every SMS fits one 160-character message."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from skranke.queue.outbox import Notice, TicketNotice

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


LABELS = {
    "da": {
        "what": "Hvad",
        "when": "Hvornår",
        "where": "Hvor",
        "code": "Bookingkode",
        "bring": "Husk",
        "checkin": "Tjek ind ved skærmen ved indgangen med koden.",
        "manage": "Aflys eller flyt tiden",
        "hello": "Hej",
    },
    "en": {
        "what": "What",
        "when": "When",
        "where": "Where",
        "code": "Booking code",
        "bring": "Bring",
        "checkin": "Check in at the kiosk by the entrance with the code.",
        "manage": "Cancel or move the appointment",
        "hello": "Hello",
    },
}
# Mail programs ignore style sheets and scripts: inline styles only, one plain table.
_HTML = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f4;font-family:Arial,Helvetica,sans-serif;\
color:#1a1a1a;font-size:16px;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
<p style="margin:0 0 8px">{hello} {name}</p>
<h1 style="font-size:22px;margin:0 0 16px">{lead}</h1>
<table role="presentation" style="border-collapse:collapse;width:100%">{rows}</table>
<p style="margin:24px 0 8px;font-size:14px;color:#333333">{code_label}</p>
<p style="margin:0 0 16px;font-size:32px;font-weight:bold;letter-spacing:4px">{code}</p>
<p style="margin:0 0 16px">{checkin}</p>
<p style="margin:0"><a href="{manage}" style="color:#0b5394;font-weight:bold">{manage_label}</a>
</p></div></body></html>
"""
_ROW = (
    '<tr><th scope="row" style="text-align:left;padding:4px 16px 4px 0;vertical-align:top;'
    'font-weight:normal;color:#333333">{label}</th><td style="padding:4px 0">{value}</td></tr>'
)


def email_html(notice: Notice, manage_url: str) -> str:
    """The same e-mail as `email_body`, as HTML for mail programs that show it."""
    lang = _lang(notice)
    label = LABELS[lang]
    bring = (notice.what_to_bring_da if lang == "da" else notice.what_to_bring_en) or "-"
    when_text = when(notice.start, notice.timezone, lang)
    where = f"{notice.branch_name}, {notice.branch_address}"
    values = [
        (label["what"], service_name(notice)),
        (label["when"], when_text),
        (label["where"], where),
        (label["bring"], bring),
    ]
    rows = "".join(_ROW.format(label=escape(k), value=escape(v)) for k, v in values)
    return _HTML.format(
        lang=lang,
        title=escape(email_subject(notice)),
        hello=label["hello"],
        name=escape(notice.name),
        lead=escape(LEAD[lang][notice.template]),
        rows=rows,
        code_label=label["code"],
        code=escape(notice.code),
        checkin=label["checkin"],
        manage=escape(manage_url, quote=True),
        manage_label=label["manage"],
    )


def _lang(notice: Notice) -> str:
    return notice.language if notice.language in SMS else "da"


# A walk-in's "you are nearly up" SMS (queue.ticket_notices), in the language of the page the
# citizen asked on. One SMS is 160 characters of the GSM alphabet but only 70 of anything
# else (Ukrainian, Arabic, Polish and Turkish letters), and NemSMS does not join messages:
# each language has its texts longest first, and the first that fits one SMS is sent.
TICKET_SMS = {
    "da": (
        "Nummer {number}: Du er snart på tur hos {branch}. "
        "Kom hen til skrankerne, så du er klar, når du bliver kaldt.",
        "Nummer {number}: Du er snart på tur. Kom hen til skrankerne.",
    ),
    "en": (
        "Number {number}: You are nearly up at {branch}. "
        "Please come to the counters so you are ready when you are called.",
        "Number {number}: You are nearly up. Please come to the counters.",
    ),
    "uk": ("Номер {number}: скоро ваша черга. Підходьте до стійок обслуговування.",),
    "ar": ("الرقم {number}: اقترب دورك. يرجى التوجه إلى مكاتب الخدمة.",),
    "pl": ("Numer {number}: zaraz Twoja kolej. Podejdź do stanowisk obsługi.",),
    "tr": ("Numara {number}: sıranız yaklaşıyor. Lütfen bankolara gelin.",),
}
UCS2_LIMIT = 70
# GSM 03.38: the basic alphabet, and the extension characters that count twice.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€")
# Branch names typed with typographic punctuation would push a Danish SMS out of the GSM
# alphabet (and down to 70 characters).
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def fits_one_sms(text: str) -> bool:
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        return len(text) + sum(c in GSM_EXTENDED for c in text) <= SMS_LIMIT
    return len(text) <= UCS2_LIMIT


def ticket_sms_text(notice: TicketNotice) -> str:
    templates = TICKET_SMS.get(notice.language) or TICKET_SMS["da"]
    branch = notice.branch_name.translate(_PLAIN)
    texts = [t.format(number=notice.number, branch=branch) for t in templates]
    # The last text is short enough in every language (tests/ticket_sms/test_texts.py).
    return next((text for text in texts if fits_one_sms(text)), texts[-1])

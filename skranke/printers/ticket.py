"""What a queue ticket says, and in which order: laid out once, rendered by `render.py`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from skranke.queue.states import LANGUAGES, RTL_LANGUAGES, Language
from skranke.queue.views import local_name
from skranke.store.print_jobs import PendingJob

Align = Literal["left", "center", "right"]
__all__ = ["LANGUAGES", "RTL_LANGUAGES", "Language"]

# The few fixed texts on a ticket. Everything else (branch, service, footer) arrives already
# in the right language from the database.
LABELS: dict[str, dict[str, str]] = {
    "da": {
        "your_number": "Dit nummer",
        "ahead": "Foran dig: {count}",
        "next": "Du er den næste",
        "wait": "Forventet ventetid ca. {minutes} min",
        "wait_range": "Forventet ventetid ca. {low}–{high} min",
        "wait_under": "Forventet ventetid under {minutes} min",
        "track": "Følg din plads på telefonen",
    },
    "en": {
        "your_number": "Your number",
        "ahead": "Ahead of you: {count}",
        "next": "You are next",
        "wait": "Estimated wait about {minutes} min",
        "wait_range": "Estimated wait about {low}–{high} min",
        "wait_under": "Estimated wait under {minutes} min",
        "track": "Follow your place on your phone",
    },
    "uk": {
        "your_number": "Ваш номер",
        "ahead": "Перед вами: {count}",
        "next": "Ви наступні",
        "wait": "Орієнтовне очікування: близько {minutes} хв",
        "wait_range": "Орієнтовне очікування: близько {low}–{high} хв",
        "wait_under": "Орієнтовне очікування: менше {minutes} хв",
        "track": "Стежте за своєю чергою на телефоні",
    },
    "ar": {
        "your_number": "رقمك",
        "ahead": "أمامك: {count}",
        "next": "أنت التالي",
        "wait": "وقت الانتظار المتوقع: حوالي {minutes} دقيقة",
        "wait_range": "وقت الانتظار المتوقع: حوالي {low}–{high} دقيقة",
        "wait_under": "وقت الانتظار المتوقع: أقل من {minutes} دقيقة",
        "track": "تابع دورك على هاتفك",
    },
    "pl": {
        "your_number": "Twój numer",
        "ahead": "Przed Tobą: {count}",
        "next": "Nikt nie czeka przed Tobą",
        "wait": "Przewidywany czas oczekiwania: ok. {minutes} min",
        "wait_range": "Przewidywany czas oczekiwania: ok. {low}–{high} min",
        "wait_under": "Przewidywany czas oczekiwania: poniżej {minutes} min",
        "track": "Śledź swoje miejsce w kolejce na telefonie",
    },
    "tr": {
        "your_number": "Numaranız",
        "ahead": "Önünüzde: {count}",
        "next": "Sıradaki sizsiniz",
        "wait": "Tahmini bekleme süresi: yaklaşık {minutes} dk",
        "wait_range": "Tahmini bekleme süresi: yaklaşık {low}–{high} dk",
        "wait_under": "Tahmini bekleme süresi: {minutes} dk'dan az",
        "track": "Sıranızı telefonunuzdan takip edin",
    },
}


@dataclass(frozen=True)
class TicketPrint:
    branch: str
    number: str
    service: str
    issued_at: datetime
    position: int
    wait_minutes: int | None
    qr_url: str
    footer: str = ""
    language: Language = "da"
    # [low, high] minutes where the kiosk showed a range; then printed instead of the figure.
    wait_range: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"Expected language in {LANGUAGES}, but got {self.language!r}")
        if self.issued_at.utcoffset() is None:
            raise ValueError(f"Expected an aware issued_at, but got {self.issued_at!r}")
        if self.position < 0:
            raise ValueError(f"Expected position >= 0, but got {self.position}")
        if self.wait_minutes is not None and self.wait_minutes < 0:
            raise ValueError(f"Expected wait_minutes >= 0 or None, but got {self.wait_minutes}")


@dataclass(frozen=True)
class Text:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: Align = "center"

    @property
    def large(self) -> bool:
        return self.width > 1 or self.height > 1


@dataclass(frozen=True)
class Qr:
    data: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = Text | Qr | Feed


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...]
    rtl: bool

    def texts(self) -> list[str]:
        return [block.text for block in self.blocks if isinstance(block, Text)]


def clean_text(text: str) -> str:
    """Composed characters, and no control bytes smuggled into the ESC/POS stream."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text).strip()


def layout_ticket(ticket: TicketPrint) -> Layout:
    labels = LABELS[ticket.language]
    # The time is printed as given: the caller passes it in the branch's time zone.
    issued = ticket.issued_at.strftime("%d.%m.%Y  %H:%M")

    blocks: list[Block] = [
        Text(clean_text(ticket.branch), bold=True),
        Text(issued),
        Feed(),
        Text(labels["your_number"]),
        Text(clean_text(ticket.number), width=4, height=4, bold=True),
        Feed(),
        Text(clean_text(ticket.service), height=2, bold=True),
        Feed(),
    ]
    if ticket.position == 0:
        blocks.append(Text(labels["next"]))
    else:
        blocks.append(Text(labels["ahead"].format(count=ticket.position)))
    # The same figure as the kiosk's answer: a range where it showed one. "About 0 min"
    # tells nothing the "you are next" line does not.
    span = ticket.wait_range
    if span is not None and span[0] <= 0:
        blocks.append(Text(labels["wait_under"].format(minutes=span[1])))
    elif span is not None:
        blocks.append(Text(labels["wait_range"].format(low=span[0], high=span[1])))
    elif ticket.wait_minutes:
        blocks.append(Text(labels["wait"].format(minutes=ticket.wait_minutes)))
    blocks += [Feed(), Text(labels["track"]), Qr(ticket.qr_url)]
    # Footers are often typed with line breaks in the admin form; keep them.
    blocks += [Text(line) for line in map(clean_text, ticket.footer.splitlines()) if line]
    return Layout(tuple(blocks), rtl=ticket.language in RTL_LANGUAGES)


def ticket_of_job(job: PendingJob, public_url: str) -> TicketPrint:
    """What a queued print job puts on paper, in the job's language."""
    language = job.language if job.language in LANGUAGES else "da"
    position = job.payload.get("position")
    wait = job.payload.get("wait_minutes")
    return TicketPrint(
        branch=job.branch_name,
        number=job.number,
        service=local_name(language, job.service_name_da, job.service_name_en, job.service_names),
        issued_at=job.issued_at.astimezone(ZoneInfo(job.timezone)),
        position=max(int(position) - 1, 0) if isinstance(position, int) else 0,
        wait_minutes=wait if isinstance(wait, int) and wait >= 0 else None,
        # The range the kiosk showed, so paper and screen say the same.
        wait_range=_span(job.payload.get("wait_range")),
        qr_url=f"{public_url}/t/{job.tracking}",
        # The branch's own words; without any, where it is (never a made-up slogan).
        footer=job.footer or job.branch_address,
        language=language,
    )


def _span(value: object) -> tuple[int, int] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        low, high = value
        if isinstance(low, int) and isinstance(high, int) and 0 <= low < high:
            return low, high
    return None

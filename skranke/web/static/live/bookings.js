// Today's appointments for the counter's errands, on the counter page only (names are for
// staff, never for displays). Fetched again when the queue changes (a check-in issues a
// ticket) and every minute, which also catches the no-show sweep.
import { element } from "./socket.js";

const REFRESH_MS = 60000;
// A burst of queue pushes (several calls at once) costs one fetch.
const SETTLE_MS = 500;
const TIME_ZONE = "Europe/Copenhagen";

export function followBookings({ branch, lang, t, mine, ready }) {
  const rows = document.getElementById("booking-rows");
  const status = document.getElementById("bookings-status");
  // 24-hour with a colon in every language (docs/glossary.md), as the waiting list's times.
  const clock = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: TIME_ZONE,
  });
  let bookings = null;
  let pending = null;

  function stateText(booking) {
    if (booking.state === "checked_in" && booking.ticket_number) {
      return t("bookings.state.checked_in_number", { number: booking.ticket_number });
    }
    return t(`bookings.state.${booking.state}`);
  }

  function render() {
    if (bookings === null || !ready()) return;
    const shown = bookings.filter((booking) => mine(booking.service));
    const count = (state) => shown.filter((booking) => booking.state === state).length;
    status.textContent = shown.length
      ? t("bookings.summary", { booked: count("booked"), checked_in: count("checked_in"), no_show: count("no_show") })
      : t("bookings.none");
    rows.replaceChildren(
      ...shown.map((booking) =>
        element(
          "tr",
          { class: `booking booking--${booking.state}`, "data-code": booking.code },
          element("td", { class: "tabular", text: clock.format(new Date(booking.start)) }),
          element("th", { scope: "row", text: booking.citizen || "–" }),
          element("td", { text: booking.name[lang] || booking.name.da }),
          element("td", {}, element("span", { class: `booking-state booking-state--${booking.state}`, text: stateText(booking) })),
        ),
      ),
    );
  }

  async function load() {
    pending = null;
    try {
      const response = await fetch(`/api/v1/branches/${encodeURIComponent(branch)}/bookings`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      bookings = await response.json();
      render();
    } catch {
      // The last list stays; the next push or the minute timer tries again.
      status.textContent = t("bookings.error");
    }
  }

  setInterval(load, REFRESH_MS);
  load();
  return {
    refresh() {
      clearTimeout(pending);
      pending = setTimeout(load, SETTLE_MS);
    },
    // The counter's own services arrive with the socket's first snapshot.
    render,
  };
}

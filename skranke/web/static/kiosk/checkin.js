// "I have an appointment": the booking code, typed on the keypad or scanned from its QR by a
// scanner that types like a keyboard (the code, then Enter), becomes a priority ticket.

const $ = (selector) => document.querySelector(selector);

// "21:40" on the branch's clock, in every language: 24-hour, with a colon.
export function clockTime(iso, timeZone) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(iso));
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("hour")}:${part("minute")}`;
}

export function setUpCheckin({ config, text, send, showTicket, watchIdle, restart, outOfOrder, serverNow }) {
  const section = $("#checkin");
  const form = $("#checkin-form");
  const input = $("#checkin-code");
  const submit = form.querySelector("button[type=submit]");
  const dropin = $("#checkin-dropin");
  const valid = new RegExp(`^[${config.code.alphabet}]{${config.code.length}}$`);
  let busy = false;

  function say(message) {
    $("#checkin-message").textContent = message;
  }

  function normalise(value) {
    return value.toUpperCase().replace(/[\s-]/g, "");
  }

  function open() {
    $("#start").hidden = true;
    section.hidden = false;
    document.body.classList.add("kiosk--checkin");
    input.value = "";
    say("");
    // The field has the focus, so a scan goes straight into it.
    input.focus();
    watchIdle();
    // Another language keeps the citizen on this screen (the page reloads in it).
    for (const link of document.querySelectorAll(".kiosk-language")) link.hash = "checkin";
  }

  function setBusy(value) {
    busy = value;
    submit.disabled = value;
    for (const button of dropin.querySelectorAll("button")) button.disabled = value;
  }

  const timeZone = config.timeZone;

  function comeBackText(iso) {
    const at = new Date(iso);
    const time = clockTime(iso, timeZone);
    const day = (d) => d.toLocaleDateString("sv-SE", { timeZone });
    // "Today" is the server's: the kiosk PC's own clock may be off.
    if (day(at) === day(new Date(serverNow()))) return text("kiosk.checkin.too_early", { time });
    const date = new Intl.DateTimeFormat(config.lang, { day: "numeric", month: "long", timeZone });
    return text("kiosk.checkin.too_early_day", { date: date.format(at), time });
  }

  // In the screen's language from the answer's codes (`reason`, `error`), never its `detail`.
  function explain(result, code) {
    if (result === null) return text("kiosk.error");
    const { status, body } = result;
    const reason = body?.reason ?? body?.error;
    if (reason === "unknown_booking" || status === 404 || status === 422) {
      return text("kiosk.checkin.unknown", { code });
    }
    if (reason === "other_branch" || status === 403) return text("kiosk.checkin.other_branch");
    if (reason === "too_early") return comeBackText(body.come_back_at);
    if (reason === "too_late") return text("kiosk.checkin.too_late");
    if (reason === "already_checked_in") return text("kiosk.checkin.already");
    if (reason === "booking_not_usable" || status === 409) return text("kiosk.checkin.not_usable");
    if (status === 429) return text("kiosk.error.rate");
    return text("kiosk.error");
  }

  async function checkIn(asDropin = false) {
    const code = normalise(input.value);
    input.value = code;
    dropin.hidden = true;
    if (!valid.test(code)) {
      say(text("kiosk.checkin.invalid", { example: "K7FQ3X" }));
      input.focus();
      return;
    }
    if (busy) return;
    setBusy(true);
    say(text("kiosk.busy"));
    // The ticket prints in the language this screen is in, not the booking's.
    const body = { code, language: config.lang, ...(asDropin ? { dropin: true } : {}) };
    const result = await send("checkins", body);
    setBusy(false);
    if (result?.status === 201) {
      const ticket = result.body;
      const name = config.serviceNames[ticket.service] ?? ticket.service_name[config.lang] ?? ticket.service_name.da;
      document.body.classList.remove("kiosk--checkin");
      // "Du er tjekket ind til kl. 21:40"; a late arrival taken as a walk-in has no time.
      const title = ticket.booking_start
        ? text("kiosk.checkin.done", { time: clockTime(ticket.booking_start, timeZone) })
        : "";
      showTicket(ticket, name, title);
      return;
    }
    if (result?.status === 401) {
      // The kiosk's token was revoked or rotated: no citizen can do anything here now.
      outOfOrder();
      return;
    }
    say(explain(result, code));
    if (result?.body?.error === "too_late" && result.body.dropin) {
      dropin.hidden = false;
      dropin.querySelector("button").focus();
    } else {
      input.select();
      input.focus();
    }
  }

  function press(key) {
    if (key === "back") input.value = input.value.slice(0, -1);
    else if (key === "clear") input.value = "";
    else if (input.value.length < input.maxLength) input.value += key;
    say("");
    dropin.hidden = true;
  }

  $("button[data-action=checkin]").addEventListener("click", open);
  section.querySelector("[data-action=back]").addEventListener("click", restart);
  dropin.querySelector("button").addEventListener("click", () => checkIn(true));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    checkIn();
  });
  input.addEventListener("input", () => {
    input.value = normalise(input.value);
    dropin.hidden = true;
  });
  for (const button of section.querySelectorAll("[data-key]")) {
    // A tapped key leaves the focus in the field, where the next scan must arrive.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => press(button.dataset.key));
  }
  if (location.hash === "#checkin") open();
  // A scan that starts while a key has the focus still lands in the field, Enter included.
  document.addEventListener(
    "keydown",
    (event) => {
      if (section.hidden || event.target === input || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!/^[a-z0-9]$/i.test(event.key)) return;
      event.preventDefault();
      input.focus();
      press(event.key.toUpperCase());
    },
    true,
  );
}

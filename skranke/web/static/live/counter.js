// The counter page: the current citizen, the queue and the actions, following
// /ws/counter/{id} and acting through the JSON API with the session cookie + CSRF header.
import { followBookings } from "./bookings.js";
import { element, follow, readConfig, translator } from "./socket.js";

const config = readConfig();
const t = translator(config.texts);
const $ = (id) => document.getElementById(id);
const counterId = config.counter.id;
const lang = config.lang;
const SHORTCUTS = { n: "call-next", g: "recall", b: "serve", a: "finish", u: "no-show", p: "park" };
// Which actions make sense for the current ticket's state.
const ALLOWED = {
  none: ["call-next"],
  called: ["recall", "serve", "finish", "no-show", "park", "transfer"],
  serving: ["call-next", "finish", "park", "transfer"],
};
const shortcutsKey = "skranke.counter.shortcuts";

let state = { counter: config.counter, current: null, parked: [], services: [], waiting: [], printers: [] };
let clockOffset = 0;
let queueReceivedAt = Date.now();
let busy = false;
let online = false;
let recoveredTimer = null;
// A printer that works again is mentioned for a minute, then the line goes.
const RECOVERED_SHOWN_MS = 60000;

function message(text, isError = false) {
  const box = $("message");
  box.textContent = text;
  box.classList.toggle("error", isError);
}

function now() {
  return Date.now() + clockOffset;
}

function minutesSince(iso) {
  return Math.max(0, Math.floor((now() - Date.parse(iso)) / 60000));
}

function elapsed(iso) {
  const seconds = Math.max(0, Math.floor((now() - Date.parse(iso)) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

// Plural forms by the page language's rules ("kaldt igen 1 gang", "… 3 gange").
function plural(key, count) {
  const form = `${key}.${new Intl.PluralRules(lang).select(count)}`;
  return t(config.texts[form] === undefined ? `${key}.other` : form, { count });
}

// What happened, said for the action done: a recall past the limit puts the ticket back in
// the queue, and saying "done" then hid that the citizen was gone from the counter.
function success(action, data) {
  const number = data.number;
  if (action === "recall" && data.state === "waiting")
    return t("counter.ok.put_back", { number, count: (data.recall_count || 0) + 1 });
  if (action === "state") return t("counter.state_is", { state: t(`counter.state.${data.state}`) });
  if (data.state === "called" && action !== "recall" && action !== "resume")
    return t("counter.called_ok", { number });
  const key = `counter.ok.${action}`;
  return config.texts[key] === undefined ? t("counter.done_ok") : t(key, { number });
}

// The server's sentence is English; the page says it in its own language from the error's
// reason (with its values) or, failing that, its code.
function failure(data) {
  const reason = `counter.error.${data.reason}`;
  const params = { ...(data.params || {}) };
  // A state travels as its code ("waiting"); the page names it in its own words.
  if (params.state) params.state = t(`live.state.${params.state}`);
  if (data.reason && config.texts[reason] !== undefined) return t(reason, params);
  const code = `counter.error.${data.error}`;
  return t(config.texts[code] === undefined ? "counter.error.other" : code);
}

function serviceName(ticket) {
  return ticket.service_name?.[lang] || ticket.service_name?.da || ticket.service;
}

function currentKind() {
  const current = state.current;
  if (!current) return "none";
  return current.state === "serving" ? "serving" : "called";
}

function renderCurrent() {
  const current = state.current;
  $("current-number").textContent = current ? current.number : "–";
  $("current-details").textContent = current
    ? `${serviceName(current)} · ${t(`live.state.${current.state}`)}` +
      (current.recall_count ? ` · ${plural("counter.recalls", current.recall_count)}` : "")
    : t("counter.nobody");
  $("current-elapsed-row").hidden = !current?.called_at;
  tickElapsed();
  renderButtons();
}

function renderButtons() {
  const allowed = ALLOWED[currentKind()];
  for (const button of document.querySelectorAll("[data-action]")) {
    button.disabled = busy || !online || !allowed.includes(button.dataset.action);
  }
  const canTransfer = !busy && online && allowed.includes("transfer");
  $("transfer-button").disabled = !canTransfer;
  $("transfer-target").disabled = !canTransfer;
  $("call-button").disabled = busy || !online || !allowed.includes("call-next");
  for (const button of document.querySelectorAll("[data-state]")) {
    const mine = button.dataset.state === state.counter.state;
    button.setAttribute("aria-pressed", String(mine));
    button.disabled = busy || !online;
  }
  for (const button of document.querySelectorAll(".ticket-list button")) {
    button.disabled = busy || !online;
  }
}

function renderCounter() {
  const label = t(`counter.state.${state.counter.state}`);
  $("counter-state").textContent = t("counter.state_is", { state: label });
  renderCurrent();
  keepFocus(renderParked);
  renderButtons();
}

function renderParked() {
  $("parked-list").replaceChildren(
    ...(state.parked.length
      ? state.parked.map((ticket) =>
          ticketItem(ticket, t("counter.resume_this", { number: ticket.number }), t("counter.resume"), () =>
            act(`/api/v1/tickets/${ticket.id}/resume`, undefined, "resume"),
          ),
        )
      : [element("li", { class: "empty", text: t("counter.no_parked") })]),
  );
}

function ticketItem(ticket, label, buttonText, onClick) {
  const button = element("button", {
    type: "button",
    class: "secondary small",
    "aria-label": label,
    "data-ticket": String(ticket.id),
    text: buttonText,
  });
  button.addEventListener("click", onClick);
  // The wait has a column of its own, so a long errand breaks inside its own column only.
  const meta = element("span", { class: "ticket-meta" }, element("span", { text: serviceName(ticket) }));
  // A checked-in booking is called first near its time: staff see why it jumps the queue.
  if (ticket.booking_start)
    meta.append(" ", element("span", { class: "tag booked", text: t("counter.booked_at", { time: clock(ticket.booking_start) }) }));
  const waited = ticket.issued_at ? t("live.minutes", { minutes: minutesSince(ticket.issued_at) }) : "";
  return element(
    "li",
    {},
    element("span", { class: "ticket-number", text: ticket.number }),
    meta,
    element("span", { class: "ticket-wait", text: waited }),
    button,
  );
}

function renderQueue() {
  renderQueueTable();
  keepFocus(renderWaiting);
  renderButtons();
}

// Lists are redrawn on every push; a keyboard user's focus stays on the same ticket's button.
function keepFocus(render) {
  const focused = document.activeElement?.closest?.(".ticket-list button");
  const id = focused?.dataset.ticket;
  const list = focused?.closest("ul");
  render();
  if (id && list) list.querySelector(`button[data-ticket="${id}"]`)?.focus();
}

function renderQueueTable() {
  const passed = Math.floor((Date.now() - queueReceivedAt) / 60000);
  // Booking-only errands nobody waits for are noise in a queue table.
  const shown = state.services.filter((service) => service.walk_in !== false || service.waiting);
  const row = (service) => {
    const longest = service.waiting ? service.longest_wait_minutes + passed : 0;
    return element(
      "tr",
      { class: service.mine ? "mine" : "" },
      element("th", { scope: "row", text: service.name[lang] || service.name.da }),
      element("td", { class: "num", text: String(service.waiting) }),
      element("td", { class: "num", text: t("live.minutes", { minutes: longest }) }),
      element("td", { class: "num", text: t("live.minutes", { minutes: service.estimated_wait_minutes }) }),
    );
  };
  // Two groups, each under a heading row, instead of a tag on every row of the counter's
  // own: the table stays one line an errand on a laptop screen.
  const group = (id, key, services) =>
    $(id).replaceChildren(
      ...(services.length
        ? [element("tr", { class: "group" }, element("th", { scope: "rowgroup", colspan: "4", text: t(key) })), ...services.map(row)]
        : []),
    );
  group("queue-here", "counter.group_here", shown.filter((service) => service.mine));
  group("queue-other", "counter.group_other", shown.filter((service) => !service.mine));
}

function renderWaiting() {
  const byKey = Object.fromEntries(state.services.map((s) => [s.service, s]));
  $("waiting-list").replaceChildren(
    ...(state.waiting.length
      ? state.waiting.map((ticket) =>
          ticketItem(
            { ...ticket, service_name: byKey[ticket.service]?.name },
            t("counter.call_this", { number: ticket.number }),
            t("counter.call"),
            () => act(`/api/v1/counters/${counterId}/call`, { ticket: ticket.id }, "call"),
          ),
        )
      : [element("li", { class: "empty", text: t("counter.nobody_waiting") })]),
  );
}

function printerText(key, device) {
  return t(config.texts[key] === undefined ? "counter.printer.unknown" : key, { device });
}

function renderPrinters() {
  $("printer-alerts").replaceChildren(
    ...(state.printers || []).map((p) => element("p", { text: printerText(`counter.printer.${p.problem}`, p.device) })),
  );
}

function printerNews(update) {
  state = { ...state, printers: update.printers };
  renderPrinters();
  const recovered = $("printer-recovered");
  if (update.problem === null) {
    recovered.textContent = printerText("counter.printer.recovered", update.device);
    clearTimeout(recoveredTimer);
    recoveredTimer = setTimeout(() => (recovered.textContent = ""), RECOVERED_SHOWN_MS);
  } else if (recovered.textContent.includes(update.device)) {
    recovered.textContent = "";
  }
}

function tickElapsed() {
  if (state.current?.called_at) $("current-elapsed").textContent = elapsed(state.current.called_at);
}

function clock(iso) {
  // 24-hour with a colon in every language (docs/glossary.md).
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: config.counter.timezone });
}

async function act(path, body, action = "") {
  if (busy) return null;
  busy = true;
  renderButtons();
  try {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": config.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) {
      message(t("counter.nobody_waiting"));
      return null;
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) {
      message(t("counter.session_ended"), true);
      return null;
    }
    if (!response.ok) {
      message(failure(data), true);
      return null;
    }
    message(success(action, data));
    return data;
  } catch (error) {
    message(t("counter.error.offline"), true);
    return null;
  } finally {
    busy = false;
    renderButtons();
  }
}

function run(action) {
  if (action === "call-next") return act(`/api/v1/counters/${counterId}/call-next`, undefined, action);
  if (state.current) return act(`/api/v1/tickets/${state.current.id}/${action}`, undefined, action);
  return null;
}

for (const button of document.querySelectorAll("[data-action]")) {
  button.addEventListener("click", () => run(button.dataset.action));
}
for (const button of document.querySelectorAll("[data-state]")) {
  button.addEventListener("click", () =>
    act(`/api/v1/counters/${counterId}/state`, { state: button.dataset.state }, "state"),
  );
}
$("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const [kind, target] = $("transfer-target").value.split(":");
  if (!state.current || !target) return;
  const body = kind === "service" ? { service: target } : { counter: Number(target) };
  act(`/api/v1/tickets/${state.current.id}/transfer`, body, "transfer").then((done) => {
    if (done) $("transfer-target").value = "";
  });
});
$("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const number = $("call-number").value.trim().toUpperCase();
  if (!number) return;
  act(`/api/v1/counters/${counterId}/call`, { ticket: number }, "call").then((done) => {
    if (!done) {
      $("call-number").select(); // wrong number: fix it where it is
      return;
    }
    // Called: the field is done with, and the shortcut keys must act again, not type in it.
    $("call-number").value = "";
    $("current-number").focus();
  });
});
// Escape leaves the number field (and the transfer choice) without doing anything.
for (const id of ["call-number", "transfer-target"]) {
  $(id).addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (id === "call-number") $(id).value = "";
    $(id).blur();
    $("current-number").focus();
    event.preventDefault();
  });
}

// Single-letter shortcuts can be switched off (WCAG 2.1.4) and never fire while typing.
const shortcutsBox = $("shortcuts-on");
shortcutsBox.checked = localStorage.getItem(shortcutsKey) !== "off";
shortcutsBox.addEventListener("change", () => localStorage.setItem(shortcutsKey, shortcutsBox.checked ? "on" : "off"));
document.addEventListener("keydown", (event) => {
  if (!shortcutsBox.checked || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  if (event.target.closest?.("input, select, textarea, [contenteditable]")) return;
  const key = event.key.toLowerCase();
  if (key === "o" && !$("transfer-target").disabled) $("transfer-target").focus();
  else if (key === "k") $("call-number").focus();
  else if (SHORTCUTS[key]) {
    const button = document.querySelector(`[data-action="${SHORTCUTS[key]}"]`);
    if (button.disabled) return;
    button.click();
  } else return;
  event.preventDefault();
});

const bookings = followBookings({
  branch: config.counter.branch_key,
  lang,
  t,
  mine: (key) => state.services.some((service) => service.service === key && service.mine),
  ready: () => state.services.length > 0,
});

follow(`/ws/counter/${counterId}`, {
  onSnapshot(snapshot) {
    clockOffset = Date.parse(snapshot.now) - Date.now();
    queueReceivedAt = Date.now();
    state = { ...state, ...snapshot };
    renderCounter();
    renderQueue();
    renderPrinters();
    bookings.render();
  },
  onMessage(update) {
    if (update.type === "counter") {
      state = { ...state, counter: update.counter, current: update.current, parked: update.parked };
      renderCounter();
    } else if (update.type === "queue") {
      queueReceivedAt = Date.now();
      state = { ...state, services: update.services, waiting: update.waiting };
      renderQueue();
      bookings.refresh();
    } else if (update.type === "printer") {
      printerNews(update);
    }
  },
  onOnline() {
    online = true;
    $("offline").hidden = true;
    bookings.refresh();
    renderButtons();
  },
  onOffline() {
    online = false;
    $("offline").hidden = false;
    renderButtons();
  },
  onDenied(code) {
    message(code === 4401 ? t("counter.session_ended") : t("counter.forbidden"), true);
  },
});
setInterval(tickElapsed, 1000);
// Longest waits grow between pushes; only the table is redrawn, so focus stays put.
setInterval(renderQueueTable, 30000);
renderCounter();

// The touch kiosk: tap a service, get a number (printed, and on screen with a QR code);
// or check a booking in with its code (checkin.js).
// The device token comes once in the address (#token=... or ?token=...) and is then kept in
// localStorage, so it is neither shown nor sent again in the address.

import { speak as sayAloud, spokenNumber } from "../speech.js";
import { setUpCheckin } from "./checkin.js";

const config = JSON.parse(document.getElementById("kiosk-config").textContent);
const texts = config.texts;
const storeKey = `skranke.kiosk.${config.device}.token`;
const $ = (selector) => document.querySelector(selector);
const field = (name) => document.querySelector(`[data-field="${name}"]`);

function text(key, values = {}) {
  return (texts[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function takeToken() {
  const url = new URL(location.href);
  const hash = new URLSearchParams(url.hash.slice(1));
  const given = hash.get("token") || url.searchParams.get("token");
  if (given) {
    localStorage.setItem(storeKey, given);
    url.searchParams.delete("token");
    url.hash = "";
    history.replaceState(null, "", url);
  }
  return localStorage.getItem(storeKey);
}

const token = takeToken();
const services = [...document.querySelectorAll("button[data-service]")];
const startButtons = [...services, document.querySelector("button[data-action=checkin]")];
let busy = false;

function setBusy(value) {
  busy = value;
  for (const button of startButtons) {
    button.disabled = value || !token || button.dataset.late === "true";
  }
}

// Messages are drawn over the screen (never below it, where nobody would see them): "one
// moment" while a tap is on its way, then why it gave no ticket, until OK or a while passes.
const NOTICE_SECONDS = 20;
let noticeTimer = null;
function showMessage(message, { waiting = false } = {}) {
  clearTimeout(noticeTimer);
  $("#kiosk-message").textContent = message;
  $("#kiosk-notice").hidden = !message;
  $("#kiosk-notice").dataset.waiting = String(waiting);
  $('#kiosk-notice [data-action="dismiss"]').hidden = waiting;
  if (message && !waiting) {
    $('#kiosk-notice [data-action="dismiss"]').focus();
    noticeTimer = setTimeout(() => showMessage(""), NOTICE_SECONDS * 1000);
  }
}

// "Ingen kø", "3 venter · ca. 10–15 min.": said as the server says it (kiosk.py wait_text).
// Never "0 min" while people are ahead: a figure that rounds to nothing is "a short wait".
function waitText(waiting, minutes, range) {
  if (waiting === 0) return text("kiosk.wait.none");
  if (range && range[1] > range[0]) {
    return range[0] <= 0
      ? text("kiosk.wait.under", { waiting, minutes: range[1] })
      : text("kiosk.wait.range", { waiting, low: range[0], high: range[1] });
  }
  if (minutes) return text("kiosk.wait.some", { waiting, minutes });
  return text("kiosk.wait.short", { waiting });
}

// The wait on the ticket screen, as the printed ticket says it (printers/ticket.py).
function expectedWait(minutes, range) {
  if (range && range[1] > range[0]) {
    return range[0] <= 0
      ? text("kiosk.wait_under", { minutes: range[1] })
      : text("kiosk.wait_range", { low: range[0], high: range[1] });
  }
  return minutes ? text("kiosk.wait_about", { minutes }) : "";
}

// Why a tap gave no ticket, in the screen's language: from the answer's `reason` and `error`
// codes, never its English `detail`.
function refusal(result) {
  if (!result) return text("kiosk.error"); // never got through, also after the retries
  const { status, body } = result;
  const reason = body?.reason;
  if (reason === "booking_only") return text("kiosk.error.booking_only", { url: bookUrl });
  if (reason === "unknown_service" || status === 404) return text("kiosk.error.unknown_service");
  if (body?.error === "closed") {
    if (reason === "cutoff") return text("kiosk.cutoff.text");
    if (reason === "closed") return text("kiosk.closed.text");
    return text("kiosk.too_late_message", { url: bookUrl });
  }
  if (status === 429) return text("kiosk.error.rate");
  return text("kiosk.error");
}

// ---- Going back to the start: after a ticket, and when a citizen walked away mid-choice ----

function restart() {
  // A reload, not a reset: fresh waits, the kiosk's own language, and no state left over.
  location.assign(location.pathname);
}

let idleTimer = null;
function watchIdle() {
  clearTimeout(idleTimer);
  // Half a typed booking code must not wait for the next citizen either.
  const away = config.lang !== config.defaultLang || !$("#checkin").hidden;
  if (away && $("#result").hidden) {
    idleTimer = setTimeout(restart, config.idleSeconds * 1000);
  }
}
document.addEventListener("pointerdown", watchIdle);
document.addEventListener("keydown", watchIdle);

let remaining = 0;
let countdown = null;
function tick() {
  field("countdown").textContent = text("kiosk.returning", { seconds: remaining });
  if (remaining-- <= 0) restart();
}
function startCountdown(seconds) {
  remaining = seconds;
  clearInterval(countdown);
  tick();
  countdown = setInterval(tick, 1000);
}

// ---- Taking a ticket ----

const RETRY_STATUSES = new Set([502, 503, 504]);
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

async function post(what, body, key) {
  const response = await fetch(`/api/v1/branches/${encodeURIComponent(config.branch)}/${what}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${token}`,
      // The same key on a retry: the server answers with the first ticket, not a second.
      "Idempotency-Key": key,
    },
    body: JSON.stringify(body),
  });
  // The proxy answered for a server that is restarting or gone: worth another try.
  if (RETRY_STATUSES.has(response.status)) throw new Error(`HTTP ${response.status}`);
  return { status: response.status, body: await response.json() };
}

// One key per tap, kept for its retries: the server stores it with the ticket, so a retry after
// a lost answer or a server restart gets the same ticket, never a second. The "one moment"
// message stays up meanwhile. Null if it never got through.
async function send(what, body) {
  const key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await post(what, body, key);
    } catch {
      if (attempt >= RETRY_DELAYS_MS.length) return null;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}

async function takeTicket(service) {
  if (busy) return;
  setBusy(true);
  showMessage(text("kiosk.busy"), { waiting: true });
  const result = await send("tickets", { service, language: config.lang });
  if (result?.status === 201) {
    showMessage("");
    const button = services.find((b) => b.dataset.service === service);
    showTicket(result.body, button.querySelector(".kiosk-service-name").textContent);
    return;
  }
  const reason = result?.body?.reason;
  if ((result?.status === 401 || result?.status === 403) && reason !== "booking_only") {
    // The kiosk's token was revoked or rotated: no citizen can do anything here now.
    showMessage("");
    outOfOrder();
    return;
  }
  showMessage(refusal(result));
  setBusy(false);
  if (result?.body?.error === "closed") {
    // Closed or past the cut-off meanwhile: the status shows which (and reloads if so).
    if (reason === "too_late") markLate(service);
    checkStatus();
  }
}

function showTicket(ticket, serviceName, title = "") {
  const printing = ticket.print?.status ?? "no_printer";
  const printed = printing === "printed" || printing === "queued";
  $("#result-title").textContent =
    title || (printed ? text("kiosk.take_ticket") : text("kiosk.remember_number"));
  field("number").textContent = ticket.number;
  field("service").textContent = serviceName;
  const ahead = Math.max((ticket.position ?? 1) - 1, 0);
  const wait = ahead === 0 ? text("kiosk.next") : text("kiosk.ahead", { count: ahead });
  const expected = expectedWait(ticket.estimated_wait_minutes, ticket.estimated_wait_range);
  field("wait").textContent = expected ? `${wait} · ${expected}` : wait;
  field("print").textContent = text(`kiosk.print.${printing}`);
  field("print").classList.toggle("kiosk-print--failed", printing === "failed");
  const tracking = ticket.tracking_url.split("/").pop();
  field("qr").src = `/qr/t/${encodeURIComponent(tracking)}.svg`;
  $("#start").hidden = true;
  $("#checkin").hidden = true;
  $("#result").hidden = false;
  document.body.classList.add("kiosk--result");
  $("#result").dataset.number = ticket.number;
  $("#result-title").focus();
  clearTimeout(idleTimer);
  startCountdown(config.resultSeconds);
}

function speak() {
  // "Nummer D 2. Flytning.": the number as the wall display will call it.
  const number = spokenNumber(field("number").textContent);
  sayAloud(text("kiosk.spoken", { number, service: field("service").textContent }), config.lang);
}

// ---- Open or closed, and out of order ----
// The kiosk runs unattended: it asks the server every minute (and when drop-in is due to open
// or close) whether drop-in is open and its token still good, and reloads when that changed.

const bookUrl = config.bookUrl;
// The server's time, as far as this page can tell: the kiosk PC's own clock may be off.
const clockOffset = Date.parse(config.serverNow) - Date.now();
const serverNow = () => Date.now() + clockOffset;

function outOfOrder() {
  // Nothing left that looks tappable: the whole screen says so, and only that.
  showMessage("");
  document.body.classList.add("kiosk--out-of-order");
  $("#out-of-order").hidden = false;
  for (const part of document.querySelectorAll(".kiosk-header, .kiosk-main")) part.hidden = true;
  for (const button of startButtons) button.disabled = true;
}

function markLate(service) {
  const button = services.find((b) => b.dataset.service === service);
  if (!button) return;
  button.dataset.late = "true";
  button.disabled = true;
  button.querySelector(".kiosk-service-wait").textContent = text("kiosk.too_late");
}

function reloadWhenIdle() {
  // Never under a citizen's fingers: a ticket on screen or a code half typed waits.
  // A message on screen is read to its end (OK, or its own time) first.
  if ($("#result").hidden && $("#checkin").hidden && $("#kiosk-notice").hidden && !busy) restart();
  else setTimeout(reloadWhenIdle, 10000);
}

let statusTimer = null;
async function checkStatus() {
  clearTimeout(statusTimer);
  let next = config.statusSeconds * 1000;
  try {
    const response = await fetch(`/api/v1/kiosks/${encodeURIComponent(config.device)}/status`, {
      headers: { Authorization: `Bearer ${token}` },
      cache: "no-store",
    });
    if (response.status === 401 || response.status === 403) {
      outOfOrder();
    } else if (response.ok) {
      const status = await response.json();
      const outOfOrderNow = !$("#out-of-order").hidden;
      if (status.state !== config.dropin || outOfOrderNow) {
        reloadWhenIdle();
        return;
      }
      if (status.changes_at) {
        // A second after the change, so the server is surely past it too.
        const due = Date.parse(status.changes_at) - serverNow() + 1000;
        if (due > 0) next = Math.min(next, due);
      }
    }
  } catch {
    // Offline for a moment: ask again at the next turn.
  }
  statusTimer = setTimeout(checkStatus, next);
}

// ---- Keeping the estimated waits fresh ----

async function refreshWaits() {
  try {
    const response = await fetch(`/api/v1/branches/${encodeURIComponent(config.branch)}/queue`);
    if (!response.ok) return;
    for (const queue of await response.json()) {
      const label = document.querySelector(`[data-wait="${CSS.escape(queue.service)}"]`);
      if (!label) continue;
      const minutes = queue.estimated_wait_minutes;
      // Open, but served only after closing by the estimate: book a time instead.
      if (config.closesAt && serverNow() + minutes * 60000 > Date.parse(config.closesAt)) {
        markLate(queue.service);
        continue;
      }
      const button = label.closest("button");
      if (button?.dataset.late) {
        delete button.dataset.late;
        button.disabled = busy || !token;
      }
      label.textContent = waitText(queue.waiting, minutes, queue.estimated_wait_range);
    }
  } catch {
    // Offline for a moment: the last figures stay until the next refresh.
  }
}

for (const button of services) {
  button.addEventListener("click", () => takeTicket(button.dataset.service));
}
document.querySelector('[data-action="done"]').addEventListener("click", restart);
document.querySelector('[data-action="extend"]').addEventListener("click", () => {
  startCountdown(remaining + config.extendSeconds);
});
document.querySelector('[data-action="speak"]').addEventListener("click", speak);
document.querySelector('[data-action="dismiss"]').addEventListener("click", () => showMessage(""));
setUpCheckin({ config, text, send, showTicket, watchIdle, restart, outOfOrder, serverNow });

if (token) {
  setBusy(false);
  checkStatus();
} else {
  outOfOrder();
}
document.body.dataset.ready = "true";
watchIdle();
setInterval(refreshWaits, 30000);

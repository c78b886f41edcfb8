// The supervisor view: follows /ws/supervisor/{branch}; every message is the whole room.
// Waits grow between messages, so longest waits, elapsed times and the "past target" alerts
// are recomputed here every second from the server's clock. A new alert beeps (WebAudio),
// once the sound is switched on (browsers only play sound after a click).
import { element, follow, readConfig, translator } from "./live/socket.js";
import { tones, unlockSound } from "./live/sound.js";

const config = readConfig();
const t = translator(config.texts);
const lang = config.lang;
const $ = (id) => document.getElementById(id);
// Device state is not pushed when a kiosk merely checks in: ask for a fresh view now and then.
const RESYNC_MS = 30000;
let state = null;
let clockOffset = 0;
let known = new Set();
let soundOn = false;

const now = () => Date.now() + clockOffset;
const minutesSince = (iso) => Math.max(0, Math.floor((now() - Date.parse(iso)) / 60000));
function elapsed(iso) {
  const s = Math.max(0, Math.floor((now() - Date.parse(iso)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}
const name = (s) => s.name?.[lang] || s.name?.da || s.service;
const time = (iso) =>
  new Date(iso).toLocaleTimeString(lang === "da" ? "da-DK" : "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: state?.branch?.timezone,
  });
const fmtShare = (v) => (v === null || v === undefined ? "–" : `${v.toLocaleString(lang === "da" ? "da-DK" : "en-GB")} %`);

function longest(s) {
  return s.waiting && s.oldest ? minutesSince(s.oldest) : 0;
}

function renderCounters() {
  const list = $("counters");
  list.replaceChildren(
    ...state.counters.map((c) => {
      const ticket = c.ticket
        ? element("p", {}, element("span", { class: "ticket", text: c.ticket.number }), " ",
            element("span", { text: `${t(`supervisor.ticket_${c.ticket.state}`)} · ` }),
            element("span", { class: "tabular", "data-since": c.ticket.since, text: elapsed(c.ticket.since) }))
        : element("p", { text: t("supervisor.no_ticket") });
      return element(
        "li",
        { class: `counter-card state-${c.state}`, "data-counter": String(c.number) },
        element("h3", { text: t("supervisor.counter", { number: c.number }) }),
        element("p", {}, element("span", { class: "state", text: t(`supervisor.state_${c.state}`) }),
          " ", element("span", { text: c.who ? t("supervisor.who", { name: c.who }) : "" })),
        ticket,
      );
    }),
  );
}

function renderQueues() {
  $("queues").replaceChildren(
    ...state.services.map((s) => {
      const wait = longest(s);
      const late = s.waiting > 0 && wait > s.target_minutes;
      return element(
        "tr",
        { class: late ? "late" : "", "data-service": s.service },
        element("th", { scope: "row", text: name(s) }),
        element("td", { text: t(`supervisor.area_${s.area}`) }),
        element("td", { class: "num", text: String(s.waiting) }),
        element("td", { class: "num" }, late ? element("span", { class: "late-mark", text: `${t("supervisor.late")} ` }) : "",
          `${s.waiting ? wait : "–"} ${s.waiting ? t("supervisor.min") : ""}`),
        element("td", { class: "num", text: `${s.target_minutes} ${t("supervisor.min")}` }),
        element("td", { class: "num", text: fmtShare(s.today.share) }),
      );
    }),
  );
}

function renderDevices() {
  $("devices").replaceChildren(
    ...state.devices.map((d) => {
      const problem = d.printer?.problem;
      const printer = !d.has_printer
        ? element("span", { text: "–" })
        : problem
          ? element("span", { class: "device-bad", text: t(`supervisor.printer_${problem}`) })
          : element("span", { class: "device-ok", text: t("supervisor.printer_ok") });
      return element(
        "tr",
        { "data-device": d.key },
        element("th", { scope: "row", text: d.name || d.key }),
        element("td", { text: t(`supervisor.kind_${d.kind}`) }),
        element("td", { text: d.last_contact ? `${time(d.last_contact)} (${t("supervisor.ago", { minutes: minutesSince(d.last_contact) })})` : t("supervisor.never") }),
        element("td", {}, printer),
      );
    }),
  );
}

function alerts() {
  const found = state.alerts
    .filter((a) => a.kind === "printer")
    .map((a) => ({ key: a.key, text: t("supervisor.alert_printer", { device: a.device, problem: t(`supervisor.printer_${a.problem}`) }) }));
  for (const s of state.services) {
    const wait = longest(s);
    if (s.waiting > 0 && wait > s.target_minutes) {
      found.push({ key: `wait:${s.service}`, text: t("supervisor.alert_wait", { service: name(s), minutes: wait, target: s.target_minutes }) });
    }
  }
  return found;
}

function renderAlerts() {
  const found = alerts();
  const box = $("alerts");
  const keys = new Set(found.map((a) => a.key));
  const text = found.map((a) => a.text).join("\n");
  if (box.dataset.text !== text) {
    box.dataset.text = text;
    box.className = found.length ? "alert-banner" : "";
    box.replaceChildren(...(found.length ? [element("ul", {}, ...found.map((a) => element("li", { "data-alert": a.key, text: a.text })))] : []));
  }
  const fresh = [...keys].some((k) => !known.has(k));
  if (fresh && soundOn) tones([880, 660, 880], 0.18, 0.3);
  known = keys;
}

function tick() {
  if (!state) return;
  $("clock").textContent = time(new Date(now()).toISOString());
  for (const node of document.querySelectorAll("[data-since]")) node.textContent = elapsed(node.dataset.since);
  renderQueues();
  renderAlerts();
}

function show(message) {
  state = message;
  clockOffset = Date.parse(message.now) - Date.now();
  renderCounters();
  renderQueues();
  renderDevices();
  renderAlerts();
  $("clock").textContent = time(message.now);
}

$("sound").addEventListener("click", async () => {
  soundOn = !soundOn;
  if (soundOn) {
    await unlockSound();
    tones([660], 0.12, 0.2);
  }
  $("sound").setAttribute("aria-pressed", String(soundOn));
  $("sound").textContent = t(soundOn ? "supervisor.sound_off" : "supervisor.sound_on");
});

const live = follow(`/ws/supervisor/${encodeURIComponent(config.branch)}`, {
  onSnapshot: show,
  onMessage: (message) => {
    if (message.type === "supervisor") show(message);
  },
  onOnline: () => {
    $("offline").hidden = true;
    $("live-status").textContent = t("supervisor.live");
  },
  onOffline: () => {
    $("offline").hidden = false;
    $("live-status").textContent = t("supervisor.offline");
  },
  onDenied: () => {
    $("live-status").textContent = t("supervisor.denied");
  },
});
setInterval(tick, 1000);
setInterval(() => live.resync(), RESYNC_MS);

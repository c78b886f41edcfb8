// The phone page of one ticket: place and expected wait, live; a clear alert when called.
import { follow, readConfig, translator, waitPhrase } from "./socket.js";
import { beep, unlockSound } from "./sound.js";

const config = readConfig();
const t = translator(config.texts);
const $ = (id) => document.getElementById(id);
const baseTitle = document.title;

// Called already when the page opened: shown, but not rung again.
let alerted = alertKey(config.ticket);

function alertKey(ticket) {
  return ticket && ticket.state === "called" ? `${ticket.id}:${ticket.called_at}:${ticket.recall_count}` : null;
}

// Plural forms by the page language's rules, as the server's Babel picks them: "1 person",
// "2 personer"; "1 людина", "2 людини", "5 людей".
function plural(key, count) {
  const form = `${key}.${new Intl.PluralRules(config.lang).select(count)}`;
  return t(config.texts[form] === undefined ? `${key}.other` : form, { count });
}

function explanation(ticket) {
  const counter = ticket.counter ? ticket.counter.number : "";
  if (ticket.state === "waiting" && ticket.position === 1) return t("ticket.next");
  if (ticket.state === "waiting" && ticket.position) return plural("ticket.waiting_ahead", ticket.position - 1);
  if (ticket.state === "called") return "";
  return t(`ticket.${ticket.state}`, { counter });
}

function render(ticket) {
  if (!ticket) return;
  $("number").textContent = ticket.number;
  $("service").textContent = ticket.service_name[config.lang] || ticket.service_name.da;
  $("state").textContent = t(`live.state.${ticket.state}`);
  $("position-row").hidden = ticket.position === null;
  $("position").textContent = ticket.position ?? "";
  $("estimate-row").hidden = ticket.estimated_wait_minutes === null;
  // A range where the wait is uncertain ("ca. 10–15 min"), else one figure.
  $("estimate").textContent = waitPhrase(t, ticket.estimated_wait_minutes, ticket.estimated_wait_range);
  const explain = explanation(ticket);
  if ($("explain").textContent !== explain) $("explain").textContent = explain;
  const called = ticket.state === "called";
  const turn = called ? t("ticket.your_turn", { counter: ticket.counter?.number ?? "" }) : "";
  if ($("turn").textContent !== turn) {
    $("turn").replaceChildren(...(turn ? [Object.assign(document.createElement("p"), { textContent: turn })] : []));
  }
  document.title = called ? `${turn} · ${baseTitle}` : baseTitle;
  const key = alertKey(ticket);
  if (key && key !== alerted) {
    alerted = key;
    beep();
    navigator.vibrate?.([400, 200, 400, 200, 400]);
  }
}

$("sound-on").addEventListener("click", async () => {
  await unlockSound();
  // A short buzz shows that vibration works on this phone.
  navigator.vibrate?.(100);
  beep();
});

follow(`/ws/ticket/${encodeURIComponent(config.tracking)}`, {
  onSnapshot: (message) => render(message.ticket),
  onMessage: (message) => {
    if (message.type === "ticket") render(message.ticket);
  },
  onOnline: () => ($("offline").hidden = true),
  onOffline: () => ($("offline").hidden = false),
});

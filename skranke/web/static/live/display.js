// The wall display: latest calls (newest highlighted, chimed and spoken), waiting per area,
// and a clock. It runs for weeks: every list is capped and every render replaces, never adds.
import { element, follow, readConfig, translator, waitPhrase } from "./socket.js";
// The same spoken number as the kiosk's "read aloud": "Nummer D 2".
import { spokenNumber, utterance as spoken } from "../speech.js";
import { chime, soundBlocked, unlockSound } from "./sound.js";

const MAX_CALLS = 7;
const MAX_PENDING_ANNOUNCEMENTS = 5;
const config = readConfig();
const t = translator(config.texts);
const $ = (id) => document.getElementById(id);
const storageKey = `skranke.display.${config.device}.token`;

let calls = [];
let announce = ["da"];
let timeZone = "Europe/Copenhagen";
let clockOffset = 0;
const pending = [];
let speaking = false;

// The token arrives once in the address fragment (never sent to the server or its logs),
// is kept in this browser, and leaves the address bar.
const fromFragment = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromFragment) {
  localStorage.setItem(storageKey, fromFragment);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = localStorage.getItem(storageKey);

// Unknown, revoked or rotated token: the whole wall says "out of order", and nothing else
// (no calls that might be stale, no instructions meant for staff).
function outOfOrder(on) {
  $("out-of-order").hidden = !on;
  document.body.classList.toggle("display--out-of-order", on);
}

function problem(text) {
  $("problem").textContent = text;
  $("problem").hidden = !text;
}

function renderCalls(fresh) {
  const [latest, ...previous] = calls;
  const box = $("latest");
  if (!latest) {
    box.replaceChildren(element("p", { class: "latest-empty", text: t("display.no_calls") }));
  } else {
    box.replaceChildren(
      element(
        "p",
        { class: "latest-call" + (fresh ? " fresh" : "") },
        element("span", { class: "latest-number", text: latest.number }),
        element(
          "span",
          { class: "latest-where" },
          element("span", { class: "latest-arrow", "aria-hidden": "true", text: "→ " }),
          element("span", { class: "visually-hidden", text: ` ${t("display.to_counter")} ` }),
          element("span", { class: "latest-counter", text: `${t("display.counter")} ${latest.counter}` }),
        ),
      ),
    );
  }
  $("previous").replaceChildren(
    ...previous.map((call) =>
      element(
        "li",
        {},
        element("span", { class: "call-number", text: call.number }),
        element("span", { class: "call-arrow", "aria-hidden": "true", text: "→" }),
        element("span", { class: "visually-hidden", text: ` ${t("display.to_counter")} ` }),
        element("span", { class: "call-counter", text: `${t("display.counter")} ${call.counter}` }),
      ),
    ),
  );
}

function renderAreas(areas) {
  $("areas").replaceChildren(
    ...areas.map((area) =>
      element(
        "li",
        {},
        element("span", { class: "area-name", text: t(`live.area.${area.area}`) }),
        element("span", { class: "area-waiting", text: `${t("display.waiting")}: ${area.waiting}` }),
        element("span", {
          class: "area-estimate",
          text: `${t("display.estimate")}: ${waitPhrase(t, area.estimated_wait_minutes, area.estimated_wait_range)}`,
        }),
      ),
    ),
  );
}

function addCall(call) {
  if (calls.some((known) => known.event === call.event)) return false;
  // A recalled number moves to the top instead of standing twice on the screen.
  calls = [call, ...calls.filter((known) => known.number !== call.number)]
    .sort((a, b) => b.event - a.event)
    .slice(0, MAX_CALLS);
  return calls[0] === call;
}

function sentence(call, lang) {
  const template = config.announce[lang] || config.announce.da;
  return template.replace("{number}", spokenNumber(call.number)).replace("{counter}", call.counter);
}

function queueAnnouncement(call) {
  pending.push(call);
  if (pending.length > MAX_PENDING_ANNOUNCEMENTS) pending.shift();
  if (!speaking) nextAnnouncement();
}

function nextAnnouncement() {
  const call = pending.shift();
  speaking = Boolean(call);
  if (!call) return;
  setTimeout(() => speakAll(call, [...announce], nextAnnouncement), chime());
}

function speakAll(call, languages, done) {
  const lang = languages.shift();
  const text = lang ? sentence(call, lang) : "";
  const utterance = lang ? spoken(text, lang) : null;
  if (!utterance) {
    done();
    return;
  }
  let finished = false;
  const next = () => {
    if (finished) return;
    finished = true;
    clearTimeout(guard);
    speakAll(call, languages, done);
  };
  // Some speech engines never report the end; the queue must not stall on them.
  const guard = setTimeout(next, 1500 + text.length * 120);
  utterance.onend = next;
  utterance.onerror = next;
  window.speechSynthesis.speak(utterance);
}

function tick() {
  const now = new Date(Date.now() + clockOffset);
  // 24-hour with a colon in every language (docs/glossary.md); da-DK would write "21.40".
  $("clock").textContent = now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone });
  $("clock").setAttribute("datetime", now.toISOString());
}

function showSoundButton() {
  $("sound-on").hidden = !soundBlocked();
}

$("sound-on").addEventListener("click", async () => {
  await unlockSound();
  showSoundButton();
});

if (!token || config.outOfOrder) {
  outOfOrder(true);
} else {
  follow(`/ws/display/${encodeURIComponent(config.device)}`, {
    hello: () => ({ type: "hello", token }),
    onSnapshot(message) {
      problem("");
      outOfOrder(false);
      clockOffset = Date.parse(message.now) - Date.now();
      timeZone = message.branch.timezone || timeZone;
      announce = message.announce || ["da"];
      $("branch-name").textContent = message.branch.name;
      // Folded oldest first through the same rule as live calls: no number stands twice.
      calls = [];
      [...message.calls].reverse().forEach(addCall);
      renderCalls(false);
      renderAreas(message.areas);
      tick();
    },
    onMessage(message) {
      if (message.type === "call") {
        const newest = addCall(message);
        renderCalls(newest);
        if (newest) queueAnnouncement(message);
      } else if (message.type === "queue") {
        renderAreas(message.areas);
      }
    },
    onOnline: () => ($("offline").hidden = true),
    onOffline: () => ($("offline").hidden = false),
    onDenied: () => outOfOrder(true),
  });
}
tick();
setInterval(tick, 1000);
showSoundButton();

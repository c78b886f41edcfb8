// Follows one live websocket: a snapshot, then messages numbered seq+1, seq+2, ...
// A gap or a silent connection brings a fresh snapshot; a lost connection is retried with
// exponential backoff and jitter, so a restarted server is not hit by every page at once.
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
// Credentials refused: retrying fast would only fill the server's log.
const DENIED_DELAY_MS = 60000;
const DENIED = new Set([4401, 4403, 4404]);

export function follow(path, handlers) {
  let socket = null;
  let lastSeq = null;
  let attempt = 0;
  let retryTimer = null;
  let watchdog = null;
  let heartbeatMs = 20000;
  const scheme = location.protocol === "https:" ? "wss" : "ws";

  function connect() {
    clearTimeout(retryTimer);
    const ws = new WebSocket(`${scheme}://${location.host}${path}`);
    socket = ws;
    ws.onopen = () => {
      if (handlers.hello) ws.send(JSON.stringify(handlers.hello()));
      arm();
    };
    ws.onmessage = (event) => {
      if (ws === socket) receive(JSON.parse(event.data));
    };
    ws.onclose = (event) => {
      if (ws === socket) lost(event.code);
    };
  }

  function lost(code) {
    socket = null;
    lastSeq = null;
    clearTimeout(watchdog);
    handlers.onOffline?.();
    let delay = Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS) * (0.5 + Math.random());
    if (DENIED.has(code)) {
      handlers.onDenied?.(code);
      delay = DENIED_DELAY_MS;
    }
    attempt += 1;
    retryTimer = setTimeout(connect, delay);
  }

  // No message, not even a heartbeat, for this long: the connection is dead without a close.
  function arm() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      const ws = socket;
      if (!ws) return;
      lost(1006);
      ws.close();
    }, heartbeatMs * 2.5);
  }

  function receive(message) {
    arm();
    if (message.type === "snapshot") {
      lastSeq = message.seq;
      attempt = 0;
      heartbeatMs = (message.heartbeat_seconds || 20) * 1000;
      handlers.onOnline?.();
      handlers.onSnapshot(message);
      return;
    }
    if (lastSeq === null) return; // waiting for the snapshot asked for below
    if (message.type === "heartbeat") {
      if (message.seq !== lastSeq) resync();
      return;
    }
    if (message.seq !== lastSeq + 1) {
      resync();
      return;
    }
    lastSeq = message.seq;
    handlers.onMessage(message);
  }

  function resync() {
    lastSeq = null;
    socket?.send(JSON.stringify({ type: "resync" }));
  }

  window.addEventListener("online", () => {
    if (!socket) {
      attempt = 0;
      connect();
    }
  });
  connect();
  return { resync };
}

export function translator(texts) {
  return (key, values = {}) =>
    (texts[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// The expected wait as a citizen reads it: "ca. 10–15 min", "under 5 min", "om et øjeblik";
// never "ca. 0 min" (the phone page's template says it the same way).
export function waitPhrase(t, minutes, range) {
  if (range && range[1] > range[0]) {
    return range[0] <= 0
      ? t("live.about_under", { minutes: range[1] })
      : t("live.about_range", { low: range[0], high: range[1] });
  }
  return minutes > 0 ? t("live.about_minutes", { minutes }) : t("live.about_soon");
}

export function readConfig() {
  return JSON.parse(document.getElementById("live-config").textContent);
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

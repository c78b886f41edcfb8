// Short generated tones (no audio files): a two-note chime for calls, a beep for phones.
let context = null;

function audio() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    context = new Context();
  }
  return context;
}

export function soundBlocked() {
  const ctx = audio();
  return ctx !== null && ctx.state === "suspended";
}

export async function unlockSound() {
  const ctx = audio();
  if (ctx && ctx.state === "suspended") await ctx.resume();
}

// Plays the notes one after another; returns how long that takes in milliseconds.
export function tones(notes, noteSeconds = 0.35, volume = 0.25) {
  const ctx = audio();
  if (!ctx || ctx.state !== "running") return 0;
  const start = ctx.currentTime + 0.02;
  notes.forEach((frequency, i) => {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    const at = start + i * noteSeconds;
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(volume, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + noteSeconds * 0.95);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(at);
    oscillator.stop(at + noteSeconds);
  });
  return Math.round(notes.length * noteSeconds * 1000) + 50;
}

export const chime = () => tones([784, 659, 523]);
export const beep = () => tones([880, 988, 880, 988], 0.2, 0.4);

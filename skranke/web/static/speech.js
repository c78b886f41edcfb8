// One way to say a ticket number aloud, shared by the kiosk's "read aloud" and the wall
// display's announcements: "D002" is "D 2" (letter, then the number without its zeros), after
// the page language's own word for it ("Nummer D 2", "Number D 2").

export function spokenNumber(number) {
  const match = /^(\D+?)0*(\d+)$/.exec(number || "");
  return match ? `${match[1]} ${match[2]}` : number;
}

// Voices are looked up by region where a language has a usual one.
export const VOICE_LANG = { da: "da-DK", en: "en-GB", uk: "uk-UA", ar: "ar", pl: "pl-PL", tr: "tr-TR" };

// An utterance in the language's voice, or null where the browser cannot speak.
export function utterance(text, lang) {
  const synth = window.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") return null;
  const said = new SpeechSynthesisUtterance(text);
  said.lang = VOICE_LANG[lang] || lang;
  const voice = synth.getVoices().find((v) => v.lang?.replace("_", "-").startsWith(said.lang.slice(0, 2)));
  if (voice) said.voice = voice;
  return said;
}

// Says `text` at once, cutting off anything still being said.
export function speak(text, lang) {
  const said = utterance(text, lang);
  if (!said) return null;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(said);
  return said;
}

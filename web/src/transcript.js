// The live transcript: one entry per turn, the caller's and the bot's in turn.
// Interim text (what the STT is still revising, what the bot is about to say)
// is shown apart from final text and hidden from screen readers, so the
// aria-live list announces each sentence once.

const SPEAKERS = { user: "You", bot: "Assistant" };

class Entry {
  constructor(list, speaker) {
    this.speaker = speaker;
    this.element = document.createElement("li");
    this.element.className = `turn ${speaker}`;
    this.element.dataset.speaker = speaker;

    const who = document.createElement("span");
    who.className = "speaker";
    who.textContent = SPEAKERS[speaker];

    const text = document.createElement("p");
    text.className = "text";
    this._final = document.createElement("span");
    this._final.className = "final";
    this._interim = document.createElement("span");
    this._interim.className = "interim";
    this._interim.setAttribute("aria-hidden", "true");
    text.append(this._final, this._interim);

    this.element.append(who, text);
    list.append(this.element);
    this.heard = false;
  }

  get finalText() {
    return this._final.textContent;
  }

  addFinal(text) {
    this._final.textContent = joinWords(this._final.textContent, text);
  }

  setInterim(text) {
    this._interim.textContent = text ? ` ${text.trim()}` : "";
  }

  markHeard() {
    this.heard = true;
    this.element.dataset.heard = "true";
  }

  // `by`: the services that answered, when the bot has a fallback chain.
  showLatency(ms, by = "") {
    const latency = document.createElement("span");
    latency.className = "latency";
    latency.dataset.ms = String(Math.round(ms));
    if (by) latency.dataset.services = by;
    latency.title = "From the end of your speech to the first sound of this reply";
    latency.textContent = `replied in ${(ms / 1000).toFixed(2)} s${by ? ` by ${by}` : ""}`;
    this.element.append(latency);
  }
}

function joinWords(before, after) {
  const text = after.trim();
  if (!text) return before;
  return before ? `${before} ${text}` : text;
}

export class Transcript {
  constructor(list) {
    this._list = list;
    this._current = null;
    // The bot's reply as the LLM wrote it, less what has been spoken.
    this._unspoken = "";
  }

  clear() {
    this._list.replaceChildren();
    this._current = null;
    this._unspoken = "";
  }

  // The entry of `speaker`'s current turn; a new one when the other spoke last.
  entry(speaker) {
    if (this._current?.speaker !== speaker) {
      this._current?.setInterim("");
      this._current = new Entry(this._list, speaker);
      this._unspoken = "";
      this._list.lastElementChild.scrollIntoView?.({ block: "nearest" });
    }
    return this._current;
  }

  // The open bot entry, if the bot is the one speaking now.
  get botEntry() {
    return this._current?.speaker === "bot" ? this._current : null;
  }

  userText(text, final) {
    const entry = this.entry("user");
    if (final) {
      entry.addFinal(text);
      entry.setInterim("");
    } else {
      entry.setInterim(text);
    }
  }

  botWritten(text) {
    const entry = this.entry("bot");
    this._unspoken += text;
    entry.setInterim(this._unspoken);
  }

  botSpoken(text) {
    const entry = this.entry("bot");
    entry.addFinal(text);
    const spoken = text.trim();
    const at = this._unspoken.indexOf(spoken);
    if (at >= 0) this._unspoken = this._unspoken.slice(at + spoken.length);
    entry.setInterim(this._unspoken);
  }

  // The bot was cut off: what it had not said yet will not be said.
  botInterrupted() {
    this._unspoken = "";
    this.botEntry?.setInterim("");
  }
}

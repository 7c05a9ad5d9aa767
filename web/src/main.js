// The caller's page: one button to call the bot and hang up, the bot's state,
// a live transcript of both sides, and how long each reply took to be heard.
//
// It speaks RTVI over a SmallWebRTC data channel with Pipecat's own client
// (@pipecat-ai/client-js and @pipecat-ai/small-webrtc-transport), bundled into
// static/app.js: nothing is loaded from outside the bot.

import { LogLevel, PipecatClient } from "@pipecat-ai/client-js";
import { SmallWebRTCTransport } from "@pipecat-ai/small-webrtc-transport";

import { VoiceLevels } from "./levels.js";
import { MicrophoneManager } from "./microphone.js";
import { Transcript } from "./transcript.js";

// No answer from the bot (offer, ICE, then bot-ready) within this: unreachable.
const CONNECT_TIMEOUT_MS = 20000;

const STATES = {
  idle: "Not connected",
  microphone: "Waiting for the microphone",
  connecting: "Connecting…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
  ended: "Call ended",
};

const MESSAGES = {
  micDenied:
    "The microphone is blocked. Allow this page to use it (the icon at the left of the address bar), then start the call again.",
  micMissing: "No microphone was found. Connect one, then start the call again.",
  micFailed: "The microphone could not be opened. Check that no other application holds it, then start the call again.",
  unreachable: "The assistant could not be reached. Check that the bot is running (make run), then start the call again.",
  busy: "All lines are busy. Please try again in a moment.",
  dropped: "The call dropped. Start the call again to continue.",
  botEnded: "The assistant ended the call.",
};

const page = {
  button: document.getElementById("call"),
  state: document.getElementById("state"),
  notice: document.getElementById("notice"),
  hint: document.getElementById("mic-hint"),
  audio: document.getElementById("bot-audio"),
  transcript: new Transcript(document.getElementById("transcript")),
};

let call = null;

function setState(state) {
  page.state.dataset.state = state;
  page.state.textContent = STATES[state];
  document.body.dataset.callState = state;
}

function notify(key) {
  page.notice.hidden = !key;
  page.notice.dataset.message = key ?? "";
  page.notice.textContent = key ? MESSAGES[key] : "";
}

function setButton(inCall) {
  page.button.textContent = inCall ? "Hang up" : "Start call";
  page.button.classList.toggle("hang-up", inCall);
}

class Call {
  constructor() {
    this.ended = false;
    this.hungUp = false;
    this.botLeft = false;
    // performance.now() of the caller's last voiced audio, of the start of
    // their turn, and of the end of the turn the bot is answering (null when
    // no answer is pending).
    this.lastVoice = null;
    this.turnStart = 0;
    this.turnEnd = null;
    this.services = null;
    this.levels = new VoiceLevels((sample) => this.onLevels(sample));
    this.microphone = new MicrophoneManager();
    this.client = new PipecatClient({
      transport: new SmallWebRTCTransport({ mediaManager: this.microphone }),
      enableMic: true,
      enableCam: false,
      callbacks: this.callbacks(),
    });
    this.client.setLogLevel(LogLevel.WARN);
  }

  async start() {
    this.levels.start();
    setState("microphone");
    try {
      await this.client.initDevices();
    } catch (error) {
      this.finish(micMessage(error));
      return;
    }
    if (this.ended) return;
    page.hint.hidden = true;
    setState("connecting");
    const timeout = setTimeout(() => this.fail("unreachable"), CONNECT_TIMEOUT_MS);
    try {
      await this.client.connect({ webrtcRequestParams: { endpoint: "/api/offer" } });
    } catch (error) {
      // The bot answers 503 when every line is taken (MAX_SESSIONS) or it is shutting
      // down; the client retries the offer a few times before it gives up with that status.
      this.fail(error?.status === 503 ? "busy" : "unreachable");
    } finally {
      clearTimeout(timeout);
    }
  }

  async hangUp() {
    this.hungUp = true;
    await this.client.disconnect();
    this.finish(null);
  }

  async fail(message) {
    if (this.ended) return;
    this.finish(message);
    await this.client.disconnect();
  }

  finish(message) {
    if (this.ended) return;
    this.ended = true;
    this.levels.stop();
    // Also when the call ends before it connected: the browser stops recording.
    this.microphone.disconnect();
    page.audio.srcObject = null;
    const notStarted = ["unreachable", "busy"].includes(message) || message?.startsWith("mic");
    setState(notStarted ? "idle" : "ended");
    notify(message);
    setButton(false);
    page.button.focus();
    if (call === this) call = null;
  }

  callbacks() {
    return {
      onBotReady: () => setState("listening"),
      onDisconnected: () => {
        // While connecting, start() says why once connect() gives up (busy or unreachable).
        if (this.ended || this.hungUp || page.state.dataset.state === "connecting") return;
        this.finish(this.botLeft ? "botEnded" : "dropped");
      },
      onBotDisconnected: () => {
        this.botLeft = true;
      },
      onTrackStarted: (track, participant) => {
        if (track.kind !== "audio") return;
        if (participant?.local) {
          this.levels.listenToMic(track);
          return;
        }
        const stream = new MediaStream([track]);
        page.audio.srcObject = stream;
        this.levels.listenToBot(stream);
      },
      onUserStartedSpeaking: () => {
        this.turnStart = performance.now();
        // Speaking over the bot interrupts it: the rest of its reply is dropped.
        page.transcript.botInterrupted();
        setState("listening");
      },
      onUserStoppedSpeaking: () => {
        // The mic's last voiced moment is the end of speech; if the mic was too
        // quiet to tell, the bot's own end-of-turn event stands in for it.
        const heard = this.lastVoice !== null && this.lastVoice >= this.turnStart;
        this.turnEnd = heard ? this.lastVoice : performance.now();
        setState("thinking");
      },
      onUserTranscript: ({ text, final }) => page.transcript.userText(text, final),
      onBotLlmStarted: () => {
        if (page.state.dataset.state !== "speaking") setState("thinking");
      },
      onBotLlmText: ({ text }) => page.transcript.botWritten(text),
      onBotTtsText: ({ text }) => page.transcript.botSpoken(text),
      onBotStartedSpeaking: () => {
        page.transcript.entry("bot");
        setState("speaking");
      },
      onBotStoppedSpeaking: () => setState("listening"),
      onError: (message) => {
        if (message?.data?.fatal) this.fail("dropped");
      },
      // The services that answered the last turn, sent when they change (a failover or a
      // recovery); shown beside each reply's latency.
      onServerMessage: (data) => {
        if (data?.type === "services") this.services = data;
      },
    };
  }

  onLevels({ mic, bot, at }) {
    if (mic) this.lastVoice = at;
    if (!bot) return;
    // The tail of a reply the caller talked over belongs to no new entry.
    const replying = ["thinking", "speaking"].includes(page.state.dataset.state);
    const entry = page.transcript.botEntry ?? (replying ? page.transcript.entry("bot") : null);
    if (!entry) return;
    if (!entry.heard) entry.markHeard();
    if (this.turnEnd !== null) {
      entry.showLatency(at - this.turnEnd, servicesLabel(this.services));
      this.turnEnd = null;
    }
  }
}

function servicesLabel(services) {
  if (!services) return "";
  return ["stt", "llm", "tts"]
    .filter((stage) => services[stage])
    .map((stage) => services[stage])
    .join(", ");
}

function micMessage(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "micDenied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "micMissing";
    default:
      return "micFailed";
  }
}

page.button.addEventListener("click", () => {
  if (call) {
    call.hangUp();
    return;
  }
  notify(null);
  page.transcript.clear();
  setButton(true);
  call = new Call();
  call.start();
});

setState("idle");
setButton(false);

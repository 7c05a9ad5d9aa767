// Audio energy of the caller's microphone and of the bot's voice, sampled
// every TICK_MS. It is how the page knows when the caller stopped talking and
// when the bot's reply became audible, which is the latency it shows.

export const TICK_MS = 20;

// RMS of a 20 ms window above which a signal counts as voice (about -40 dBFS).
const VOICE_RMS = 0.01;

class Meter {
  constructor(context, stream) {
    this._source = context.createMediaStreamSource(stream);
    this._analyser = context.createAnalyser();
    this._analyser.fftSize = 1024;
    this._samples = new Float32Array(this._analyser.fftSize);
    // Not connected to the speakers: the <audio> element plays the sound.
    this._source.connect(this._analyser);
  }

  rms() {
    this._analyser.getFloatTimeDomainData(this._samples);
    let sum = 0;
    for (const sample of this._samples) sum += sample * sample;
    return Math.sqrt(sum / this._samples.length);
  }

  close() {
    this._source.disconnect();
  }
}

// Calls onSample({ mic, bot, at }) every tick with the voiced state of each
// side, `at` in performance.now() milliseconds.
export class VoiceLevels {
  constructor(onSample) {
    this._onSample = onSample;
    this._context = null;
    this._mic = null;
    this._bot = null;
    this._timer = null;
  }

  // Must run inside the click that starts the call: browsers only let an
  // AudioContext start from a user gesture.
  start() {
    this._context ??= new AudioContext();
    this._context.resume();
    this._timer ??= setInterval(() => this._tick(), TICK_MS);
  }

  listenToMic(track) {
    this._mic?.close();
    this._mic = new Meter(this._context, new MediaStream([track]));
  }

  // Chrome routes a remote WebRTC stream into Web Audio only while a media
  // element plays it, so the caller passes the stream its <audio> plays.
  listenToBot(stream) {
    this._bot?.close();
    this._bot = new Meter(this._context, stream);
  }

  stop() {
    clearInterval(this._timer);
    this._timer = null;
    this._mic?.close();
    this._bot?.close();
    this._mic = this._bot = null;
    this._context?.close();
    this._context = null;
  }

  _tick() {
    const mic = this._mic ? this._mic.rms() : 0;
    const bot = this._bot ? this._bot.rms() : 0;
    this._onSample({ mic: mic > VOICE_RMS, bot: bot > VOICE_RMS, botLevel: bot, at: performance.now() });
  }
}

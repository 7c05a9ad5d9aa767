// The media manager the SmallWebRTC transport uses for the caller's microphone.
//
// The transport's default (DailyMediaManager) opens devices through daily-js,
// which downloads its call machine from Daily's CDN: offline it never gets the
// microphone. This one asks the browser directly with getUserMedia and hands
// the track to the transport, which sends it over the peer connection.

import { DeviceError, UnsupportedFeatureError } from "@pipecat-ai/client-js";

const LOCAL = { id: "local", name: "", local: true };

// getUserMedia's DOMException names, as the client's DeviceError types.
const ERROR_TYPES = {
  NotAllowedError: "permissions",
  SecurityError: "permissions",
  NotFoundError: "not-found",
  OverconstrainedError: "constraints",
  NotReadableError: "in-use",
};

export class MicrophoneManager {
  constructor() {
    this._callbacks = {};
    this._options = null;
    this._micEnabled = true;
    this._stream = null;
  }

  setUserAudioCallback() {
    // Audio travels as a WebRTC track; no raw samples go through the client.
  }

  setClientOptions(options, override = false) {
    if (this._options && !override) return;
    this._options = options;
    this._callbacks = options.callbacks ?? {};
    this._micEnabled = options.enableMic ?? true;
  }

  get supportsScreenShare() {
    return false;
  }

  async initialize() {
    if (this._stream) return;
    try {
      this._stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const type = ERROR_TYPES[error?.name] ?? "unknown";
      this._callbacks.onDeviceError?.(new DeviceError(["mic"], type, error?.message));
      throw error;
    }
    const track = this._track();
    track.enabled = this._micEnabled;
    track.addEventListener("ended", () => this._callbacks.onTrackStopped?.(track, LOCAL));
    this._callbacks.onMicUpdated?.(this.selectedMic);
  }

  async connect() {
    await this.initialize();
    this._callbacks.onTrackStarted?.(this._track(), LOCAL);
  }

  async disconnect() {
    this._stream?.getTracks().forEach((track) => track.stop());
    this._stream = null;
  }

  async userStartedSpeaking() {
    // The bot's audio plays from an <audio> element that the bot itself
    // silences on an interruption; there is no local buffer to flush.
  }

  bufferBotAudio() {
    // Bot audio arrives as a WebRTC track, never as buffers.
  }

  async getAllMics() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((device) => device.kind === "audioinput");
  }

  async getAllCams() {
    return [];
  }

  async getAllSpeakers() {
    return [];
  }

  async updateMic() {
    throw new UnsupportedFeatureError("updateMic", "MicrophoneManager", "the page uses the default microphone");
  }

  updateCam() {
    throw new UnsupportedFeatureError("updateCam", "MicrophoneManager", "the page sends no video");
  }

  updateSpeaker() {
    throw new UnsupportedFeatureError("updateSpeaker", "MicrophoneManager", "the page uses the default speaker");
  }

  get selectedMic() {
    const track = this._track();
    if (!track) return {};
    return { deviceId: track.getSettings().deviceId ?? "default", label: track.label, kind: "audioinput" };
  }

  get selectedCam() {
    return {};
  }

  get selectedSpeaker() {
    return {};
  }

  enableMic(enable) {
    this._micEnabled = enable;
    const track = this._track();
    if (track) track.enabled = enable;
  }

  enableCam(enable) {
    if (enable) throw new UnsupportedFeatureError("enableCam", "MicrophoneManager", "the page sends no video");
  }

  enableScreenShare(enable) {
    if (enable) throw new UnsupportedFeatureError("enableScreenShare", "MicrophoneManager", "the page shares no screen");
  }

  get isMicEnabled() {
    return this._micEnabled;
  }

  get isCamEnabled() {
    return false;
  }

  get isSharingScreen() {
    return false;
  }

  tracks() {
    const audio = this._track();
    return { local: audio ? { audio } : {} };
  }

  _track() {
    return this._stream?.getAudioTracks()[0];
  }
}

// Stands in for @daily-co/daily-js in the bundle (see package.json's build).
//
// The SmallWebRTC transport imports daily-js for its default media manager,
// which this page never creates (it passes MicrophoneManager). daily-js would
// load its call machine from Daily's CDN, so it is kept out of the page: a
// call reaching here is a bug, and says so.

function notBundled() {
  throw new Error("daily-js is not part of this page; pass a mediaManager to SmallWebRTCTransport");
}

export default { createCallObject: notBundled, getCallInstance: notBundled };

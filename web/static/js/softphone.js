// cic softphone: a small, framework-free wrapper over JsSIP (web/static/vendor/jssip.min.js,
// built at set-up from the pinned npm package, exposing the global `JsSIP`).
//
//   const phone = new Softphone({wsUrl, sipUri, password, displayName, audio});
//   phone.on("incoming", ({from, callId}) => ...);
//   phone.register();  ...  phone.answer();  phone.hold();  phone.sendDTMF("1");  phone.hangup();
//
// Events: registered, unregistered, registrationFailed {cause}, incoming {from, fromName, callId},
// ringing, answered, ended {cause}, failed {cause}, hold, unhold, mute, unmute.
// The console shows the (Polish) text; this module only reports states and causes.
(function (global) {
  "use strict";

  const EVENTS = [
    "registered", "unregistered", "registrationFailed", "incoming", "ringing", "answered",
    "ended", "failed", "hold", "unhold", "mute", "unmute",
  ];

  class Softphone {
    /**
     * @param {{wsUrl: string, sipUri: string, password: string, displayName?: string,
     *          audio?: HTMLAudioElement, debug?: boolean}} options
     */
    constructor(options) {
      if (!global.JsSIP) throw new Error("JsSIP is not loaded (vendor/jssip.min.js)");
      const JsSIP = global.JsSIP;
      if (options.debug) JsSIP.debug.enable("JsSIP:*"); else JsSIP.debug.disable();
      this.options = options;
      this.handlers = {};
      EVENTS.forEach((name) => { this.handlers[name] = []; });
      this.session = null;
      this.state = "idle"; // idle | ringing | talking
      this.held = false;
      this.muted = false;
      this.registeredState = false;
      this.audio = options.audio || this._createAudio();
      const socket = new JsSIP.WebSocketInterface(options.wsUrl);
      this.ua = new JsSIP.UA({
        sockets: [socket],
        uri: options.sipUri,
        password: options.password,
        display_name: options.displayName || undefined,
        register: false,
        session_timers: false,
        register_expires: 120,
        user_agent: "cic-softphone",
      });
      this.ua.on("registered", () => { this.registeredState = true; this._emit("registered", {}); });
      this.ua.on("unregistered", () => {
        this.registeredState = false;
        this._emit("unregistered", {});
      });
      this.ua.on("registrationFailed", (e) => {
        this.registeredState = false;
        this._emit("registrationFailed", { cause: e.cause });
      });
      this.ua.on("newRTCSession", (e) => this._onSession(e));
      this.ua.start();
    }

    /** Subscribe to an event; returns a function that unsubscribes. */
    on(name, handler) {
      if (!this.handlers[name]) throw new Error(`unknown event ${name}`);
      this.handlers[name].push(handler);
      return () => { this.handlers[name] = this.handlers[name].filter((h) => h !== handler); };
    }

    register() { this.ua.register(); }

    unregister() { this.ua.unregister({ all: false }); }

    /** Unregister and close the WebSocket. */
    stop() {
      if (this.session) this.hangup();
      this.ua.stop();
    }

    get registered() { return this.registeredState; }

    answer() {
      if (!this.session || this.state !== "ringing") return false;
      this.session.answer({
        mediaConstraints: { audio: true, video: false },
        rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      });
      return true;
    }

    hangup() {
      if (!this.session) return false;
      try { this.session.terminate(); } catch (err) { /* already ended */ }
      return true;
    }

    hold() {
      if (!this.session || this.state !== "talking" || this.held) return false;
      return this.session.hold();
    }

    unhold() {
      if (!this.session || !this.held) return false;
      return this.session.unhold();
    }

    mute() {
      if (!this.session || this.muted) return false;
      this.session.mute({ audio: true });
      return true;
    }

    unmute() {
      if (!this.session || !this.muted) return false;
      this.session.unmute({ audio: true });
      return true;
    }

    /** Send one DTMF digit (0-9, *, #, A-D) as RFC 4733 telephone-events in the RTP stream. */
    sendDTMF(digit) {
      if (!this.session || this.state !== "talking") return false;
      this.session.sendDTMF(String(digit), { transportType: "RFC2833", duration: 160 });
      return true;
    }

    /** The RTCPeerConnection of the current call (for statistics), or null. */
    get peerConnection() { return this.session ? this.session.connection : null; }

    /** Packet counters of the current call: {sent, received} RTP audio packets. */
    async rtpStats() {
      const pc = this.peerConnection;
      const out = { sent: 0, received: 0 };
      if (!pc) return out;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.kind !== "audio" && s.mediaType !== "audio") return;
        if (s.type === "outbound-rtp") out.sent += s.packetsSent || 0;
        if (s.type === "inbound-rtp") out.received += s.packetsReceived || 0;
      });
      return out;
    }

    _createAudio() {
      const el = document.createElement("audio");
      el.autoplay = true;
      el.hidden = true;
      document.body.appendChild(el);
      return el;
    }

    _attachRemote(pc) {
      const attach = (stream) => {
        if (this.audio.srcObject !== stream) this.audio.srcObject = stream;
        const played = this.audio.play();
        if (played && played.catch) played.catch(() => { /* autoplay policy; user gesture */ });
      };
      pc.addEventListener("track", (ev) => {
        attach(ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]));
      });
    }

    _onSession(e) {
      const session = e.session;
      if (e.originator !== "remote") return; // the console only takes calls
      if (this.session) { // one call at a time: busy for a second one
        session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
        return;
      }
      this.session = session;
      this.state = "ringing";
      this.held = false;
      this.muted = false;
      if (session.connection) this._attachRemote(session.connection);
      session.on("peerconnection", (ev) => this._attachRemote(ev.peerconnection));
      session.on("accepted", () => { this.state = "talking"; this._emit("answered", {}); });
      session.on("confirmed", () => { this.state = "talking"; });
      session.on("hold", (ev) => {
        if (ev.originator === "local") { this.held = true; this._emit("hold", {}); }
      });
      session.on("unhold", (ev) => {
        if (ev.originator === "local") { this.held = false; this._emit("unhold", {}); }
      });
      session.on("muted", () => { this.muted = true; this._emit("mute", {}); });
      session.on("unmuted", () => { this.muted = false; this._emit("unmute", {}); });
      session.on("ended", (ev) => this._finish("ended", ev));
      session.on("failed", (ev) => this._finish("failed", ev));
      const req = e.request;
      const from = session.remote_identity;
      this._emit("incoming", {
        from: from && from.uri ? from.uri.user : "",
        fromName: from ? from.display_name || "" : "",
        callId: req ? req.call_id : "",
      });
      this._emit("ringing", {});
    }

    _finish(kind, ev) {
      this.session = null;
      this.state = "idle";
      this.held = false;
      this.muted = false;
      this.audio.srcObject = null;
      this._emit(kind, { cause: ev ? ev.cause : "", originator: ev ? ev.originator : "" });
    }

    _emit(name, detail) {
      this.handlers[name].forEach((h) => {
        try { h(detail); } catch (err) { console.error("softphone handler", name, err); }
      });
    }
  }

  global.Softphone = Softphone;
})(typeof window !== "undefined" ? window : globalThis);

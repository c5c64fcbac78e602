// The agent's console: softphone (softphone.js over JsSIP), presence, screen pop, wrap-up.
// Every message of /ws/agent is also dispatched as a "cic:message" DOM event for the other
// panels (messages.js, transfer.js): one socket per page.
// Text from the server is always put in with textContent: names and notes are shown, never run.
// State for tests and styling lives in body data attributes: data-sip, data-presence,
// data-call (idle | ringing | active | held | ended) and data-wrapup (saved).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const root = $("console");
  if (!root) return;
  const agent = root.dataset.agent;
  const wrapupSeconds = Number(root.dataset.wrapupSeconds || 0);
  // Dates of earlier calls in the office's time zone, whatever the browser's is set to.
  const officeZone = root.dataset.timezone || "Europe/Warsaw";
  // dd.mm.rrrr gg:mm, the way the office writes a date and time.
  function officeTime(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "–";
    const options = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit",
                      minute: "2-digit", hourCycle: "h23" };
    let parts;
    try {
      parts = new Intl.DateTimeFormat("pl-PL", { ...options, timeZone: officeZone }).formatToParts(when);
    } catch (err) {
      parts = new Intl.DateTimeFormat("pl-PL", options).formatToParts(when);
    }
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
  }
  // Channel marks for the contact list (the label says it in words too).
  const CHANNEL_ICONS = { telefon: "☎", email: "✉", www: "⌨", osobiscie: "⌂", epuap: "⎙" };
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const body = document.body;
  const OUTCOMES_PL = {
    answered: "odebrane", abandoned: "porzucone", unanswered: "nieodebrane",
    message: "wiadomość", lost: "przerwane", in_progress: "w toku",
    callback: "prośba o oddzwonienie",
  };
  const SIP_PL = {
    connecting: "łączenie…", registered: "gotowy", unregistered: "wyrejestrowany",
    failed: "błąd rejestracji",
  };
  let presence = JSON.parse($("presence-initial").textContent || "null");
  let currentCall = null; // {call_id, caller_number}
  let countdown = null;

  function setError(text) { $("console-error").textContent = text || ""; }

  async function api(path, payload, method = "POST") {
    const response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload || {}),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  // --- presence ---
  function showPresence(p) {
    if (!p) return;
    presence = p;
    body.dataset.presence = p.state;
    $("presence-state").textContent = p.label || p.state;
    $("presence-reason").textContent = p.pause_reason ? `(${p.pause_reason})` : "";
    tickPresence();
  }

  function tickPresence() {
    if (!presence || !presence.since) { $("presence-time").textContent = ""; return; }
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(presence.since)) / 1000));
    const m = Math.floor(seconds / 60);
    $("presence-time").textContent = m ? `od ${m} min ${seconds % 60} s` : `od ${seconds} s`;
  }

  async function presenceAction(action, payload) {
    setError("");
    try {
      showPresence(await api(`/api/agents/${encodeURIComponent(agent)}/${action}`, payload));
    } catch (err) { setError(err.message); }
  }

  $("btn-available").addEventListener("click", () => {
    const state = presence ? presence.state : "offline";
    presenceAction(state === "paused" ? "unpause" : "login");
  });
  $("btn-pause").addEventListener("click", () =>
    presenceAction("pause", { reason: $("pause-reason").value }));
  $("btn-offline").addEventListener("click", () => presenceAction("logout"));

  // --- call state ---
  function setCall(state) {
    const rang = state === "ringing" && body.dataset.call !== "ringing";
    body.dataset.call = state;
    const labels = { idle: "brak", ringing: "dzwoni", active: "w toku", held: "zawieszona",
                     ended: "zakończona" };
    $("call-state").textContent = labels[state] || state;
    const live = state === "active" || state === "held";
    $("btn-answer").disabled = state !== "ringing";
    $("btn-hangup").disabled = !(live || state === "ringing");
    $("btn-hold").disabled = !live;
    $("btn-mute").disabled = !live;
    $("btn-hold").textContent = state === "held" ? "Wznów" : "Zawieś";
    document.querySelectorAll(".dtmf").forEach((b) => { b.disabled = !live; });
    $("incoming").hidden = !(state === "ringing" || live || state === "ended");
    // A ringing call takes the focus from whatever the agent was typing (a message's draft
    // stays as it is); the next Tab reaches "Odbierz".
    if (rang) $("call-panel").focus();
  }

  function showScreenPop(pop) {
    currentCall = { call_id: pop.call_id, caller_number: pop.caller_number };
    $("caller-number").textContent = pop.caller_number || "numer zastrzeżony";
    // A resident on record is named from the register, not from the caller ID the trunk sent.
    const known = pop.resident && pop.resident.name;
    $("caller-name").textContent = known ? `${pop.resident.name} (mieszkaniec w rejestrze)` : (pop.caller_name || "");
    body.dataset.resident = known ? String(pop.resident.id) : "";
    $("routing-reason").textContent = pop.routing_reason || "";
    const list = $("history");
    list.replaceChildren(...earlierContacts(pop).map((c) => c.item));
    if (!list.children.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "Pierwszy kontakt.";
      list.appendChild(li);
    }
    const matters = $("matters");
    matters.replaceChildren();
    for (const m of pop.matters || []) {
      const li = document.createElement("li");
      li.dataset.signature = m.signature;
      const due = m.deadline ? ` · termin ${m.deadline.split("-").reverse().join(".")}` : "";
      li.textContent = `${m.signature} · ${m.status_label}${due}`;
      matters.appendChild(li);
    }
    if (!matters.children.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "Brak otwartych spraw.";
      matters.appendChild(li);
    }
    // The wrap-up's report may join one of these cases (the server allows no other).
    const cases = $("wrapup-case");
    cases.replaceChildren(new Option("— bez sprawy —", ""));
    for (const m of pop.matters || []) cases.appendChild(new Option(m.signature, m.signature));
  }

  // One list of earlier contacts, newest first: the calls and the resident's e-mails, web-form
  // messages and visits (their reports of the phone channel are the calls already listed).
  function contactItem(channel, label, at, parts, snippet) {
    const li = document.createElement("li");
    li.dataset.channel = channel;
    const icon = document.createElement("span");
    icon.className = "channel-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = CHANNEL_ICONS[channel] || "•";
    li.append(icon, ` ${at ? officeTime(at) : "–"} · ${label} · ${parts.filter(Boolean).join(" · ")}`);
    if (snippet) {
      const quote = document.createElement("span");
      quote.className = "snippet";
      quote.textContent = ` — ${snippet.length > 140 ? `${snippet.slice(0, 140)}…` : snippet}`;
      li.appendChild(quote);
    }
    return li;
  }

  function earlierContacts(pop) {
    const out = [];
    for (const h of pop.history || []) {
      const who = h.agent ? h.agent.replace("PJSIP/agent-", "") : "–";
      let what = OUTCOMES_PL[h.outcome] || h.outcome;
      if (h.wrapup) what += ` · ${h.wrapup.outcome}${h.wrapup.topic ? `: ${h.wrapup.topic}` : ""}`;
      out.push({ at: h.entered_at || "", item: contactItem("telefon", "telefon", h.entered_at, [who, what]) });
    }
    for (const c of pop.channels || []) {
      if (c.channel === "telefon") continue;
      const li = contactItem(c.channel, c.channel_label || c.channel, c.at,
        [c.topic, c.waiting ? "czeka na odpowiedź" : ""], c.snippet);
      li.dataset.report = String(c.report);
      out.push({ at: c.at || "", item: li });
    }
    return out.sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0));
  }

  // A colleague hands this agent a resident: the pop says who, from whom and their note.
  function showTransferPop(offer) {
    const from = (offer.from_agent || "").replace("PJSIP/agent-", "");
    const how = offer.kind === "blind" ? "Przekazanie" : "Konsultacja";
    showScreenPop({
      call_id: offer.call_id, caller_number: offer.caller_number, caller_name: offer.caller_name,
      routing_reason: `${how} od: ${from}${offer.note ? ` — ${offer.note}` : ""}${offer.matter ? ` · sprawa ${offer.matter}` : ""}`,
      history: offer.history, resident: offer.resident, matters: offer.matters,
      channels: offer.channels,
    });
    body.dataset.transferPop = String(offer.transfer_id);
  }

  // What the transfer panel (transfer.js) needs to know of the call in hand.
  window.cicConsole = {
    callId: () => (currentCall && !currentCall.ended ? currentCall.call_id : null),
    api,
    officeTime,
  };

  // --- wrap-up ---
  function openWrapup() {
    if (!currentCall) return;
    const form = $("wrapup-form");
    form.hidden = false;
    delete body.dataset.wrapup;
    $("wrapup-status").textContent = "";
    let left = wrapupSeconds;
    clearInterval(countdown);
    const show = () => { $("wrapup-countdown").textContent = left > 0 ? `(${left} s)` : ""; };
    show();
    countdown = setInterval(() => { left -= 1; show(); if (left <= 0) clearInterval(countdown); },
                            1000);
  }

  // The call as a contact report (zgłoszenie) with the note as its file note; with a unit code
  // it is handed over to that department at once.
  async function saveReport(callId) {
    const department = $("wrapup-department").value.trim();
    const report = await api("/api/zgloszenia", {
      call_id: callId,
      topic: $("wrapup-topic").value.trim() || $("wrapup-outcome").value,
      note: $("wrapup-note").value,
      department,
    });
    if (department) {
      await api(`/api/zgloszenia/${report.id}`, { status: "przekazane" }, "PATCH");
    }
    const signature = $("wrapup-case").value;
    if (signature) {
      await api(`/api/zgloszenia/${report.id}/sprawa`, { signature });
    }
    $("wrapup-status").textContent = `Zapisano. Zgłoszenie nr ${report.id}`
      + `${department ? ` przekazane do ${department}` : ""}`
      + `${signature ? `, dołączone do sprawy ${signature}` : ""}.`;
    body.dataset.report = String(report.id);
  }

  $("wrapup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!currentCall) return;
    try {
      await api(`/api/calls/${encodeURIComponent(currentCall.call_id)}/wrapup`, {
        outcome: $("wrapup-outcome").value,
        topic: $("wrapup-topic").value,
        note: $("wrapup-note").value,
      });
      $("wrapup-status").textContent = "Zapisano.";
      body.dataset.wrapup = "saved";
      clearInterval(countdown);
      if ($("wrapup-report").checked) await saveReport(currentCall.call_id);
    } catch (err) {
      $("wrapup-status").textContent = err.message;
    }
  });

  // --- softphone ---
  const config = JSON.parse($("phone-config").textContent || "null");
  body.dataset.sip = "connecting";
  $("sip-status").textContent = SIP_PL.connecting;
  setCall("idle");
  showPresence(presence);
  let phone = null;
  try {
    phone = new Softphone({ ...config, audio: $("remote-audio") });
  } catch (err) {
    setError(`Telefon niedostępny: ${err.message}`);
  }
  if (phone) {
    const sip = (state) => { body.dataset.sip = state; $("sip-status").textContent = SIP_PL[state]; };
    phone.on("registered", () => sip("registered"));
    phone.on("unregistered", () => sip("unregistered"));
    phone.on("registrationFailed", () => sip("failed"));
    phone.on("incoming", (call) => {
      $("wrapup-form").hidden = true;
      if (!currentCall || currentCall.ended) {
        showScreenPop({ caller_number: call.from, caller_name: call.fromName });
      }
      setCall("ringing");
    });
    phone.on("answered", () => setCall("active"));
    phone.on("hold", () => setCall("held"));
    phone.on("unhold", () => setCall("active"));
    phone.on("mute", () => { $("btn-mute").textContent = "Włącz mikrofon"; });
    phone.on("unmute", () => { $("btn-mute").textContent = "Wycisz"; });
    const ended = () => {
      if (currentCall) currentCall.ended = true;
      setCall("ended");
      openWrapup();
    };
    phone.on("ended", ended);
    phone.on("failed", ended);
    $("btn-answer").addEventListener("click", () => phone.answer());
    $("btn-hangup").addEventListener("click", () => phone.hangup());
    $("btn-hold").addEventListener("click", () =>
      (body.dataset.call === "held" ? phone.unhold() : phone.hold()));
    $("btn-mute").addEventListener("click", () => (phone.muted ? phone.unmute() : phone.mute()));
    document.querySelectorAll(".dtmf").forEach((b) =>
      b.addEventListener("click", () => phone.sendDTMF(b.dataset.digit)));
    phone.register();
  }

  // --- live channel: presence and screen pops for this agent ---
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/agent`);
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.type === "AgentPresence") showPresence(msg);
      else if (msg.type === "ScreenPop") showScreenPop(msg);
      else if (msg.type === "TransferOffered") showTransferPop(msg);
      document.dispatchEvent(new CustomEvent("cic:message", { detail: msg }));
    };
    ws.onclose = () => setTimeout(connect, 2000);
  }
  connect();
  setInterval(tickPresence, 1000);
})();

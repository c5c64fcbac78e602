// The message queue in the agent's console: e-mails and web-form messages waiting for the
// first line ("Czekają na odpowiedź"), the ones this agent took ("Moje"), and the reader of one
// with its thread, attachments, reply, hand-over, case and close.
//
// Presence covers both channels: the agent stays available for calls while working on a
// message. When a call rings, console.js moves the focus to the call panel; the draft here
// stays as typed (kept in memory and in sessionStorage per report, restored after a reload).
// Live updates come from console.js's socket as "cic:message" events (MessageQueueChanged).
// Everything a resident wrote is put in with textContent; a message's HTML (sanitised by the
// server) is shown only on request, in a sandboxed iframe (no scripts, an origin of its own,
// nothing loaded from anywhere).
// State for tests: body[data-message] (the open report), body[data-msg-queue] (refreshes).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const panel = $("messages-panel");
  if (!panel || !window.cicConsole) return;
  const { api, officeTime } = window.cicConsole;
  const body = document.body;
  const reader = $("msg-reader");
  const textarea = $("msg-reply-text");
  const DRAFT_KEY = (id) => `cic.draft.${id}`;
  const OPEN_KEY = "cic.openMessage";
  const PURPOSES = { odpowiedz: "Odpowiedź urzędu", potwierdzenie: "Potwierdzenie przyjęcia" };
  const AUTO = {
    "auto-reply": "autoodpowiedź", bounce: "zwrot (niedoręczenie)", list: "lista mailingowa",
    loop: "pętla pocztowa",
  };
  const HTML_POLICY = "default-src 'none'; img-src data:";
  let open = null; // {id, data} of the message in the reader
  const drafts = new Map(); // report id -> text, also in sessionStorage
  let refreshTimer = null;
  let sendPoll = null;

  // --- small helpers ---
  async function get(path) {
    const response = await fetch(path, { credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.message || `Błąd ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function day(iso) { return iso ? iso.slice(0, 10).split("-").reverse().join(".") : "–"; }

  function workingDays(n) {
    if (n === 1) return "1 dzień roboczy";
    const tens = n % 100;
    const few = n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14);
    return `${n} ${few ? "dni robocze" : "dni roboczych"}`;
  }

  function size(bytes) {
    if (!bytes) return "0 B";
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
    return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
  }

  function setStatus(text, isError) {
    const node = $("msg-status");
    node.textContent = text || "";
    node.className = isError ? "error" : "";
  }

  // --- drafts ---
  function storedDraft(id) {
    if (drafts.has(id)) return drafts.get(id);
    try { return sessionStorage.getItem(DRAFT_KEY(id)) || ""; } catch (err) { return ""; }
  }

  function saveDraft() {
    if (!open) return;
    const text = textarea.value;
    drafts.set(open.id, text);
    try {
      if (text) sessionStorage.setItem(DRAFT_KEY(open.id), text);
      else sessionStorage.removeItem(DRAFT_KEY(open.id));
    } catch (err) { /* storage full or off: the draft is still kept in memory */ }
    $("msg-draft-state").textContent = text ? "Szkic zachowany." : "";
  }

  function dropDraft(id) {
    drafts.delete(id);
    try { sessionStorage.removeItem(DRAFT_KEY(id)); } catch (err) { /* nothing kept */ }
  }

  textarea.addEventListener("input", saveDraft);

  // --- the queue ---
  function queueLine(item, action) {
    const li = el("li", null, item.overdue ? "msg-item overdue" : "msg-item");
    li.dataset.report = String(item.id);
    const topic = el("strong", item.topic || "(bez tematu)");
    const from = item.from_name ? `${item.from_name} <${item.contact}>` : item.contact;
    const parts = [item.channel_label || item.channel, from || "nadawca nieznany"];
    if (item.waiting_since) parts.push(`czeka od ${officeTime(item.waiting_since)}`);
    if (item.reply_due) parts.push(`odpowiedź do ${day(item.reply_due)}`);
    if (item.department) parts.push(`komórka ${item.department}`);
    if (item.attachments) parts.push(`załączniki: ${item.attachments}`);
    const meta = el("span", parts.join(" · "), "muted");
    li.append(topic, " ", meta);
    if (item.overdue) {
      const late = item.days_late ? ` (${workingDays(item.days_late)})` : "";
      li.append(" ", el("span", `po terminie${late}`, "overdue-mark"));
    }
    const button = el("button", action === "take" ? "Przejmij" : "Otwórz");
    button.type = "button";
    button.dataset.action = action;
    button.setAttribute("aria-label", `${button.textContent} zgłoszenie nr ${item.id}: ${item.topic}`);
    button.addEventListener("click", () => openReport(item.id, action === "take", true));
    li.append(" ", button);
    return li;
  }

  function fill(list, items, action, empty) {
    // A refresh must not take the keyboard focus away from the line the agent is on.
    const focused = list.contains(document.activeElement) && document.activeElement.closest("li");
    const was = focused ? focused.dataset.report : null;
    list.replaceChildren(...items.map((item) => queueLine(item, action)));
    if (!items.length && empty) list.appendChild(el("li", empty, "muted"));
    const again = was && list.querySelector(`li[data-report="${was}"] button`);
    if (again) again.focus();
  }

  async function loadQueue() {
    let data;
    try {
      data = await get("/api/wiadomosci");
    } catch (err) {
      setStatus(`Kolejka wiadomości niedostępna: ${err.message}`, true);
      return;
    }
    fill($("msg-waiting"), data.waiting || [], "take", "Nikt nie czeka na odpowiedź.");
    fill($("msg-mine"), data.mine || [], "open", "Brak przejętych wiadomości.");
    const handed = data.departments || [];
    $("msg-departments-box").hidden = !handed.length;
    fill($("msg-departments"), handed, "take", "");
    const b = data.board || {};
    $("msg-board").textContent = `(czeka: ${b.waiting || 0}, po terminie: ${b.overdue || 0})`;
    body.dataset.msgQueue = String(Number(body.dataset.msgQueue || 0) + 1);
  }

  function scheduleQueue() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(loadQueue, 250);
  }

  // --- the reader ---
  function htmlFrame(html) {
    const frame = el("iframe", null, "msg-html");
    frame.setAttribute("sandbox", ""); // no scripts, forms, pop-ups or same-origin access
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.title = "Wiadomość w wersji HTML";
    frame.srcdoc = `<!doctype html><meta charset="utf-8">`
      + `<meta http-equiv="Content-Security-Policy" content="${HTML_POLICY}">${html}`;
    return frame;
  }

  function attachmentList(items) {
    const list = el("ul", null, "msg-attachments");
    for (const a of items) {
      const li = el("li");
      li.dataset.attachment = String(a.id);
      if (a.rejected || !a.sha256) {
        li.className = "rejected";
        li.textContent = `${a.filename} — nie przyjęto: ${a.rejected || "brak pliku"}`;
      } else {
        const link = el("a", a.filename);
        link.href = `/api/zalaczniki/${encodeURIComponent(a.id)}`;
        link.setAttribute("download", a.filename);
        li.append(link, ` (${size(a.size)}${a.detected_type ? `, ${a.detected_type}` : ""})`);
      }
      list.appendChild(li);
    }
    return list;
  }

  function messageItem(m) {
    const li = el("li", null, `msg msg-${m.direction}`);
    li.dataset.message = String(m.id);
    const head = el("p", null, "msg-head");
    if (m.direction === "in") {
      const from = m.from_name ? `${m.from_name} <${m.from_address}>` : m.from_address;
      head.textContent = `Od: ${from || "nadawca nieznany"} · ${officeTime(m.at)}`;
    } else {
      li.dataset.sendState = m.send_state || "";
      const who = m.author ? ` (${m.author})` : "";
      const when = m.sent_at ? officeTime(m.sent_at) : officeTime(m.at);
      head.append(`${PURPOSES[m.purpose] || "Wiadomość urzędu"}${who} · do ${m.to} · ${when} · `);
      const state = el("span", m.send_state_label || m.send_state, `send-state send-${m.send_state}`);
      head.appendChild(state);
      if (m.send_state === "blad" && m.last_error) head.append(` — ${m.last_error}`);
    }
    li.appendChild(head);
    if (m.subject) li.appendChild(el("p", `Temat: ${m.subject}`, "msg-subject"));
    if (m.direction === "in" && m.sender_check === "fail") {
      li.appendChild(el("p", "Nadawca niepotwierdzony — adres nadawcy mógł zostać podrobiony. "
        + "Nie ujawniaj danych sprawy, dopóki nie potwierdzisz tożsamości inną drogą.",
      "warning sender-warning"));
    }
    if (m.unparseable) {
      li.appendChild(el("p", "Wiadomości nie udało się odczytać — pokazano surową treść.",
        "warning unparseable"));
    } else if ((m.defects || []).length) {
      li.appendChild(el("p", `Wiadomość ma usterki budowy: ${m.defects.join("; ")}.`, "notice"));
    }
    if (m.auto) li.appendChild(el("p", `Wiadomość automatyczna: ${AUTO[m.auto] || m.auto}.`, "notice"));
    const text = el("pre", m.text || "(wiadomość bez treści tekstowej)", "msg-text");
    li.appendChild(text);
    if (m.html && !m.unparseable) {
      const toggle = el("button", "Pokaż wersję HTML");
      toggle.type = "button";
      toggle.className = "msg-html-toggle";
      toggle.setAttribute("aria-expanded", "false");
      let frame = null;
      toggle.addEventListener("click", () => {
        const showing = toggle.getAttribute("aria-expanded") === "true";
        if (!showing && !frame) {
          frame = htmlFrame(m.html);
          text.after(frame);
        }
        if (frame) frame.hidden = showing;
        text.hidden = !showing;
        toggle.setAttribute("aria-expanded", String(!showing));
        toggle.textContent = showing ? "Pokaż wersję HTML" : "Pokaż tekst";
      });
      li.appendChild(el("p", null, "buttons")).appendChild(toggle);
    }
    if ((m.attachments || []).length) li.appendChild(attachmentList(m.attachments));
    return li;
  }

  function showReport(id, data, focus) {
    const switching = !open || open.id !== id;
    if (switching) saveDraft();
    open = { id, data };
    const r = data.report;
    $("msg-reader-title").textContent = `Zgłoszenie nr ${id}: ${r.topic || "(bez tematu)"}`;
    const meta = [r.channel_label || r.channel, r.contact, `stan: ${r.status_label || r.status}`];
    if (r.reply_due && r.waiting_since) meta.push(`odpowiedź do ${day(r.reply_due)}`);
    if (r.owner) meta.push(`prowadzi: ${r.owner}`);
    if (r.department) meta.push(`komórka ${r.department}`);
    if (r.case) meta.push(`sprawa ${r.case}`);
    $("msg-meta").textContent = meta.filter(Boolean).join(" · ");
    $("msg-thread").replaceChildren(...(data.messages || []).map(messageItem));
    $("msg-case-options").replaceChildren(...(data.matters || []).map((m) => {
      const option = el("option");
      option.value = m.signature;
      option.label = `${m.signature} · ${m.status_label}`;
      return option;
    }));
    // A web-form message may come with a phone number only: nothing to answer by e-mail.
    const mailable = (r.contact || "").includes("@");
    for (const send of [$("btn-msg-send"), $("btn-msg-send-close")]) {
      send.disabled = !mailable;
      send.dataset.mail = mailable ? "yes" : "no";
    }
    $("msg-no-reply").hidden = mailable;
    $("msg-no-reply").textContent = mailable ? ""
      : `Brak adresu e-mail do odpowiedzi${r.contact ? ` — kontakt: ${r.contact}` : ""}.`;
    if (switching) {
      textarea.value = storedDraft(id);
      $("msg-draft-state").textContent = textarea.value ? "Przywrócono szkic." : "";
    }
    reader.hidden = false;
    body.dataset.message = String(id);
    $("message-focus").hidden = false;
    $("message-focus").textContent = `Pracujesz nad wiadomością nr ${id}`;
    try { sessionStorage.setItem(OPEN_KEY, String(id)); } catch (err) { /* not kept */ }
    if (focus) reader.focus();
    watchSending(data.messages || []);
  }

  // An answer waits for the outbox: look again every few seconds until it is sent or given up.
  function watchSending(messages) {
    clearTimeout(sendPoll);
    if (!messages.some((m) => m.direction === "out" && m.send_state === "oczekuje")) return;
    const id = open.id;
    sendPoll = setTimeout(() => { if (open && open.id === id) reload(); }, 3000);
  }

  function hideReader() {
    clearTimeout(sendPoll);
    saveDraft();
    open = null;
    reader.hidden = true;
    delete body.dataset.message;
    $("message-focus").hidden = true;
    $("message-focus").textContent = "";
    try { sessionStorage.removeItem(OPEN_KEY); } catch (err) { /* nothing kept */ }
  }

  async function openReport(id, take, focus) {
    setStatus("");
    try {
      if (take) await api(`/api/zgloszenia/${id}/przejmij`);
      showReport(id, await get(`/api/zgloszenia/${id}/wiadomosci`), focus);
    } catch (err) {
      setStatus(`Zgłoszenie nr ${id}: ${err.message}`, true);
      if (err.status === 404 || err.status === 403) {
        try { sessionStorage.removeItem(OPEN_KEY); } catch (e) { /* nothing kept */ }
      }
    }
    if (take) scheduleQueue();
  }

  async function reload() {
    if (!open) return;
    const id = open.id;
    try {
      const data = await get(`/api/zgloszenia/${id}/wiadomosci`);
      if (open && open.id === id) showReport(id, data, false);
    } catch (err) {
      setStatus(`Zgłoszenie nr ${id}: ${err.message}`, true);
    }
  }

  // One action on the open report; ``done`` says what happened (and may close the reader).
  async function act(button, path, payload, done) {
    if (!open) return;
    const id = open.id;
    setStatus("");
    button.disabled = true;
    try {
      const out = await api(`/api/zgloszenia/${id}/${path}`, payload);
      done(id, out);
    } catch (err) {
      setStatus(err.message, true);
    } finally {
      button.disabled = button.dataset.mail === "no";
      scheduleQueue();
    }
  }

  function finish(id, text) {
    dropDraft(id);
    if (open && open.id === id) textarea.value = "";
    hideReader();
    setStatus(text);
  }

  async function reply(close) {
    const text = textarea.value;
    if (!text.trim()) {
      setStatus("Wpisz treść odpowiedzi.", true);
      textarea.focus();
      return;
    }
    const button = close ? $("btn-msg-send-close") : $("btn-msg-send");
    await act(button, "odpowiedz", { text, close }, (id) => {
      if (close) {
        finish(id, `Odpowiedź na zgłoszenie nr ${id} czeka na wysłanie; zgłoszenie zamknięte.`);
        return;
      }
      dropDraft(id);
      textarea.value = "";
      $("msg-draft-state").textContent = "";
      setStatus(`Odpowiedź na zgłoszenie nr ${id} czeka na wysłanie.`);
      reload();
    });
  }

  $("msg-reply-form").addEventListener("submit", (event) => { event.preventDefault(); reply(false); });
  $("btn-msg-send-close").addEventListener("click", () => reply(true));
  $("msg-handover-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const department = $("msg-department").value.trim().toUpperCase();
    const note = $("msg-handover-note").value.trim();
    act($("btn-msg-handover"), "przekaz", { department, note: note || null }, (id) => {
      $("msg-department").value = "";
      $("msg-handover-note").value = "";
      finish(id, `Zgłoszenie nr ${id} przekazano do komórki ${department}.`);
    });
  });
  $("msg-case-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const signature = $("msg-case").value.trim();
    act($("btn-msg-case"), "sprawa", { signature }, (id, out) => {
      $("msg-case").value = "";
      setStatus(`Zgłoszenie nr ${id} dołączono do sprawy ${out.signature || signature}.`);
      reload();
    });
  });
  $("btn-msg-close").addEventListener("click", () => {
    if (!open || !window.confirm(`Zamknąć zgłoszenie nr ${open.id} bez odpowiedzi?`)) return;
    act($("btn-msg-close"), "zamknij", {}, (id) => finish(id, `Zgłoszenie nr ${id} zamknięte bez odpowiedzi.`));
  });
  $("btn-msg-release").addEventListener("click", () => {
    act($("btn-msg-release"), "zwolnij", {}, (id) => finish(id, `Zgłoszenie nr ${id} wróciło do kolejki.`));
  });
  $("btn-msg-hide").addEventListener("click", () => hideReader());

  // --- live ---
  document.addEventListener("cic:message", (event) => {
    const msg = event.detail || {};
    if (msg.type === "MessageQueueChanged") {
      scheduleQueue();
      if (open && Number(msg.report) === open.id) reload();
    } else if (msg.type === "ScreenPop" || msg.type === "TransferOffered") {
      saveDraft(); // the call panel takes the focus; the draft stays where it is
    }
  });
  window.addEventListener("pagehide", saveDraft);
  setInterval(loadQueue, 60000); // waits and reply targets move on with the clock

  loadQueue();
  let restore = null;
  try { restore = Number(sessionStorage.getItem(OPEN_KEY)) || null; } catch (err) { restore = null; }
  if (restore) openReport(restore, false, false);
})();

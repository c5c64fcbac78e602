// "Kto jest wolny" and transfers in the agent console: the departments with each colleague's
// live state (GET /api/directory, then ColleaguePresence messages from the console's
// websocket), and, during a call, consult a colleague (the resident hears music), hand the call
// over, or send it to a department queue, with a note that travels to the colleague's screen.
// POST /api/calls/{id}/transfer, /transfer/complete, /transfer/cancel. Text via textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const STATES = {
    offline: "niezalogowany", available: "wolny", ringing: "dzwoni", on_call: "w rozmowie",
    wrapup: "po rozmowie", paused: "przerwa",
  };
  const TRANSFER_STATES = {
    consulting: "konsultacja – rozmówca słucha muzyki", completing: "łączenie…",
    completed: "przekazano", returned: "wrócono do rozmówcy", cancelled: "konsultację przerwano",
    failed: "nie udało się – rozmówca wraca do Ciebie", ended: "zakończono",
    blind: "przekazywanie…", done: "przekazano",
  };
  const stateCells = new Map();
  let transfer = null; // {id, state}

  function inCall() {
    return (body.dataset.call === "active" || body.dataset.call === "held") &&
      window.cicConsole && window.cicConsole.callId();
  }

  function setStatus(text, ok) {
    const box = $("transfer-status");
    box.textContent = text || "";
    box.className = ok ? "ok" : "error";
  }

  function refreshButtons() {
    const consulting = transfer && transfer.state === "consulting";
    document.querySelectorAll("#directory button[data-kind]").forEach((b) => {
      const row = b.closest("[data-state]");
      const free = !row || row.dataset.state === "available";
      b.disabled = !inCall() || Boolean(consulting) || (b.dataset.kind === "consult" && !free);
    });
    $("consult-controls").hidden = !consulting;
  }

  // What travels with the resident besides the note: the open matter shown in the screen pop
  // (the first one) and the knowledge-base article the agent has open.
  function context() {
    const matter = document.querySelector("#matters li[data-signature]");
    return {
      matter: matter ? matter.dataset.signature : "",
      article: body.dataset.kbArticle || "",
    };
  }

  async function start(kind, target) {
    const callId = inCall();
    if (!callId) return;
    setStatus("");
    try {
      const out = await window.cicConsole.api(
        `/api/calls/${encodeURIComponent(callId)}/transfer`,
        { kind, target, note: $("transfer-note").value, ...context() },
      );
      transfer = { id: out.id, state: out.state };
      body.dataset.transfer = out.state;
      setStatus(TRANSFER_STATES[out.state] || out.state, true);
    } catch (err) {
      setStatus(err.message);
    }
    refreshButtons();
  }

  async function finish(action) {
    const callId = window.cicConsole && window.cicConsole.callId();
    if (!callId) return;
    try {
      await window.cicConsole.api(
        `/api/calls/${encodeURIComponent(callId)}/transfer/${action}`, {});
    } catch (err) {
      setStatus(err.message);
    }
  }

  function button(label, kind, target) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.kind = kind;
    b.addEventListener("click", () => start(kind, target));
    return b;
  }

  function render(data) {
    const root = $("directory");
    root.replaceChildren();
    stateCells.clear();
    for (const dept of data.departments || []) {
      const section = document.createElement("details");
      section.open = true;
      const summary = document.createElement("summary");
      summary.textContent = dept.code ? `${dept.code} · ${dept.name}` : dept.name;
      section.appendChild(summary);
      const list = document.createElement("ul");
      for (const a of dept.agents) {
        if (a.username === $("console").dataset.agent) continue;
        const li = document.createElement("li");
        li.dataset.agent = a.username;
        li.dataset.state = a.state;
        const name = document.createElement("span");
        name.textContent = a.display_name || a.username;
        const state = document.createElement("span");
        state.className = `state state-${a.state}`;
        state.textContent = STATES[a.state] || a.label || a.state;
        stateCells.set(a.username, { li, state });
        li.append(name, " ", state, " ",
          button("Konsultuj", "consult", { agent: a.username }), " ",
          button("Przekaż", "blind", { agent: a.username }));
        list.appendChild(li);
      }
      section.appendChild(list);
      root.appendChild(section);
    }
    const queues = document.createElement("p");
    queues.className = "queues";
    for (const q of data.queues || []) {
      queues.append(button(`Do kolejki: ${q.title || q.name}`, "blind", { queue: q.name }), " ",
        button(`Konsultuj z wolnym: ${q.title || q.name}`, "consult", { queue: q.name }), " ");
    }
    root.appendChild(queues);
    refreshButtons();
  }

  async function load() {
    try {
      const response = await fetch("/api/directory", { credentials: "same-origin" });
      if (!response.ok) throw new Error(`Błąd ${response.status}`);
      render(await response.json());
    } catch (err) {
      setStatus(`Lista wydziałów niedostępna: ${err.message}`);
    }
  }

  document.addEventListener("cic:message", (event) => {
    const msg = event.detail;
    if (msg.type === "ColleaguePresence") {
      const cells = stateCells.get(msg.username);
      if (cells) {
        cells.li.dataset.state = msg.state;
        cells.state.className = `state state-${msg.state}`;
        cells.state.textContent = STATES[msg.state] || msg.label || msg.state;
      }
    } else if (msg.type === "TransferChanged") {
      transfer = { id: msg.id, state: msg.state };
      body.dataset.transfer = msg.state;
      setStatus(TRANSFER_STATES[msg.state] || msg.state, msg.state !== "failed");
    }
    refreshButtons();
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("directory")) return;
    $("btn-transfer-complete").addEventListener("click", () => finish("complete"));
    $("btn-transfer-cancel").addEventListener("click", () => finish("cancel"));
    new MutationObserver(refreshButtons).observe(body, { attributes: true,
      attributeFilter: ["data-call"] });
    load();
  });
})();

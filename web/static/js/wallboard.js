// Supervisor wallboard: renders the snapshots pushed on /ws/wallboard (no polling).
// All text set with textContent, so names and reasons are shown, never interpreted.
// Per agent row: "Wyloguj" (out of every queue, after a confirmation) and "Zakończ przerwę"
// (only while paused) call POST /api/agents/{username}/logout|unpause with the page's CSRF
// token; the row then changes with the next pushed snapshot. Rows are kept per agent and
// updated in place, so a button is not replaced under the supervisor's pointer every second.
// "Do 1. linii" / "Zwolnij z 1. linii" borrow an agent into the first-line queue and give them
// back (POST /api/first-line/{username}/add|remove). Open and failed callback requests are
// listed with "Ponów" (failed) and "Zamknij" (POST /api/callbacks/{id}/retry|close).
// Each snapshot is also dispatched as a "cic:wallboard" DOM event for the page's other tiles.
"use strict";

(function () {
  const STATES = {
    offline: "niezalogowany", available: "dostępny", ringing: "dzwoni",
    on_call: "w rozmowie", wrapup: "po rozmowie", paused: "przerwa",
  };
  const ERRORS = {
    not_signed_in: "Sesja wygasła – zaloguj się ponownie.",
    forbidden: "Brak uprawnień do zmiany stanu tego konsultanta.",
    csrf_rejected: "Nieważny token bezpieczeństwa – odśwież stronę i spróbuj ponownie.",
    origin_rejected: "Żądanie z innej witryny zostało odrzucone.",
    agent_not_found: "Nie ma takiego konsultanta.",
    pbx_unavailable: "Centrala telefoniczna nie wykonała polecenia – spróbuj ponownie.",
    overflow_not_eligible: "Tego konsultanta nie można teraz dodać ani zwolnić.",
    callback_conflict: "Tej prośby o oddzwonienie nie można teraz zmienić.",
    callback_not_found: "Nie ma już tej prośby o oddzwonienie.",
  };
  const ACTIONS = {
    logout: { label: "Wyloguj", done: "wylogowany z kolejek" },
    unpause: { label: "Zakończ przerwę", done: "przerwa zakończona" },
    borrow: { label: "Do 1. linii", done: "dodany do pierwszej linii" },
    giveback: { label: "Zwolnij z 1. linii", done: "zwolniony z pierwszej linii" },
  };
  const PATHS = {
    logout: (u) => `/api/agents/${encodeURIComponent(u)}/logout`,
    unpause: (u) => `/api/agents/${encodeURIComponent(u)}/unpause`,
    borrow: (u) => `/api/first-line/${encodeURIComponent(u)}/add`,
    giveback: (u) => `/api/first-line/${encodeURIComponent(u)}/remove`,
  };
  const CALLBACK_STATES = {
    waiting: "czeka w kolejce", dialing: "dzwonimy", retry: "ponowimy", failed: "nieudane",
  };
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const TEXT_CELLS = 6;

  function text(td, value, cls) {
    td.textContent = value === null || value === undefined ? "–" : String(value);
    td.className = cls || "";
  }

  function cell(row, value, cls) {
    const td = document.createElement("td");
    text(td, value, cls);
    row.appendChild(td);
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.max(0, Math.round(seconds));
    const m = Math.floor(s / 60);
    return m ? `${m} min ${s % 60} s` : `${s} s`;
  }

  function setMessage(textValue, ok) {
    const box = document.getElementById("wallboard-message");
    box.textContent = textValue || "";
    box.className = ok ? "ok" : "error";
    document.body.dataset.actionError = ok || !textValue ? "" : textValue;
  }

  async function post(path) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: "{}",
        credentials: "same-origin",
      });
    } catch (err) {
      throw new Error("Brak połączenia z serwerem – spróbuj ponownie.");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(ERRORS[data.error] || data.message || `Błąd serwera (${response.status}).`);
    }
    return data;
  }

  async function act(row, action, button) {
    const username = row.dataset.agent;
    const name = row.dataset.name || username;
    if (action === "logout" && !window.confirm(`Wylogować ${name} ze wszystkich kolejek?`)) return;
    setMessage("");
    button.disabled = true;
    try {
      await post(PATHS[action](username));
      setMessage(`${name}: ${ACTIONS[action].done}.`, true);
    } catch (err) {
      setMessage(`${name}: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  }

  function newAgentRow(username) {
    const row = document.createElement("tr");
    row.dataset.agent = username;
    for (let i = 0; i < TEXT_CELLS; i += 1) cell(row, "");
    const actions = document.createElement("td");
    actions.className = "actions";
    for (const action of Object.keys(ACTIONS)) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = action;
      button.textContent = ACTIONS[action].label;
      button.addEventListener("click", () => act(row, action, button));
      actions.appendChild(button);
    }
    row.appendChild(actions);
    return row;
  }

  function updateAgentRow(row, a) {
    const name = a.display_name || a.username;
    row.dataset.name = name;
    row.dataset.state = a.state;
    row.className = `state-${a.state}`;
    const cells = row.cells;
    text(cells[0], name);
    text(cells[1], STATES[a.state] || a.label || a.state);
    text(cells[2], a.pause_reason || "");
    text(cells[3], duration(a.seconds_in_state), "num");
    text(cells[4], a.handled_today, "num");
    text(cells[5], a.average_talk_seconds === null ? "–" : duration(a.average_talk_seconds), "num");
    const logout = row.querySelector('button[data-action="logout"]');
    const unpause = row.querySelector('button[data-action="unpause"]');
    logout.hidden = a.state === "offline";
    const borrow = row.querySelector('button[data-action="borrow"]');
    const giveback = row.querySelector('button[data-action="giveback"]');
    borrow.hidden = a.state === "offline" || a.first_line !== "";
    giveback.hidden = a.first_line !== "borrowed";
    logout.setAttribute("aria-label", `Wyloguj ${name} z kolejek`);
    unpause.hidden = a.state !== "paused";
    unpause.setAttribute("aria-label", `Zakończ przerwę: ${name}`);
  }

  function renderQueues(body, queues) {
    body.replaceChildren();
    for (const q of queues) {
      const row = document.createElement("tr");
      row.dataset.queue = q.queue;
      cell(row, q.queue);
      cell(row, q.waiting, q.waiting ? "num alert" : "num");
      cell(row, duration(q.longest_wait_seconds), "num");
      cell(row, q.answered, "num");
      cell(row, q.abandoned, "num");
      cell(row, q.service_level === null ? "–" : `${q.service_level}%`, "num");
      const states = Object.entries(q.agents || {}).map(([k, v]) => `${STATES[k] || k}: ${v}`);
      cell(row, states.join(", "));
      body.appendChild(row);
    }
  }

  function renderAgents(body, agents) {
    const rows = new Map();
    for (const row of Array.from(body.rows)) rows.set(row.dataset.agent, row);
    agents.forEach((a, index) => {
      let row = rows.get(a.username);
      rows.delete(a.username);
      if (!row) row = newAgentRow(a.username);
      updateAgentRow(row, a);
      if (body.rows[index] !== row) body.insertBefore(row, body.rows[index] || null);
    });
    for (const gone of rows.values()) gone.remove();
  }

  async function callbackAction(item, action, button) {
    if (action === "close" && !window.confirm(`Zamknąć prośbę o oddzwonienie na ${item.number}?`)) {
      return;
    }
    setMessage("");
    button.disabled = true;
    try {
      await post(`/api/callbacks/${encodeURIComponent(item.id)}/${action}`);
      setMessage(`Oddzwonienie ${item.number}: ${action === "retry" ? "ponowione" : "zamknięte"}.`,
        true);
    } catch (err) {
      setMessage(`Oddzwonienie ${item.number}: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  }

  function officeTime(iso) {
    const zone = document.getElementById("callbacks-table").dataset.timezone || "Europe/Warsaw";
    try {
      return new Date(iso).toLocaleTimeString("pl-PL", { timeZone: zone });
    } catch (err) {
      return new Date(iso).toLocaleTimeString("pl-PL");
    }
  }

  function renderCallbacks(body, callbacks) {
    const key = JSON.stringify(callbacks);
    if (body.dataset.key === key) return;  // unchanged: keep the buttons under the pointer
    body.dataset.key = key;
    body.replaceChildren();
    document.getElementById("no-callbacks").hidden = callbacks.length > 0;
    for (const item of callbacks) {
      const row = document.createElement("tr");
      row.dataset.callback = String(item.id);
      row.className = item.status === "failed" ? "alert" : "";
      cell(row, item.number);
      cell(row, item.queue);
      cell(row, CALLBACK_STATES[item.status] || item.status);
      cell(row, item.attempts);
      cell(row, item.requested_at ? officeTime(item.requested_at) : "–");
      const actions = document.createElement("td");
      actions.className = "actions";
      const buttons = item.status === "failed" ? ["retry", "close"] :
        item.status === "dialing" ? [] : ["close"];
      for (const action of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = action;
        button.textContent = action === "retry" ? "Ponów" : "Zamknij";
        button.addEventListener("click", () => callbackAction(item, action, button));
        actions.appendChild(button);
      }
      row.appendChild(actions);
      body.appendChild(row);
    }
  }

  // The post-call backlog: recordings waiting for transcription, the oldest wait, the alert.
  function renderPostCall(node, figures) {
    if (!figures) return;
    const waiting = (figures.queued || 0) + (figures.running || 0);
    let text = `Nagrania do transkrypcji: ${waiting} (nieudane: ${figures.failed || 0})`;
    if (figures.oldest_wait_seconds !== null && figures.oldest_wait_seconds !== undefined) {
      text += `, najstarsze czeka ${Math.round(figures.oldest_wait_seconds / 60)} min`;
    }
    if (figures.alert) text += " — zaległości ponad próg: dodaj procesy transkrypcji";
    node.textContent = text;
    node.className = figures.alert ? "bad" : "";
  }

  // Recordings that failed today (a full or failing disk; the calls themselves went on).
  function renderRecordings(node, figures) {
    if (!figures) return;
    let text = `Nieudane nagrania dziś: ${figures.failed_today || 0}`;
    if (figures.last_failure) {
      text += ` — ostatnio rozmowa ${figures.last_failure.call_id}: ${figures.last_failure.detail}`;
    }
    node.textContent = text;
    node.className = figures.failed_today ? "bad" : "";
  }

  function connect() {
    const status = document.getElementById("live-status");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/wallboard`);
    ws.onopen = () => { status.textContent = "na żywo"; status.className = "badge badge-ok"; };
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.topic !== "wallboard") return;
      renderQueues(document.getElementById("queues"), data.message.queues || []);
      renderAgents(document.getElementById("agents"), data.message.agents || []);
      renderCallbacks(document.getElementById("callbacks"), data.message.callbacks || []);
      renderPostCall(document.getElementById("post-call"), data.message.post_call);
      renderRecordings(document.getElementById("recording-failures"), data.message.recordings);
      // the message queue's tile (wallboard_messages.js) reads the same snapshot
      document.dispatchEvent(new CustomEvent("cic:wallboard", { detail: data.message }));
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    };
    ws.onclose = () => {
      status.textContent = "brak połączenia – ponawiam";
      status.className = "badge badge-bad";
      setTimeout(connect, 2000);
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();

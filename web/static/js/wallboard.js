// Supervisor wallboard: renders the snapshots pushed on /ws/wallboard (no polling).
// All text set with textContent, so names and reasons are shown, never interpreted.
"use strict";

(function () {
  const STATES = {
    offline: "niezalogowany", available: "dostępny", ringing: "dzwoni",
    on_call: "w rozmowie", wrapup: "po rozmowie", paused: "przerwa",
  };

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "–" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.max(0, Math.round(seconds));
    const m = Math.floor(s / 60);
    return m ? `${m} min ${s % 60} s` : `${s} s`;
  }

  function renderQueues(body, queues) {
    body.replaceChildren();
    for (const q of queues) {
      const row = document.createElement("tr");
      row.dataset.queue = q.queue;
      cell(row, q.queue);
      cell(row, q.waiting, q.waiting ? "alert" : "");
      cell(row, duration(q.longest_wait_seconds));
      cell(row, q.answered);
      cell(row, q.abandoned);
      cell(row, q.service_level === null ? "–" : `${q.service_level}%`);
      const states = Object.entries(q.agents || {}).map(([k, v]) => `${STATES[k] || k}: ${v}`);
      cell(row, states.join(", "));
      body.appendChild(row);
    }
  }

  function renderAgents(body, agents) {
    body.replaceChildren();
    for (const a of agents) {
      const row = document.createElement("tr");
      row.dataset.agent = a.username;
      row.className = `state-${a.state}`;
      cell(row, a.display_name || a.username);
      cell(row, STATES[a.state] || a.label || a.state);
      cell(row, a.pause_reason || "");
      cell(row, duration(a.seconds_in_state));
      cell(row, a.handled_today);
      cell(row, a.average_talk_seconds === null ? "–" : duration(a.average_talk_seconds));
      body.appendChild(row);
    }
  }

  function connect() {
    const status = document.getElementById("live-status");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/wallboard`);
    ws.onopen = () => { status.textContent = "na żywo"; status.className = "ok"; };
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.topic !== "wallboard") return;
      renderQueues(document.getElementById("queues"), data.message.queues || []);
      renderAgents(document.getElementById("agents"), data.message.agents || []);
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    };
    ws.onclose = () => {
      status.textContent = "brak połączenia – ponawiam";
      status.className = "bad";
      setTimeout(connect, 2000);
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();

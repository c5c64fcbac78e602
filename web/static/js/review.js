// The supervisor's review: filter calls, play one with its transcript beside it (a click on a
// word seeks the audio), correct its topics, and see topic counts per week or month.
// Text goes in via textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const SPEAKERS = { resident: "Mieszkaniec", agent: "Konsultant", mixed: "Rozmowa" };
  let current = null;

  async function call(path, payload, method) {
    const options = { credentials: "same-origin", method: method || "GET", headers: {} };
    if (payload !== undefined) {
      options.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  function query() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData($("review-filters"))) if (value) params.set(key, value);
    return params;
  }

  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

  async function search() {
    const params = query();
    $("calls-csv").href = `/api/review/calls.csv?${params}`;
    try {
      const calls = await call(`/api/review/calls?${params}`);
      const rows = calls.map((c) => {
        const tr = document.createElement("tr");
        tr.dataset.call = c.call_id;
        const when = (c.entered_at || "").slice(0, 16).replace("T", " ");
        const topics = c.topics.map((t) => t.name).join(", ") + (c.corrected ? " (poprawione)" : "");
        tr.append(cell(when), cell((c.agent || "").replace("PJSIP/agent-", "")), cell(c.outcome),
          cell(c.talk_seconds == null ? "" : String(Math.round(c.talk_seconds))), cell(topics));
        const td = document.createElement("td");
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = c.transcribed ? "Odsłuchaj" : "Odsłuchaj (bez transkrypcji)";
        b.addEventListener("click", () => open(c));
        td.appendChild(b);
        tr.appendChild(td);
        return tr;
      });
      $("review-calls").tBodies[0].replaceChildren(...rows);
      document.body.dataset.reviewCalls = String(rows.length);
    } catch (err) { $("review-status").textContent = err.message; }
    stats();
  }

  async function stats() {
    const params = query();
    params.set("period", $("stats-period").value);
    $("stats-csv").href = `/api/review/stats.csv?${params}`;
    try {
      const rows = await call(`/api/review/stats?${params}`);
      $("review-stats").tBodies[0].replaceChildren(...rows.map((r) => {
        const tr = document.createElement("tr");
        tr.append(cell(r.period), cell(r.name), cell(r.department), cell(String(r.calls)));
        return tr;
      }));
    } catch (err) { $("review-status").textContent = err.message; }
  }

  function word(w) {
    const span = document.createElement("span");
    span.className = "word";
    span.textContent = `${w.text} `;
    span.dataset.start = String(w.start);
    span.title = `${w.start.toFixed(1)} s`;
    span.addEventListener("click", () => {
      const audio = $("review-audio");
      audio.currentTime = w.start;
      audio.play().catch(() => {});
      document.body.dataset.seekedTo = String(w.start);
    });
    return span;
  }

  async function open(c) {
    current = c.call_id;
    $("review-call-id").textContent = `${c.call_id} (${c.caller_number || "numer zastrzeżony"})`;
    $("review-audio").src = `/api/calls/${encodeURIComponent(c.call_id)}/recording`;
    const box = $("review-transcript");
    box.replaceChildren();
    const chosen = new Set(c.topics.map((t) => t.id));
    document.querySelectorAll('#review-topics input[name="topic"]').forEach((i) => { i.checked = chosen.has(i.value); });
    $("review-call").hidden = false;
    try {
      const t = await call(`/api/calls/${encodeURIComponent(c.call_id)}/transcript`);
      for (const segment of t.segments) {
        const p = document.createElement("p");
        p.dataset.speaker = segment.speaker;
        const who = document.createElement("strong");
        who.textContent = `${SPEAKERS[segment.speaker] || segment.speaker}: `;
        p.append(who, ...segment.words.map(word));
        box.appendChild(p);
      }
    } catch (err) {
      box.textContent = err.message;
    }
    document.body.dataset.reviewOpen = c.call_id;
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("review")) return;
    $("review-filters").addEventListener("submit", (e) => { e.preventDefault(); search(); });
    $("stats-period").addEventListener("change", stats);
    $("review-topics").addEventListener("submit", async (e) => {
      e.preventDefault();
      const topics = [...document.querySelectorAll('#review-topics input[name="topic"]:checked')].map((i) => i.value);
      try {
        await call(`/api/calls/${encodeURIComponent(current)}/topics`, { topics }, "PUT");
        $("review-topics-status").textContent = "Zapisano.";
        document.body.dataset.topicsSaved = current;
        search();
      } catch (err) { $("review-topics-status").textContent = err.message; }
    });
    search();
  });
})();

// The supervisor's review: filter calls, play one with its transcript beside it (a click on a
// word seeks the audio), correct its topics, and see topic counts per week or month; search
// the transcripts' text (a hit opens its call at the matching word).
// Text goes in via textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const SPEAKERS = { resident: "Mieszkaniec", agent: "Konsultant", mixed: "Rozmowa" };
  let current = null;
  let pendingSeek = null; // a hit's time, applied once the audio's metadata is loaded

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

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  async function search() {
    const params = query();
    $("calls-csv").href = `/api/review/calls.csv?${params}`;
    try {
      const calls = await call(`/api/review/calls?${params}`);
      const rows = calls.map((c) => {
        const tr = document.createElement("tr");
        tr.dataset.call = c.call_id;
        const when = window.plFormat.dateTime(c.entered_at);
        const topics = c.topics.map((t) => t.name).join(", ") + (c.corrected ? " (poprawione)" : "");
        tr.append(cell(when), cell((c.agent || "").replace("PJSIP/agent-", "")), cell(window.plFormat.outcome(c.outcome)),
          cell(c.talk_seconds == null ? "" : String(Math.round(c.talk_seconds)), "num"), cell(topics));
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
        tr.append(cell(r.period), cell(r.name), cell(r.department), cell(String(r.calls), "num"));
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
    pendingSeek = null;
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
      // Which engine and model heard it: a supervisor weighs a transcript by its model.
      const source = document.createElement("p");
      source.className = "transcript-model";
      source.textContent = `Rozpoznane przez: ${t.engine}, model ${t.model || "nieznany"}`;
      box.appendChild(source);
    } catch (err) {
      box.textContent = err.message;
    }
    document.body.dataset.reviewOpen = c.call_id;
  }

  // Seek to a hit without loading the recording: the page never fetches audio (an audited
  // playback) before the supervisor presses play.
  function seek(seconds) {
    const audio = $("review-audio");
    if (audio.readyState >= 1) audio.currentTime = seconds;
    else pendingSeek = seconds;
    document.body.dataset.seekedTo = String(seconds);
    const spans = [...document.querySelectorAll("#review-transcript .word")];
    const span = spans.find((s) => Number(s.dataset.start) === seconds);
    spans.forEach((s) => s.classList.toggle("hit", s === span));
    if (span) span.scrollIntoView({ block: "center" });
  }

  function snippet(parts) {
    return parts.map((p) => {
      const node = document.createElement(p.mark ? "mark" : "span");
      node.textContent = p.text;
      return node;
    });
  }

  let searchOffset = 0;

  function searchHit(hit) {
    const li = document.createElement("li");
    li.dataset.call = hit.call_id;
    const b = document.createElement("button");
    b.type = "button";
    const when = window.plFormat.dateTime(hit.entered_at);
    const at = hit.start == null ? "" : ` — ${hit.start.toFixed(1)} s`;
    b.textContent = `${when} ${SPEAKERS[hit.speaker] || hit.speaker || ""}${at}`;
    b.addEventListener("click", async () => {
      await open(hit.call);
      if (hit.start != null) seek(hit.start);
    });
    const text = document.createElement("q");
    text.append(...snippet(hit.snippet_parts));
    li.append(b, " ", text);
    return li;
  }

  // A page of hits (20, best first); "Pokaż kolejne" appends the next page.
  async function searchText(more = false) {
    const params = query();
    params.set("q", new FormData($("review-search")).get("q") || "");
    searchOffset = more ? searchOffset : 0;
    params.set("offset", String(searchOffset));
    const status = $("review-search-status");
    const next = $("review-search-more");
    status.textContent = "Szukam…";
    next.hidden = true;
    try {
      const body = await call(`/api/review/search?${params}`);
      const hits = body.results.map(searchHit);
      if (more) $("review-search-hits").append(...hits);
      else $("review-search-hits").replaceChildren(...hits);
      searchOffset += body.count;
      if (!searchOffset) status.textContent = "Nie znaleziono rozmów z tymi słowami.";
      else if (body.more) status.textContent = `Pokazano ${searchOffset} najlepiej pasujących rozmów.`;
      else if (searchOffset >= 100) status.textContent = `Pokazano ${searchOffset} najlepiej pasujących spośród najnowszych rozmów; starsze znajdziesz, zawężając daty.`;
      else status.textContent = `Znalezione rozmowy: ${searchOffset}.`;
      next.hidden = !body.more;
      document.body.dataset.searchHits = String(searchOffset);
    } catch (err) {
      status.textContent = err.message;
      if (!more) $("review-search-hits").replaceChildren();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("review")) return;
    $("review-filters").addEventListener("submit", (e) => { e.preventDefault(); search(); });
    $("review-search").addEventListener("submit", (e) => { e.preventDefault(); searchText(); });
    $("review-search-more").addEventListener("click", () => searchText(true));
    $("review-audio").addEventListener("loadedmetadata", () => {
      if (pendingSeek != null) $("review-audio").currentTime = pendingSeek;
      pendingSeek = null;
    });
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

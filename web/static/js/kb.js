// Knowledge base page: search as you type, show an article, count a use, edit (supervisors).
// Data from the API goes into the page with textContent; the only HTML inserted is the
// article body rendered on the server by markdown-it with raw HTML escaped.
"use strict";
(function () {
  const root = document.getElementById("kb");
  if (!root) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const $ = (id) => document.getElementById(id);
  const input = $("kb-q");
  const results = $("kb-results");
  const status = $("kb-status");
  let current = null;
  let timer = null;
  let seq = 0;

  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || "Błąd " + response.status);
    return data;
  }

  function showError(message) { $("kb-error").textContent = message || ""; }

  function highlighted(parts) {
    const out = document.createDocumentFragment();
    for (const part of parts) {
      if (part.mark) {
        const mark = document.createElement("mark");
        mark.textContent = part.text;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(part.text));
      }
    }
    return out;
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { results.replaceChildren(); status.textContent = ""; return; }
    try {
      const data = await api("GET", "/api/kb/search?q=" + encodeURIComponent(q));
      if (mine !== seq) return;
      results.replaceChildren();
      status.textContent = data.results.length ? "Wyniki: " + data.results.length
        : data.ready ? "Brak wyników." : "Baza wiedzy jest jeszcze wczytywana — spróbuj za chwilę.";
      for (const hit of data.results) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = "#" + hit.slug;
        a.textContent = hit.title;
        a.addEventListener("click", (event) => { event.preventDefault(); open(hit.slug); });
        const meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = " · " + hit.department + (hit.needs_local_check ? " · do sprawdzenia lokalnie" : "");
        const snippet = document.createElement("p");
        snippet.className = "snippet";
        snippet.appendChild(highlighted(hit.snippet_parts));
        li.append(a, meta, snippet);
        results.appendChild(li);
      }
    } catch (error) {
      status.textContent = error.message;
    }
  }

  function show(article) {
    current = article;
    $("kb-article").hidden = false;
    $("kb-title").textContent = article.title;
    $("kb-department").textContent = article.department + " — " + article.department_name;
    $("kb-version").textContent = String(article.version);
    $("kb-updated").textContent = article.updated;
    $("kb-usage").textContent = String(article.usage_count);
    const local = $("kb-local");
    local.hidden = !article.needs_local_check;
    local.textContent = article.needs_local_check ? "Sprawdź lokalnie: " + article.local_check : "";
    // Server-rendered by markdown-it with html disabled: raw HTML in the source is escaped.
    $("kb-body").innerHTML = article.html;
    if ($("kb-editor")) { $("kb-editor").hidden = true; $("kb-versions").hidden = true; }
    showError("");
  }

  async function open(slug) {
    try {
      show(await api("GET", "/api/kb/articles/" + encodeURIComponent(slug)));
      history.replaceState(null, "", "#" + slug);
    } catch (error) { showError(error.message); }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 150); });
  $("kb-form").addEventListener("submit", (event) => { event.preventDefault(); search(); });

  $("kb-use").addEventListener("click", async () => {
    if (!current) return;
    const callId = $("kb-call").value.trim();
    try {
      const data = await api("POST", "/api/kb/articles/" + encodeURIComponent(current.slug) + "/use",
        callId ? { call_id: callId } : {});
      $("kb-usage").textContent = String(data.usage_count);
      showError(data.counted ? "" : "To użycie w tej rozmowie było już policzone.");
    } catch (error) { showError(error.message); }
  });

  const edit = $("kb-edit");
  if (edit) {
    edit.addEventListener("click", () => {
      $("kb-edit-title").value = current.title;
      $("kb-edit-body").value = current.body;
      $("kb-editor").hidden = false;
    });
    $("kb-edit-cancel").addEventListener("click", () => { $("kb-editor").hidden = true; });
    $("kb-editor").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        show(await api("PUT", "/api/kb/articles/" + encodeURIComponent(current.slug), {
          title: $("kb-edit-title").value, body: $("kb-edit-body").value,
          base_version: current.version,
        }));
      } catch (error) { showError(error.message); }
    });
    $("kb-history").addEventListener("click", async () => {
      const list = $("kb-versions");
      try {
        const versions = await api("GET", "/api/kb/articles/" + encodeURIComponent(current.slug) + "/versions");
        list.replaceChildren();
        for (const v of versions) {
          const li = document.createElement("li");
          li.textContent = "wersja " + v.version + " · " + window.plFormat.dateTime(v.created_at) +
            " · " + v.author + " (" + (v.source === "console" ? "konsola" : "plik") + ")" +
            (v.current ? " · bieżąca" : "");
          list.appendChild(li);
        }
        list.hidden = false;
      } catch (error) { showError(error.message); }
    });
  }

  if (location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)));
})();

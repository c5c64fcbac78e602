// The knowledge base beside the call: suggestions for the call in hand (menu choice, earlier
// calls, transfer note), Polish search with highlights, and the article itself. Opening an
// article during a call counts its use for that call. Text goes in via textContent; the
// server's highlight and article HTML are escaped and sanitised there.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  let callId = null;

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  function item(article, extra) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.dataset.slug = article.slug;
    if (article.title_html) b.innerHTML = article.title_html; // escaped by the server
    else b.textContent = article.title;
    b.addEventListener("click", () => open(article.slug));
    li.appendChild(b);
    if (extra) {
      const small = document.createElement("small");
      small.className = "muted";
      small.textContent = ` — ${extra}`;
      li.appendChild(small);
    }
    return li;
  }

  function list(id, articles, extra, empty) {
    const ul = $(id);
    ul.replaceChildren(...articles.map((a) => item(a, extra(a))));
    if (!articles.length && empty) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = empty;
      ul.appendChild(li);
    }
  }

  async function suggest(note) {
    if (!callId) return;
    try {
      const q = note ? `?note=${encodeURIComponent(note.slice(0, 2000))}` : "";
      const data = await getJson(`/api/kb/for-call/${encodeURIComponent(callId)}${q}`);
      list("kb-suggestions", data.articles, (a) => a.why, "Brak podpowiedzi do tej rozmowy.");
      body.dataset.kbSuggestions = String(data.articles.length);
    } catch (err) {
      $("kb-status").textContent = `Podpowiedzi niedostępne: ${err.message}`;
    }
  }

  async function search(query) {
    if (!query.trim()) return;
    try {
      const data = await getJson(`/api/kb/search?q=${encodeURIComponent(query.slice(0, 200))}&limit=8`);
      list("kb-results", data.results, () => "", data.ready ? "Nic nie znaleziono." : "Indeks się buduje…");
    } catch (err) {
      $("kb-status").textContent = err.message;
    }
  }

  async function open(slug) {
    try {
      const article = await getJson(`/api/kb/articles/${encodeURIComponent(slug)}`);
      $("kb-article-title").textContent = article.title;
      $("kb-article-body").innerHTML = article.html; // rendered and sanitised by the server
      $("kb-article").hidden = false;
      body.dataset.kbArticle = slug;
      if (callId && window.cicConsole) {
        await window.cicConsole.api(`/api/kb/articles/${encodeURIComponent(slug)}/use`, { call_id: callId });
      }
    } catch (err) {
      $("kb-status").textContent = err.message;
    }
  }

  document.addEventListener("cic:message", (event) => {
    const msg = event.detail;
    if (msg.type === "ScreenPop" || msg.type === "TransferOffered") {
      callId = msg.call_id;
      delete body.dataset.kbArticle;
      $("kb-article").hidden = true;
      suggest(msg.type === "TransferOffered" ? msg.note : "");
      // The colleague's article opens at once: the same page the first line was reading.
      if (msg.type === "TransferOffered" && msg.article) open(msg.article);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("kb-search-form")) return;
    $("kb-search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      search($("kb-query").value);
    });
    // The topic the agent writes in the wrap-up is a search too.
    $("wrapup-topic").addEventListener("change", (e) => search(e.target.value));
  });
})();

// The wallboard's "E-mail i formularz" tile: the message queue's counts from each snapshot
// (wallboard.js dispatches them as "cic:wallboard" events), and for the supervisor the
// messages past their reply target and the answers that could not be sent, with
// "Wyślij ponownie" (POST /api/wiadomosci/niewyslane/{id}/ponow). The lists are read again
// whenever the counts change. Text is set with textContent only.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  if (!$("messages-tile")) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let figures = null;
  let listsKey = "";

  function ago(iso) {
    const since = Date.parse(iso || "");
    if (Number.isNaN(since)) return "–";
    const minutes = Math.max(0, Math.floor((Date.now() - since) / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} godz. ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} dni ${hours % 24} godz.`;
  }

  function day(iso) { return iso ? iso.slice(0, 10).split("-").reverse().join(".") : "–"; }

  function figure(id, value, alert) {
    const node = $(id);
    node.textContent = value === null || value === undefined ? "–" : String(value);
    node.className = alert ? "alert" : "";
  }

  function renderTile() {
    if (!figures) return;
    const f = figures;
    figure("mq-waiting", f.waiting || 0, false);
    figure("mq-in-progress", f.in_progress || 0, false);
    figure("mq-overdue", f.overdue || 0, (f.overdue || 0) > 0);
    figure("mq-oldest", f.oldest_since ? ago(f.oldest_since) : "–", false);
    figure("mq-failed", f.failed_sends || 0, (f.failed_sends || 0) > 0);
    const labels = { email: "e-mail", www: "formularz www", epuap: "ePUAP" };
    const parts = Object.entries(f.by_channel || {}).map(([k, v]) => `${labels[k] || k}: ${v}`);
    $("mq-channels").textContent = parts.length ? `Czeka według kanału: ${parts.join(", ")}` : "";
  }

  function setMessage(text, ok) {
    const box = $("wallboard-message");
    if (!box) return;
    box.textContent = text || "";
    box.className = ok ? "ok" : "error";
  }

  async function get(path) {
    const response = await fetch(path, { credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd serwera (${response.status}).`);
    return data;
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = value === null || value === undefined || value === "" ? "–" : String(value);
      tr.appendChild(td);
    }
    return tr;
  }

  function renderOverdue(items) {
    $("overdue").replaceChildren(...items.map((item) => {
      const from = item.from_name ? `${item.from_name} <${item.contact}>` : item.contact;
      const late = item.days_late ? ` (${item.days_late} dn. rob. po terminie)` : "";
      const tr = row([`nr ${item.id}`, item.channel_label || item.channel, from, item.topic,
        `${day(item.reply_due)}${late}`, item.owner || item.department || "kolejka"]);
      tr.dataset.report = String(item.id);
      tr.className = "alert";
      return tr;
    }));
    $("overdue-table").hidden = !items.length;
    $("no-overdue").hidden = items.length > 0;
  }

  async function retry(item, button) {
    button.disabled = true;
    setMessage("");
    try {
      const response = await fetch(`/api/wiadomosci/niewyslane/${encodeURIComponent(item.id)}/ponow`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: "{}",
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.message || `Błąd serwera (${response.status}).`);
      setMessage(`Wiadomość do ${item.to}: wysyłamy ponownie.`, true);
      listsKey = "";
      setTimeout(loadLists, 1500);
    } catch (err) {
      setMessage(`Wiadomość do ${item.to}: ${err.message}`);
      button.disabled = false;
    }
  }

  function renderFailed(items) {
    $("failed").replaceChildren(...items.map((item) => {
      const tr = row([item.report ? `nr ${item.report}` : "–", item.to, item.subject,
        item.attempts, item.last_error]);
      tr.dataset.message = String(item.id);
      const td = document.createElement("td");
      td.className = "actions";
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = "retry-send";
      button.textContent = "Wyślij ponownie";
      button.setAttribute("aria-label", `Wyślij ponownie wiadomość do ${item.to}`);
      button.addEventListener("click", () => retry(item, button));
      td.appendChild(button);
      tr.appendChild(td);
      return tr;
    }));
    $("failed-table").hidden = !items.length;
    $("no-failed").hidden = items.length > 0;
  }

  async function loadLists() {
    try {
      const [overdue, failed] = await Promise.all([
        get("/api/wiadomosci/zalegle"), get("/api/wiadomosci/niewyslane"),
      ]);
      renderOverdue(overdue);
      renderFailed(failed);
      document.body.dataset.messageLists = String(Number(document.body.dataset.messageLists || 0) + 1);
    } catch (err) {
      setMessage(`Listy wiadomości niedostępne: ${err.message}`);
    }
  }

  document.addEventListener("cic:wallboard", (event) => {
    const snapshot = event.detail || {};
    if (!snapshot.messages) return;
    figures = snapshot.messages;
    renderTile();
    const key = JSON.stringify([figures.waiting, figures.in_progress, figures.overdue,
      figures.failed_sends]);
    if (key !== listsKey) {
      listsKey = key;
      loadLists();
    }
  });
  setInterval(renderTile, 30000); // the oldest wait grows with the clock
  setInterval(loadLists, 120000); // a message can pass its target with the counts unchanged
  loadLists();
})();

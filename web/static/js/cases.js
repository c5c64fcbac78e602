// Cases and contact reports for officials: deadlines, reports handed to units (register a case
// from one, the receipt shows the phone code and the PIN once), a case with its metryka.
// Text goes in via textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let reportId = null;

  async function call(path, payload, method) {
    const options = { credentials: "same-origin", method: method || "GET", headers: {} };
    if (payload !== undefined) {
      options.method = method || "POST";
      options.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  function fail(err) { $("cases-status").textContent = err.message; }

  function li(text, data) {
    const item = document.createElement("li");
    item.textContent = text;
    Object.assign(item.dataset, data || {});
    return item;
  }

  function polishDate(iso) { return iso ? iso.split("-").reverse().join(".") : "bez terminu"; }

  function caseLine(c) {
    return `${c.signature} · ${c.status_label} · termin ${polishDate(c.deadline)}`;
  }

  async function loadDeadlines() {
    if (!$("overdue")) return;
    const data = await call("/api/sprawy/terminy");
    $("overdue").replaceChildren(...data.overdue.map((c) => li(`${caseLine(c)} — ${c.reminder}`, { signature: c.signature })));
    $("due-soon").replaceChildren(...data.due_soon.map((c) => li(caseLine(c), { signature: c.signature })));
    for (const [id, text] of [["overdue", "Brak spraw po terminie."], ["due-soon", "Brak spraw z bliskim terminem."]]) {
      if (!$(id).children.length) $(id).appendChild(Object.assign(li(text), { className: "muted" }));
    }
  }

  async function loadReports() {
    const reports = await call("/api/zgloszenia?status=przekazane");
    const items = reports.map((r) => {
      const item = li(`nr ${r.id} · ${r.department} · ${r.topic}${r.case ? ` · sprawa ${r.case}` : ""}`, { report: String(r.id) });
      if (!r.case && $("register-form")) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = "Zarejestruj sprawę";
        b.addEventListener("click", () => {
          reportId = r.id;
          $("register-report").textContent = String(r.id);
          $("register-unit").value = r.department || "";
          $("register-title").value = r.topic;
          $("register-form").hidden = false;
        });
        item.append(" ", b);
      }
      return item;
    });
    $("reports").replaceChildren(...items);
    if (!items.length) $("reports").appendChild(li("Brak przekazanych zgłoszeń."));
  }

  async function loadJrwa() {
    if (!$("register-jrwa")) return;
    const data = await call("/api/jrwa");
    $("register-jrwa").replaceChildren(...data.classes.map((c) => {
      const option = document.createElement("option");
      option.value = c.symbol;
      option.textContent = `${c.symbol} — ${c.name}`;
      return option;
    }));
  }

  async function showCase(signature) {
    try {
      const c = await call(`/api/sprawy/${encodeURIComponent(signature)}`);
      const metryka = await call(`/api/sprawy/${encodeURIComponent(signature)}/metryka`);
      $("case-title").textContent = `${c.signature}: ${c.title}`;
      $("case-state").textContent = c.status_label;
      $("case-deadline").textContent = polishDate(c.deadline);
      $("case-reminder").textContent = c.reminder || "";
      $("case-reminder").hidden = !c.reminder;
      $("metryka").replaceChildren(...metryka.map((a) => li(
        `${window.plFormat.dateTime(a.at)} · ${a.actor} · ${a.description}${a.document_id ? ` · dok. ${a.document_id}` : ""}`)));
      $("case").hidden = false;
      document.body.dataset.caseShown = c.signature;
    } catch (err) { fail(err); }
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  async function showReport(id) {
    try {
      const r = await call(`/api/zgloszenia/${id}`);
      $("report-id").textContent = String(r.id);
      $("report-topic").textContent = r.topic;
      $("report-channel").textContent = r.channel_label;
      $("report-state").textContent = r.status_label;
      $("report-department").textContent = r.department || "—";
      $("report-created").textContent = window.plFormat.dateTime(r.created_at);
      $("report-case").replaceChildren(r.case ? link(`/sprawy?znak=${encodeURIComponent(r.case)}`, r.case) : "—");
      const register = $("cases").dataset.register === "true";  // may open the call register
      const calls = r.calls.map((c) => (register ? link(`/polaczenia/${encodeURIComponent(c)}`, c) : c));
      $("report-calls").replaceChildren(...(calls.length ? calls.flatMap((a, i) => (i ? [", ", a] : [a])) : ["—"]));
      $("report-note").textContent = r.note;
      $("report").hidden = false;
      document.body.dataset.reportShown = String(r.id);
    } catch (err) { fail(err); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("cases")) return;
    $("case-form").addEventListener("submit", (e) => { e.preventDefault(); showCase($("case-signature").value.trim()); });
    if ($("register-form")) {
      $("register-form").addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          const made = await call(`/api/zgloszenia/${reportId}/sprawa`, {
            unit: $("register-unit").value.trim(), jrwa: $("register-jrwa").value,
            title: $("register-title").value.trim(), deadline_kind: $("register-deadline").value,
          });
          $("receipt-signature").textContent = made.signature;
          $("receipt-code").textContent = made.phone_code;
          $("receipt-pin").textContent = made.pin;
          $("receipt").hidden = false;
          $("register-form").hidden = true;
          document.body.dataset.registered = made.signature;
          await Promise.all([loadReports(), loadDeadlines()]);
          showCase(made.signature);
        } catch (err) { fail(err); }
      });
    }
    Promise.all([loadDeadlines(), loadReports(), loadJrwa()]).catch(fail);
    // A link from the call register or the dashboard opens its case (/sprawy?znak=<signature>)
    // or its report (/sprawy?zgloszenie=<id>).
    const asked = new URLSearchParams(window.location.search);
    const wanted = asked.get("znak");
    if (wanted) {
      $("case-signature").value = wanted;
      showCase(wanted);
    }
    const report = asked.get("zgloszenie");
    if (report && /^[0-9]{1,12}$/.test(report)) showReport(report);
  });
})();

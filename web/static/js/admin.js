// Admin pages: forms are sent as JSON to /api/admin/... with the CSRF token; the server
// validates and answers errors in Polish. Data from the server is only ever put in with
// textContent or form values: names are shown, never run.
"use strict";

(function () {
  const root = document.getElementById("admin");
  if (!root) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const errorBox = document.getElementById("admin-error");
  const infoBox = document.getElementById("admin-info");
  const KEYS = { agent: "username", department: "code", queue: "name" };
  const LISTS = { agent: "/api/admin/agents", department: "/api/admin/departments",
    queue: "/api/admin/queues" };

  function say(error, info) {
    errorBox.textContent = error || "";
    infoBox.textContent = info || "";
  }

  async function call(method, path, payload) {
    const options = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  function hoursOf(form) {
    const hours = {};
    form.querySelectorAll("[data-hours-day]").forEach((input) => {
      hours[input.dataset.hoursDay] = input.value.split(",").map((s) => s.trim()).filter(Boolean);
    });
    return hours;
  }

  // "1 FN podatki i opłaty" per line -> {key, department, label}; the server checks the rest.
  function menuOf(text) {
    return text.split("\n").map((s) => s.trim()).filter(Boolean).map((line) => {
      const m = line.match(/^(\S+)\s+(\S+)\s+(.+)$/);
      return m ? { key: m[1], department: m[2], label: m[3] } : { key: line, department: "", label: "" };
    });
  }

  function collect(form) {
    const out = {};
    form.querySelectorAll("[name]").forEach((el) => {
      if (el.disabled || el.closest("[hidden]") || el.name.includes(".")) return;
      if (el.dataset.bool) out[el.name] = el.checked;
      else if (el.dataset.menu) out[el.name] = menuOf(el.value);
      else if (el.dataset.lines) out[el.name] = el.value.split("\n").map((s) => s.trim()).filter(Boolean);
      else if (el.dataset.nullIfEmpty && el.value === "") out[el.name] = null;
      else out[el.name] = el.value;
    });
    if (form.querySelector("[data-hours-day]")) {
      const own = form.querySelector("[data-own-hours]");
      out.hours = own && !own.checked ? null : hoursOf(form);
    }
    const members = form.querySelector("[data-memberships]");
    if (members) {
      out.queues = [];
      members.querySelectorAll("[data-queue]").forEach((box) => {
        if (!box.checked) return;
        const penalty = members.querySelector(`[data-penalty="${CSS.escape(box.dataset.queue)}"]`);
        out.queues.push({ queue: box.dataset.queue, penalty: Number(penalty.value || 0) });
      });
    }
    return out;
  }

  function setTitle(form, editing) {
    const title = form.querySelector("h2[data-title-new]");
    if (title) title.textContent = editing ? title.dataset.titleEdit : title.dataset.titleNew;
    form.querySelectorAll(".only-new").forEach((el) => { el.hidden = Boolean(editing); });
  }

  function fill(form, kind, record) {
    form.reset();
    form.dataset.editing = record[KEYS[kind]];
    setTitle(form, true);
    form.querySelectorAll("[name]").forEach((el) => {
      if (!(el.name in record) || el.name.includes(".")) return;
      const value = record[el.name];
      if (el.dataset.bool) el.checked = Boolean(value);
      else el.value = value === null || value === undefined ? "" : String(value);
    });
    const keyInput = form.querySelector(`[name="${KEYS[kind]}"]`);
    if (keyInput) keyInput.disabled = true;
    if (kind === "department") {
      const own = form.querySelector("[data-own-hours]");
      own.checked = record.hours !== null;
      form.querySelectorAll("[data-hours-day]").forEach((input) => {
        input.value = ((record.hours || {})[input.dataset.hoursDay] || []).join(", ");
      });
    }
    if (kind === "agent") {
      const penalties = Object.fromEntries(record.queues.map((m) => [m.queue, m.penalty]));
      form.querySelectorAll("[data-queue]").forEach((box) => {
        box.checked = box.dataset.queue in penalties;
        const input = form.querySelector(`[data-penalty="${CSS.escape(box.dataset.queue)}"]`);
        input.value = String(penalties[box.dataset.queue] || 0);
      });
    }
    form.scrollIntoView({ behavior: "smooth" });
  }

  function showPassword(account) {
    document.getElementById("password-user").textContent = account.username;
    document.getElementById("password-value").textContent = account.initial_password;
    document.getElementById("password-box").hidden = false;
  }

  document.querySelectorAll("form.admin-form").forEach((form) => {
    const kind = form.dataset.kind;
    form.addEventListener("reset", () => {
      delete form.dataset.editing;
      setTitle(form, false);
      form.querySelectorAll("[name]").forEach((el) => { el.disabled = false; });
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say("", "");
      const payload = collect(form);
      const editing = form.dataset.editing;
      try {
        let result;
        if (kind === "office") result = await call("PATCH", form.dataset.api, payload);
        else if (editing) {
          delete payload[KEYS[kind]];
          delete payload.create_account;
          delete payload.role;
          result = await call("PATCH", `${form.dataset.api}/${encodeURIComponent(editing)}`, payload);
        } else result = await call("POST", form.dataset.api, payload);
        if (result.account) {
          showPassword(result.account);
          say("", "Zapisano. Konto utworzone.");
          return;
        }
        say("", "Zapisano.");
        window.location.reload();
      } catch (error) {
        say(error.message, "");
      }
    });
  });

  document.querySelectorAll("[data-reset]").forEach((button) => {
    button.addEventListener("click", async () => {
      say("", "");
      try {
        await call("PATCH", "/api/admin/office", { [button.dataset.reset]: null });
        window.location.reload();
      } catch (error) {
        say(error.message, "");
      }
    });
  });

  document.querySelectorAll("[data-edit]").forEach((button) => {
    button.addEventListener("click", async () => {
      const kind = button.dataset.edit;
      say("", "");
      try {
        const rows = await call("GET", LISTS[kind]);
        const record = rows.find((r) => r[KEYS[kind]] === button.dataset.key);
        if (!record) throw new Error("Nie znaleziono — odśwież stronę.");
        fill(document.getElementById(`${kind}-form`), kind, record);
      } catch (error) {
        say(error.message, "");
      }
    });
  });

  async function agentAction(username, path, payload, question) {
    if (question && !window.confirm(question)) return;
    say("", "");
    try {
      await call(path === "activate" ? "PATCH" : "POST",
        `/api/admin/agents/${encodeURIComponent(username)}${path === "activate" ? "" : "/" + path}`,
        payload);
      window.location.reload();
    } catch (error) {
      say(error.message, "");
    }
  }

  document.querySelectorAll("[data-deactivate]").forEach((button) => {
    button.addEventListener("click", () => agentAction(button.dataset.deactivate, "deactivate", {},
      "Dezaktywować konsultanta? Zostanie wylogowany z kolejek, a jego telefon wyłączony."));
  });
  document.querySelectorAll("[data-activate]").forEach((button) => {
    button.addEventListener("click", () => agentAction(button.dataset.activate, "activate",
      { active: true }, ""));
  });
  // A sign-in lock: {address, username} lifts the pair; the address alone ends its back-off.
  document.querySelectorAll("[data-lift-address]").forEach((button) => {
    button.addEventListener("click", async () => {
      const payload = { address: button.dataset.liftAddress };
      if (button.dataset.liftUsername) payload.username = button.dataset.liftUsername;
      say("", "");
      try {
        await call("DELETE", "/api/admin/sign-in-locks", payload);
        button.closest("tr").remove();
        say("", "Blokadę zdjęto.");
      } catch (error) {
        say(error.message, "");
      }
    });
  });
  const done = document.getElementById("password-done");
  if (done) done.addEventListener("click", () => window.location.reload());
})();

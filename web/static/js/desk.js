// The front desk: find the resident (name, phone, e-mail or PESEL), pick them or add a new
// one, name the matter and press Enter — the visit is recorded and listed for the day.
// Keyboard first: the search box has focus, Enter searches, the arrows walk the results, Enter
// picks and moves on to the matter, Enter saves. A PESEL goes to the server only in a POST
// body and is never shown again: the search box is cleared and the results say only
// "PESEL ✓". Text goes in via textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let chosen = null; // {id, name}, "new", or null for a visit without the resident's data
  let searchedPesel = ""; // a valid PESEL typed into the search: memory only, never shown

  async function call(path, payload) {
    const options = { credentials: "same-origin", method: "GET", headers: {} };
    if (payload !== undefined) {
      options.method = "POST";
      options.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `Błąd ${response.status}`);
    return data;
  }

  function say(text, isError) {
    $("desk-status").textContent = text;
    $("desk-status").className = isError ? "error" : "ok";
  }

  const WEIGHTS = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const CENTURIES = { 0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800 };

  function peselDigits(text) {
    const digits = text.replace(/\s+/g, "");
    return /^[0-9]{11}$/.test(digits) ? digits : null;
  }

  function peselValid(d) {
    const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(d[i]), 0);
    if ((10 - (sum % 10)) % 10 !== Number(d[10])) return false;
    const month = Number(d.slice(2, 4));
    const offset = Math.floor(month / 20) * 20;
    const year = CENTURIES[offset] + Number(d.slice(0, 2));
    const day = Number(d.slice(4, 6));
    const born = new Date(Date.UTC(year, month - offset - 1, day));
    return born.getUTCFullYear() === year && born.getUTCMonth() === month - offset - 1
      && born.getUTCDate() === day;
  }

  function looksLikeName(text) { return /\p{L}/u.test(text) && !text.includes("@"); }

  function describe(r) {
    const parts = [r.name];
    if (r.numbers.length) parts.push(r.numbers.map((n) => n.number).join(", "));
    if (r.emails.length) parts.push(r.emails.join(", "));
    if (r.has_pesel) parts.push("PESEL ✓");
    return parts.join(" · ");
  }

  function button(text, data, onPick) {
    const item = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    Object.assign(b.dataset, data);
    b.addEventListener("click", onPick);
    item.appendChild(b);
    return item;
  }

  async function search(query) {
    const pesel = peselDigits(query);
    searchedPesel = "";
    if (pesel) {
      $("find-q").value = ""; // the number does not stay on the screen
      if (peselValid(pesel)) searchedPesel = pesel;
    }
    let found;
    try {
      found = await call("/api/mieszkancy/szukaj", { q: query });
    } catch (err) {
      say(err.message, true);
      $("find-q").focus();
      return;
    }
    const items = found.map((r) => button(describe(r), { resident: String(r.id) }, () => pick(r)));
    items.push(button("Nowy mieszkaniec", { new: "1" }, () => pickNew(query, pesel)));
    $("found").replaceChildren(...items);
    say(found.length ? `Znaleziono: ${found.length}.` : "Nikogo nie znaleziono — dodaj nowego mieszkańca.");
    $("found").querySelector("button").focus();
  }

  function pick(resident) {
    chosen = { id: resident.id, name: resident.name };
    $("chosen").textContent = resident.name;
    $("new-resident").hidden = true;
    $("found").replaceChildren();
    $("visit-topic").focus();
  }

  function pickNew(query, pesel) {
    chosen = "new";
    $("chosen").textContent = "nowy mieszkaniec";
    $("new-resident").hidden = false;
    $("new-name").value = !pesel && looksLikeName(query) ? query : "";
    if (query.includes("@")) $("new-email").value = query;
    $("keep-pesel-row").hidden = !searchedPesel;
    $("found").replaceChildren();
    $("new-name").focus();
  }

  function walk(event) {
    const buttons = [...$("found").querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      buttons[(at + step + buttons.length) % buttons.length].focus();
    } else if (event.key === "Escape") {
      $("find-q").focus();
    }
  }

  function suggestDepartment() {
    const topic = $("visit-topic").value.trim();
    const option = [...$("matters").options].find((o) => o.value === topic);
    const select = $("visit-department");
    if (option && [...select.options].some((o) => o.value === option.dataset.department)) {
      select.value = option.dataset.department;
    }
  }

  function visitor() {
    if (chosen === null) return {};
    if (chosen !== "new") return { resident_id: chosen.id };
    const resident = { name: $("new-name").value.trim() };
    const pesel = $("new-pesel").value.trim() || ($("keep-pesel").checked ? searchedPesel : "");
    for (const [key, value] of [["phone", $("new-phone").value.trim()],
      ["email", $("new-email").value.trim()], ["pesel", pesel]]) {
      if (value) resident[key] = value;
    }
    return { resident };
  }

  function reset() {
    chosen = null;
    searchedPesel = "";
    $("visit-form").reset();
    $("new-resident").hidden = true;
    $("keep-pesel-row").hidden = true;
    $("chosen").textContent = "nikogo (wizyta bez danych mieszkańca)";
    $("find-q").value = "";
    $("find-q").focus();
  }

  async function save() {
    const payload = {
      ...visitor(),
      topic: $("visit-topic").value.trim(),
      note: $("visit-note").value,
      handled: $("visit-handled").checked,
      department: $("visit-department").value || null,
    };
    try {
      const made = await call("/api/wizyty", payload);
      say(`Zapisano wizytę nr ${made.id}: ${made.topic} (${made.status_label}).`);
      document.body.dataset.saved = String(made.id);
      reset();
      await loadVisits();
    } catch (err) { say(err.message, true); }
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString("pl-PL", { hour: "2-digit", minute: "2-digit" });
  }

  async function loadVisits() {
    const day = $("desk").dataset.today;
    $("visits-day").textContent = day.split("-").reverse().join(".");
    const visits = await call(`/api/wizyty?dzien=${encodeURIComponent(day)}`);
    const items = visits.map((v) => {
      const item = document.createElement("li");
      const who = v.resident ? v.resident.name : "bez danych mieszkańca";
      const where = v.department ? ` · ${v.department}` : "";
      const due = v.reply_due ? ` · odpowiedź do ${v.reply_due.split("-").reverse().join(".")}` : "";
      item.textContent = `${clock(v.created_at)} · ${who} · ${v.topic} · ${v.status_label}${where}${due}`;
      item.dataset.visit = String(v.id);
      return item;
    });
    if (!items.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = "Jeszcze nikogo.";
      items.push(none);
    }
    $("visits").replaceChildren(...items);
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("desk")) return;
    $("find-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const query = $("find-q").value.trim();
      if (query) search(query);
    });
    $("found").addEventListener("keydown", walk);
    $("visit-topic").addEventListener("change", suggestDepartment);
    $("visit-topic").addEventListener("input", suggestDepartment);
    $("visit-form").addEventListener("submit", (e) => { e.preventDefault(); save(); });
    $("visit-form").addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.isComposing) return;
      const tag = e.target.tagName;
      if (tag === "BUTTON") return;
      if (tag === "TEXTAREA" && !e.ctrlKey) return;
      e.preventDefault();
      $("visit-form").requestSubmit();
    });
    loadVisits().catch((err) => say(err.message, true));
    $("find-q").focus();
  });
})();

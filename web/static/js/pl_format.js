// Polish dates and call labels for pages that render in JS: window.plFormat.
//   plFormat.dateTime(iso, zone, withSeconds)  "06.12.2026 14:05" in the office's zone
//   plFormat.date(iso, zone)                    "06.12.2026"
//   plFormat.outcome(code)                      "odebrane" (unknown: the code itself)
// The zone defaults to <body data-timezone> or Europe/Warsaw. Labels match cic/calls/labels.py
// (a unit test compares them). Results are plain text: put them in with textContent.
(() => {
  "use strict";
  const OUTCOMES = {
    answered: "odebrane", abandoned: "porzucone", unanswered: "nieodebrane",
    message: "wiadomość", lost: "przerwane", in_progress: "w toku",
    callback: "prośba o oddzwonienie",
  };

  function officeZone(zone) {
    return zone || (document.body && document.body.dataset.timezone) || "Europe/Warsaw";
  }

  function parts(iso, zone, options) {
    const when = new Date(iso);
    if (!iso || Number.isNaN(when.getTime())) return null;
    let found;
    try {
      found = new Intl.DateTimeFormat("pl-PL", { ...options, timeZone: officeZone(zone) }).formatToParts(when);
    } catch (err) {
      found = new Intl.DateTimeFormat("pl-PL", options).formatToParts(when);
    }
    return Object.fromEntries(found.map((x) => [x.type, x.value]));
  }

  function dateTime(iso, zone, withSeconds) {
    const options = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit",
                      minute: "2-digit", hourCycle: "h23" };
    if (withSeconds) options.second = "2-digit";
    const p = parts(iso, zone, options);
    if (!p) return "–";
    return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}${withSeconds ? `:${p.second}` : ""}`;
  }

  function date(iso, zone) {
    const p = parts(iso, zone, { day: "2-digit", month: "2-digit", year: "numeric" });
    return p ? `${p.day}.${p.month}.${p.year}` : "–";
  }

  function outcome(code) { return OUTCOMES[code] || code || ""; }

  window.plFormat = { dateTime, date, outcome, OUTCOMES };
})();

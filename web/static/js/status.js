// The switchboard's state (/): the page reloads itself every 5 seconds, as its old
// <meta http-equiv="refresh"> did, but the user may stop it (WCAG 2.2.1, timing adjustable):
// the button pauses and resumes, and the choice is kept for the browser tab.
(() => {
  "use strict";
  const EVERY_MS = 5000;
  const KEY = "cic-status-paused";
  const button = document.getElementById("status-refresh");
  if (!button) return;
  let timer = null;

  function show(paused) {
    button.textContent = paused ? "Wznów odświeżanie" : "Wstrzymaj odświeżanie";
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    document.getElementById("status-refresh-state").textContent = paused
      ? "Odświeżanie wstrzymane."
      : "Strona odświeża się co 5 sekund.";
  }

  function schedule(paused) {
    clearTimeout(timer);
    if (!paused) timer = setTimeout(() => window.location.reload(), EVERY_MS);
  }

  const paused = sessionStorage.getItem(KEY) === "1";
  show(paused);
  schedule(paused);
  button.addEventListener("click", () => {
    const now = sessionStorage.getItem(KEY) !== "1";
    sessionStorage.setItem(KEY, now ? "1" : "0");
    show(now);
    schedule(now);
  });
})();

// The status page reloads itself every 5 s to show fresh figures, unless the reader turns it
// off with the "Odświeżaj co 5 s" box (WCAG 2.2.1: a time limit the user can switch off; a
// <meta http-equiv="refresh"> cannot be). The choice is kept in this browser.
(() => {
  "use strict";
  const box = document.getElementById("auto-refresh");
  if (!box) return;
  const KEY = "cic-status-refresh";
  box.checked = localStorage.getItem(KEY) !== "off";
  box.addEventListener("change", () => localStorage.setItem(KEY, box.checked ? "on" : "off"));
  setInterval(() => {
    const typing = document.activeElement && document.activeElement !== document.body
      && document.activeElement !== box;
    if (box.checked && !document.hidden && !typing) window.location.reload();
  }, 5000);
})();

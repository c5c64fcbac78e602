// The console's "Zgłoszenie zagrożenia" button: opens the safety map's report form in a new
// tab with the caller's number (and name, when known) filled in and the call linked.
(() => {
  "use strict";
  const button = document.getElementById("btn-incident");
  if (!button) return;
  button.addEventListener("click", () => {
    const callId = window.cicConsole && window.cicConsole.callId();
    const params = new URLSearchParams();
    if (callId) params.set("rozmowa", callId);
    const number = document.getElementById("caller-number").textContent.trim();
    if (/^[+0-9 ]{3,40}$/.test(number)) params.set("telefon", number);
    const name = document.getElementById("caller-name").textContent.trim();
    if (name) params.set("nazwa", name.replace(/ \(mieszkaniec w rejestrze\)$/, ""));
    window.open(`/bezpieczenstwo?${params}#new-title`, "_blank", "noopener");
  });
})();

// The new-incident form of the safety map page. Opened from the agent's console
// ("Zgłoszenie zagrożenia") with ?rozmowa=<call id>&telefon=<number>&nazwa=<name>: the caller's
// details are filled in and the call is linked. Sends JSON to /api/zagrozenia and lists the
// possible duplicates the server found. Text goes in via textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("incident-form");
  if (!form) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const params = new URLSearchParams(window.location.search);
  if (params.get("rozmowa")) {
    $("i-call").value = params.get("rozmowa").slice(0, 64);
    $("i-source").value = "telefon";
    $("i-phone").value = (params.get("telefon") || "").slice(0, 40);
    $("i-name").value = (params.get("nazwa") || "").slice(0, 200);
    $("new-title").textContent = "Zgłoszenie zagrożenia z rozmowy";
    $("new-title").scrollIntoView();
  }

  function number(id) {
    const text = $(id).value.trim().replace(",", ".");
    return text === "" ? null : Number(text);
  }

  window.cicIncidentForm = {
    setPoint(lat, lon) {
      $("i-lat").value = lat.toFixed(6);
      $("i-lon").value = lon.toFixed(6);
    },
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = $("incident-result");
    const body = {
      category: $("i-category").value, title: $("i-title").value,
      description: $("i-description").value, address: $("i-address").value.trim(),
      lat: number("i-lat"), lon: number("i-lon"), source: $("i-source").value,
      reporter_name: $("i-name").value.trim(), reporter_phone: $("i-phone").value.trim(),
      call_id: $("i-call").value,
    };
    if ([body.lat, body.lon].some((v) => v !== null && !Number.isFinite(v))) {
      result.textContent = "Współrzędne muszą być liczbami, np. 50.0614.";
      return;
    }
    result.textContent = "Zapisywanie…";
    const response = await fetch("/api/zagrozenia", {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      result.textContent = data.message || `Błąd ${response.status}`;
      return;
    }
    result.replaceChildren();
    const link = document.createElement("a");
    link.href = data.incident.path;
    link.textContent = `Zapisano zgłoszenie nr ${data.incident.id}.`;
    result.appendChild(link);
    for (const d of data.duplicates || []) {
      const p = document.createElement("p");
      const a = document.createElement("a");
      a.href = d.incident.path;
      a.textContent = `nr ${d.incident.id}: ${d.incident.title}`;
      p.append(`Możliwy duplikat (${Math.round(d.distance_m)} m): `, a);
      result.appendChild(p);
    }
    document.dispatchEvent(new CustomEvent("cic-incident-created", { detail: data.incident }));
  });
})();

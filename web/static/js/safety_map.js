// The safety map (Leaflet): incidents as markers with popups, the list beside the map, the
// filters; other layers (e.g. responders) come from /api/mapa/warstwy — each layer's URL
// answers [{lat, lon, label, detail, href}], drawn as circle markers. The tiles come from the
// configured server; without network the markers are still drawn.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("safety-config").textContent);
  const layerList = JSON.parse($("safety-layer-list").textContent);
  const map = L.map("safety-map").setView(config.centre, 12);
  map.attributionControl.setPrefix("Leaflet");
  L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  if (config.area && config.area.length === 2) map.fitBounds(config.area);
  else if (config.area && config.area.length > 2) map.fitBounds(L.polygon(config.area).getBounds());
  const incidents = L.layerGroup().addTo(map);
  const extra = {};
  window.cicSafetyMap = { map, incidents, extra };

  function popup(title, detail, href) {
    const div = document.createElement("div");
    const strong = document.createElement("strong");
    strong.textContent = title;
    div.appendChild(strong);
    if (detail) div.append(document.createElement("br"), detail);
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = "Szczegóły";
      div.append(document.createElement("br"), a);
    }
    return div;
  }

  function query() {
    const params = new URLSearchParams();
    const pick = { kategoria: "f-category", stan: "f-status" };
    for (const [name, id] of Object.entries(pick)) if ($(id).value) params.set(name, $(id).value);
    if ($("f-since").value) params.set("od", `${$("f-since").value}T00:00:00`);
    if ($("f-until").value) params.set("do", `${$("f-until").value}T23:59:59`);
    return params.toString();
  }

  async function load() {
    $("safety-status").textContent = "Wczytywanie…";
    const response = await fetch(`/api/zagrozenia?${query()}`, { credentials: "same-origin" });
    const data = await response.json().catch(() => []);
    if (!response.ok) {
      $("safety-status").textContent = data.message || `Błąd ${response.status}`;
      return;
    }
    incidents.clearLayers();
    const items = [];
    for (const i of data) {
      const detail = `${i.category_name} · ${i.status_label}${i.address ? ` · ${i.address}` : ""}`;
      L.marker([i.lat, i.lon], { title: `nr ${i.id}: ${i.title}`, alt: i.title })
        .bindPopup(() => popup(`nr ${i.id}: ${i.title}`, detail, i.path)).addTo(incidents);
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = i.path;
      a.textContent = `nr ${i.id}: ${i.title}`;
      li.append(a, ` — ${detail}`);
      items.push(li);
    }
    $("safety-items").replaceChildren(...items);
    $("safety-count").textContent = `(${data.length})`;
    $("safety-status").textContent = data.length ? "" : "Brak zgłoszeń dla tych filtrów.";
  }

  async function loadLayer(layer) {
    const response = await fetch(layer.url, { credentials: "same-origin" });
    if (!response.ok) return;
    const group = extra[layer.id] || L.layerGroup().addTo(map);
    extra[layer.id] = group;
    group.clearLayers();
    for (const f of await response.json().catch(() => [])) {
      L.circleMarker([f.lat, f.lon], { radius: 7 })
        .bindPopup(() => popup(f.label || "", f.detail || "", f.href || "")).addTo(group);
    }
  }

  for (const layer of layerList) {
    if (layer.id === "zagrozenia") continue;
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => {
      if (box.checked) loadLayer(layer);
      else if (extra[layer.id]) extra[layer.id].clearLayers();
    });
    label.append(box, ` ${layer.name}`);
    $("safety-layers").appendChild(label);
    loadLayer(layer);
  }

  map.on("click", (event) => {
    if (window.cicIncidentForm) window.cicIncidentForm.setPoint(event.latlng.lat, event.latlng.lng);
  });
  $("safety-filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  document.addEventListener("cic-incident-created", load);
  load();
})();

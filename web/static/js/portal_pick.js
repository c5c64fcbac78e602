// The portal's report form with JavaScript: a small Leaflet map; a click (or Enter on a
// focused map) fills the latitude and longitude fields, which also work without it.
(() => {
  "use strict";
  const box = document.getElementById("portal-pick");
  if (!box || !window.L) return;
  const config = JSON.parse(document.getElementById("safety-config").textContent);
  box.hidden = false;
  document.getElementById("opis-mapa").hidden = false;
  const map = L.map(box).setView(config.centre, 12);
  map.attributionControl.setPrefix("Leaflet");
  L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  if (config.area && config.area.length === 2) map.fitBounds(config.area);
  let marker = null;
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    document.getElementById("pole-lat").value = lat.toFixed(6);
    document.getElementById("pole-lon").value = lng.toFixed(6);
    if (marker) marker.setLatLng(event.latlng);
    else marker = L.marker(event.latlng, { alt: "Wskazane miejsce" }).addTo(map);
  });
})();

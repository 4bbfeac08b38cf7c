// The report page's map, only when a tile server is configured (MINQING_TILE_URL): tap to mark the spot; the
// point goes into the form's hidden latitude and longitude fields. Leaflet is served from static/vendor.
(() => {
  const el = document.getElementById("report-map");
  if (!el || !window.L) return;
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  const clear = document.getElementById("report-map-clear");
  const map = L.map(el).setView([Number(el.dataset.lat), Number(el.dataset.lon)], Number(el.dataset.zoom));
  map.attributionControl.setPrefix(false); // no link out of an intranet
  L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  let marker = null;
  const mark = (point) => {
    const latlng = point.wrap();
    if (marker) marker.setLatLng(latlng);
    else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    clear.hidden = false;
  };
  if (lat.value && lon.value) {
    mark(L.latLng(Number(lat.value), Number(lon.value)));
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16));
  }
  map.on("click", (event) => mark(event.latlng));
  clear.addEventListener("click", () => {
    if (marker) marker.remove();
    marker = null;
    lat.value = "";
    lon.value = "";
    clear.hidden = true;
  });
})();

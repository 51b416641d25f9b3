/* The map of the OGC API's HTML pages: draws the page's JSON block (#map-data) into #map with Leaflet,
   from this server only: no base map tiles (the vector shapes alone), no inline script (the pages'
   Content-Security-Policy forbids it). Values reach the page as text nodes, never as HTML. */
(function () {
  "use strict";

  function text(value) {
    if (value === null || value === undefined) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function popup(properties) {
    var box = document.createElement("div");
    box.className = "popup";
    Object.keys(properties || {}).forEach(function (key) {
      var row = document.createElement("div");
      var name = document.createElement("b");
      name.textContent = key;
      row.appendChild(name);
      row.appendChild(document.createTextNode(": " + text(properties[key])));
      box.appendChild(row);
    });
    return box;
  }

  function shapes(kind, data) {
    if (kind === "extent") {
      var spatial = data.extent && data.extent.spatial;
      var b = spatial && spatial.bbox && spatial.bbox[0];
      return b ? L.rectangle([[b[1], b[0]], [b[3], b[2]]]) : null;
    }
    var features = kind === "features" ? (data.features || []) : [data];
    if (!features.some(function (f) { return f && f.geometry; })) return null;
    return L.geoJSON({ type: "FeatureCollection", features: features }, {
      onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); }
    });
  }

  function draw() {
    var element = document.getElementById("map");
    var block = document.getElementById("map-data");
    if (!element || !block || typeof L === "undefined") return;
    var layer = shapes(element.getAttribute("data-kind"), JSON.parse(block.textContent));
    if (!layer) {
      element.hidden = true;
      return;
    }
    var map = L.map(element);
    map.attributionControl.setPrefix("Leaflet");
    layer.addTo(map);
    map.fitBounds(layer.getBounds());
  }

  document.addEventListener("DOMContentLoaded", draw);
})();

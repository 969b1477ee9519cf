// cawarn UI, the report form: pick the point on a Leaflet map of the admin-1 units, or search a
// place in the node's GeoNames gazetteer (English or Russian) and take its point and country.
(function () {
  "use strict";


  function byId(id) { return document.getElementById(id); }

  function readJson(id) {
    var el = byId(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function start() {
    var el = byId("pick-map");
    var lat = byId("latitude");
    var lon = byId("longitude");
    if (!el || !lat || !lon) return;
    var map = null;
    var marker = null;

    function setPoint(latitude, longitude, zoom) {
      lat.value = Number(latitude).toFixed(5);
      lon.value = Number(longitude).toFixed(5);
      if (!map) return;
      if (marker) marker.setLatLng([latitude, longitude]);
      else marker = L.marker([latitude, longitude]).addTo(map);
      if (zoom) map.setView([latitude, longitude], Math.max(map.getZoom(), zoom));
    }

    if (window.L) {
      map = L.map(el, { zoomSnap: 0.25 });
      var units = readJson("units-data");
      var bounds = null;
      if (units && units.features && units.features.length) {
        var layer = L.geoJSON(units, {
          style: function () {
            return { color: "#5b6670", weight: 0.8, fillOpacity: 0.5, fillColor: "#f2f4f6" };
          }
        }).addTo(map);
        map.attributionControl.addAttribution("geoBoundaries (CC BY 4.0)");
        bounds = layer.getBounds();
      }
      if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.05), { maxZoom: 8 });
      else map.setView([41, 66], 4);
      map.on("click", function (e) {
        byId("geonameid").value = "";
        setPoint(e.latlng.lat, e.latlng.lng, 0);
      });
      if (lat.value && lon.value && !isNaN(Number(lat.value))) {
        setPoint(Number(lat.value), Number(lon.value), 7);
      }
    }

    var search = byId("place-search");
    var results = byId("place-results");
    var timer = null;
    var asked = 0;
    if (!search || !results) return;

    function choose(place) {
      setPoint(place.latitude, place.longitude, 8);
      byId("place").value = place.name + (place.name_ru ? " / " + place.name_ru : "");
      byId("geonameid").value = place.geonameid;
      var country = document.querySelector("select[name=country]");
      if (country) country.value = place.country;
      var precision = document.querySelector("select[name=geo_precision]");
      if (precision) precision.value = place.feature_class === "A" ? "admin1" : "exact";
      results.textContent = "";
    }

    function show(places) {
      results.textContent = "";
      places.forEach(function (place) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "place";
        button.textContent = place.name + (place.name_ru ? " / " + place.name_ru : "") +
          " (" + place.country + ", " + place.feature_code + ")";
        button.addEventListener("click", function () { choose(place); });
        li.appendChild(button);
        results.appendChild(li);
      });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var text = search.value.trim();
      if (!text) { results.textContent = ""; return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(search.getAttribute("data-api") + "?q=" + encodeURIComponent(text), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) { if (mine === asked) show(body.items || []); })
          .catch(function () { results.textContent = ""; });
      }, 200);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// cawarn UI: draws the maps (Leaflet) and charts (Chart.js) from the JSON the page carries.
// No tile layer: a node is offline, so the map shows the admin-1 boundaries alone.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var RISK_STEPS = [0.05, 0.1, 0.25, 0.5, 0.75];
  var RISK_COLOURS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#7f2704"];

  function riskColour(p) {
    if (p === null || p === undefined) return "#e6e9ed";
    var i = 0;
    while (i < RISK_STEPS.length && p >= RISK_STEPS[i]) i++;
    return RISK_COLOURS[i];
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function drawMap(el, data, labels) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
    var bounds = null;
    var units = data.units_ref ? readJson(data.units_ref) : null;
    var risk = data.risk || {};
    function unitRisk(f) {
      var p = risk[f.properties.code];
      return p === undefined ? null : p;
    }
    if (units) {
      var layer = L.geoJSON(units, {
        style: function (f) {
          return { color: "#5b6670", weight: 0.8, fillOpacity: 0.85,
                   fillColor: data.has_risk ? riskColour(unitRisk(f)) : "#f2f4f6" };
        },
        onEachFeature: function (f, l) {
          var name = f.properties[data.name_key] || f.properties.code;
          var text = "<a href=\"/units/" + encodeURIComponent(f.properties.code) + "\">" +
            escapeText(name) + "</a> (" + escapeText(f.properties.country) + ")";
          if (unitRisk(f) !== null) {
            text += "<br>" + escapeText(labels.p) + ": " + Math.round(unitRisk(f) * 100) + "%";
          }
          l.bindPopup(text);
        }
      }).addTo(map);
      map.attributionControl.addAttribution("geoBoundaries (CC BY 4.0)");
      if (units.features.length && (data.fit !== "points" || !(data.points || []).length)) {
        bounds = layer.getBounds();
      }
    }
    var points = (data.points || []).map(function (p) {
      var radius = 3 + Math.min(8, Math.sqrt(p.fatalities || 0));
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: radius, color: p.synthetic ? "#7a5d00" : "#18324d", weight: 1,
        fillColor: "#1f77b4", fillOpacity: 0.6
      });
      marker.bindPopup(escapeText(p.date) + " · " + escapeText(p.category) + "<br>" +
        escapeText(labels.fatalities) + ": " + escapeText(p.fatalities === null ? "–" : p.fatalities) +
        "<br><a href=\"/events/" + encodeURIComponent(p.uid) + "\">" + escapeText(labels.open) + "</a>");
      return marker;
    });
    if (points.length) {
      var group = L.featureGroup(points).addTo(map);
      if (!bounds) bounds = group.getBounds();
    }
    if (data.has_risk && el.getAttribute("data-legend") !== "off") {
      var legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "legend-box");
        var edges = [0].concat(RISK_STEPS);
        div.appendChild(document.createTextNode(labels.p));
        for (var i = 0; i < edges.length; i++) {
          var upper = i + 1 < edges.length ? "–" + Math.round(edges[i + 1] * 100) + "%" : "+";
          div.appendChild(document.createElement("br"));
          var swatch = document.createElement("i");
          swatch.style.background = RISK_COLOURS[i];  // CSSOM, allowed by the page's CSP
          div.appendChild(swatch);
          div.appendChild(document.createTextNode(Math.round(edges[i] * 100) + "%" + upper));
        }
        return div;
      };
      legend.addTo(map);
    }
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds.pad(0.05), { maxZoom: 8 });
    } else {
      map.setView([41, 66], 4);
    }
  }

  function lineChart(canvas, labelsX, values, label) {
    return new Chart(canvas, {
      type: "line",
      data: { labels: labelsX, datasets: [{ label: label, data: values, borderColor: "#18324d",
              backgroundColor: "rgba(24,50,77,0.15)", fill: true, pointRadius: 0, borderWidth: 1.5 }] },
      options: { animation: false, maintainAspectRatio: false, responsive: true,
                 plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 8 } } } }
    });
  }

  function fanChart(canvas, fan, history, labels) {
    var x = fan.map(function (r) { return r.label; });
    function band(key) { return fan.map(function (r) { return r[key]; }); }
    var bands = [["q05", "q95", "rgba(217,72,1,0.15)", labels.i90],
                 ["q10", "q90", "rgba(217,72,1,0.22)", labels.i80],
                 ["q25", "q75", "rgba(217,72,1,0.32)", labels.i50]];
    var datasets = [];
    bands.forEach(function (b) {
      datasets.push({ label: b[3], data: band(b[0]), borderWidth: 0, pointRadius: 0, fill: false });
      datasets.push({ label: b[3], data: band(b[1]), borderWidth: 0, pointRadius: 0,
                      backgroundColor: b[2], fill: "-1" });
    });
    datasets.push({ label: labels.median, data: band("q50"), borderColor: "#7f2704",
                    borderWidth: 2, pointRadius: 2, fill: false });
    return new Chart(canvas, {
      type: "line",
      data: { labels: x, datasets: datasets },
      options: { animation: false, maintainAspectRatio: false, responsive: true,
                 plugins: { legend: { labels: { filter: function (item, data) {
                   return item.datasetIndex % 2 === 1 || item.datasetIndex === data.datasets.length - 1;
                 } } } },
                 scales: { y: { beginAtZero: true, title: { display: true, text: labels.fatalities } } } }
    });
  }

  function start() {
    var labels = readJson("labels") || {};
    document.querySelectorAll("div.map[data-source]").forEach(function (el) {
      var mapData = readJson(el.getAttribute("data-source"));
      if (mapData && window.L) drawMap(el, mapData, labels);
    });
    var charts = readJson("chart-data");
    if (charts && window.Chart) drawCharts(charts, labels);
    document.body.setAttribute("data-ready", "1");
  }

  function drawCharts(charts, labels) {
    document.querySelectorAll("canvas[data-trend]").forEach(function (canvas) {
      var country = canvas.getAttribute("data-trend");
      lineChart(canvas, charts.labels, charts.trends[country], country);
    });
    var history = document.getElementById("history-chart");
    if (history && charts.history) {
      lineChart(history, charts.history.labels, charts.history.values, labels.fatalities);
    }
    var fan = document.getElementById("fan-chart");
    if (fan && charts.fan && charts.fan.length) fanChart(fan, charts.fan, charts.history, labels);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

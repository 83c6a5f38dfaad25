// Map picker for edit forms of located records: the zone's boundary drawn with the local
// ECharts; a click fills the longitude and latitude inputs (WGS-84). Inputs are found by
// their data-map-coordinate attribute; the boundary comes from their data-boundary-url.
(function () {
  "use strict";

  function frameAround(lon, lat) {
    var d = 0.05;
    return {
      type: "FeatureCollection",
      features: [{ type: "Feature", properties: { name: "" }, geometry: { type: "Polygon",
        coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] } }]
    };
  }

  var getJson = window.zoneops.getJson;  // app.js

  function setup(lonInput, latInput) {
    var box = document.createElement("div");
    box.className = "map-picker mb-3";
    box.id = "map-picker";
    var note = document.createElement("div");
    note.className = "form-text mb-3";
    note.id = "map-picker-note";
    var anchor = latInput.closest(".mb-3") || latInput.parentNode;
    anchor.parentNode.insertBefore(box, anchor.nextSibling);
    anchor.parentNode.insertBefore(note, box.nextSibling);
    var chart = null;
    var zoneSelect = document.getElementById("id_zone");
    if (navigator.geolocation && lonInput.getAttribute("data-picker-locate")) {
      // On site with a phone: the device's position (GPS gives WGS-84, as stored).
      var locate = document.createElement("button");
      locate.type = "button";
      locate.id = "map-picker-locate";
      locate.className = "btn btn-sm btn-outline-secondary ms-2";
      locate.textContent = lonInput.getAttribute("data-picker-locate");
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          lonInput.value = position.coords.longitude.toFixed(6);
          latInput.value = position.coords.latitude.toFixed(6);
          mark();
        });
      });
      note.parentNode.insertBefore(locate, note);
    }

    function point() {
      var lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
      return isFinite(lon) && isFinite(lat) ? [lon, lat] : null;
    }

    function mark() {
      if (!chart) { return; }
      var p = point();
      chart.setOption({ series: [{ id: "point", data: p ? [p] : [] }] });
    }

    function load() {
      var zone = zoneSelect ? zoneSelect.value : "";
      var url = lonInput.getAttribute("data-boundary-url") + "?zone=" + encodeURIComponent(zone);
      getJson(url, 3).then(function (answer) {
        var boundary = answer.boundary;
        var p = point();
        note.textContent = boundary ? (lonInput.getAttribute("data-picker-hint") || "")
          : (lonInput.getAttribute("data-picker-none") || "");
        if (!boundary && p) { boundary = frameAround(p[0], p[1]); }
        if (!boundary) { box.classList.add("d-none"); return; }
        box.classList.remove("d-none");
        var name = "picker-" + (zone || "none");
        window.echarts.registerMap(name, boundary);
        if (!chart) {
          chart = window.echarts.init(box);
          chart.getZr().on("click", function (event) {
            var at = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
            if (!at) { return; }
            lonInput.value = at[0].toFixed(6);
            latInput.value = at[1].toFixed(6);
            lonInput.dispatchEvent(new Event("change", { bubbles: true }));
            latInput.dispatchEvent(new Event("change", { bubbles: true }));
            mark();
          });
        }
        chart.setOption({
          animation: false,
          geo: { map: name, roam: true, itemStyle: { areaColor: "#eef3f8", borderColor: "#0d6efd" }, emphasis: { disabled: true } },
          series: [{ id: "point", type: "scatter", coordinateSystem: "geo", symbolSize: 14, itemStyle: { color: "#dc3545" }, data: [] }]
        }, true);
        mark();
        box.setAttribute("data-ready", "1");
      });
    }

    lonInput.addEventListener("input", mark);
    latInput.addEventListener("input", mark);
    if (zoneSelect) { zoneSelect.addEventListener("change", load); }
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    var lon = document.querySelector("[data-map-coordinate=longitude]");
    var lat = document.querySelector("[data-map-coordinate=latitude]");
    if (lon && lat) { setup(lon, lat); }
  });
}());

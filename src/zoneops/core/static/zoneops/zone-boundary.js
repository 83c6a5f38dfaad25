// The zone page's outline: the stored boundary (GeoJSON) drawn with the local ECharts.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("zone-boundary-map");
    if (!box || !window.echarts) { return; }
    var url = box.getAttribute("data-boundary-url");
    window.zoneops.getJson(url)
      .then(function (answer) {
        if (!answer.boundary) { box.classList.add("d-none"); return; }
        var name = "zone-outline-" + box.getAttribute("data-zone");
        window.echarts.registerMap(name, answer.boundary);
        var chart = window.echarts.init(box);
        chart.setOption({
          animation: false,
          geo: { map: name, roam: true, silent: true, itemStyle: { areaColor: "#eef3f8", borderColor: "#0d6efd" } }
        });
        window.addEventListener("resize", function () { chart.resize(); });
        box.setAttribute("data-ready", "1");
      })
      .catch(function () { /* retried already (app.js); the page works without the outline */ });
  });
}());

// Gantt charts (挂图作战) drawn with the local ECharts; data comes from a json_script element
// named by the container's data-gantt attribute. No inline scripts: the page stays CSP-clean.
(function () {
  "use strict";
  var DAY = 86400000;
  function time(text) { return text ? new Date(text + "T00:00:00").getTime() : null; }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-gantt"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var labels = data.labels || {};
    var rows = data.rows || [];
    var names = rows.map(function (r) { return r.label; });
    var bars = [], points = { planned: [], actual: [], baseline: [], late: [] };
    var min = time(data.today), max = time(data.today);
    function widen(t) { if (t === null) { return; } min = Math.min(min, t); max = Math.max(max, t); }
    rows.forEach(function (row, index) {
      var p0 = time(row.planned[0]), p1 = time(row.planned[1]);
      var a0 = time(row.actual[0]), a1 = time(row.actual[1]);
      if (p0 !== null && p1 !== null) { bars.push({ value: [index, p0, p1, 0], url: row.url }); widen(p0); widen(p1); }
      if (a0 !== null && a1 !== null) { bars.push({ value: [index, a0, a1, 1], url: row.url }); widen(a0); widen(a1); }
      (row.points || []).forEach(function (pt) {
        var t = time(pt.date); widen(t);
        var kind = row.late && pt.kind === "planned" ? "late" : pt.kind;
        (points[kind] || points.planned).push({ value: [t, index], name: pt.name || row.label, url: row.url });
      });
    });
    var chart = window.echarts.init(el);
    function renderBar(params, api) {
      var y = api.value(0), start = api.coord([api.value(1), y]), end = api.coord([api.value(2), y]);
      var height = api.size([0, 1])[1] * 0.3;
      var offset = api.value(3) === 0 ? -height : 0;
      return {
        type: "rect",
        shape: { x: start[0], y: start[1] + offset, width: Math.max(end[0] - start[0], 2), height: height },
        style: api.style({ fill: api.value(3) === 0 ? "#9ec5fe" : "#198754" })
      };
    }
    function scatter(name, data, color, symbol) {
      return { name: name, type: "scatter", data: data, symbol: symbol, symbolSize: 10, itemStyle: { color: color } };
    }
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var v = p.value;
          if (p.seriesType === "custom") {
            return names[v[0]] + "<br>" + new Date(v[1]).toISOString().slice(0, 10) + " → " + new Date(v[2]).toISOString().slice(0, 10);
          }
          return (p.data.name || "") + "<br>" + new Date(v[0]).toISOString().slice(0, 10);
        }
      },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 30, containLabel: true },
      xAxis: { type: "time", min: min - 15 * DAY, max: max + 15 * DAY },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 220, overflow: "truncate" } },
      dataZoom: rows.length > 15 ? [{ type: "slider", yAxisIndex: 0, start: 0, end: Math.min(100, 1500 / rows.length) }] : [],
      series: [
        { name: (labels.planned || "planned") + " / " + (labels.actual || "actual"), type: "custom", renderItem: renderBar, encode: { x: [1, 2], y: 0 }, data: bars },
        scatter(labels.planned || "planned", points.planned, "#0d6efd", "diamond"),
        scatter(labels.actual || "actual", points.actual, "#198754", "circle"),
        scatter(labels.baseline || "baseline", points.baseline, "#6c757d", "triangle"),
        scatter("!", points.late, "#dc3545", "diamond"),
        { name: labels.today || "today", type: "line", data: [], markLine: { symbol: "none", lineStyle: { color: "#dc3545" }, data: [{ xAxis: time(data.today) }], label: { formatter: labels.today || "today" } } }
      ]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gantt]"), draw);
  });
})();

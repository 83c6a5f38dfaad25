// Funds in place by month against the annual target (local ECharts, data from json_script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.querySelector("[data-progress-chart]");
    if (!el || !window.echarts) { return; }
    var source = document.getElementById(el.getAttribute("data-progress-chart"));
    var data = source ? JSON.parse(source.textContent) : null;
    if (!data) { return; }
    var series = [
      { name: data.labels.monthly, type: "bar", data: data.monthly },
      { name: data.labels.cumulative, type: "line", data: data.cumulative }
    ];
    if (data.target !== null) {
      series[1].markLine = { symbol: "none", data: [{ yAxis: data.target, name: data.labels.target }], label: { formatter: data.labels.target } };
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 20, containLabel: true },
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value" }, series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

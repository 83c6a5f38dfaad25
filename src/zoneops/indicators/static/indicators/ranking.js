// Draws the ranking's bar chart from the ECharts option the page hands over in a JSON <script>.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("ranking-chart");
  if (!el || !window.echarts) { return; }
  var source = document.getElementById(el.getAttribute("data-chart"));
  if (!source) { return; }
  var option = JSON.parse(source.textContent);
  el.style.height = Math.max(160, 48 * option.yAxis.data.length + 60) + "px";
  var chart = window.echarts.init(el);
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
});

// Lead kanban: drag a card to another stage column; the move is posted with HTMX and the
// board (with the funnel) comes back re-rendered. The funnel is drawn with the local ECharts.
(function () {
  "use strict";

  function drawFunnel(root) {
    var el = (root || document).querySelector("[data-funnel]");
    if (!el || !window.echarts) { return; }
    var source = document.getElementById(el.getAttribute("data-funnel"));
    if (!source) { return; }
    var rows = JSON.parse(source.textContent);
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + p.value + " (" + p.data.now + ")"; } },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "10%",
        label: { formatter: function (p) { return p.name + " " + p.value; } },
        data: rows.map(function (r) { return { name: r.label, value: r.reached, now: r.now }; })
      }]
    }, true);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".kanban-card[data-move-url]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-lead"));
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".kanban-column");
    if (column && dragged) { event.preventDefault(); column.classList.add("drag-over"); }
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".kanban-column");
    if (column) { column.classList.remove("drag-over"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".kanban-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.remove("drag-over");
    var card = dragged;
    dragged = null;
    if (card.closest(".kanban-column") === column) { return; }
    var stage = column.getAttribute("data-stage");
    var values = { stage: stage };
    if (stage === "terminated") {
      var reason = window.prompt(document.documentElement.lang.indexOf("zh") === 0 ? "终止原因" : "Reason for terminating");
      if (!reason) { return; }
      values.comment = reason;
    }
    column.appendChild(card);
    window.htmx.ajax("POST", card.getAttribute("data-move-url") + window.location.search, {
      target: "#kanban-board", swap: "outerHTML", values: values,
      headers: { "X-CSRFToken": csrfToken() }
    });
  });
  document.addEventListener("htmx:afterSwap", function () { drawFunnel(document); });
  document.addEventListener("DOMContentLoaded", function () { drawFunnel(document); });
})();

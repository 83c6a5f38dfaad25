// The zone map: the zone's boundary (GeoJSON registered with the local ECharts, no tile server
// needed), projects coloured by light and sized by investment, enterprises by tier. Points come
// columnar from data-url; a click fetches the point's card. No inline scripts (CSP).
(function () {
  "use strict";

  var getJson = window.zoneops.getJson;  // app.js

  // A rectangle around the points, used as the frame when the zone has no boundary yet.
  function frame(points) {
    var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
    points.forEach(function (p) {
      west = Math.min(west, p[0]); east = Math.max(east, p[0]);
      south = Math.min(south, p[1]); north = Math.max(north, p[1]);
    });
    if (!isFinite(west)) { west = 125.2; east = 125.5; south = 43.8; north = 44.0; }
    var pad = Math.max(east - west, north - south, 0.01) * 0.08;
    west -= pad; east += pad; south -= pad; north += pad;
    return {
      type: "FeatureCollection",
      features: [{
        type: "Feature", properties: { name: "" },
        geometry: { type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] }
      }]
    };
  }

  function decode(block, origin, scale) {
    var out = [];
    for (var i = 0; i < block.id.length; i++) {
      out.push([origin[0] + block.x[i] / scale, origin[1] + block.y[i] / scale, i]);
    }
    return out;
  }

  // Base layer (optional): XYZ tiles in Web Mercator drawn beneath the chart. The geo component
  // then uses the same projection, so that the boundary and the points sit on the tiles.
  var WORLD = 256, MAX_LAT = 85.05112878;
  var mercator = {
    project: function (p) {
      var lat = Math.max(Math.min(p[1], MAX_LAT), -MAX_LAT);
      var s = Math.sin(lat * Math.PI / 180);
      return [(p[0] + 180) / 360 * WORLD, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * WORLD];
    },
    unproject: function (q) {
      var n = Math.PI - 2 * Math.PI * q[1] / WORLD;
      return [q[0] / WORLD * 360 - 180, 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)))];
    }
  };

  function tileLayer(el, chart, layer) {
    var template = el.getAttribute("data-tile-url");
    var subdomains = el.getAttribute("data-tile-subdomains") || "";
    var maxZoom = parseInt(el.getAttribute("data-tile-max-zoom") || "18", 10);
    var shown = {};
    function draw() {
      var width = el.clientWidth, height = el.clientHeight;
      // The chart's screen position of two far-apart places gives its scale and offset in
      // world units (the projection is linear from world units to the screen).
      var A = [120, 40], B = [130, 45];
      var pa = chart.convertToPixel({ geoIndex: 0 }, A), pb = chart.convertToPixel({ geoIndex: 0 }, B);
      if (!pa || !pb) { return; }
      var wa = mercator.project(A), wb = mercator.project(B);
      var perX = (pb[0] - pa[0]) / (wb[0] - wa[0]), perY = (pb[1] - pa[1]) / (wb[1] - wa[1]);
      if (!isFinite(perX) || !isFinite(perY) || perX <= 0 || perY <= 0) { return; }
      var a = [wa[0] - pa[0] / perX, wa[1] - pa[1] / perY];  // world units at the top left
      var b = [a[0] + width / perX, a[1] + height / perY];
      var perUnit = perX;
      var zoom = Math.max(0, Math.min(maxZoom, Math.round(Math.log(perUnit) / Math.LN2)));
      var count = Math.pow(2, zoom), unit = WORLD / count;
      var x0 = Math.max(0, Math.floor(a[0] / unit)), x1 = Math.min(count - 1, Math.floor(b[0] / unit));
      var y0 = Math.max(0, Math.floor(a[1] / unit)), y1 = Math.min(count - 1, Math.floor(b[1] / unit));
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > 400) { return; }
      var wanted = {};
      for (var x = x0; x <= x1; x++) {
        for (var y = y0; y <= y1; y++) {
          var key = zoom + "/" + x + "/" + y;
          wanted[key] = true;
          var img = shown[key];
          if (!img) {
            img = document.createElement("img");
            img.alt = "";
            img.setAttribute("data-tile", key);
            var sub = subdomains ? subdomains.charAt((x + y) % subdomains.length) : "";
            img.src = template.replace("{z}", zoom).replace("{x}", x).replace("{y}", y).replace("{s}", sub);
            layer.appendChild(img);
            shown[key] = img;
          }
          img.style.left = ((x * unit - a[0]) * perX) + "px";
          img.style.top = ((y * unit - a[1]) * perY) + "px";
          img.style.width = (unit * perX + 0.5) + "px";
          img.style.height = (unit * perY + 0.5) + "px";
        }
      }
      Object.keys(shown).forEach(function (key) {
        if (!wanted[key]) { layer.removeChild(shown[key]); delete shown[key]; }
      });
      layer.setAttribute("data-zoom", String(zoom));
    }
    var pending = false;
    chart.on("finished", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; draw(); });
    });
    draw();
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  function showCard(el, kind, id) {
    var url = el.getAttribute("data-card-url") + "?kind=" + kind + "&id=" + encodeURIComponent(id);
    getJson(url).then(function (card) {
      var box = document.getElementById("map-card");
      text("map-card-title", card.title);
      text("map-card-zone", card.zone);
      var badge = document.getElementById("map-card-badge");
      badge.textContent = card.badge;
      badge.style.backgroundColor = card.color;
      var list = document.getElementById("map-card-lines");
      list.textContent = "";
      (card.lines || []).forEach(function (line) {
        if (!line) { return; }
        var li = document.createElement("li");
        li.textContent = line;
        list.appendChild(li);
      });
      document.getElementById("map-card-link").setAttribute("href", card.url);
      box.classList.remove("d-none");
      box.setAttribute("data-kind", kind);
      box.setAttribute("data-id", id);
    });
  }

  // ?focus=project:12 (the 在地图上查看 link of a detail page): its card, its point highlighted.
  function focus(el, chart, series, data) {
    var match = /^(project|enterprise):(\d+)$/.exec(new URLSearchParams(window.location.search).get("focus") || "");
    if (!match) { return; }
    var kind = match[1], id = Number(match[2]);
    var block = kind === "project" ? data.projects : data.enterprises;
    series.forEach(function (s, seriesIndex) {
      if (s.kind !== kind) { return; }
      s.data.forEach(function (point, dataIndex) {
        if (block.id[point[2]] === id) {
          chart.dispatchAction({ type: "highlight", seriesIndex: seriesIndex, dataIndex: dataIndex });
        }
      });
    });
    showCard(el, kind, id);
  }

  function draw(el) {
    if (!window.echarts) { return; }
    var legend = JSON.parse(document.getElementById(el.getAttribute("data-legend")).textContent);
    // One request after the other: each touches the session (idle timeout).
    var boundaryAnswer = null;
    getJson(el.getAttribute("data-boundary-url"))
      .then(function (answer) { boundaryAnswer = answer; return getJson(el.getAttribute("data-url")); })
      .then(function (points) {
        var results = [boundaryAnswer, points];
        var boundary = results[0].boundary, data = results[1];
        var projects = decode(data.projects, data.origin, data.scale);
        var enterprises = decode(data.enterprises, data.origin, data.scale);
        text("map-project-count", String(projects.length));
        text("map-enterprise-count", String(enterprises.length));
        if (!projects.length && !enterprises.length) {
          document.getElementById("map-empty").classList.remove("d-none");
        }
        if (!boundary) {
          document.getElementById("map-no-boundary").classList.remove("d-none");
          boundary = frame(projects.concat(enterprises));
        }
        // Sub-zones after the zone's own outline: dashed, with their names.
        var own = (boundary.features[0] && boundary.features[0].properties.name) || "";
        var subZones = boundary.features.slice(1).filter(function (f) {
          return f.properties.name && f.properties.name !== own;
        }).map(function (f) {
          return {
            name: f.properties.name,
            itemStyle: { areaColor: "rgba(255, 255, 255, 0.35)", borderColor: "#6c757d", borderType: "dashed", borderWidth: 1 },
            label: { show: true, color: "#6c757d", fontSize: 11 }
          };
        });
        var mapName = "zone-" + data.zone.id;
        window.echarts.registerMap(mapName, boundary);
        var maxInvestment = Math.max.apply(null, data.projects.investment.concat([1]));
        var series = [];
        legend.tiers.forEach(function (tier) {
          var points = enterprises.filter(function (p) { return data.enterprises.tier[p[2]] === tier.value; });
          series.push({
            name: legend.enterprises + " · " + tier.label, type: "scatter", coordinateSystem: "geo",
            data: points, symbolSize: tier.value ? 6 : 4, large: points.length > 3000,
            itemStyle: { color: tier.color, opacity: 0.7 }, kind: "enterprise", zlevel: 0
          });
        });
        legend.lights.forEach(function (light) {
          var points = projects.filter(function (p) { return data.projects.light[p[2]] === light.value; });
          series.push({
            name: legend.projects + " · " + light.label, type: "scatter", coordinateSystem: "geo",
            data: points, itemStyle: { color: light.color, borderColor: "#fff", borderWidth: 1 },
            symbolSize: function (value) {
              return 7 + 18 * Math.sqrt(data.projects.investment[value[2]] / maxInvestment);
            },
            kind: "project", z: 3
          });
        });
        var tiles = el.hasAttribute("data-tile-url") && document.getElementById("map-tiles");
        var chart = window.echarts.init(el);
        chart.setOption({
          animation: false,
          legend: { type: "scroll", orient: "horizontal", bottom: 0, textStyle: { fontSize: 11 } },
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              if (p.seriesType !== "scatter") { return ""; }
              var i = p.value[2];
              if (series[p.seriesIndex].kind === "project") {
                return p.seriesName + "<br>" + legend.investment + ": " + data.projects.investment[i];
              }
              return p.seriesName;
            }
          },
          geo: tiles ? {
            map: mapName, roam: true, silent: true, projection: mercator,
            itemStyle: { areaColor: "rgba(13, 110, 253, 0.06)", borderColor: "#0d6efd", borderWidth: 2 },
            label: { show: false }, regions: subZones
          } : {
            map: mapName, roam: true, silent: true,
            itemStyle: { areaColor: "#eef3f8", borderColor: "#0d6efd", borderWidth: 1.5 },
            label: { show: false }, regions: subZones
          },
          series: series
        });
        chart.on("click", function (p) {
          if (p.componentType !== "series") { return; }
          var s = series[p.seriesIndex];
          var block = s.kind === "project" ? data.projects : data.enterprises;
          var index = s.data[p.dataIndex][2];
          showCard(el, s.kind, block.id[index]);
        });
        window.addEventListener("resize", function () { chart.resize(); });
        if (tiles) { tileLayer(el, chart, tiles); }
        focus(el, chart, series, data);
        el.setAttribute("data-ready", "1");
      })
      .catch(function (error) {
        el.setAttribute("data-error", String(error));
        el.textContent = String(error);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("zone-map-chart");
    if (el) { draw(el); }
  });
}());

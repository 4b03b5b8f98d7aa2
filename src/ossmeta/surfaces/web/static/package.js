// The package page's two charts, drawn from the page's JSON data islands. The tables beside
// them carry the same data, so the page reads the same without JavaScript.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var words = JSON.parse(document.getElementById("chart-words").textContent);
  var colours = { published: "#0b5cad", yanked: "#b42318", deprecated: "#b54708" };
  var order = ["published", "deprecated", "yanked"];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    // SVG: crisp at any zoom, and its shapes can be inspected.
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // One lane per state, each version a dot at its release date (sized by its advisories),
  // so a package with hundreds of versions reads as well as one with five.
  var lanes = order.map(function (state) { return words.states[state]; });
  var series = order.map(function (state, lane) {
    return {
      name: words.states[state],
      type: "scatter",
      symbolSize: function (point) { return 10 + 4 * Math.min(point[3], 5); },
      itemStyle: { color: colours[state] },
      data: data.versions.filter(function (v) { return v.state === state && v.published; })
        .map(function (v) { return [v.published, lanes[lane], v.version, v.advisories]; })
    };
  });
  draw("versions-chart", {
    aria: { enabled: true },
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        return p.value[2] + " · " + p.seriesName + " · " + words.chart.advisories + ": " + p.value[3];
      }
    },
    legend: { top: 0 },
    grid: { left: 100, right: 24, top: 40, bottom: 40 },
    xAxis: { type: "time", name: words.chart.released, nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "category", data: lanes },
    series: series
  });

  draw("health-chart", {
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: "axis" },
    grid: { left: 120, right: 24, top: 16, bottom: 32 },
    xAxis: { type: "value", min: 0, max: 1, name: words.chart.score },
    yAxis: { type: "category", inverse: true, data: data.parts.map(function (p) { return words.parts[p.name] || p.name; }) },
    series: [{ type: "bar", itemStyle: { color: "#0b5cad" }, data: data.parts.map(function (p) { return p.score; }) }]
  });
}());

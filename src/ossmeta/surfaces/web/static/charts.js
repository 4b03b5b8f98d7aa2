// The charts of the repository, compare, quality and hall pages, drawn from the page's JSON
// data islands ("chart-data": {charts: [{id, kind, labels, series}]}, "chart-words": the
// translated names). Each chart has a table beside it, so the page reads without JavaScript.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var words = JSON.parse(document.getElementById("chart-words").textContent);
  var palette = ["#0b5cad", "#b54708", "#067647", "#6941c6", "#b42318"];

  function name(key) { return words[key] || key; }

  function option(chart) {
    var spark = chart.kind === "spark";
    var series = chart.series.map(function (s, i) {
      return {
        name: name(s.name),
        type: chart.kind === "bars" ? "bar" : "line",
        data: s.values,
        connectNulls: false,
        showSymbol: !spark,
        itemStyle: { color: palette[i % palette.length] },
        lineStyle: { color: palette[i % palette.length], width: spark ? 2 : 2 }
      };
    });
    var labels = chart.kind === "bars" ? chart.labels.map(name) : chart.labels;
    if (spark) {
      return {
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 4 },
        xAxis: { type: "category", data: labels, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, min: 0 },
        tooltip: { trigger: "axis" },
        series: series
      };
    }
    return {
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: series
    };
  }

  data.charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element) { return; }
    // SVG: crisp at any zoom, and its shapes can be inspected.
    var drawn = window.echarts.init(element, null, { renderer: "svg" });
    drawn.setOption(option(chart));
    window.addEventListener("resize", function () { drawn.resize(); });
  });
}());

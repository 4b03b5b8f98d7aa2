// The portfolio's charts (findings by severity, components by licence and by maintenance
// status): counts from the page's JSON data islands, labels from the table beside each
// (already translated), so a chart and its table cannot disagree.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var severityColours = ["#b42318", "#c4320a", "#b54708", "#0b5cad", "#475467", "#667085"];
  var accent = ["#0b5cad"];

  function draw(name, colours) {
    var element = document.getElementById(name + "-chart");
    var island = document.getElementById(name + "-data");
    if (!element || !island) { return; }
    var counts = JSON.parse(island.textContent);
    var labels = Array.prototype.map.call(
      document.querySelectorAll("#" + name + "-table tbody tr td:first-child"),
      function (cell) { return cell.textContent.trim(); }
    );
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar",
        data: counts.map(function (n, i) { return { value: n, itemStyle: { color: colours[i % colours.length] } }; })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("severity", severityColours);
  draw("licence", accent);
  draw("maintenance", accent);
})();

// The portfolio's severity chart: counts from the page's JSON data island, labels from the
// table beside it (already translated), so the chart and the table cannot disagree.
(function () {
  "use strict";
  var element = document.getElementById("severity-chart");
  if (!window.echarts || !element) { return; }
  var counts = JSON.parse(document.getElementById("severity-data").textContent);
  var labels = Array.prototype.map.call(
    document.querySelectorAll("#severity-table tbody tr td:first-child"),
    function (cell) { return cell.textContent.trim(); }
  );
  var colours = ["#b42318", "#c4320a", "#b54708", "#0b5cad", "#475467", "#667085"];
  var chart = window.echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{
      type: "bar",
      data: counts.map(function (n, i) { return { value: n, itemStyle: { color: colours[i % colours.length] } }; })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

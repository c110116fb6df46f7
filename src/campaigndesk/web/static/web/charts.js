/* Campaign Desk charts: draws every [data-chart] element from the JSON the page carries
   (script#chart-data), with Apache ECharts served by the app. Runs again after htmx swaps
   the dashboard in. The figures are also in a table next to each chart. */
(function () {
  "use strict";

  var COLORS = ["#8b1a1a", "#1f5fbf", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f",
                "#5d4037", "#c2185b", "#455a64", "#827717"];
  var charts = [];

  function chinese() {
    return (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  }

  // 176128 -> 17.6万 in Chinese, 176,128 otherwise (axis labels and tooltips).
  function short(value) {
    if (value === null || value === undefined || value === "") { return "–"; }
    var number = Number(value);
    if (chinese()) {
      if (Math.abs(number) >= 1e8) { return +(number / 1e8).toFixed(1) + "亿"; }
      if (Math.abs(number) >= 1e4) { return +(number / 1e4).toFixed(1) + "万"; }
      return String(number);
    }
    return number.toLocaleString("en");
  }

  function exact(value) {
    if (value === null || value === undefined) { return "–"; }
    return chinese() ? String(value) : Number(value).toLocaleString("en");
  }

  function option(spec) {
    var base = {
      color: COLORS,
      animation: false,
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", valueFormatter: exact },
      legend: { type: "scroll", bottom: 0, show: spec.series.length > 1 || spec.kind === "pie" },
      grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 40 : 8,
              containLabel: true }
    };
    if (spec.kind === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "62%"], top: 0, bottom: 40,
        label: { formatter: "{b}: {d}%" },
        data: spec.labels.map(function (label, i) {
          return { name: label, value: spec.series[0].values[i] };
        })
      }];
      return base;
    }
    var valueAxis = { type: "value", axisLabel: { formatter: short } };
    if (spec.kind === "hbar") {
      base.yAxis = { type: "category", data: spec.labels, inverse: true,
                     axisLabel: { width: 120, overflow: "truncate" } };
      base.xAxis = valueAxis;
      base.series = spec.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.values,
                 label: { show: true, position: "right", formatter: function (p) { return short(p.value); } } };
      });
      return base;
    }
    base.xAxis = { type: "category", data: spec.labels,
                   axisLabel: { interval: "auto", hideOverlap: true } };
    var twoAxes = spec.series.some(function (s) { return s.axis === 1; });
    base.yAxis = twoAxes ? [valueAxis, { type: "value", axisLabel: { formatter: short },
                                         splitLine: { show: false } }] : valueAxis;
    base.series = spec.series.map(function (s) {
      return { type: spec.kind === "line" ? "line" : "bar", name: s.name, data: s.values,
               yAxisIndex: twoAxes ? (s.axis || 0) : 0, symbolSize: 5 };
    });
    return base;
  }

  function draw() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    var data = document.getElementById("chart-data");
    if (!data || !window.echarts) { return; }
    var specs = JSON.parse(data.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var spec = specs[element.getAttribute("data-chart")];
      if (!spec) { return; }
      var chart = window.echarts.init(element, null, {
        renderer: "svg", locale: chinese() ? "ZH" : "EN"
      });
      chart.setOption(option(spec));
      charts.push(chart);
    });
    document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();

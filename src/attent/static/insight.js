// The /insight charts: each <figure> carries its figures as JSON (the same as the table beside it);
// uPlot (static/vendor) draws them. Without JavaScript the tables still say everything.
(function () {
  "use strict";
  var COLOURS = ["#1d6b52", "#c98a1b", "#b3403a", "#3a6ea5"];

  function draw(figure) {
    var holder = figure.querySelector(".chart");
    var source = figure.querySelector("script.chart-data");
    if (!holder || !source || typeof uPlot === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.x.length) return;
    var xs = data.x.map(function (_label, i) { return i; });
    var scale = data.share ? 100 : 1;
    var series = [{ label: data.xname, value: function (_u, i) { return i == null ? "" : data.x[i]; } }];
    var values = [xs];
    data.series.forEach(function (s, n) {
      series.push({
        label: s.label,
        stroke: COLOURS[n % COLOURS.length],
        fill: data.bars ? COLOURS[n % COLOURS.length] + "99" : undefined,
        width: 2,
        paths: data.bars ? uPlot.paths.bars({ size: [0.6 / data.series.length, 60], align: 0, gap: 2 }) : undefined,
        points: { show: !data.bars },
        value: function (_u, v) { return v == null ? "—" : data.share ? v.toFixed(1) + "%" : String(v); },
      });
      values.push(s.values.map(function (v) { return v == null ? null : Math.round(v * scale * 10) / 10; }));
    });
    var width = Math.max(280, holder.clientWidth || 480);
    var options = {
      width: width,
      height: 220,
      series: series,
      scales: { x: { time: false, range: [-0.5, xs.length - 0.5] }, y: data.share ? { range: [0, 100] } : {} },
      axes: [
        {
          values: function (_u, ticks) { return ticks.map(function (t) { return Number.isInteger(t) ? data.x[t] || "" : ""; }); },
          splits: function () { return xs; },
          font: "11px system-ui, sans-serif",
        },
        { values: function (_u, ticks) { return ticks.map(function (t) { return data.share ? t + "%" : String(t); }); } },
      ],
      legend: { show: true },
    };
    new uPlot(options, values, holder);
  }

  function start() {
    document.querySelectorAll("figure.chart-figure").forEach(draw);
    var period = document.getElementById("period");
    if (period) {
      // Choosing a period shows it at once; custom days are sent with the Show button.
      period.addEventListener("change", function () {
        if (period.value !== "custom") period.form.submit();
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

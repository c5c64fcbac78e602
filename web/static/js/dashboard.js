// The dashboard's charts (/wskazniki): a line chart of each figure's daily series, drawn with
// uPlot from the JSON data block #dashboard-series ({figure key: [{day, value}]}). The charts
// are extra: every number is on the page as text (the figure, its parts, the daily values
// table), so a browser without script or uPlot loses nothing but the picture.
(function () {
  "use strict";

  const UNITS = { "%": "%", s: " s", min: " min", h: " h", dni: " dni", "na 1000": " na 1000" };

  function polish(value, unit) {
    if (value === null || value === undefined) return "—";
    const text = value.toLocaleString("pl-PL", { maximumFractionDigits: 1 });
    return text + (UNITS[unit] || "");
  }

  function day(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return Date.UTC(y, m - 1, d) / 1000;
  }

  function draw(box, points) {
    const unit = box.dataset.unit || "";
    const xs = points.map((p) => day(p.day));
    const ys = points.map((p) => (p.value === null ? null : p.value));
    const width = Math.max(240, box.clientWidth || 320);
    const options = {
      width: width,
      height: 180,
      tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), "UTC"),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { values: (u, splits) => splits.map((s) => new Date(s * 1000).toLocaleDateString("pl-PL", { day: "2-digit", month: "2-digit", timeZone: "UTC" })) },
        { values: (u, splits) => splits.map((s) => polish(s, unit)), size: 60 },
      ],
      series: [{}, { label: box.dataset.figure, stroke: "#1d5fa8", width: 2, spanGaps: false,
        points: { show: points.length <= 31 }, value: (u, v) => polish(v, unit) }],
    };
    box.textContent = "";
    return new window.uPlot(options, [xs, ys], box);
  }

  function start() {
    const block = document.getElementById("dashboard-series");
    if (!block || typeof window.uPlot !== "function") return;
    let series;
    try {
      series = JSON.parse(block.textContent || "{}");
    } catch (_) {
      return;
    }
    const charts = [];
    document.querySelectorAll(".chart[data-figure]").forEach((box) => {
      const points = series[box.dataset.figure];
      if (points && points.length) charts.push([box, draw(box, points)]);
    });
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        charts.forEach(([box, chart]) => chart.setSize({ width: Math.max(240, box.clientWidth), height: 180 }));
      }, 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

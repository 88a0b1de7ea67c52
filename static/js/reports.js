// Dashboard trend chart (Chart.js, vendored). The figures are in the page as
// JSON; without JavaScript the tables still carry them.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("trend-chart");
    var data = document.getElementById("trend-data");
    if (!canvas || !data || typeof Chart === "undefined") { return; }
    var rows = JSON.parse(data.textContent);
    var labels = JSON.parse(document.getElementById("trend-labels").textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: rows.map(function (r) { var p = r.date.split("-"); return p[2] + "/" + p[1]; }),
        datasets: [
          { label: labels.received, data: rows.map(function (r) { return r.received; }), borderColor: "#b3261e", backgroundColor: "rgba(179,38,30,.10)", fill: true, tension: 0 },
          { label: labels.completed, data: rows.map(function (r) { return r.completed; }), borderColor: "#1e7d32", fill: false, tension: 0 }
        ]
      },
      options: { animation: false, responsive: true, interaction: { mode: "index", intersect: false },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

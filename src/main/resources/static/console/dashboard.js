// The dashboard's charts: uPlot line charts over the series the page embeds (the JSON in #dashboard-data).
(function () {
  var embedded = document.getElementById('dashboard-data');
  var data = embedded ? JSON.parse(embedded.getAttribute('data-json')) : null;
  if (!data || !data.series || !window.uPlot) {
    return;
  }
  var s = data.series;
  var charts = [];

  function width(element) {
    return Math.max(240, element.clientWidth);
  }

  // Dots only where something happened: a lone busy minute is visible, sixty idle ones are not cluttered.
  function eventful(u, seriesIndex) {
    var indices = [];
    u.data[seriesIndex].forEach(function (value, i) {
      if (value !== null && value !== 0) {
        indices.push(i);
      }
    });
    return indices;
  }

  function draw(id, series, values) {
    series.forEach(function (one) { one.points = { show: true, size: 6, filter: eventful }; });
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var options = {
      width: width(element),
      height: 200,
      // Bucket starts are UTC instants; show them in UTC, as the rest of the console does.
      tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { size: 50 }],
      series: [{ label: 'UTC' }].concat(series)
    };
    charts.push({ element: element, chart: new uPlot(options, [s.t].concat(values), element) });
    element.dataset.drawn = 'true';
  }

  draw('chart-traffic', [
    { label: 'Requests', stroke: '#2b6cb0', width: 2 },
    { label: 'Errors', stroke: '#a31515', width: 1.5 },
    { label: 'Blocked', stroke: '#c05621', width: 1.5, dash: [6, 3] },
    { label: 'Flagged', stroke: '#b7791f', width: 1.5, dash: [2, 3] }
  ], [s.requests, s.errors, s.blocked, s.flagged]);
  draw('chart-tokens', [{ label: 'Tokens', stroke: '#2f855a', fill: 'rgba(47, 133, 90, 0.12)', width: 2 }], [s.tokens]);
  draw('chart-latency', [
    { label: 'p50 ms', stroke: '#553c9a', width: 2, spanGaps: true },
    { label: 'p95 ms', stroke: '#d53f8c', width: 2, spanGaps: true }
  ], [s.p50, s.p95]);

  var pending = null;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.chart.setSize({ width: width(c.element), height: 200 }); });
    }, 100);
  });
})();

// One fridge's temperature over time with its two thresholds drawn, on uPlot (made for time series, 50 KB).

const COLORS = { temp: "#0b5cad", warning: "#8a4b00", critical: "#b00020" };

export function createFridgeChart(container, thresholds) {
  const series = { xs: [], ys: [] };
  const opts = {
    width: Math.max(260, container.clientWidth || 320),
    height: 180,
    scales: { x: { time: true } },
    series: [
      {},
      { label: "°C", stroke: COLORS.temp, width: 2, points: { show: false } },
      { label: `warning above ${thresholds.max}`, stroke: COLORS.warning, dash: [8, 4], points: { show: false } },
      { label: `critical from ${thresholds.critical}`, stroke: COLORS.critical, dash: [2, 4], points: { show: false } },
    ],
    axes: [{}, { label: "°C", size: 50 }],
    // The legend names the lines; the card above says the current value, so no live values under the chart.
    legend: { live: false },
  };
  const plot = new window.uPlot(opts, [[], [], [], []], container);
  let pending = false;
  const draw = () => {
    pending = false;
    const { xs, ys } = series;
    plot.setData([xs, ys, xs.map(() => thresholds.max), xs.map(() => thresholds.critical)]);
  };
  new ResizeObserver(() => plot.setSize({ width: Math.max(260, container.clientWidth), height: 180 })).observe(
    container,
  );
  return {
    /** Adds a reading (ms since the epoch, °C); redraws once per frame however many arrive. */
    add(ts, tempC) {
      const x = ts / 1000;
      let at = series.xs.length;
      while (at > 0 && series.xs[at - 1] > x) at--;
      series.xs.splice(at, 0, x);
      series.ys.splice(at, 0, tempC);
      if (series.xs.length > 4320) {
        series.xs.shift();
        series.ys.shift();
      }
      if (!pending) {
        pending = true;
        requestAnimationFrame(draw);
      }
    },
  };
}

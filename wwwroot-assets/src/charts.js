// Node metric charts on the History page. The page marks each chart with data attributes (cluster, nodes,
// range, measure); we fetch the JSON API per node, align the series on time, and draw with uPlot, which
// gives drag-to-zoom (double-click resets) and the values under the cursor in its legend.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const palette = ['#0d6efd', '#198754', '#fd7e14', '#6f42c1', '#d63384', '#20c997', '#dc3545', '#6c757d'];

async function fetchNode(cluster, node, from, to) {
  const url = `/api/clusters/${encodeURIComponent(cluster)}/metrics?node=${encodeURIComponent(node)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

async function drawChart(el) {
  const { cluster, from, to, measure, label } = el.dataset;
  const nodes = (el.dataset.nodes || '').split(',').filter(Boolean);
  try {
    const answers = await Promise.all(nodes.map(n => fetchNode(cluster, n, from, to)));
    const tables = answers.map(a => [a.time, a[measure].map(v => (v === null ? null : v))]);
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const points = data[0].length;
    el.dataset.points = String(points);
    if (points === 0) {
      el.textContent = 'No samples in this range.';
      el.classList.add('text-body-secondary', 'small');
      return;
    }
    const axisColor = getComputedStyle(document.documentElement).getPropertyValue('--bs-body-color').trim() || '#333';
    const grid = { stroke: 'rgba(128,128,128,0.2)' };
    const opts = {
      width: Math.max(320, el.clientWidth || 600),
      height: 220,
      title: label,
      scales: { x: { time: true } },
      axes: [{ stroke: axisColor, grid }, { stroke: axisColor, grid }],
      series: [{}, ...nodes.map((n, i) => ({ label: `node ${n}`, stroke: palette[i % palette.length], width: 1.5, spanGaps: false }))],
      cursor: { drag: { x: true, y: false } },
    };
    el.textContent = '';
    const plot = new uPlot(opts, data, el);
    new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 220 })).observe(el);
    el.dataset.drawn = 'true';
  } catch (error) {
    el.textContent = `Could not load the chart: ${error.message}`;
    el.classList.add('text-danger', 'small');
  }
}

export function initCharts() {
  document.querySelectorAll('[data-metrics-chart]').forEach(drawChart);
}

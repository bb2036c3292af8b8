// Node metric charts of the History page, an ES module the page's component imports (IJSObjectReference) and calls
// per chart: we fetch the JSON API per node, align the series on time, and draw with uPlot, which gives
// drag-to-zoom (double-click resets) and the values under the cursor in its legend. The component owns the
// element and shows what draw() answers (points drawn, or why not); dispose() lets go of the plot when it goes.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const palette = ['#1e88e5', '#43a047', '#fb8c00', '#8e24aa', '#d81b60', '#00897b', '#e53935', '#757575'];
const drawn = new WeakMap();

async function fetchNode(cluster, node, from, to) {
  const url = `/api/clusters/${encodeURIComponent(cluster)}/metrics?node=${encodeURIComponent(node)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function width(el) { return Math.max(320, el.clientWidth || 600); }

// spec: { cluster, nodes: [ids], from, to (ISO 8601), measure, label }. Answers { points, error }.
export async function draw(el, spec) {
  dispose(el);
  const { cluster, nodes, from, to, measure, label } = spec;
  try {
    const answers = await Promise.all(nodes.map(n => fetchNode(cluster, n, from, to)));
    const tables = answers.map(a => [a.time, a[measure]]);
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const points = data[0].length;
    if (points === 0) return { points, error: null };
    // The theme's text colour (MudBlazor sets it on the page), so axes read in dark mode too.
    const axisColor = getComputedStyle(el).color || '#333';
    const grid = { stroke: 'rgba(128,128,128,0.2)' };
    const opts = {
      width: width(el),
      height: 220,
      title: label,
      scales: { x: { time: true } },
      axes: [{ stroke: axisColor, grid }, { stroke: axisColor, grid }],
      series: [{}, ...nodes.map((n, i) => ({ label: `node ${n}`, stroke: palette[i % palette.length], width: 1.5, spanGaps: false }))],
      cursor: { drag: { x: true, y: false } },
    };
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: width(el), height: 220 }));
    resize.observe(el);
    drawn.set(el, { plot, resize });
    return { points, error: null };
  } catch (error) {
    return { points: 0, error: String(error && error.message ? error.message : error) };
  }
}

export function dispose(el) {
  const current = drawn.get(el);
  if (!current) return;
  current.resize.disconnect();
  current.plot.destroy();
  drawn.delete(el);
}

/**
 * The page of `nmflab ui`: plain HTML and script, no framework and nothing fetched from outside
 * (the machine may have no network). It asks the server's JSON API (ui.ts) for runs, comparisons
 * and plots; every text from the results is inserted as text, never as markup.
 */
export const UI_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nmflab runs</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 16rem 1fr; min-height: 100vh; }
  nav { background: #f4f4f6; padding: 1rem; border-right: 1px solid #ddd; }
  nav h1 { font-size: 1.1rem; margin: 0 0 .25rem; }
  nav button { display: block; width: 100%; text-align: left; margin: .15rem 0; padding: .3rem .5rem; border: 1px solid #ccc; background: #fff; border-radius: 4px; cursor: pointer; }
  nav button.active { background: #2a5db0; color: #fff; border-color: #2a5db0; }
  main { padding: 1rem 1.5rem; overflow-x: auto; }
  table { border-collapse: collapse; margin: .5rem 0 1rem; }
  th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .6rem; text-align: left; white-space: nowrap; vertical-align: top; }
  th { background: #fafafa; position: sticky; top: 0; }
  #runs th { cursor: pointer; user-select: none; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
  input[type=text] { padding: .3rem .4rem; min-width: 14rem; }
  #error { color: #a00; white-space: pre-wrap; }
  .note { color: #555; font-size: .9em; max-width: 60rem; }
  figure { margin: .5rem 0 1.5rem; }
  figcaption { color: #555; font-size: .9em; max-width: 60rem; }
  details audio { display: block; margin: .2rem 0; }
  .status-failed, .status-interrupted { color: #a00; }
</style>
</head>
<body>
<nav>
  <h1>nmflab runs</h1>
  <div class="note" id="root"></div>
  <h2 style="font-size:1rem">Experiments</h2>
  <div id="experiments"></div>
</nav>
<main>
  <div id="error" role="alert"></div>
  <section>
    <div class="bar">
      <input type="text" id="filter" placeholder="filter: text any cell contains" aria-label="filter runs">
      <span id="count"></span>
      <button id="reload">reload</button>
    </div>
    <table id="runs"><thead></thead><tbody></tbody></table>
  </section>
  <section>
    <h2 style="font-size:1.1rem">Compare</h2>
    <div class="bar">
      <label>folder <select id="cmp-dir"></select></label>
      <label>by <input type="text" id="cmp-by" placeholder="model.solver.id,model.rank"></label>
      <label>metrics <input type="text" id="cmp-metrics" placeholder="sdr"></label>
      <label>test <input type="text" id="cmp-test" placeholder="model.solver.id"></label>
      <button id="cmp-go">compare</button>
    </div>
    <div id="cmp-out"></div>
    <div id="cmp-plots"></div>
  </section>
</main>
<script>
const state = { runs: [], experiment: '', sort: { key: 'run_id', dir: 1 }, filter: '' };
const $ = (s) => document.querySelector(s);
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v; else if (k in e) e[k] = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};
const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v == null ? '' : String(v));
const showError = (msg) => { $('#error').textContent = msg || ''; };
async function api(path) {
  const r = await fetch(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
function columns(runs) {
  const varied = [...new Set(runs.flatMap((r) => Object.keys(r.varied)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  return [
    { key: 'run_id', title: 'run', get: (r) => r.run_id },
    { key: 'experiment', title: 'experiment', get: (r) => r.experiment },
    { key: 'status', title: 'status', get: (r) => r.status },
    { key: 'seed', title: 'seed', get: (r) => r.seed },
    ...varied.filter((k) => k !== 'seed').map((k) => ({ key: 'v:' + k, title: k, get: (r) => r.varied[k] })),
    ...metrics.map((k) => ({ key: 'm:' + k, title: k, get: (r) => r.metrics[k] })),
    { key: 'iterations', title: 'iterations', get: (r) => r.iterations },
    { key: 'stop_reason', title: 'stop', get: (r) => r.stop_reason },
    { key: 'seconds', title: 'seconds', get: (r) => r.seconds },
  ];
}
function render() {
  const cols = columns(state.runs);
  const f = state.filter.toLowerCase();
  let rows = state.runs.filter((r) => !state.experiment || r.experiment === state.experiment);
  if (f) rows = rows.filter((r) => cols.some((c) => fmt(c.get(r)).toLowerCase().includes(f)));
  const col = cols.find((c) => c.key === state.sort.key) || cols[0];
  rows = [...rows].sort((a, b) => {
    const x = col.get(a), y = col.get(b);
    if (x == null) return 1;
    if (y == null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * state.sort.dir;
  });
  const head = el('tr');
  for (const c of cols) {
    const mark = c.key === state.sort.key ? (state.sort.dir > 0 ? ' ▲' : ' ▼') : '';
    head.append(el('th', { 'data-key': c.key, onclick: () => { state.sort = { key: c.key, dir: state.sort.key === c.key ? -state.sort.dir : 1 }; render(); } }, c.title + mark));
  }
  head.append(el('th', {}, 'report'), el('th', {}, 'audio'));
  $('#runs thead').replaceChildren(head);
  $('#runs tbody').replaceChildren(...rows.map((r) => {
    const tr = el('tr', { 'data-run': r.run_id });
    for (const c of cols) {
      const v = c.get(r);
      tr.append(el('td', { class: (typeof v === 'number' ? 'num ' : '') + (c.key === 'status' ? 'status-' + v : '') }, fmt(v)));
    }
    tr.append(el('td', {}, el('a', { href: '/report/' + r.run_id, target: '_blank', class: 'report' }, r.report ? 'open' : 'make')));
    const audio = el('td');
    if (r.audio.length) {
      const d = el('details', {}, el('summary', {}, r.audio.length + ' file' + (r.audio.length === 1 ? '' : 's')));
      for (const a of r.audio) d.append(el('div', {}, a), el('audio', { controls: true, preload: 'none', src: '/files/' + r.run_id + '/' + encodeURIComponent(a) }));
      audio.append(d);
    }
    tr.append(audio);
    return tr;
  }));
  $('#count').textContent = rows.length + ' of ' + state.runs.length + ' runs';
}
function renderExperiments() {
  const counts = new Map();
  for (const r of state.runs) counts.set(r.experiment, (counts.get(r.experiment) || 0) + 1);
  const button = (name, label) => el('button', { class: state.experiment === name ? 'active' : '', 'data-experiment': name, onclick: () => { state.experiment = name; renderExperiments(); render(); } }, label);
  $('#experiments').replaceChildren(button('', 'all (' + state.runs.length + ')'), ...[...counts].sort().map(([n, c]) => button(n, n + ' (' + c + ')')));
}
function tableOf(t) {
  const table = el('table', { class: 'cmp' });
  table.append(el('thead', {}, el('tr', {}, ...t.columns.map((c) => el('th', {}, c)))));
  table.append(el('tbody', {}, ...t.rows.map((r) => el('tr', {}, ...r.map((v) => el('td', { class: typeof v === 'number' ? 'num' : '' }, fmt(v)))))));
  return table;
}
async function compare() {
  showError('');
  const q = new URLSearchParams({ dir: $('#cmp-dir').value, by: $('#cmp-by').value, metrics: $('#cmp-metrics').value, test: $('#cmp-test').value });
  try {
    const res = await api('/api/compare?' + q);
    $('#cmp-out').replaceChildren(...res.tables.flatMap((t) => [el('h3', { style: 'font-size:1rem' }, t.title), tableOf(t.table), ...(t.table.notes || []).map((n) => el('p', { class: 'note' }, n))]));
    const plots = await api('/api/plots?' + new URLSearchParams({ dir: $('#cmp-dir').value }));
    $('#cmp-plots').replaceChildren(...plots.plots.map((p) => {
      const fig = el('figure', { 'data-plot': p.title });
      const img = el('img', { alt: p.title, src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(p.svg) });
      fig.append(img, el('figcaption', {}, p.title + '. ' + p.caption));
      return fig;
    }));
  } catch (e) { showError(e.message); }
}
async function load() {
  showError('');
  try {
    const res = await api('/api/runs');
    state.runs = res.runs;
    $('#root').textContent = res.root;
    // Sweeps, then the folders above them (an experiment's sweeps pooled).
    const tops = [...new Set(res.sweeps.filter((s) => s.includes('/')).map((s) => s.split('/')[0]))];
    const dirs = [...res.sweeps, ...tops.filter((t) => !res.sweeps.includes(t))];
    const sel = $('#cmp-dir');
    const keep = sel.value;
    sel.replaceChildren(...dirs.map((s) => el('option', { value: s }, s)));
    if (keep && dirs.includes(keep)) sel.value = keep;
    renderExperiments();
    render();
  } catch (e) { showError(e.message); }
}
$('#filter').addEventListener('input', (e) => { state.filter = e.target.value; render(); });
$('#reload').addEventListener('click', load);
$('#cmp-go').addEventListener('click', compare);
load();
</script>
</body>
</html>
`;

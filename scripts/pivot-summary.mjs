#!/usr/bin/env node
// Pivot a sweep's summary.csv: mean (and standard deviation) of one metric per (row value, column
// value) of two varied parameters, over the other varied ones (seeds), as a Markdown table, with
// the column of the best mean in each row in bold and, per row, how many seeds each column won.
//   node scripts/pivot-summary.mjs results/bregman-clustering/<stamp>/summary.csv data.params.model task.params.divergence nmi [--min]
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.mjs';

const [file, rowKey, colKey, metric, ...flags] = process.argv.slice(2);
if (!file || !rowKey || !colKey || !metric) {
  console.error('usage: pivot-summary.mjs SUMMARY.csv ROW-PARAM COLUMN-PARAM METRIC [--min]');
  process.exit(2);
}
const lower = flags.includes('--min');

const [header, ...body] = parseCsv(readFileSync(file, 'utf8'));
const at = (k) => {
  const i = header.indexOf(k);
  if (i < 0) throw new Error(`${file}: no column ${k} (columns: ${header.join(', ')})`);
  return i;
};
const ir = at(rowKey),
  ic = at(colKey),
  im = at(metric),
  iseed = header.indexOf('seed'),
  istatus = header.indexOf('status');
const label = (v) => {
  try {
    const o = JSON.parse(v);
    return typeof o === 'object' && o && o.id ? o.id : v;
  } catch {
    return v;
  }
};
const cells = new Map(),
  rowsSeen = [],
  colsSeen = [];
for (const r of body) {
  if (istatus >= 0 && r[istatus] !== 'completed') continue;
  const rv = label(r[ir]),
    cv = label(r[ic]),
    x = Number(r[im]);
  if (!rowsSeen.includes(rv)) rowsSeen.push(rv);
  if (!colsSeen.includes(cv)) colsSeen.push(cv);
  const key = `${rv}\u0000${cv}`;
  if (!cells.has(key)) cells.set(key, []);
  cells.get(key).push({ x, seed: iseed >= 0 ? r[iseed] : '' });
}
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
console.log(`| ${rowKey} \\ ${colKey} | ${colsSeen.join(' | ')} | seeds won |`);
console.log(`|---|${colsSeen.map(() => '---').join('|')}|---|`);
for (const rv of rowsSeen) {
  const vals = colsSeen.map((cv) => (cells.get(`${rv}\u0000${cv}`) ?? []).map((c) => c.x));
  const means = vals.map((v) => (v.length ? mean(v) : NaN));
  const best = means.indexOf(lower ? Math.min(...means) : Math.max(...means));
  // per seed: which column is best (ties shared)
  const wins = colsSeen.map(() => 0);
  const bySeed = new Map();
  colsSeen.forEach((cv, j) =>
    (cells.get(`${rv}\u0000${cv}`) ?? []).forEach((c) => bySeed.set(c.seed, [...(bySeed.get(c.seed) ?? []), [j, c.x]])),
  );
  for (const list of bySeed.values()) {
    const top = lower ? Math.min(...list.map((l) => l[1])) : Math.max(...list.map((l) => l[1]));
    for (const [j, x] of list) if (x === top) wins[j]++;
  }
  const txt = means.map((m, j) => {
    const s = `${m.toFixed(4)} ± ${sd(vals[j]).toFixed(3)}`;
    return j === best ? `**${s}**` : s;
  });
  console.log(`| ${rv} | ${txt.join(' | ')} | ${colsSeen.map((c, j) => `${c} ${wins[j]}`).join(', ')} |`);
}
console.log(
  `\n${metric}: mean ± standard deviation over ${Math.max(...[...cells.values()].map((c) => c.length))} seeds per cell; "seeds won" counts ties for every tied column.`,
);

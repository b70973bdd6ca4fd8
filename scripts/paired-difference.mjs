#!/usr/bin/env node
// Paired difference of one metric between two sets of runs over the same items, SNRs and seeds:
// mean ± 95 % Student t-interval of (A − B) over the matched runs (the same interval as the
// runner's aggregate.csv). Run from the repository root after `npm run build`:
//
//   node scripts/paired-difference.mjs A/summary.csv[#col=value] B/summary.csv[#col=value] METRIC[,METRIC…] [--on col,col,…]
//
// `#col=value` keeps only the rows whose column has that value (e.g. a training set of a sweep);
// runs are matched on the `--on` columns (default: every varied column both files share, less
// the filtered ones). Prints one line per metric: mean ± ci95 (n pairs).
import { readFileSync } from 'node:fs';
import { tInterval } from '../packages/core/dist/index.js';
import { parseCsv } from './csv.mjs';

/** summary.csv rows as objects by column name. */
function readRows(file) {
  const [header, ...body] = parseCsv(readFileSync(file, 'utf8'));
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function side(spec) {
  const [file, filter] = spec.split('#');
  let rows = readRows(file).filter((r) => r.status === 'completed');
  const filtered = [];
  if (filter) {
    const at = filter.indexOf('=');
    const col = filter.slice(0, at),
      value = filter.slice(at + 1);
    rows = rows.filter((r) => r[col] === value);
    filtered.push(col);
  }
  return { rows, filtered };
}

const args = process.argv.slice(2);
const onAt = args.indexOf('--on');
const on = onAt >= 0 ? args.splice(onAt, 2)[1].split(',') : undefined;
if (args.length !== 3) {
  console.error(
    'usage: node scripts/paired-difference.mjs A/summary.csv[#col=value] B/summary.csv[#col=value] METRIC[,METRIC…] [--on col,…]',
  );
  process.exit(2);
}
const a = side(args[0]),
  b = side(args[1]);
const skip = new Set(['run', 'status', 'iterations', 'stopReason', 'seconds', 'error', ...a.filtered, ...b.filtered]);
const keys =
  on ??
  Object.keys(a.rows[0] ?? {})
    .filter((k) => k.startsWith('data.') || k.startsWith('task.') || k === 'seed')
    .filter((k) => !skip.has(k) && k in (b.rows[0] ?? {}));
const key = (r) => JSON.stringify(keys.map((k) => r[k]));
const byKey = new Map(b.rows.map((r) => [key(r), r]));
for (const metric of args[2].split(',')) {
  const diffs = a.rows
    .filter((r) => byKey.has(key(r)))
    .map((r) => Number(r[metric]) - Number(byKey.get(key(r))[metric]));
  if (diffs.length === 0 || diffs.some((d) => !Number.isFinite(d))) {
    console.error(`paired-difference: no matched finite values of ${metric} (matched on ${keys.join(', ')})`);
    process.exit(2);
  }
  const r = tInterval(diffs);
  console.log(`${metric}: ${r.mean.toFixed(2)} ± ${(r.ci95 ?? NaN).toFixed(2)} (n=${r.n} pairs on ${keys.join(', ')})`);
}

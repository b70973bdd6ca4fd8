#!/usr/bin/env node
// Runs every experiment of experiments/ at reduced size through the built CLI and prints one
// sha256 per result file (timings, stamps and provenance left out), so two checkouts can be
// compared bit for bit: `node scripts/reproduce-reduced.mjs > a.txt` in each, then diff.
// Reduced: at most 4 iterations, one seed; an experiment that rejects the overrides (no model)
// runs with one seed, else as it is.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const bin = 'packages/cli/dist/bin.js';
const files = readdirSync('experiments')
  .filter((f) => f.endsWith('.yaml') && !f.includes('base'))
  .filter((f) => !only.length || only.includes(f))
  .sort();
// Wall times, stamps and provenance (commit, host, package list) differ between any two runs.
const VOLATILE =
  /"([\w.-]*[sS]econds[\w.-]*|elapsed\w*|started\w*|finished\w*|stamp|time\w*|createdAt|date|provenance|packages|commit|dirty|host\w*|pid|[a-zA-Z]*Ms)":\s*("[^"]*"|[-0-9.eE+]+|true|false|\{[^{}]*\})/g;

function digest(dir, rel = '') {
  const out = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      out.push(...digest(p, `${rel}${f}/`));
      continue;
    }
    if (/\.(png|svg|html|log)$/.test(f) || f === 'config.yaml' || f === 'sweep.yaml') continue;
    let text = readFileSync(p);
    if (f.endsWith('.json')) text = Buffer.from(text.toString('utf8').replace(VOLATILE, '"$1":0'));
    if (f === 'metrics.csv')
      text = Buffer.from(
        text
          .toString('utf8')
          .split('\n')
          .filter((l) => !/seconds/.test(l))
          .join('\n'),
      );
    if (f === 'trajectory.csv' || f === 'summary.csv') {
      // drop columns whose header names a time
      const lines = text.toString('utf8').split('\n');
      const head = lines[0].split(',');
      const keep = head.map((h, i) => (/seconds|time|stamp/i.test(h) ? -1 : i)).filter((i) => i >= 0);
      text = Buffer.from(
        lines
          .map((l) => {
            const c = l.split(',');
            return keep.map((i) => c[i]).join(',');
          })
          .join('\n'),
      );
    }
    out.push(`${createHash('sha256').update(text).digest('hex').slice(0, 16)}  ${rel}${f}`);
  }
  return out;
}

for (const f of files) {
  const out = mkdtempSync(join(tmpdir(), 'nmflab-repro-'));
  const base = ['run', `experiments/${f}`, '--out', out, '--quiet', '--jobs', '1'];
  const reduced = ['--set', 'model.stopping.maxIterations=4', '--set', 'sweep.seeds=1'];
  let ok = false;
  for (const args of [[...base, ...reduced], [...base, '--set', 'sweep.seeds=1'], base]) {
    try {
      execFileSync('node', [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
      ok = true;
      break;
    } catch {
      rmSync(out, { recursive: true, force: true });
    }
  }
  if (!ok) {
    console.log(`FAILED  ${f}`);
    continue;
  }
  for (const line of digest(out)) console.log(`${f}  ${line.replace(/\d{8}-\d{6}/, '<stamp>')}`);
  rmSync(out, { recursive: true, force: true });
}

// Wall time of one sweep (bench/queue-sweep.yaml: 8 KL-NMF runs of 300×400, 100 iterations)
// executed through the Redis queue by 1 worker and by 2 workers (concurrency 1 each), measured
// in the same run; the 1-worker time is the reference. Needs redis-server (skipped otherwise).
// Timed span: first run started → last run finished (from the runs' run.json), so process start-up
// and Redis set-up are outside it; submit-to-done wall time (with --follow) is shown next to it.
// The results of both rounds are checked equal (factors) before anything is reported.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './util.mjs';

export const title = 'Distributed sweep through the Redis queue: 1 worker vs 2 workers (same machine)';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const config = 'bench/queue-sweep.yaml';

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
const waitFor = async (cond, ms = 120_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};
function start(args) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '' };
  p.exit = new Promise((r) => child.once('exit', (code) => r(code)));
  child.stdout.on('data', (d) => (p.out += d));
  child.stderr.on('data', (d) => (p.err += d));
  return p;
}

async function round(url, workers, out) {
  const queueName = `bench-${workers}`;
  const ws = [];
  for (let i = 0; i < workers; i++) ws.push(start(['worker', '--queue', url, '--queue-name', queueName]));
  await waitFor(() => ws.every((w) => /worker ready/.test(w.err)));
  const t0 = performance.now();
  const sub = start(['run', config, '--out', out, '--queue', url, '--queue-name', queueName, '--follow']);
  const code = await sub.exit;
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`submit failed: ${sub.err}`);
  for (const w of ws) w.child.kill('SIGTERM');
  await Promise.all(ws.map((w) => new Promise((r) => (w.child.exitCode !== null ? r() : w.child.once('exit', r)))));
  const dir = sub.out.match(/^results in (.*)$/m)[1].trim();
  const runs = readdirSync(dir)
    .filter((f) => /^\d{4}$/.test(f))
    .sort();
  const recs = runs.map((r) => JSON.parse(readFileSync(join(dir, r, 'run.json'), 'utf8')));
  if (recs.some((r) => r.status !== 'completed')) throw new Error('a run did not complete');
  const span =
    (Math.max(...recs.map((r) => Date.parse(r.finished))) - Math.min(...recs.map((r) => Date.parse(r.started)))) / 1000;
  const busy = recs.reduce((s, r) => s + r.seconds, 0);
  return { dir, runs, span, wall, busy };
}

export default async function () {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('skipped: redis-server is not installed');
    return;
  }
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let log = '';
  redis.stdout.on('data', (d) => (log += d));
  const scratch = mkdtempSync(join(tmpdir(), 'nmflab-queue-bench-'));
  try {
    await waitFor(() => /Ready to accept connections/.test(log), 20_000);
    const url = `redis://127.0.0.1:${port}/0`;
    const load0 = loadavg()[0];
    const one = await round(url, 1, join(scratch, 'one'));
    const two = await round(url, 2, join(scratch, 'two'));
    for (const r of one.runs) {
      for (const m of ['W.npy', 'H.npy']) {
        if (!readFileSync(join(one.dir, r, m)).equals(readFileSync(join(two.dir, r, m))))
          throw new Error(`${r}/${m} differs between 1 and 2 workers`);
      }
    }
    table([
      {
        workers: 1,
        runs: one.runs.length,
        'span s': one.span.toFixed(1),
        'submit→done s': one.wall.toFixed(1),
        'Σ run s': one.busy.toFixed(1),
        'speed-up': '1.00×',
      },
      {
        workers: 2,
        runs: two.runs.length,
        'span s': two.span.toFixed(1),
        'submit→done s': two.wall.toFixed(1),
        'Σ run s': two.busy.toFixed(1),
        'speed-up': `${(one.span / two.span).toFixed(2)}×`,
      },
    ]);
    console.log(
      `load average (1 min) before/after: ${load0.toFixed(1)} / ${loadavg()[0].toFixed(1)} on ${spawnSync('nproc').stdout.toString().trim()} cores (shared machine: noisy)`,
    );
  } finally {
    redis.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Runs the cases of ../bad-inputs.cases.mjs against the built CLI (dist/main.js) in this one
 * process, each in a fresh folder with the fixtures below, and prints one JSON line per case:
 * { index, name, code, err, out, leftovers, nonFinite, resultsCreated }. Starting node once for
 * ~400 cases instead of once each keeps the test within seconds. With `--only i,j` it runs those
 * cases (the test starts those needing a file-size limit in a child of their own).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Matrix, encodeWav, matrixToCsv, matrixToNpy } from '@nmflab/core';
import { main } from '../../dist/main.js';
import cases from '../bad-inputs.cases.mjs';

const root = mkdtempSync(join(tmpdir(), 'nmflab-bad-'));
const home = process.cwd();
const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

function matrix(rows, cols, f) {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.data[i * cols + j] = f(i, j);
  return m;
}

function tone(n, f, rate = 8000) {
  return Float64Array.from({ length: n }, (_, t) => 0.3 * Math.sin((2 * Math.PI * f * t) / rate) + 0.01 * Math.cos(t));
}

/** A valid 16-bit WAV, then the case's damage. */
function wav(spec) {
  const x = tone(2000, 440);
  if (spec.nan) {
    x[10] = Number.NaN;
    const b = encodeWavUnchecked(x);
    return b;
  }
  let b = encodeWav(x, 8000, { format: 'pcm16' });
  if (spec.truncate) b = b.subarray(0, b.length - spec.truncate);
  if (spec.patch) {
    b = Uint8Array.from(b);
    for (const [at, v] of spec.patch) b[at] = v;
  }
  return b;
}

/** A float32 WAV written by hand (encodeWav itself refuses NaN samples). */
function encodeWavUnchecked(x) {
  const data = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) data.writeFloatLE(x[i], i * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(3, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(32, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

const okYaml =
  'name: ok\nseed: 1\ndata: { id: matrix-file, params: { path: V.csv } }\nmodel:\n  solver: { id: mu, params: { divergence: kl } }\n  rank: 2\n  stopping: { maxIterations: 5 }\n';

function fixtures(dir) {
  const V = matrix(4, 5, (i, j) => 1 + ((i * 7 + j * 3) % 5));
  writeFileSync(join(dir, 'V.csv'), matrixToCsv(V));
  writeFileSync(join(dir, 'V.npy'), matrixToNpy(V));
  writeFileSync(join(dir, 'V3.csv'), '1,2,3\n4,5,6\n');
  writeFileSync(join(dir, 'M.csv'), '1,1\n1,1\n');
  writeFileSync(join(dir, 'W0.csv'), matrixToCsv(matrix(4, 2, (i, j) => 1 + i + j)));
  writeFileSync(join(dir, 'H0.csv'), matrixToCsv(matrix(2, 5, (i, j) => 1 + i * j)));
  writeFileSync(join(dir, 'ok.yaml'), okYaml);
  mkdirSync(join(dir, 'mix'));
  const a = tone(2000, 440),
    b = tone(2000, 660);
  writeFileSync(join(dir, 'mix/a.wav'), encodeWav(a, 8000, { format: 'pcm16' }));
  writeFileSync(join(dir, 'mix/b.wav'), encodeWav(b, 8000, { format: 'pcm16' }));
  writeFileSync(
    join(dir, 'mix/m.wav'),
    encodeWav(
      a.map((v, t) => 0.5 * (v + b[t])),
      8000,
      { format: 'pcm16' },
    ),
  );
  writeFileSync(join(dir, 'mix/short.wav'), encodeWav(a.subarray(0, 500), 8000, { format: 'pcm16' }));
}

function writeCaseFiles(dir, files = {}) {
  for (const [name, spec] of Object.entries(files)) {
    if (spec === undefined) continue; // named only (a file that must not exist)
    const f = join(dir, name);
    mkdirSync(join(f, '..'), { recursive: true });
    if (typeof spec === 'string') writeFileSync(f, spec);
    else if (spec.dir) mkdirSync(f, { recursive: true });
    else if (spec.npy) writeFileSync(f, matrixToNpy(Matrix.fromRows(spec.npy)));
    else if (spec.bytes) writeFileSync(f, Uint8Array.from(spec.bytes));
    else if (spec.wav) writeFileSync(f, wav(spec.wav));
  }
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) walk(f, out);
    else out.push(f);
  }
  return out;
}

async function cli(args) {
  let err = '',
    out = '';
  const ew = process.stderr.write,
    ow = process.stdout.write;
  process.stderr.write = (s) => ((err += String(s)), true);
  process.stdout.write = (s) => ((out += String(s)), true);
  process.exitCode = undefined;
  let code;
  try {
    code = await main(args);
  } catch (e) {
    err += `driver: main threw: ${e?.stack ?? e}\n`;
    code = -1;
  } finally {
    process.stderr.write = ew;
    process.stdout.write = ow;
    process.exitCode = undefined;
  }
  return { code, err, out };
}

/** A finished sweep in results/ok/<stamp>, then the damage named by `setup`. Returns the folder. */
async function completedRun(dir, damage) {
  const r = await cli(['run', 'ok.yaml', '--quiet', '--jobs', '1']);
  if (r.code !== 0) throw new Error(`setup run failed: ${r.err}`);
  const sweepDir = join('results', 'ok', readdirSync(join(dir, 'results', 'ok'))[0]);
  const run = join(sweepDir, '0000');
  if (damage === 'truncate-W') truncateSync(join(run, 'W.npy'), 100);
  if (damage === 'delete-H') rmSync(join(run, 'H.npy'));
  if (damage === 'edit-metrics') writeFileSync(join(run, 'metrics.csv'), 'metric,source,value\nobjective,,1\n');
  if (damage === 'empty-run-json') writeFileSync(join(run, 'run.json'), '');
  if (damage === 'corrupt-run-json') writeFileSync(join(run, 'run.json'), '{ "status": "compl');
  if (damage === 'run-json-null') writeFileSync(join(run, 'run.json'), 'null');
  if (damage === 'run-json-no-status') writeFileSync(join(run, 'run.json'), '{ "run": "0000" }');
  return sweepDir;
}

function big(dir) {
  writeFileSync(join(dir, 'big.csv'), matrixToCsv(matrix(200, 150, (i, j) => 1 + ((i * 13 + j * 7) % 17) / 3)));
  writeFileSync(join(dir, 'big.yaml'), okYaml.replace('V.csv', 'big.csv').replace('name: ok', 'name: big'));
}

async function runCase(index) {
  const c = cases[index];
  const dir = mkdtempSync(join(root, 'c-'));
  fixtures(dir);
  writeCaseFiles(dir, c.files);
  process.chdir(dir);
  let args = c.args;
  try {
    if (c.setup === 'big') big(dir);
    if (c.setup?.startsWith('completed-run:')) {
      const sw = await completedRun(dir, c.setup.split(':')[1]);
      args = args.map((a) => (a === '@sweep' ? sw : a));
    }
    const before = c.setup?.startsWith('completed-run:');
    // A file-size limit applies to the command alone (the fixtures above are written without it);
    // node ignores SIGXFSZ, so writes past the limit fail with EFBIG after a short write.
    const r = c.ulimit
      ? (() => {
          const q = spawnSync('bash', ['-c', `ulimit -f ${c.ulimit}; exec "$0" "$@"`, process.execPath, bin, ...args], {
            encoding: 'utf8',
            cwd: dir,
            timeout: 120_000,
          });
          return { code: q.status, err: q.stderr, out: q.stdout };
        })()
      : await cli(args);
    const files = walk(dir);
    const leftovers = files
      .filter((f) => /\.(tmp|old)$/.test(f) || /\/\.[^/]+\.tmp\//.test(f))
      .map((f) => f.slice(dir.length + 1));
    const nonFinite = files
      .filter(
        (f) =>
          /(^|\/)(results|out)\//.test(f.slice(dir.length)) &&
          /(metrics\.(csv|json)|summary\.(csv|json)|trajectory\.csv|[WH]\.csv)$/.test(f),
      )
      .filter((f) => /\bNaN\b|Infinity|\bnull\b/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(dir.length + 1));
    let intact;
    if (before) {
      // The rerun run folder is whole: every file listed in run.json matches it.
      const sw = args[args.indexOf('--resume') + 1];
      const rec = JSON.parse(readFileSync(join(dir, sw, '0000', 'run.json'), 'utf8'));
      intact =
        rec.status === 'completed' &&
        Object.entries(rec.files ?? {}).every(([n, d]) => statSync(join(dir, sw, '0000', n)).size === d.bytes);
    }
    let resultsCreated = false;
    try {
      resultsCreated = !before && statSync(join(dir, 'results')).isDirectory();
    } catch {
      resultsCreated = false;
    }
    return { index, name: c.name, code: r.code, err: r.err, out: r.out, leftovers, nonFinite, resultsCreated, intact };
  } finally {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
  }
}

const onlyArg = process.argv.indexOf('--only');
const indices = onlyArg > 0 ? process.argv[onlyArg + 1].split(',').map(Number) : cases.map((_, i) => i);
try {
  for (const i of indices) process.stdout.write(`${JSON.stringify(await runCase(i))}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

import fc from 'fast-check';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix, encodeWav, matrixToCsv } from '@nmflab/core';
import { main } from '../../dist/main.js';

/**
 * Property-based fuzzing of the inputs `nmflab` reads, end to end through the built CLI's main()
 * in this plain Node process (under vitest the packages resolve to their TypeScript sources, where
 * the runner's worker threads cannot start): random mutations (byte flips, cuts, insertions,
 * hostile tokens) of a valid experiment YAML, a CSV data file, a mixture JSON, and a finished
 * sweep's sweep.yaml and run.json. Whatever the mutation, the command exits 0, 1 or 2; a non-zero
 * exit prints its reason on stderr, first line `nmflab: …`; never a stack trace or "internal
 * error"; nothing temporary is left; a refused input (exit 2) creates no results folder; result
 * files hold no NaN/Infinity/null. Seeded, few runs each (most mutations are refused at
 * validation; those that still run fit for 2 iterations). Prints one JSON line per property:
 * { name, runs, ok, error }; ../fuzz.test.ts runs it.
 */
const mutation = fc.record({
  kind: fc.constantFrom('flip', 'cut', 'insert'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 16 }),
});
const tokens = fc.constantFrom(
  '-1',
  '0',
  '1e400',
  '.nan',
  'null',
  '[]',
  '{}',
  '"x"',
  ',',
  ':',
  '\n',
  '*a',
  '&a x',
  '"',
  '}',
  '../',
  'NaN',
  '1e-320',
  '\u0000',
);

/** The text with byte mutations, then tokens spliced in at random places. */
function mutate(text, ms, splices) {
  let b = new TextEncoder().encode(text);
  for (const m of ms) {
    const at = m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at] = m.byte;
    else if (m.kind === 'cut') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.len)]);
    else b = Uint8Array.from([...b.subarray(0, at), ...new Array(m.len).fill(m.byte), ...b.subarray(at)]);
  }
  let t = new TextDecoder().decode(b);
  for (const [at, tok] of splices) {
    const i = at % (t.length + 1);
    t = t.slice(0, i) + tok + t.slice(i);
  }
  return t;
}
const damage = fc.tuple(fc.array(mutation, { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), tokens), { maxLength: 3 }));

const root = mkdtempSync(join(tmpdir(), 'nmflab-fuzz-'));

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) walk(f, out);
    else out.push(f);
  }
  return out;
}

/** main(args) in `dir`, stdout/stderr captured (the working directory restored after). */
async function cli(dir, args) {
  let err = '';
  const ew = process.stderr.write;
  const ow = process.stdout.write;
  const home = process.cwd();
  process.stderr.write = (s) => ((err += String(s)), true);
  process.stdout.write = () => true;
  process.chdir(dir);
  try {
    return { code: await main(args), err };
  } finally {
    process.chdir(home);
    process.stderr.write = ew;
    process.stdout.write = ow;
    process.exitCode = undefined;
  }
}

const V = new Matrix(4, 5);
for (let i = 0; i < V.data.length; i++) V.data[i] = 1 + ((i * 7) % 5);
const okYaml =
  'name: ok\nseed: 1\ndata: { id: matrix-file, params: { path: V.csv } }\nmodel:\n  solver: { id: mu, params: { divergence: kl } }\n  rank: 2\n  stopping: { maxIterations: 2 }\nmetrics: [hoyer-sparseness]\n';
const tone = (f) => Float64Array.from({ length: 1200 }, (_, t) => 0.3 * Math.sin((2 * Math.PI * f * t) / 8000));
const mixJson = JSON.stringify({
  kind: 'mixture',
  audio: 'm.wav',
  stems: [
    { name: 'a', audio: 'a.wav' },
    { name: 'b', audio: 'b.wav' },
  ],
});
const mixYaml =
  'name: mx\ndata: { id: mixture-file, params: { path: mix/mix.json } }\nmodel: { solver: mu, rank: 2, stopping: { maxIterations: 2 } }\ntask: { id: separate, params: { mode: unsupervised, ranks: [1, 1] } }\ntransform: { frameLength: 256, hop: 64 }\n';

let n = 0;
/** A fresh folder with the valid fixtures. */
function fresh() {
  const dir = join(root, `c${n++}`);
  mkdirSync(join(dir, 'mix'), { recursive: true });
  writeFileSync(join(dir, 'V.csv'), matrixToCsv(V));
  writeFileSync(join(dir, 'ok.yaml'), okYaml);
  writeFileSync(join(dir, 'mx.yaml'), mixYaml);
  const a = tone(440);
  const b = tone(660);
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
  writeFileSync(join(dir, 'mix/mix.json'), mixJson);
  return dir;
}

/** The properties every outcome must have (throws what broke); `fresh` for commands that plan a new sweep. */
function check(dir, r, planned) {
  const fail = (what) => {
    throw new Error(`${what}: exit ${r.code}, stderr ${JSON.stringify(r.err.slice(0, 300))}`);
  };
  if (![0, 1, 2].includes(r.code)) fail('exit status not 0, 1 or 2');
  if (/internal error|\n\s+at /.test(r.err)) fail('internal error or stack trace');
  if (r.code !== 0 && !/^nmflab: \S/.test(r.err)) fail('non-zero exit without an nmflab: line');
  const files = walk(dir);
  const left = files.filter((f) => /\.(tmp|old)$/.test(f) || /\/\.[^/]+\.tmp\//.test(f));
  if (left.length) fail(`temporary files left (${left.join(', ')})`);
  if (planned && r.code === 2 && existsSync(join(dir, 'results'))) fail('results folder created for refused input');
  for (const f of files.filter(
    (f) => /\/results\//.test(f) && /(metrics\.(csv|json)|summary\.csv|trajectory\.csv)$/.test(f),
  ))
    if (/\bNaN\b|Infinity|\bnull\b/.test(readFileSync(f, 'utf8'))) fail(`NaN/Infinity/null in ${f}`);
}

const run = ['--quiet', '--jobs', '1'];
const properties = [
  {
    name: 'experiment YAML',
    runs: 10,
    arb: damage,
    test: async ([ms, sp]) => {
      const dir = fresh();
      writeFileSync(join(dir, 'ok.yaml'), mutate(okYaml, ms, sp));
      check(dir, await cli(dir, ['run', 'ok.yaml', ...run]), true);
    },
  },
  {
    name: 'CSV data file of a run',
    runs: 5,
    arb: damage,
    test: async ([ms, sp]) => {
      const dir = fresh();
      writeFileSync(join(dir, 'V.csv'), mutate(matrixToCsv(V), ms, sp));
      check(dir, await cli(dir, ['run', 'ok.yaml', ...run]), true);
    },
  },
  {
    name: 'mixture JSON',
    runs: 5,
    arb: damage,
    test: async ([ms, sp]) => {
      const dir = fresh();
      writeFileSync(join(dir, 'mix/mix.json'), mutate(mixJson, ms, sp));
      check(dir, await cli(dir, ['run', 'mx.yaml', ...run]), true);
    },
  },
];

// One finished sweep, copied for each case: its sweep.yaml or a run's run.json damaged, then
// summarize or --resume reads it.
const finished = fresh();
const setup = await cli(finished, ['run', 'ok.yaml', '--sweep', 'model.rank=[1,2]', ...run]);
if (setup.code !== 0) throw new Error(`the sweep to damage did not run: ${setup.err}`);
const sweep = join('results', 'ok', readdirSync(join(finished, 'results', 'ok'))[0]);
for (const file of ['sweep.yaml', '0001/run.json']) {
  const text = readFileSync(join(finished, sweep, file), 'utf8');
  properties.push({
    name: `${file} of a finished sweep (summarize, run --resume)`,
    runs: 4,
    arb: fc.tuple(damage, fc.boolean()),
    test: async ([[ms, sp], resume]) => {
      const dir = fresh();
      cpSync(join(finished, 'results'), join(dir, 'results'), { recursive: true });
      writeFileSync(join(dir, sweep, file), mutate(text, ms, sp));
      check(dir, await cli(dir, resume ? ['run', '--resume', sweep, ...run] : ['summarize', sweep]), false);
    },
  });
}

try {
  for (const p of properties) {
    const r = await fc.check(fc.asyncProperty(p.arb, p.test), { seed: 18, numRuns: p.runs });
    const error = r.failed
      ? `${r.errorInstance?.message ?? r.error} (counterexample ${JSON.stringify(r.counterexample)})`
      : undefined;
    process.stdout.write(`${JSON.stringify({ name: p.name, runs: r.numRuns, ok: !r.failed, error })}\n`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

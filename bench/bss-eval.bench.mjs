// BSS Eval sources on 2 sources × 10 s at 16 kHz (the target: well under a second),
// against mir_eval 0.7's bss_eval_sources on the same signals when a Python with mir_eval is
// available (Debian: python3-mir-eval), timed inside Python on the same machine in the same run.
// Also checks the two agree within 0.01 dB. CPU time is shown too: wall time is noisy on a shared
// machine (mir_eval's process time includes its BLAS threads).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Rng } from '@nmflab/core';
import { bssEvalSources, bssEvalImages, prepareReferences } from '@nmflab/tasks';
import { table, timeMs, cpuMs } from './util.mjs';

export const title = 'BSS Eval: 2 sources × 10 s @ 16 kHz, nmflab vs mir_eval 0.7 (same run)';

const PY = ['/usr/bin/python3', 'python3'].find((p) => (p.startsWith('/') ? existsSync(p) : true));
const MIR = `
import sys, time, json, numpy as np, mir_eval
raw = np.frombuffer(sys.stdin.buffer.read(), dtype='<f8').reshape(4, -1)
R, E = raw[:2], raw[2:]
ts = []
for _ in range(3):
    t = time.perf_counter(); c = time.process_time(); sdr, sir, sar, p = mir_eval.separation.bss_eval_sources(R, E); ts.append((time.perf_counter() - t, time.process_time() - c))
dt, dc = sorted(ts)[1]
print(json.dumps({'ms': dt * 1000, 'cpu': dc * 1000, 'sdr': sdr.tolist(), 'sir': sir.tolist(), 'sar': sar.tolist(), 'perm': p.tolist()}))
`;

export default async function () {
  const rng = new Rng(7);
  const n = 160000;
  const s = [0, 1].map(() => rng.fillNormal(new Float64Array(n)));
  // smooth the second source (a crude low-pass) so the two are not both white
  for (let t = 1; t < n; t++) s[1][t] = 0.9 * s[1][t - 1] + 0.1 * s[1][t];
  const nz = rng.fillNormal(new Float64Array(n));
  const e = [
    s[0].map((v, t) => v + 0.2 * s[1][t] + 0.05 * nz[t]),
    s[1].map((v, t) => v + 0.1 * s[0][t] + 0.02 * nz[t]),
  ];
  let ours;
  const ms = timeMs(() => (ours = bssEvalSources(s, e)), { reps: 3, warmup: 1 });
  const prepared = prepareReferences(s);
  const msPrepared = timeMs(() => bssEvalSources(s, e, { prepared }), { reps: 3, warmup: 1 });
  const msImages = timeMs(() => bssEvalImages(s, e, { window: 16000, hop: 16000, prepared }), { reps: 3, warmup: 1 });
  const cpu = cpuMs(() => bssEvalSources(s, e));
  const rows = [
    {
      what: 'nmflab bss-eval-sources',
      ms: ms.toFixed(0),
      'cpu ms': cpu.toFixed(0),
      'mir_eval / this': '',
      sdr: ours.sdr.map((x) => x.toFixed(3)).join(' '),
    },
    { what: 'nmflab, Gram reused (prepared)', ms: msPrepared.toFixed(0), 'cpu ms': '', 'mir_eval / this': '', sdr: '' },
    {
      what: 'nmflab bss-eval-images 1 s frames',
      ms: msImages.toFixed(0),
      'cpu ms': '',
      'mir_eval / this': '',
      sdr: '',
    },
  ];
  const input = Buffer.concat([...s, ...e].map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)));
  const py = spawnSync(PY, ['-c', MIR], { input, maxBuffer: 1 << 20 });
  if (py.status === 0) {
    const m = JSON.parse(py.stdout.toString());
    const diff = Math.max(...['sdr', 'sir', 'sar'].flatMap((k) => m[k].map((v, j) => Math.abs(v - ours[k][j]))));
    if (diff > 0.01) throw new Error(`nmflab and mir_eval differ by ${diff} dB`);
    rows.unshift({
      what: 'mir_eval 0.7 bss_eval_sources',
      ms: m.ms.toFixed(0),
      'cpu ms': m.cpu.toFixed(0),
      'mir_eval / this': '1.00',
      sdr: m.sdr.map((x) => x.toFixed(3)).join(' '),
    });
    for (const r of rows.slice(1)) r['mir_eval / this'] = `${(m.ms / Number(r.ms)).toFixed(2)} (wall)`;
    rows.push({
      what: `max |Δ| vs mir_eval (dB)`,
      ms: '',
      'cpu ms': '',
      'mir_eval / this': diff.toExponential(1),
      sdr: '',
    });
  } else {
    rows.push({
      what: 'mir_eval not available (python3-mir-eval): no reference',
      ms: '',
      'cpu ms': '',
      'mir_eval / this': '',
      sdr: '',
    });
  }
  table(rows);
}

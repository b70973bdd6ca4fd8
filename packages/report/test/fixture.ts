import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Matrix, Rng, Stft, encodeWav, matrixToNpy, type SourceData } from '@nmflab/core';

/**
 * Small run and sweep folders laid out as `nmflab run` writes them (run.json, config.yaml,
 * trajectory.csv, metrics.csv, W.npy/H.npy, a separated WAV, pianoroll.json), built from a seeded
 * two-tone signal so the report tests need no experiment run.
 */

export const RATE = 8000;
export const TRANSFORM = {
  frameLength: 128,
  hop: 32,
  window: 'hann',
  representation: 'magnitude',
  center: true,
  padMode: 'reflect',
};

/** A mixture of a 500 Hz tone (first half) and a 1500 Hz tone (second half) plus a little noise. */
export function twoTones(seed = 1): SourceData {
  const rng = new Rng(seed);
  const n = RATE / 2;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = i < n / 2 ? 0.5 * Math.sin((2 * Math.PI * 500 * i) / RATE) : 0;
    b[i] = i >= n / 2 ? 0.3 * Math.sin((2 * Math.PI * 1500 * i) / RATE) : 0;
    x[i] = a[i] + b[i] + 1e-3 * (rng.uniform() - 0.5);
  }
  return {
    signal: { samples: x, sampleRate: RATE },
    sources: [
      { name: 'low', samples: a },
      { name: 'high', samples: b },
    ],
  };
}

export interface FixtureOptions {
  name?: string;
  varied?: Record<string, unknown>;
  /** Objective scale (so runs of a sweep differ). */
  scale?: number;
  pianoroll?: boolean;
  /** Write an image run instead of an audio one: V 36×12 of 6×6 images as columns. */
  images?: boolean;
}

export function writeRunFixture(dir: string, o: FixtureOptions = {}): string {
  const name = o.name ?? '0000';
  const run = join(dir, name);
  mkdirSync(run, { recursive: true });
  const scale = o.scale ?? 1;
  const record = {
    run: name,
    index: Number(name) || 0,
    experiment: 'fixture',
    status: 'completed',
    seed: 1,
    varied: o.varied ?? {},
    iterations: 20,
    stopReason: 'max-iterations',
    seconds: 0.1,
    provenance: { git: { commit: '0123456789abcdef', dirty: false } },
  };
  writeFileSync(join(run, 'run.json'), JSON.stringify(record, null, 2));
  const K = 2;
  let W: Matrix;
  let H: Matrix;
  if (o.images) {
    writeFileSync(
      join(run, 'config.yaml'),
      stringify({
        name: 'fixture',
        seed: 1,
        data: { id: 'matrix-file', params: { path: 'faces.npy' } },
        task: { id: 'factorize', params: {} },
      }),
    );
    // Two 6×6 images (a horizontal and a vertical bar) as W's columns; V = W H.
    W = new Matrix(36, K);
    for (let r = 0; r < 6; r++)
      for (let c = 0; c < 6; c++) {
        W.data[(r * 6 + c) * K] = r === 2 || r === 3 ? 1 : 0.05;
        W.data[(r * 6 + c) * K + 1] = c === 2 || c === 3 ? 1 : 0.05;
      }
    H = new Matrix(K, 12);
    for (let j = 0; j < 12; j++) {
      H.data[j] = (j % 3) / 2;
      H.data[12 + j] = ((j + 1) % 4) / 3;
    }
    writeFileSync(join(run, 'extra.json'), JSON.stringify({ image: { height: 6, width: 6 } }));
  } else {
    writeFileSync(
      join(run, 'config.yaml'),
      stringify({
        name: 'fixture',
        seed: 1,
        data: { id: 'two-tones', params: {} },
        transform: TRANSFORM,
        model: { solver: { id: 'mu', params: {} }, rank: K },
        task: { id: 'factorize', params: {} },
      }),
    );
    const stft = new Stft({ ...TRANSFORM, sampleRate: RATE } as never);
    const data = twoTones();
    const V = stft.represent(stft.analyze(data.signal!.samples));
    // W: the two tones' spectra (from the sources); H: their frame energies; a rank-2 "fit".
    W = new Matrix(V.rows, K);
    H = new Matrix(K, V.cols);
    data.sources!.forEach((s, k) => {
      const S = stft.represent(stft.analyze(s.samples));
      for (let f = 0; f < S.rows; f++)
        for (let n = 0; n < S.cols; n++) {
          W.data[f * K + k] += S.data[f * S.cols + n] / S.cols;
          H.data[k * S.cols + n] += S.data[f * S.cols + n] / S.rows;
        }
    });
    writeFileSync(join(run, 'low.wav'), encodeWav(data.sources![0].samples, RATE, { format: 'float32' }));
    writeFileSync(join(run, 'high.wav'), encodeWav(data.sources![1].samples, RATE, { format: 'float32' }));
    const metrics = [['metric', 'source', 'value']];
    for (const [m, base] of [
      ['sdr', 8],
      ['sir', 15],
      ['sar', 10],
    ] as const) {
      metrics.push([m, 'low', String(base * scale)], [m, 'high', String(base * scale - 2)]);
      metrics.push([`oracle.${m}`, 'low', String(base + 6)], [`oracle.${m}`, 'high', String(base + 5)]);
    }
    writeFileSync(join(run, 'metrics.csv'), `${metrics.map((r) => r.join(',')).join('\n')}\n`);
  }
  writeFileSync(join(run, 'W.npy'), matrixToNpy(W));
  writeFileSync(join(run, 'H.npy'), matrixToNpy(H));
  const traj = ['iteration,objective,term:data,term:l1,seconds'];
  for (let i = 0; i < 20; i++) {
    const data = scale * (100 / (1 + i) + 5);
    const l1 = scale * (2 + 1 / (1 + i));
    traj.push(`${i},${data + l1},${data},${l1},${(i * 0.01).toFixed(6)}`);
  }
  writeFileSync(join(run, 'trajectory.csv'), `${traj.join('\n')}\n`);
  if (o.pianoroll) {
    writeFileSync(
      join(run, 'pianoroll.json'),
      JSON.stringify({
        threshold: 0.2,
        reference: [
          { pitch: 60, onset: 0, offset: 0.25 },
          { pitch: 67, onset: 0.25, offset: 0.5 },
        ],
        estimate: [
          { pitch: 60, onset: 0.01, offset: 0.24 },
          { pitch: 67, onset: 0.26, offset: 0.5 },
          { pitch: 72, onset: 0.3, offset: 0.35 },
        ],
      }),
    );
  }
  return run;
}

/** A sweep folder with `n` runs varying `model.rank`, plus sweep.yaml and summary.csv. */
export function writeSweepFixture(dir: string, n = 3): string {
  mkdirSync(dir, { recursive: true });
  const rows = ['run,status,seed,model.rank,sdr[low]'];
  for (let i = 0; i < n; i++) {
    const name = String(i).padStart(4, '0');
    writeRunFixture(dir, { name, varied: { 'model.rank': i + 1 }, scale: 1 + i / 2, pianoroll: i === 0 });
    rows.push(`${name},completed,1,${i + 1},${8 * (1 + i / 2)}`);
  }
  writeFileSync(join(dir, 'sweep.yaml'), stringify({ experiment: 'fixture', runs: [] }));
  writeFileSync(join(dir, 'summary.csv'), `${rows.join('\n')}\n`);
  return dir;
}

/** `loadData` for the fixtures (what the CLI does through the registry). */
export const loadFixtureData = async (config: Record<string, unknown>): Promise<SourceData | undefined> =>
  (config.data as { id?: string } | undefined)?.id === 'two-tones' ? twoTones() : undefined;

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { NmflabError, describeValue, readMatrix, readWav, type Matrix } from '@nmflab/core';
import type { Note } from './charts.js';

/**
 * Reading what `nmflab run` wrote: a run folder (run.json, config.yaml, trajectory.csv,
 * metrics.csv, *.npy, *.wav, and the optional pianoroll.json / extra.json) or a sweep folder
 * (sweep.yaml, summary.csv and the numbered run folders).
 */

export interface PianoRoll {
  /** Ground-truth notes (MIDI pitch, onset and offset in seconds). */
  reference: Note[];
  /** Notes read from the thresholded activations. */
  estimate: Note[];
  /** The activation threshold used (shown in the caption). */
  threshold?: number;
}

export interface RunFolder {
  dir: string;
  name: string;
  record: {
    run?: string;
    status?: string;
    seed?: number;
    varied?: Record<string, unknown>;
    iterations?: number;
    stopReason?: string;
    seconds?: number;
    error?: string;
    experiment?: string;
    provenance?: { git?: { commit?: string; dirty?: boolean } };
  } & Record<string, unknown>;
  /** The resolved config snapshot (config.yaml). */
  config: Record<string, unknown>;
  /** trajectory.csv as rows of numbers by column name (empty when absent). */
  trajectory: Record<string, number>[];
  metrics: { metric: string; source: string; value: number }[];
  /** Every `.npy` matrix of the folder by file stem (W, H, V…). */
  matrices: Map<string, Matrix>;
  /** Every `.wav` of the folder (separated sources), mono-mixed. */
  wavs: { name: string; file: string; samples: Float64Array; sampleRate: number }[];
  pianoroll?: PianoRoll;
  extra?: Record<string, unknown>;
}

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

export function isSweepFolder(dir: string): boolean {
  return existsSync(join(dir, 'sweep.yaml'));
}

function readJson(file: string, shown: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new NmflabError('unreadable JSON', {
      file: shown,
      expected: 'a JSON document',
      found: e instanceof Error ? e.message : String(e),
    });
  }
}

function numericCsv(file: string, shown: string): Record<string, number>[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true });
  } catch (e) {
    throw new NmflabError('unreadable CSV', {
      file: shown,
      expected: 'a CSV table with a header',
      found: e instanceof Error ? e.message : String(e),
    });
  }
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? NaN : Number(v)])));
}

/** Check a pianoroll.json document: `{ reference: Note[], estimate: Note[], threshold? }`. */
export function parsePianoRoll(doc: unknown, shown = 'pianoroll.json'): PianoRoll {
  const fail = (path: string, expected: string, found: unknown): never => {
    throw new NmflabError('invalid piano roll', { file: shown, path, expected, found: describeValue(found) });
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('', '{ reference: [...], estimate: [...] }', doc);
  const d = doc as Record<string, unknown>;
  const notes = (key: 'reference' | 'estimate'): Note[] => {
    const list = d[key];
    if (!Array.isArray(list)) return fail(key, 'a list of { pitch, onset, offset } notes', list);
    return list.map((n, i) => {
      if (!n || typeof n !== 'object') return fail(`${key}[${i}]`, '{ pitch, onset, offset }', n);
      const o = n as Record<string, unknown>;
      for (const f of ['pitch', 'onset', 'offset'])
        if (typeof o[f] !== 'number' || !Number.isFinite(o[f])) fail(`${key}[${i}].${f}`, 'a finite number', o[f]);
      if ((o.offset as number) < (o.onset as number))
        fail(`${key}[${i}].offset`, `a time ≥ the onset ${o.onset as number}`, o.offset);
      return { pitch: o.pitch as number, onset: o.onset as number, offset: o.offset as number };
    });
  };
  const out: PianoRoll = { reference: notes('reference'), estimate: notes('estimate') };
  if (d.threshold !== undefined) {
    if (typeof d.threshold !== 'number') fail('threshold', 'a number', d.threshold);
    out.threshold = d.threshold as number;
  }
  return out;
}

/** Read one run folder; `shown` is how files are named in errors (relative to the working directory). */
export function readRunFolder(dir: string, shown = dir): RunFolder {
  if (!isRunFolder(dir))
    throw new NmflabError('not a run folder', {
      file: shown,
      expected: 'a folder holding run.json (results/<experiment>/<stamp>/<run>)',
    });
  const record = readJson(join(dir, 'run.json'), join(shown, 'run.json')) as RunFolder['record'];
  let config: Record<string, unknown> = {};
  if (existsSync(join(dir, 'config.yaml'))) {
    try {
      config = (parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new NmflabError('unreadable YAML', {
        file: join(shown, 'config.yaml'),
        found: e instanceof Error ? e.message : String(e),
      });
    }
  }
  const trajectory = existsSync(join(dir, 'trajectory.csv'))
    ? numericCsv(join(dir, 'trajectory.csv'), join(shown, 'trajectory.csv'))
    : [];
  let metrics: RunFolder['metrics'] = [];
  if (existsSync(join(dir, 'metrics.csv'))) {
    const rows = parseCsv(readFileSync(join(dir, 'metrics.csv'), 'utf8'), {
      columns: true,
      skip_empty_lines: true,
    }) as Record<string, string>[];
    metrics = rows.map((r) => ({ metric: r.metric ?? '', source: r.source ?? '', value: Number(r.value) }));
  }
  const entries = readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
  const matrices = new Map<string, Matrix>();
  for (const f of entries.filter((e) => e.endsWith('.npy'))) matrices.set(f.slice(0, -4), readMatrix(join(dir, f)));
  const wavs = entries
    .filter((e) => e.toLowerCase().endsWith('.wav'))
    .map((f) => {
      const w = readWav(join(dir, f), { mono: true });
      return { name: f.replace(/\.wav$/i, ''), file: f, samples: w.samples, sampleRate: w.sampleRate };
    });
  const pr = join(dir, 'pianoroll.json');
  const pianoroll = existsSync(pr)
    ? parsePianoRoll(readJson(pr, join(shown, 'pianoroll.json')), join(shown, 'pianoroll.json'))
    : undefined;
  const ex = join(dir, 'extra.json');
  const extra = existsSync(ex) ? (readJson(ex, join(shown, 'extra.json')) as Record<string, unknown>) : undefined;
  return {
    dir,
    name: record.run ?? basename(dir),
    record,
    config,
    trajectory,
    metrics,
    matrices,
    wavs,
    pianoroll,
    extra,
  };
}

/** The run folders of a sweep folder (numbered, complete ones: a folder named like a run is complete). */
export function runFoldersOf(sweepDir: string): string[] {
  return readdirSync(sweepDir)
    .filter((f) => !f.startsWith('.') && statSync(join(sweepDir, f)).isDirectory() && isRunFolder(join(sweepDir, f)))
    .sort();
}

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { NmflabError } from '@nmflab/core';
import { parsePianoRoll, writeReport } from '../src/index.js';
import { loadFixtureData, writeRunFixture, writeSweepFixture } from './fixture.js';
import { assertWellFormed, countMarks } from './svg.js';

const tmp = mkdtempSync(join(tmpdir(), 'nmflab-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeReport', () => {
  it('run folder: every figure that applies, written beside a self-contained report.html', async () => {
    const run = writeRunFixture(join(tmp, 'a'), { pianoroll: true });
    const res = await writeReport(run, { loadData: loadFixtureData });
    const ids = res.figures.map((f) => f.id);
    // Each separated source (files in name order) is followed by its reference.
    expect(ids).toEqual([
      'spectrogram-mixture',
      'spectrogram-model',
      'spectrogram-high',
      'spectrogram-reference-high',
      'spectrogram-low',
      'spectrogram-reference-low',
      'components',
      'objective',
      'metrics',
      'pianoroll',
    ]);
    const html = readFileSync(res.file, 'utf8');
    for (const f of res.figures) {
      expect(existsSync(join(run, 'report', f.file))).toBe(true);
      expect(html).toContain(`data-figure="${f.id}"`);
      if (f.svg) assertWellFormed(f.svg);
    }
    // Self-contained: nothing fetched from the network or beside the page; the audio is inside it.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const players = [...html.matchAll(/<audio controls preload="none" src="([^"]*)">/g)].map((m) => m[1]);
    expect(players).toHaveLength(3); // mixture, high, low
    for (const src of players) {
      expect(src).toMatch(/^data:audio\/wav;base64,/);
      expect(
        Buffer.from(src.slice(src.indexOf(',') + 1), 'base64')
          .subarray(0, 4)
          .toString(),
      ).toBe('RIFF');
    }
    // W and H as heat maps (two images), not one line plot per component.
    expect(countMarks(res.figures.find((f) => f.id === 'components')!.svg!, 'image')).toBe(2);
    // The objective shows the total and both terms (data and l1 differ from the total).
    expect(countMarks(res.figures.find((f) => f.id === 'objective')!.svg!, 'line')).toBe(3);
    // SDR/SIR/SAR × 2 sources × (the solver, the oracle).
    expect(countMarks(res.figures.find((f) => f.id === 'metrics')!.svg!, 'rect', 'role-mark')).toBe(12);
    expect(countMarks(res.figures.find((f) => f.id === 'pianoroll')!.svg!, 'rect', 'role-mark')).toBe(5);
  });

  it('without the data: the figures from the run folder alone, and a note when re-loading fails', async () => {
    const run = writeRunFixture(join(tmp, 'b'));
    const res = await writeReport(run, {
      loadData: async () => {
        throw new NmflabError('cannot read', { file: 'x.wav' });
      },
    });
    expect(res.figures.map((f) => f.id)).toEqual([
      'spectrogram-model',
      'spectrogram-high',
      'spectrogram-low',
      'components',
      'objective',
      'metrics',
    ]);
    expect(res.notes.join()).toMatch(/x\.wav: cannot read/);
    expect(readFileSync(res.file, 'utf8')).toContain('x.wav: cannot read');
  });

  it('image data: bases as a grid of images', async () => {
    const run = writeRunFixture(join(tmp, 'c'), { images: true });
    const res = await writeReport(run);
    const bases = res.figures.find((f) => f.id === 'bases')!;
    const img = PNG.sync.read(bases.png!);
    // 2 tiles of 6×6 enlarged ×11 (to ~64 px) with 2-px gaps.
    expect([img.width, img.height]).toEqual([2 * (66 + 2) + 2, 66 + 4]);
    expect(readFileSync(res.file, 'utf8')).toContain('data:image/png;base64,');
    // Not said to be images: WH as a heat map and the components figure, on row/column indices.
    rmSync(join(run, 'extra.json'));
    const plain = await writeReport(run);
    expect(plain.figures.map((f) => f.id)).toEqual(['model', 'components', 'objective']);
    expect(countMarks(plain.figures[1].svg!, 'image')).toBe(2);
  });

  it('sweep folder: one trajectory per run, bars per run with the oracle once, a report per run', async () => {
    const sweep = writeSweepFixture(join(tmp, 'd'), 2);
    const res = await writeReport(sweep);
    expect(res.runs).toHaveLength(2);
    const traj = res.figures.find((f) => f.id === 'objective')!.svg!;
    expect(countMarks(traj, 'line')).toBe(2 * 3);
    // (2 runs + oracle) × 2 sources × 3 metrics.
    expect(countMarks(res.figures.find((f) => f.id === 'metrics')!.svg!, 'rect', 'role-mark')).toBe(18);
    const html = readFileSync(res.file, 'utf8');
    expect(html).toContain('<a href="0001/report.html">0001</a>');
    for (const r of res.runs) expect(existsSync(r.file)).toBe(true);
  });

  it('bad input: an error naming the file and what was expected', async () => {
    await expect(writeReport(join(tmp, 'nothing-here'))).rejects.toThrow(/not a run or sweep folder/);
    const run = writeRunFixture(join(tmp, 'e'));
    writeFileSync(
      join(run, 'pianoroll.json'),
      JSON.stringify({ reference: [], estimate: [{ pitch: 60, onset: 1, offset: 0.5 }] }),
    );
    await expect(writeReport(run)).rejects.toThrow(/pianoroll\.json: estimate\[0\]\.offset: invalid piano roll/);
    expect(() => parsePianoRoll({ reference: [{ pitch: 'C4', onset: 0, offset: 1 }], estimate: [] })).toThrow(
      /reference\[0\]\.pitch/,
    );
  });
});

describe('sweep report built for comparison', () => {
  it('mean ± CI against each swept parameter, objective panels per solver, runs table with swept values first', async () => {
    const { writeFakeSweep, FAKE_SEEDS } = await import('../../../test/support/fake-sweep.js');
    const sweep = writeFakeSweep(join(tmp, 'cmp'));
    const res = await writeReport(sweep, { runReports: false });
    expect(res.figures.map((f) => f.id)).toEqual(['metrics-vs-model-solver-id', 'metrics-vs-model-rank', 'objective']);
    const vsRank = res.figures[1].svg!;
    assertWellFormed(vsRank);
    // 3 solvers × 2 metrics (SDR, SIR) lines; one error bar per solver, rank and metric
    expect(countMarks(vsRank, 'line')).toBe(3 * 2);
    expect(countMarks(vsRank, 'rule')).toBeGreaterThanOrEqual(3 * 2 * 2);
    // legends name the swept values
    expect(vsRank).toContain('solver.id=plsa');
    expect(res.figures[0].svg!).toContain('rank=16');
    // one objective panel per solver, one line per run
    const obj = res.figures[2].svg!;
    expect(countMarks(obj, 'line')).toBe(24);
    for (const s of ['solver.id=mu', 'solver.id=plsa', 'solver.id=complex-nmf']) expect(obj).toContain(s);
    const html = readFileSync(res.file, 'utf8');
    expect(html).toMatch(
      new RegExp(`<tr><td>mu</td><td>8</td><td>${FAKE_SEEDS}</td><td>\\d+\\.\\d{3} ± \\d\\.\\d{3}</td>`),
    );
    expect(html).toContain('<th>run</th><th>solver.id</th><th>rank</th><th>seed</th><th>status</th>');
  });

  it('log-frequency bases', async () => {
    const run = writeRunFixture(join(tmp, 'logf'));
    const res = await writeReport(run, { loadData: loadFixtureData, logFrequency: true });
    expect(res.figures.find((f) => f.id === 'components')!.svg!).toContain('frequency (Hz, log)');
  });
});

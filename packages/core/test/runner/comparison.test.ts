import { describe, expect, it } from 'vitest';
import type { ComparedRun } from '../../src/runner/compare.js';
import {
  filterObservations,
  groupObservations,
  observations,
  pairedComparisons,
  parseFilter,
  pivotTable,
  renderTables,
  sortTable,
  summaryTable,
  testTable,
} from '../../src/runner/comparison.js';
import { pairedTests, summarize, holm } from '../../src/stats.js';

// A made-up sweep: 3 methods × 2 ranks × 6 seeds, two sources; method c is worst by design.
const methods = { a: 5, b: 4.5, c: 1 };
function value(method: keyof typeof methods, rank: number, seed: number, source: number): number {
  return (
    methods[method] + rank / 10 + Math.sin(seed * 1.7 + source) + (method === 'b' ? 0.3 * Math.cos(seed * 3.1) : 0)
  );
}
const runs: ComparedRun[] = [];
for (const method of Object.keys(methods) as (keyof typeof methods)[]) {
  for (const rank of [10, 20]) {
    for (let seed = 1; seed <= 6; seed++) {
      runs.push({
        folder: `sweep/${method}-${rank}-${seed}`,
        config: {
          seed,
          data: { id: 'mixture-file', params: { path: 'x.json' } },
          model: { solver: { id: method, params: method === 'a' ? { divergence: 'kl' } : {} }, rank },
        },
        record: {
          run: 'r',
          index: 0,
          experiment: 'e',
          status: 'completed',
          seed,
          varied: {},
          iterations: 50 + seed,
          seconds: 1,
          metrics: {
            'sdr[speech]': value(method, rank, seed, 0),
            'sdr[chime]': value(method, rank, seed, 1),
            'oracle-irm.sdr[speech]': 20,
          },
          provenance: { git: { commit: null, dirty: null }, packages: {}, node: 'v20', host: 'h', platform: 'p' },
        },
      });
    }
  }
}
const obs = observations(runs);

describe('compare: grouping and statistics', () => {
  it('groups by method and rank with mean, std and CI over seeds (per-source values averaged per run)', () => {
    const groups = groupObservations(obs, { metrics: ['sdr'], by: ['model.solver.id', 'model.rank'] });
    expect(groups).toHaveLength(6);
    const g = groups.find((x) => x.key['model.solver.id'] === 'b' && x.key['model.rank'] === 20)!;
    const want = summarize([1, 2, 3, 4, 5, 6].map((s) => (value('b', 20, s, 0) + value('b', 20, s, 1)) / 2));
    expect(g.stats.sdr!.n).toBe(6);
    expect(g.stats.sdr!.mean).toBeCloseTo(want.mean, 12);
    expect(g.stats.sdr!.ciHalf).toBeCloseTo(want.ciHalf, 12);
  });

  it('by source: one group per source; one source by name', () => {
    // ranks pooled: the unit is then (seed, rank)
    const groups = groupObservations(obs, {
      metrics: ['sdr'],
      by: ['source', 'model.solver.id'],
      pairOn: ['seed', 'model.rank'],
    });
    expect(groups.map((g) => g.key.source).sort()).toEqual(['chime', 'chime', 'chime', 'speech', 'speech', 'speech']);
    expect(groups[0].stats.sdr!.n).toBe(12); // 2 ranks × 6 seeds
    const one = groupObservations(obs, {
      metrics: ['sdr[chime]'],
      by: ['model.solver.id'],
      pairOn: ['seed', 'model.rank'],
    });
    expect(one.find((g) => g.key['model.solver.id'] === 'a')!.stats['sdr[chime]'].mean).toBeCloseTo(
      summarize(runs.filter((r) => r.folder.startsWith('sweep/a')).map((r) => r.record.metrics!['sdr[chime]'])).mean,
      12,
    );
  });

  it('paired tests: best against each other on the same seeds, Holm over the family', () => {
    const groups = groupObservations(obs, { metrics: ['sdr'], by: ['model.solver.id', 'model.rank'] });
    const tests = pairedComparisons(groups, 'model.solver.id', 'sdr');
    expect(tests).toHaveLength(4); // per rank: a vs b, a vs c
    for (const t of tests) {
      expect(t.best).toBe('a');
      expect(t.pairs).toBe(6);
    }
    const t = tests.find((x) => x.other === 'b' && x.block['model.rank'] === 10)!;
    const mean = (m: 'a' | 'b', s: number) => (value(m, 10, s, 0) + value(m, 10, s, 1)) / 2;
    const direct = pairedTests(
      [1, 2, 3, 4, 5, 6].map((s) => mean('a', s)),
      [1, 2, 3, 4, 5, 6].map((s) => mean('b', s)),
    );
    expect(t.tP).toBeCloseTo(direct.t.p, 12);
    expect(t.wP).toBeCloseTo(direct.wilcoxon.p, 12);
    expect(tests.map((x) => x.tPHolm)).toEqual(holm(tests.map((x) => x.tP)));
    // lower is better: c is then the best
    expect(pairedComparisons(groups, 'model.solver.id', 'sdr', 'lower').every((x) => x.best === 'c')).toBe(true);
  });

  it('filters: =, a|b, <, ~, and a metric column', () => {
    expect(filterObservations(obs, [parseFilter('model.rank=10')])).toHaveLength(18);
    expect(filterObservations(obs, [parseFilter('model.solver.id=a|c')])).toHaveLength(24);
    expect(filterObservations(obs, [parseFilter('seed<3')])).toHaveLength(12);
    expect(filterObservations(obs, [parseFilter('run~/b-20-')])).toHaveLength(6);
    // a metric filters on its mean over sources; every a run has it above 4, no c run of rank 10
    const kept = filterObservations(obs, [parseFilter('sdr>4')]);
    expect(kept.filter((o) => o.run.startsWith('sweep/a'))).toHaveLength(12);
    expect(kept.filter((o) => o.run.startsWith('sweep/c-10'))).toHaveLength(0);
    expect(() => parseFilter('nothing')).toThrow(/--filter: invalid filter/);
    expect(() => filterObservations(obs, [parseFilter('nope=1')])).toThrow(/unknown column/);
  });

  it('names the flag and the known columns on a wrong column or metric', () => {
    expect(() => groupObservations(obs, { metrics: ['sdr'], by: ['model.solver'] })).toThrow(
      /--by: unknown column .*did you mean/,
    );
    expect(() => groupObservations(obs, { metrics: ['sdrr'], by: ['model.rank'] })).toThrow(
      /--metrics: unknown metric \(expected one of sdr, oracle-irm.sdr/,
    );
    // two runs in one group on one unit: the grouping does not single runs out
    expect(() => groupObservations(obs, { metrics: ['sdr'], by: ['model.rank'] })).toThrow(/share a unit/);
  });
});

describe('compare: tables', () => {
  const groups = groupObservations(obs, { metrics: ['sdr', 'iterations'], by: ['model.solver.id', 'model.rank'] });
  const table = summaryTable(groups, ['model.solver.id', 'model.rank'], ['sdr', 'iterations']);

  it('summary table: numbers for CSV and JSON, mean ± CI for people', () => {
    // no cell holds a comma here, so a plain split reads the CSV
    const [head, ...lines] = renderTables([{ title: 's', table }], 'csv')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const csv = lines.map((l) => Object.fromEntries(head!.map((h, j) => [h, l[j]])));
    expect(csv).toHaveLength(6);
    expect(Number(csv[0]['sdr.mean'])).toBeCloseTo(groups[0].stats.sdr!.mean, 12);
    expect(Number(csv[0]['iterations.mean'])).toBe(53.5);
    const json = JSON.parse(renderTables([{ title: 's', table }], 'json')) as { s: Record<string, number>[] };
    expect(json.s[0]['sdr.ci95']).toBeCloseTo(groups[0].stats.sdr!.ciHalf, 12);
    const text = renderTables([{ title: 's', table }], 'table');
    expect(text).toContain('sdr (mean ± 95% CI)');
    expect(text).toMatch(/\d\.\d{3} ± \d\.\d{3}/);
    const md = renderTables([{ title: 's', table }], 'markdown');
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(8); // header, rule, 6 rows
  });

  it('pivot: methods down, ranks across', () => {
    const p = pivotTable(groups, ['model.solver.id'], ['model.rank'], 'sdr', false);
    expect(p.columns).toEqual(['model.solver.id', '10', '20']);
    expect(p.rows.map((r) => r[0])).toEqual(['a', 'b', 'c']);
    expect(String(p.rows[0][1])).toMatch(/ ± /);
    const n = pivotTable(groups, ['model.solver.id'], ['model.rank'], 'sdr', true);
    expect(n.columns).toEqual(['model.solver.id', '10.mean', '10.ci95', '20.mean', '20.ci95']);
  });

  it('sort by a metric mean, descending', () => {
    const s = sortTable(table, 'sdr:desc');
    const j = s.columns.indexOf('sdr.mean');
    const col = s.rows.map((r) => r[j] as number);
    expect([...col].sort((a, b) => b - a)).toEqual(col);
    expect(sortTable(table, '-sdr').rows).toEqual(s.rows);
    expect(() => sortTable(table, 'nope')).toThrow(/--sort/);
  });

  it('test table has the pairs and both corrected p-values', () => {
    const t = testTable(pairedComparisons(groups, 'model.solver.id', 'sdr'), 'model.solver.id');
    expect(t.columns).toEqual(
      expect.arrayContaining(['pairs', 'p (t, Holm)', 'p (W, Holm)', 'd_z', 'r (rank-biserial)']),
    );
    expect(t.rows.every((r) => r[t.columns.indexOf('pairs')] === 6)).toBe(true);
  });
});

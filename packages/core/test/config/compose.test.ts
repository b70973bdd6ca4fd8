import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import {
  NmflabError,
  applyOverrides,
  overrideWarnings,
  deepMerge,
  loadComposed,
  parseAssignment,
  parsePath,
  parseYaml,
  prepareExperiment,
  setPath,
} from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const good = fileURLToPath(new URL('../fixtures/configs/good', import.meta.url));
const rel = (p: string) => relative(process.cwd(), p);

describe('composition (extends)', () => {
  it('deep-merges mappings and replaces lists, along a chain', () => {
    const c = loadComposed(`${good}/grandchild.yaml`);
    expect(c.name).toBe('grandchild');
    // From base, kept through two levels:
    expect(c.seed).toBe(7);
    expect((c.model as Record<string, unknown>).solver).toBe('test-mu');
    // Merged key by key at every depth:
    expect((c.model as Record<string, unknown>).rank).toBe(2);
    expect((c.model as Record<string, unknown>).stopping).toEqual({ maxIterations: 20, tol: 1e-3 });
    expect(c.data).toEqual({ id: 'synthetic-lowrank', params: { rows: 12, cols: 20, rank: 3 } });
    // Lists are replaced, not concatenated:
    expect(c.metrics).toEqual([]);
    expect(c.extends).toBeUndefined();
  });

  it('keeps plugin files relative to the working directory whichever file names them', () => {
    const c = loadComposed(`${good}/child.yaml`);
    expect(c.plugins).toEqual([rel(fileURLToPath(new URL('../fixtures/plugins/test-solver.mjs', import.meta.url)))]);
  });

  it('detects cycles and names the chain', () => {
    expect(() => loadComposed(`${good}/cycle-a.yaml`)).toThrow(
      /extends cycle .*cycle-a\.yaml → .*cycle-b\.yaml → .*cycle-a\.yaml/,
    );
  });

  it('deepMerge: objects merge, scalars and lists replace, inputs untouched', () => {
    const a = { x: { y: 1, z: [1, 2] }, k: 1 };
    const b = { x: { z: [3] }, k: { o: 1 } };
    expect(deepMerge(a, b)).toEqual({ x: { y: 1, z: [3] }, k: { o: 1 } });
    expect(a).toEqual({ x: { y: 1, z: [1, 2] }, k: 1 });
  });
});

describe('overrides (--set)', () => {
  it('parses values as YAML scalars and flow collections', () => {
    expect(parseAssignment('model.rank=20', '--set')).toEqual({ path: 'model.rank', value: 20 });
    expect(parseAssignment('a=1e-3', '--set').value).toBe(1e-3);
    expect(parseAssignment('a=true', '--set').value).toBe(true);
    expect(parseAssignment('a=hann', '--set').value).toBe('hann');
    expect(parseAssignment('a=[1, 2]', '--set').value).toEqual([1, 2]);
    expect(parseAssignment('a={id: kl}', '--set').value).toEqual({ id: 'kl' });
    expect(parseAssignment('a=x=y', '--set').value).toBe('x=y');
  });

  it('rejects malformed assignments and paths', () => {
    expect(() => parseAssignment('model.rank', '--set')).toThrow(/bad --set argument \(expected path=value/);
    expect(() => parsePath('a..b')).toThrow(NmflabError);
    expect(parsePath('metrics[1].params.x')).toEqual(['metrics', 1, 'params', 'x']);
  });

  it('sets nested values, turning an id shorthand into { id } on the way', () => {
    const c: Record<string, unknown> = { model: { solver: 'test-mu', rank: 3 } };
    const o = applyOverrides(c, ['model.rank=5', 'model.solver.params.eps=0.5', 'outputs.wavs=false']);
    expect(o).toEqual({
      model: { solver: { id: 'test-mu', params: { eps: 0.5 } }, rank: 5 },
      outputs: { wavs: false },
    });
    expect(c).toEqual({ model: { solver: 'test-mu', rank: 3 } }); // the input is not modified
    expect(() => setPath({ a: 1 }, 'a.b', 2)).toThrow(/cannot set a value inside a scalar/);
  });

  it('overrides apply after composition and are validated like the file', async () => {
    const p = await prepareExperiment(`${good}/child.yaml`, { sets: ['model.rank=3', 'seed=11'] }, (f) =>
      buildRegistry(f),
    );
    expect(p.runs[0].config.model.rank).toBe(3);
    expect(p.runs[0].config.seed).toBe(11);
    const err = await prepareExperiment(`${good}/child.yaml`, { sets: ['model.rank=0'] }, (f) =>
      buildRegistry(f),
    ).catch((e) => e);
    expect((err as NmflabError).format()).toBe(
      `${rel(`${good}/child.yaml`)}: model.rank: out of range (expected a number ≥ 1, found 0)`,
    );
  });

  it('YAML syntax errors name the line and column', () => {
    expect(() => parseYaml('a: 1\nb: [2\n', 'x.yaml')).toThrow(/^x\.yaml: line \d+, column \d+: YAML syntax error/);
  });
});

describe('overrideWarnings: a --set that replaces a plugin says what it drops', () => {
  const base = { model: { solver: { id: 'mu', params: { divergence: 'kl', initializer: 'random' } }, rank: 4 } };
  it('replacing the plugin drops its params; setting a param or the same id does not warn', () => {
    expect(overrideWarnings(base, ['model.solver=plsa'])).toEqual([
      '--set model.solver=plsa replaces mu and drops its params divergence, initializer (set them again with --set model.solver.params.NAME=…)',
    ]);
    expect(overrideWarnings(base, ['model.solver={id: plsa, params: {divergence: kl}}'])[0]).toMatch(
      /drops its params initializer \(/,
    );
    expect(overrideWarnings(base, ['model.solver.params.divergence=is', 'model.rank=8', 'model.solver=mu'])).toEqual(
      [],
    );
  });
  it('changing only the id keeps the old params for the new plugin', () => {
    expect(overrideWarnings(base, ['model.solver.id=plsa'])).toEqual([
      '--set model.solver.id=plsa keeps the params of mu (divergence, initializer) for plsa',
    ]);
  });
});

describe('a --set model.rank the task does not read is reported', () => {
  it('transcribe with rankFrom notes: the run records model.rank as unused and the experiment warns', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runExperiment } = await import('@nmflab/core');
    const out = mkdtempSync(join(tmpdir(), 'nmflab-unused-'));
    try {
      const sets = ['model.rank=12', 'model.stopping.maxIterations=3', 'transform.hop=1024', 'model.solver=plsa'];
      const r = await runExperiment({
        configFile: 'experiments/transcription-corpus.yaml',
        sets,
        sweeps: ['seeds=1', 'data.params.item=[0]'],
        outDir: out,
        createRunEnv: async (f) => ({ registry: await buildRegistry(f) }),
      });
      expect(r.completed).toBe(1);
      expect(r.records[0].unused).toEqual(['model.rank']);
      expect(r.warnings.some((w) => /^model\.rank was not used by the task in 1 of 1/.test(w))).toBe(true);
      expect(r.warnings.some((w) => /replaces mu and drops its params divergence, initializer/.test(w))).toBe(true);
      // a task that reads the rank records nothing
      const r2 = await runExperiment({
        configFile: 'experiments/transcription-corpus.yaml',
        sets: [...sets, 'task.params.rankFrom=model'],
        sweeps: ['seeds=1', 'data.params.item=[0]'],
        outDir: out,
        createRunEnv: async (f) => ({ registry: await buildRegistry(f) }),
      });
      expect(r2.records[0].unused).toBeUndefined();
      expect(r2.warnings.filter((w) => w.startsWith('model.rank'))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

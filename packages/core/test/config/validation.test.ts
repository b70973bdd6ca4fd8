import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import {
  NmflabError,
  NmflabErrors,
  Registry,
  createContainer,
  loadPluginModule,
  pluginModule,
  prepareExperiment,
} from '@nmflab/core';
import { taskPlugins } from '@nmflab/tasks';

/**
 * A fixed registry (two core plugins + the test plugins), so the expected messages, which list
 * the registered ids, do not change when other packages add plugins.
 */
const fixed = pluginModule(taskPlugins.filter((p) => ['synthetic-lowrank', 'factorize'].includes(p.meta.id)));
const buildRegistry = async (files: string[]) =>
  Registry.fromContainer(createContainer([fixed, ...(await Promise.all(files.map((f) => loadPluginModule(f))))]));

const configs = fileURLToPath(new URL('../fixtures/configs', import.meta.url));
const bad = `${configs}/bad`;
const expected = JSON.parse(readFileSync(`${bad}/expected.json`, 'utf8')) as Record<string, string>;
const rel = (p: string) => relative(process.cwd(), p);

describe('config validation: the corpus of broken configs', () => {
  const files = readdirSync(bad)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 30 broken configs, each with its expected message', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  for (const f of files) {
    it(f, async () => {
      const err = await prepareExperiment(`${bad}/${f}`, {}, (p) => buildRegistry(p)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NmflabError);
      const want = expected[f].replaceAll('{file}', rel(`${bad}/${f}`)).replaceAll('{dir}', rel(configs));
      expect((err as NmflabError).format()).toBe(want);
      // Never a machine path, never a stack trace.
      expect((err as NmflabError).format()).not.toContain(process.cwd());
      expect((err as NmflabError).exitCode).toBe(2);
    });
  }

  it('reports many errors at once, one line each', async () => {
    const err = (await prepareExperiment(`${bad}/40-many-errors.yaml`, {}, (p) => buildRegistry(p)).catch(
      (e) => e,
    )) as NmflabErrors;
    expect(err).toBeInstanceOf(NmflabErrors);
    expect(err.errors.length).toBe(5);
    for (const e of err.errors) expect(e.file).toBe(rel(`${bad}/40-many-errors.yaml`));
  });
});

describe('config validation: good configs', () => {
  it('fills every default and resolves plugin references to { id, params }', async () => {
    const p = await prepareExperiment(`${configs}/good/base.yaml`, {}, (f) => buildRegistry(f));
    expect(p.runs).toHaveLength(1);
    const c = p.runs[0].config;
    expect(c.model.stopping).toEqual({ maxIterations: 20, tol: 0, window: 10, factorTol: 0 });
    expect(c.model.solver).toEqual({ id: 'test-mu', params: { eps: 1e-12, failAt: 0, delayMs: 0, mode: 'fast' } });
    expect(c.task).toEqual({ id: 'factorize', params: {} });
    expect(c.data.params).toEqual({ rows: 12, cols: 15, rank: 3, noise: 0, floor: 0 });
    expect(c.outputs).toEqual({ factors: true, wavs: true, trajectory: true });
    expect(c.plugins).toEqual([rel(fileURLToPath(new URL('../fixtures/plugins/test-solver.mjs', import.meta.url)))]);
  });
});

describe('config validation: a task that fits no model', () => {
  it('needs no model block (meta.needsModel: false), and the resolved config has none', async () => {
    const p = await prepareExperiment(`${configs}/good/no-model.yaml`, {}, (f) => buildRegistry(f));
    const c = p.runs[0].config;
    expect(c.model).toBeUndefined();
    expect('model' in c).toBe(false);
    expect(c.task).toEqual({ id: 'test-no-model', params: { fit: false } });
  });
  it('still validates a model block when one is given', async () => {
    const err = await prepareExperiment(`${configs}/good/no-model.yaml`, { sets: ['model.rank=2'] }, (f) =>
      buildRegistry(f),
    ).catch((e: unknown) => e);
    expect((err as NmflabError).format()).toBe(
      `${rel(`${configs}/good/no-model.yaml`)}: model.solver: missing required key (expected a solver plugin (id or { id, params }))`,
    );
  });
});

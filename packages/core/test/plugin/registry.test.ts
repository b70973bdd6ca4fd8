import { describe, expect, it } from 'vitest';
import {
  type NmflabError,
  NmflabErrors,
  Registry,
  createContainer,
  definePlugin,
  pluginModule,
  type Divergence,
} from '@nmflab/core';

const fake = definePlugin<'divergence', { beta: number; mode: string }>({
  meta: {
    kind: 'divergence',
    id: 'fake-beta',
    description: 'test double',
    params: {
      beta: { type: 'number', default: 1, minimum: -5, maximum: 5, description: 'β' },
      mode: { enum: ['mm', 'heuristic'], default: 'mm', description: 'mode' },
    },
  },
  create: (p) =>
    ({
      id: 'fake-beta',
      beta: p.beta,
      needsPositiveData: false,
      point: () => 0,
      derivative: () => 0,
      weight: () => 1,
      value: () => 0,
    }) as Divergence,
});

const nested = definePlugin<'solver'>({
  meta: {
    kind: 'solver',
    id: 'fake-solver',
    description: 'test double with a nested plugin',
    params: {
      divergence: { plugin: 'divergence', default: 'fake-beta', description: 'the divergence' },
      rank: { type: 'integer', minimum: 1, required: true, description: 'K' },
    },
  },
  create: (p, ctx) => {
    const d = ctx.registry.instantiate('divergence', p.divergence as never);
    return {
      id: 'fake-solver',
      monotone: true,
      init: () => d,
      step: () => {},
      objective: () => ({ total: 0, terms: {} }),
      result: () => ({}),
    } as never;
  },
});

const registry = Registry.fromContainer(createContainer([pluginModule([fake, nested])]));

describe('Registry', () => {
  it('collects plugins from the container by kind', () => {
    expect(registry.ids('divergence')).toEqual(['fake-beta']);
    expect(registry.list().map((m) => m.id)).toEqual(['fake-beta', 'fake-solver']);
  });

  it('fills defaults and creates', () => {
    const d = registry.create('divergence', { id: 'fake-beta', params: {} });
    expect(d.beta).toBe(1);
    expect(registry.create('divergence', 'fake-beta').beta).toBe(1);
  });

  it('names the YAML path, what was expected and what was found', () => {
    try {
      registry.create(
        'divergence',
        { id: 'fake-beta', params: { beta: 'abc' } },
        { file: 'exp.yaml', path: 'model.divergence' },
      );
      expect.unreachable();
    } catch (e) {
      expect((e as NmflabError).format()).toBe(
        'exp.yaml: model.divergence.params.beta: wrong type (expected a number, found "abc")',
      );
    }
  });

  it('reports every error at once, including nested plugins', () => {
    const { errors } = registry.validate(
      'solver',
      { id: 'fake-solver', params: { divergence: { id: 'fake-beta', params: { beta: 9, mod: 'mm' } } } },
      { path: 'model.solver' },
    );
    const lines = errors.map((e) => e.format());
    expect(lines).toContain('model.solver.params.rank: missing required parameter (expected a value, found nothing)');
    expect(lines).toContain(
      'model.solver.params.divergence.params.beta: out of range (expected a number ≤ 5, found 9)',
    );
    expect(lines).toContain(
      "model.solver.params.divergence.params.mod: unknown parameter (expected one of beta, mode); did you mean 'mode'?",
    );
    expect(() => registry.create('solver', { id: 'fake-solver', params: { rank: 0, divergence: 'x' } })).toThrow(
      NmflabErrors,
    );
  });

  it('suggests the closest id for an unknown plugin', () => {
    expect(() => registry.create('divergence', 'fake-bta', { path: 'model.divergence' })).toThrow(
      "model.divergence: unknown divergence 'fake-bta' (expected one of fake-beta); did you mean 'fake-beta'?",
    );
  });

  it('rejects enum values with the allowed list', () => {
    const { errors } = registry.validate('divergence', { id: 'fake-beta', params: { mode: 'mmm' } });
    expect(errors[0].format()).toBe(
      'params.mode: not an allowed value (expected one of mm, heuristic, found "mmm"); did you mean \'mm\'?',
    );
  });

  it('refuses duplicate ids and ids that are not kebab-case', () => {
    expect(() => new Registry([fake, fake])).toThrow(/two divergence plugins/);
    expect(() => new Registry([{ ...fake, meta: { ...fake.meta, id: 'BadId' } }])).toThrow(/kebab-case/);
  });
});

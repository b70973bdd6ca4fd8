import { describe, expect, it } from 'vitest';
import { ContainerModule } from 'inversify';
import {
  Matrix,
  Registry,
  Rng,
  ServiceTokens,
  createContainer,
  definePlugin,
  fit,
  selectKernels,
  type Clock,
  type KernelBackend,
  type LogSink,
  type MuKernels,
  type Solver,
} from '@nmflab/core';
import { builtinModules } from 'nmflab';

/** A clock that advances one second per reading: trajectory seconds become 0, 1, 2, … */
function stepClock(): Clock {
  let t = 0;
  return { now: () => (t += 1000) };
}

describe('container services', () => {
  it('binds the registry and default services; every create receives them', () => {
    const seen: unknown[] = [];
    const probe = definePlugin({
      meta: { kind: 'metric', id: 'probe', description: 'records the services it was created with', params: {} },
      create: (_p, ctx) => {
        seen.push(ctx.services);
        return { id: 'probe', compute: () => ({}) };
      },
    });
    const c = createContainer([
      ...builtinModules,
      new ContainerModule(({ bind }) => void bind(Symbol.for('nmflab.plugin.metric')).toConstantValue(probe)),
    ]);
    const registry = Registry.fromContainer(c);
    expect(c.get(ServiceTokens.registry)).toBe(registry);
    registry.create('metric', 'probe');
    expect(seen).toEqual([registry.services]);
    expect(typeof registry.services.clock.now()).toBe('number');
  });

  it('a user module rebinds the clock and the log sink; the fit loop and plugins use them', () => {
    const warnings: string[] = [];
    const log: LogSink = { warn: (m) => void warnings.push(m), info: () => {} };
    const user = new ContainerModule(({ rebind }) => {
      rebind<Clock>(ServiceTokens.clock).toConstantValue(stepClock());
      rebind<LogSink>(ServiceTokens.log).toConstantValue(log);
    });
    const registry = Registry.fromContainer(createContainer([...builtinModules, user]));
    expect(registry.services.log).toBe(log);
    const solver = registry.create('solver', {
      id: 'mu',
      params: { divergence: 'euclidean', initializer: 'random' },
    }) as Solver;
    const V = Matrix.fromRows([
      [1, 2, 3, 4, 5],
      [2, 1, 0.5, 3, 1],
      [1, 1, 2, 2, 3],
      [4, 3, 2, 1, 1],
      [0.5, 2, 2, 1, 3],
      [3, 1, 4, 1, 5],
    ]);
    const res = fit(solver, { V, rank: 2 }, new Rng(1), {
      stopping: { maxIterations: 3 },
      clock: registry.services.clock,
    });
    // One reading at the start, one per recorded row: 1 s apart.
    expect(res.trajectory.map((r) => r.seconds)).toEqual([1, 2, 3, 4]);
    registry.services.log.warn('checked');
    expect(warnings).toEqual(['checked']);
  });

  it('a user module binds the kernel backend; mu computes through it, with the results of that backend', () => {
    const base = selectKernels('js');
    const calls = new Map<string, number>();
    // Count every kernel call of the wrapped backend (a stand-in for a new backend, e.g. WebGPU).
    const mu = new Proxy(base.mu, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as MuKernels;
    const counting: KernelBackend = { name: 'js', mu };
    const user = new ContainerModule(
      ({ bind }) => void bind<KernelBackend>(ServiceTokens.kernels).toConstantValue(counting),
    );
    const withUser = Registry.fromContainer(createContainer([...builtinModules, user]));
    const plain = Registry.fromContainer(createContainer([...builtinModules]));
    expect(withUser.services.kernels).toBe(counting);
    const V = Matrix.fromRows([
      [1, 2, 3, 4, 5],
      [2, 1, 0.5, 3, 1],
      [1, 1, 2, 2, 3],
      [4, 3, 2, 1, 1],
      [0.5, 2, 2, 1, 3],
      [3, 1, 4, 1, 5],
    ]);
    const spec = { id: 'mu', params: { divergence: 'kl', initializer: 'random' } };
    const run = (r: Registry, kernels?: KernelBackend) => {
      const solver = (
        kernels ? r.create('solver', { id: 'mu', params: { ...spec.params } }) : r.create('solver', spec)
      ) as Solver;
      return fit(solver, { V, rank: 2 }, new Rng(3), { stopping: { maxIterations: 5 } });
    };
    const a = run(withUser, counting);
    expect([...calls.values()].reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    // The same backend built the default way gives the same bits.
    const viaJs = Registry.fromContainer(
      createContainer([
        ...builtinModules,
        new ContainerModule(({ bind }) => void bind<KernelBackend>(ServiceTokens.kernels).toConstantValue(base)),
      ]),
    );
    const b = run(viaJs, base);
    expect(Array.from(a.result.W.data)).toEqual(Array.from(b.result.W.data));
    expect(a.trajectory.map((r) => r.objective)).toEqual(b.trajectory.map((r) => r.objective));
    expect(plain.services.kernels).toBeUndefined();
  });
});

import { expect } from 'vitest';
import { Matrix, Rng, type AnyPlugin, type Initializer, type Registry } from '@nmflab/core';
import type { KindChecks } from './index.js';

/** A small strictly positive V (8×6); rank 3. */
function sample(): Matrix {
  const V = new Matrix(8, 6);
  new Rng(42).fillUniform(V.data, 0.1, 2);
  return V;
}

/** Build with defaults; initializers with required parameters get matching sample values. */
function build(plugin: AnyPlugin, registry: Registry): Initializer {
  const params: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(plugin.meta.params)) {
    if (!s.required) continue;
    if (name === 'W0') params[name] = Array.from({ length: 8 }, (_, i) => [1 + i, 0.5, 0.25]);
    else if (name === 'H0')
      params[name] = Array.from({ length: 3 }, (_, k) => Array.from({ length: 6 }, (_, j) => 0.1 * (k + j + 1)));
    else
      throw new Error(
        `conformance has no sample value for required parameter ${name} of initializer ${plugin.meta.id}`,
      );
  }
  return registry.create('initializer', { id: plugin.meta.id, params });
}

/** Every initializer: F×K and K×N shapes, finite non-negative entries, same seed → same factors. */
export const initializerChecks: KindChecks = (plugin, registry) => [
  {
    name: 'gives F×K and K×N finite non-negative factors, identical for the same seed',
    run: () => {
      const init = build(plugin, registry);
      const V = sample();
      const a = init.init(V, 3, new Rng(5));
      const b = init.init(V, 3, new Rng(5));
      expect([a.W.rows, a.W.cols, a.H.rows, a.H.cols]).toEqual([8, 3, 3, 6]);
      for (const x of [...a.W.data, ...a.H.data]) expect(Number.isFinite(x) && x >= 0).toBe(true);
      expect(Array.from(b.W.data)).toEqual(Array.from(a.W.data));
      expect(Array.from(b.H.data)).toEqual(Array.from(a.H.data));
    },
  },
];

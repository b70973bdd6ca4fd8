// Divergence evaluation speed: Σ d(V|Λ) over an F×N matrix (F=513, N=400) by the plugins, as a
// ratio against the plain closed-form loop measured in the same run (which cancels near V ≈ Λ and
// so is the fast-but-inexact reference), plus the Bregman generator evaluated by mathjs per entry
// (what compiling φ once to JavaScript avoids). Each sum is checked against the reference first.
import { Registry, Rng } from '@nmflab/core';
import { divergencePlugins } from '@nmflab/divergences';
import { createRequire } from 'node:module';
import { table, timeMs } from './util.mjs';

export const title = 'Divergences: Σ d(V|Λ), plugins vs closed-form loop (ns per entry)';

const raw = {
  2: (x, y) => 0.5 * (x - y) * (x - y),
  1: (x, y) => x * Math.log(x / y) - x + y,
  0: (x, y) => x / y - Math.log(x / y) - 1,
  0.5: (x, y) => (x ** 0.5 + (0.5 - 1) * y ** 0.5 - 0.5 * x * y ** -0.5) / (0.5 * -0.5),
  3: (x, y) => (x ** 3 + 2 * y ** 3 - 3 * x * y ** 2) / 6,
};
const phis = { 2: 'y^2/2', 1: 'y*log(y) - y', 0: '-log(y)', 0.5: 'y^0.5/(0.5*(0.5-1))', 3: 'y^3/6' };

export default async function () {
  const registry = new Registry(divergencePlugins);
  const rng = new Rng(5);
  const F = 513,
    N = 400,
    n = F * N;
  const V = new Float64Array(n),
    L = new Float64Array(n);
  rng.fillUniform(V);
  rng.fillUniform(L);
  // Half the entries near convergence (Λ within 5% of V), half far.
  for (let i = 0; i < n; i++) {
    V[i] = 0.05 + 2 * V[i];
    L[i] = i % 2 ? V[i] * (0.95 + 0.1 * L[i]) : 0.05 + 2 * L[i];
  }
  // mathjs is a dependency of @nmflab/divergences, resolved from there.
  const math = createRequire(new URL('../packages/divergences/package.json', import.meta.url))('mathjs');
  const rows = [];
  for (const beta of [2, 1, 0, 0.5, 3]) {
    const f = raw[beta];
    const rawSum = () => {
      let s = 0;
      for (let i = 0; i < n; i++) s += f(V[i], L[i]);
      return s;
    };
    const b = registry.create('divergence', { id: 'beta', params: { beta } });
    const g = registry.create('divergence', { id: 'bregman', params: { phi: phis[beta] } });
    const ref = rawSum();
    for (const [name, d] of [
      ['beta', b],
      ['bregman', g],
    ]) {
      const err = Math.abs(d.value(V, L) - ref) / ref;
      if (err > 1e-9) throw new Error(`β=${beta} ${name}: sum differs from the closed form by ${err}`);
    }
    // mathjs-evaluated Bregman on a 1/50 sample (it is slow), per-entry time scaled.
    const node = math.parse(phis[beta]);
    const c0 = node.compile(),
      c1 = math.derivative(node, 'y').compile();
    const m = Math.floor(n / 50);
    const interp = () => {
      let s = 0;
      for (let i = 0; i < m; i++) {
        const x = V[i],
          y = L[i];
        s += c0.evaluate({ y: x }) - c0.evaluate({ y }) - c1.evaluate({ y }) * (x - y);
      }
      return s;
    };
    const tr = timeMs(rawSum, { reps: 5 });
    const tb = timeMs(() => b.value(V, L), { reps: 5 });
    const tg = timeMs(() => g.value(V, L), { reps: 5 });
    const ti = (timeMs(interp, { reps: 3 }) * n) / m;
    const ns = (t) => ((t * 1e6) / n).toFixed(1);
    rows.push({
      β: beta,
      'closed form': ns(tr),
      beta: ns(tb),
      'beta ratio': `${(tb / tr).toFixed(2)}×`,
      'bregman (compiled)': ns(tg),
      'bregman ratio': `${(tg / tr).toFixed(2)}×`,
      'mathjs evaluate': ns(ti),
      'mathjs ratio': `${(ti / tr).toFixed(0)}×`,
    });
  }
  table(rows);
}

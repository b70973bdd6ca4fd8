// A divergence plugin written in code and used by NMF: the β-divergence at β = 3/2 by hand,
// d(x|y) = (x^β + (β−1)y^β − βxy^{β−1}) / (β(β−1)). It declares no `beta`, so the mu solver
// takes its generic path through the weight φ″(y) = y^{β−2}; the MM exponent is 1 on [1, 2].
// The fit matches the built-in beta divergence at β = 1.5 (its fast path) to rounding.
//
//   node examples/custom-divergence.mjs [--quick]
import { Matrix, NMF, Rng, createRegistry, definePlugin } from 'nmflab';

const B = 1.5;
const myDivergence = definePlugin({
  meta: { kind: 'divergence', id: 'my-beta', description: 'β-divergence at β = 3/2, written by hand', params: {} },
  create: () => ({
    id: 'my-beta',
    needsPositiveData: false,
    mmExponent: 1,
    point: (x, y) => (x ** B + (B - 1) * y ** B - B * x * y ** (B - 1)) / (B * (B - 1)),
    derivative: (x, y) => y ** (B - 2) * (y - x),
    weight: (y) => y ** (B - 2),
    value(V, L, M) {
      let s = 0;
      for (let i = 0; i < V.length; i++) s += (M ? M[i] : 1) * this.point(V[i], L[i]);
      return s;
    },
  }),
});

const registry = createRegistry([myDivergence]);
const rng = new Rng(7);
const V = new Matrix(40, process.argv.includes('--quick') ? 60 : 300);
rng.fillUniform(V.data, 0.05, 1);
const iterations = process.argv.includes('--quick') ? 30 : 200;
const mine = new NMF({ rank: 4, divergence: 'my-beta', maxIterations: iterations, seed: 3, registry }).fit(V);
const builtin = new NMF({ rank: 4, beta: B, maxIterations: iterations, seed: 3 }).fit(V);
const diff = Math.max(
  ...mine.components.data.map(
    (w, i) => Math.abs(w - builtin.components.data[i]) / Math.max(Math.abs(builtin.components.data[i]), 1e-12),
  ),
);
console.log(`my-beta objective ${mine.objective.toPrecision(12)}, built-in beta ${builtin.objective.toPrecision(12)}`);
console.log(`largest relative difference of W: ${diff.toExponential(2)}`);
// The objective of an MM algorithm never rises: check it on the plugin's fit.
const rises = mine.trajectory.filter(
  (r, i) => i > 0 && r.objective > mine.trajectory[i - 1].objective * (1 + 1e-12),
).length;
console.log(`iterations where the objective rose: ${rises}`);

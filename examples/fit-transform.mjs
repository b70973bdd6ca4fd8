// NMF as scikit-learn users know it, in nmflab's notation: V (F×N) ≈ W (F×K) H (K×N).
// scikit-learn's X is Vᵀ: its components_ is Wᵀ and its fit_transform(X) is Hᵀ.
//
//   node examples/fit-transform.mjs [--quick]
import { Matrix, NMF, Rng } from 'nmflab';

const quick = process.argv.includes('--quick');
const F = 64,
  N = quick ? 60 : 400,
  K = 5;

// Data made of K non-negative parts (the truth is known, so the fit can be checked).
const rng = new Rng(42);
const Wtrue = new Matrix(F, K),
  Htrue = new Matrix(K, 2 * N);
rng.fillUniform(Wtrue.data);
rng.fillUniform(Htrue.data);
const model = (H) => {
  const V = new Matrix(F, H.cols);
  for (let f = 0; f < F; f++)
    for (let n = 0; n < H.cols; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Wtrue.get(f, k) * H.get(k, n);
      V.set(f, n, s);
    }
  return V;
};
const all = model(Htrue);
// Columns are samples: the first N train, the rest are new data.
const V = new Matrix(F, N),
  Vnew = new Matrix(F, N);
for (let f = 0; f < F; f++) {
  V.data.set(all.row(f).subarray(0, N), f * N);
  Vnew.data.set(all.row(f).subarray(N), f * N);
}

const nmf = new NMF({ rank: K, beta: 2, init: 'nndsvda', maxIterations: quick ? 100 : 500, tol: 1e-7, seed: 0 });
const H = nmf.fitTransform(V);
console.log(`fit: ${nmf.nIterations} iterations (${nmf.stopReason}), objective ${nmf.objective.toExponential(3)}`);
console.log(`W is ${nmf.components.rows}×${nmf.components.cols}, H is ${H.rows}×${H.cols}`);

// New data with the dictionary W fixed: only H is fitted.
const Hnew = nmf.transform(Vnew);
const rel = (A, B) =>
  Math.sqrt(A.data.reduce((s, x, i) => s + (x - B.data[i]) ** 2, 0) / B.data.reduce((s, x) => s + x * x, 0));
console.log(
  `relative error on the training data ${rel(nmf.inverseTransform(H), V).toExponential(2)}, on new data ${rel(nmf.inverseTransform(Hnew), Vnew).toExponential(2)}`,
);

// The same model as a YAML config (nmflab run gives the same W and H with this model block).
console.log('model block:', JSON.stringify(nmf.toConfig().model));

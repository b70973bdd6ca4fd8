// Fit, transform new data, save, load and get the same H again (V is F×N, W F×K, H K×N).
import { Matrix, NMF, Rng } from 'nmflab';
const rng = new Rng(0),
  V = new Matrix(30, 50),
  Vnew = new Matrix(30, 20);
rng.fillUniform(V.data);
rng.fillUniform(Vnew.data);
const model = new NMF({ rank: 4, beta: 1, maxIterations: 100, seed: 0 }).fit(V);
const H = model.transform(Vnew);
model.save(process.argv[2] ?? 'quickstart-model');
const again = NMF.load(process.argv[2] ?? 'quickstart-model').transform(Vnew);
console.log(
  'same H:',
  H.data.every((x, i) => Object.is(x, again.data[i])),
);

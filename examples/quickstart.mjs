// Fit, transform new data, save, load and get the same H again (V is F×N, W F×K, H K×N).
import { Matrix, NMF, Rng } from 'nmflab';
const [rng, V, Vnew] = [new Rng(0), new Matrix(30, 50), new Matrix(30, 20)];
for (const M of [V, Vnew]) rng.fillUniform(M.data);
const model = new NMF({ rank: 4, beta: 1, maxIterations: 100, seed: 0 }).fit(V);
const H = model.transform(Vnew);
model.save(process.argv[2] ?? 'quickstart-model');
const again = NMF.load(process.argv[2] ?? 'quickstart-model').transform(Vnew);
const same = H.data.every((x, i) => Object.is(x, again.data[i]));
console.log('same H:', same);

// Supervised NMF separation of the committed speech + chime mixture (Smaragdis et al. 2007):
// a KL-NMF dictionary per source learned on its training recording, frozen, activations fitted
// on the mixture, Wiener masks, and BSS Eval against the true sources. An example on one file
// (experiments/separation-supervised.yaml is the same as a YAML run).
//
//   node examples/supervised-separation.mjs [--quick]   (from the repository root)
import { bssEval, loadSource, separate } from 'nmflab';

const quick = process.argv.includes('--quick');
const data = await loadSource({ id: 'mixture-file', params: { path: 'data/mixtures/speech-chime-test.json' } });
const mixture = data.signal.samples;
const result = separate(mixture, {
  sources: data.extra.train, // { speech: Float64Array, chime: Float64Array }
  rank: quick ? 8 : 20,
  sampleRate: data.signal.sampleRate,
  stft: { frameLength: 1024, hop: 256 },
  model: { divergence: 'kl', maxIterations: quick ? 20 : 200, tol: 1e-5, seed: 1 },
});
const references = data.sources.map((s) => s.samples);
const scores = bssEval(
  references,
  result.estimates.map((e) => e.samples),
);
const floor = bssEval(
  references,
  references.map(() => mixture),
);
data.sources.forEach((s, j) => {
  console.log(
    `${s.name}: SDR ${scores.sdr[j].toFixed(2)} dB (mixture ${floor.sdr[j].toFixed(2)} dB), SIR ${scores.sir[j].toFixed(2)} dB, SAR ${scores.sar[j].toFixed(2)} dB`,
  );
});

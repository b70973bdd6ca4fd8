import { Matrix, NmflabError, definePlugin, matmul, type MetricValue, type TaskContext } from '@nmflab/core';
import {
  basisGridPng,
  bestMatches,
  column,
  kurtosis,
  mutualAngles,
  spatialSpread,
  pca,
  round,
  row,
  sparseness,
} from '../evaluation/analysis.js';
import { hoyerSparseness, pearson } from '../evaluation/measures.js';

interface Params {
  imageShape: number[];
  center: boolean;
  recoveryThreshold: number;
}

/**
 * NMF versus PCA on the same data (Lee & Seung 1999; Ellis & Arroyo 2004; the geometry of
 * Frobenius NMF). The configured model is fitted to V (a data matrix whose columns are samples,
 * e.g. images, or the mixture's magnitude spectrogram); PCA takes the top-K principal directions
 * of V's columns (centred unless `center: false`). Both bases are then measured the same way:
 *
 * - parts: with known parts (the source's `extra.parts`, D×P, e.g. swimmer limbs) or, for audio,
 *   the stems' mean magnitude spectra, each part's best |correlation| with any basis column,
 *   how many parts exceed `recoveryThreshold`, and how many distinct columns were picked (fewer
 *   than parts = mixed); for audio also the correlation of the matched activation row with the
 *   stem's frame-energy envelope Σ_f |S_i(f, n)|;
 *   For a data matrix, the same correlations over the rows that vary across V's columns only
 *   (`*Varying`: pixels on in every image, like the swimmer's torso, belong to no part);
 * - sparseness: mean Hoyer sparseness of basis columns and of coefficient rows (of |x| for PCA);
 * - sparsity of the codes: excess kurtosis of all coefficients (Olshausen & Field); for image
 *   bases, the mean spatial spread (rms distance of a basis's energy from its centroid, pixels);
 * - geometry: mean |cos| and mean/min angle between basis columns (PCA's are orthogonal by
 *   construction; the reference is the mean |cos| between K random data columns);
 * - relative reconstruction error ‖V − V̂‖/‖V‖ (PCA with its mean: the best rank-K affine fit).
 * With `imageShape: [h, w]` both bases are saved as PNG grids (`nmf-W.png`, `pca-W.png`).
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'compare-pca',
    description: 'Fit the model and PCA to V; compare parts recovery, sparseness, basis angles; bases as PNG',
    params: {
      imageShape: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        default: [],
        description:
          "[h, w] when V's columns are h×w images (row-major): bases saved as PNG grids; empty: the source's extra.imageShape if any",
      },
      center: {
        type: 'boolean',
        default: true,
        description: 'centre the columns before PCA (eigenfaces); false: uncentred SVD basis',
      },
      recoveryThreshold: {
        type: 'number',
        default: 0.9,
        minimum: 0,
        maximum: 1,
        description: 'a part counts as recovered when its best basis correlation exceeds this',
      },
    },
  },
  create: (p, pctx) => ({
    id: 'compare-pca',
    run(ctx: TaskContext) {
      const { V, parts, envelopes } = dataOf(ctx);
      const K = ctx.rank;
      const fit = ctx.fit({ problem: { V, rank: K }, label: 'nmf' });
      const { W, H } = fit.result;
      const P = pca(V, K, p.center);
      const metrics: Record<string, MetricValue> = {};
      const shape = p.imageShape.length ? p.imageShape : (ctx.data.extra?.imageShape as number[] | undefined);
      const relErr = (approx: Matrix, mean?: Float64Array) => {
        let e = 0,
          t = 0;
        for (let f = 0; f < V.rows; f++)
          for (let n = 0; n < V.cols; n++) {
            const v = V.data[f * V.cols + n];
            const d = v - approx.data[f * V.cols + n] - (mean ? mean[f] : 0);
            e += d * d;
            t += v * v;
          }
        return Math.sqrt(e / t);
      };
      metrics['nmf.relError'] = round(relErr(matmul(W, H)));
      metrics['pca.relError'] = round(relErr(matmul(P.components, P.scores), P.mean));
      // rows (pixels) that vary across the data set: the swimmer's torso is in every image and so
      // belongs to no part; correlations over these rows only are reported as *Varying
      const varying = parts && !envelopes ? varyingRows(V) : undefined;
      for (const [name, B, C] of [
        ['nmf', W, H],
        ['pca', P.components, P.scores],
      ] as const) {
        const s = sparseness(B, C);
        metrics[`${name}.hoyerW`] = round(s.W);
        metrics[`${name}.hoyerH`] = round(s.H);
        metrics[`${name}.kurtosisH`] = round(kurtosis(C.data), 3);
        if (shape?.length === 2 && shape[0] * shape[1] === V.rows) {
          let sp = 0;
          for (let k = 0; k < B.cols; k++) sp += spatialSpread(column(B, k), shape[0], shape[1]);
          metrics[`${name}.spread`] = round(sp / B.cols, 3);
        }
        const a = mutualAngles(B);
        metrics[`${name}.meanAbsCos`] = round(a.meanAbsCos);
        metrics[`${name}.meanAngle`] = round(a.mean, 2);
        metrics[`${name}.minAngle`] = round(a.min, 2);
        if (parts) {
          const m = bestMatches(parts.matrix, B);
          metrics[`${name}.partCorr`] = m.corr.map((c) => round(c));
          metrics[`${name}.partCorrMin`] = round(Math.min(...m.corr));
          metrics[`${name}.partCorrMean`] = round(m.corr.reduce((x, y) => x + y, 0) / m.corr.length);
          metrics[`${name}.partsRecovered`] = m.corr.filter((c) => c > p.recoveryThreshold).length;
          metrics[`${name}.distinctMatches`] = new Set(m.index).size;
          if (varying) {
            const mv = bestMatches(keepRows(parts.matrix, varying), keepRows(B, varying));
            metrics[`${name}.partCorrVarying`] = mv.corr.map((c) => round(c));
            metrics[`${name}.partsRecoveredVarying`] = mv.corr.filter((c) => c > p.recoveryThreshold).length;
          }
          if (envelopes) {
            metrics[`${name}.envelopeCorr`] = m.index.map((k, i) =>
              round(Math.abs(pearson(row(C, k), column(envelopes, i)))),
            );
          }
        }
      }
      // reference geometry: K data columns chosen at random (non-negative data are far from orthogonal)
      const pick = ctx.rng.fork('angles').permutation(V.cols).slice(0, K);
      const sample = new Matrix(V.rows, K);
      pick.forEach((n, k) => {
        for (let f = 0; f < V.rows; f++) sample.data[f * K + k] = V.data[f * V.cols + n];
      });
      metrics['data.meanAbsCos'] = round(mutualAngles(sample).meanAbsCos);
      metrics['data.hoyerColumns'] = round(
        Array.from({ length: K }, (_, k) => hoyerSparseness(column(sample, k))).reduce((x, y) => x + y, 0) / K,
      );
      const files: Record<string, Uint8Array> = {};
      if (shape?.length) {
        if (shape.length !== 2 || shape[0] * shape[1] !== V.rows) {
          throw new NmflabError('image shape does not match the rows of V', {
            file: pctx.file,
            path: `${pctx.path}.imageShape`,
            expected: `[h, w] with h·w = ${V.rows}`,
            found: JSON.stringify(shape),
          });
        }
        files['nmf-W.png'] = basisGridPng(W, shape[0], shape[1]);
        files['pca-W.png'] = basisGridPng(P.components, shape[0], shape[1]);
        if (parts && !envelopes) files['parts.png'] = basisGridPng(parts.matrix, shape[0], shape[1]);
      }
      return {
        fit,
        metrics,
        files,
        matrices: { W, H, pcaW: P.components, pcaH: P.scores },
        extra: parts ? { parts: parts.names } : {},
      };
    },
  }),
});

/** V, the known parts (columns) and, for audio, the stems' activation envelopes (N×P). */
function dataOf(ctx: TaskContext): { V: Matrix; parts?: { matrix: Matrix; names: string[] }; envelopes?: Matrix } {
  const { data, transform } = ctx;
  if (data.matrix) {
    const given = data.extra?.parts;
    if (given !== undefined && !(given instanceof Matrix))
      throw new NmflabError('extra.parts of the source is not a matrix', {
        path: 'data',
        expected: 'a D×P matrix',
        found: typeof given,
      });
    const parts =
      given instanceof Matrix
        ? { matrix: given, names: Array.from({ length: given.cols }, (_, i) => `part${i}`) }
        : undefined;
    if (parts && parts.matrix.rows !== data.matrix.rows)
      throw new NmflabError('known parts and data differ in length', {
        path: 'data',
        expected: `${data.matrix.rows} rows`,
        found: `${parts.matrix.rows}`,
      });
    return { V: data.matrix, parts };
  }
  if (!data.signal || !transform)
    throw new NmflabError('the source gave no data to factorize', {
      path: 'data',
      expected: 'a matrix or an audio signal',
    });
  const V = transform.represent(transform.analyze(data.signal.samples));
  if (!data.sources?.length) return { V };
  const P = data.sources.length,
    F = V.rows,
    N = V.cols;
  const spectra = new Matrix(F, P),
    envelopes = new Matrix(N, P);
  data.sources.forEach((s, i) => {
    const S = transform.represent(transform.analyze(s.samples));
    for (let f = 0; f < F; f++)
      for (let n = 0; n < N; n++) {
        const x = S.data[f * N + n];
        spectra.data[f * P + i] += x / N;
        envelopes.data[n * P + i] += x;
      }
  });
  return { V, parts: { matrix: spectra, names: data.sources.map((s) => s.name) }, envelopes };
}

function varyingRows(V: Matrix): number[] {
  const out: number[] = [];
  for (let f = 0; f < V.rows; f++) {
    const r = V.data.subarray(f * V.cols, (f + 1) * V.cols);
    if (r.some((x) => x !== r[0])) out.push(f);
  }
  return out;
}

function keepRows(M: Matrix, rows: number[]): Matrix {
  const out = new Matrix(rows.length, M.cols);
  rows.forEach((f, i) => out.data.set(M.data.subarray(f * M.cols, (f + 1) * M.cols), i * M.cols));
  return out;
}

import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin, type SourceData } from '@nmflab/core';

export type NmiAverage = 'geometric' | 'arithmetic' | 'min' | 'max';

/**
 * Normalized mutual information between two labelings of the same n items (Strehl & Ghosh 2002,
 * the measure Banerjee et al. 2005 report):
 *   I(A;B) = Σ_ij (n_ij/n) log(n n_ij / (a_i b_j)),   H(A) = −Σ_i (a_i/n) log(a_i/n),
 *   NMI = I / √(H(A) H(B))        (average `geometric`, Strehl & Ghosh's definition),
 * or I divided by the arithmetic mean, min or max of the entropies (scikit-learn's
 * `normalized_mutual_info_score(..., average_method=…)`, whose default since 0.22 is arithmetic).
 * n_ij counts items with label i in A and j in B; a_i, b_j are the marginal counts. Labels are any
 * numbers (only equality matters), so NMI is invariant to renaming clusters. Conventions as
 * scikit-learn's: two single-cluster labelings give 1; I = 0 gives 0 (also when one entropy is 0).
 */
export function normalizedMutualInformation(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  average: NmiAverage = 'geometric',
): number {
  const n = a.length;
  if (b.length !== n)
    throw new NmflabError('labelings differ in length', {
      expected: 'two labelings of the same items',
      found: `${n} and ${b.length} labels`,
    });
  if (n === 0) return 1;
  const ia = indexLabels(a),
    ib = indexLabels(b);
  const ka = ia.count,
    kb = ib.count;
  if (ka === 1 && kb === 1) return 1;
  const joint = new Float64Array(ka * kb),
    ca = new Float64Array(ka),
    cb = new Float64Array(kb);
  for (let t = 0; t < n; t++) {
    const i = ia.index[t],
      j = ib.index[t];
    joint[i * kb + j]++;
    ca[i]++;
    cb[j]++;
  }
  let mi = 0;
  for (let i = 0; i < ka; i++) {
    for (let j = 0; j < kb; j++) {
      const nij = joint[i * kb + j];
      if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (ca[i] * cb[j]));
    }
  }
  const entropy = (c: Float64Array) => c.reduce((s, x) => (x > 0 ? s - (x / n) * Math.log(x / n) : s), 0);
  const ha = entropy(ca),
    hb = entropy(cb);
  // Rounding can leave I a few ulps away from 0 or from min(H) for independent or equal labelings.
  mi = Math.max(0, Math.min(mi, ha, hb));
  if (mi === 0) return 0;
  const norm =
    average === 'geometric'
      ? Math.sqrt(ha * hb)
      : average === 'arithmetic'
        ? (ha + hb) / 2
        : average === 'min'
          ? Math.min(ha, hb)
          : Math.max(ha, hb);
  return Math.min(1, mi / norm);
}

function indexLabels(x: ArrayLike<number>): { index: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const index = new Int32Array(x.length);
  for (let t = 0; t < x.length; t++) {
    let k = ids.get(x[t]);
    if (k === undefined) ids.set(x[t], (k = ids.size));
    index[t] = k;
  }
  return { index, count: ids.size };
}

function isLabelList(v: unknown): v is ArrayLike<number> {
  return (
    (Array.isArray(v) || ArrayBuffer.isView(v)) &&
    Array.from(v as ArrayLike<unknown>).every((x) => typeof x === 'number' && Number.isFinite(x))
  );
}

/**
 * NMI of a clustering against the truth: the predicted labels are the task's `extra.labels` (e.g.
 * `bregman-cluster`), the true ones the source's `extra.labels` (e.g. `exp-family-mixture`).
 */
export default definePlugin<'metric', { average: NmiAverage }>({
  meta: {
    kind: 'metric',
    id: 'nmi',
    description:
      'normalized mutual information of a clustering (task extra.labels) with the true labels (source extra.labels)',
    params: {
      average: {
        type: 'string',
        enum: ['geometric', 'arithmetic', 'min', 'max'],
        default: 'geometric',
        description:
          'normalizer of I(A;B): √(H_A H_B) (Strehl & Ghosh; Banerjee et al.), or the arithmetic mean (scikit-learn’s default), min or max of the entropies',
      },
    },
  },
  create: (params, ctx) => ({
    id: 'nmi',
    compute(input) {
      const predicted = input.labels;
      const truth = (input.data as SourceData | undefined)?.extra?.labels;
      const bad = (what: string, expected: string, found: unknown): never => {
        throw new NmflabError(`nmi needs ${what}`, {
          path: ctx.path,
          file: ctx.file,
          expected,
          found: describeValue(found),
        });
      };
      if (!isLabelList(predicted))
        return bad('the clustering', 'a task that returns extra.labels (e.g. bregman-cluster)', predicted);
      if (!isLabelList(truth))
        return bad('the true labels', 'a source that returns extra.labels (e.g. exp-family-mixture)', truth);
      if (predicted.length !== truth.length)
        return bad('one predicted label per item', `${truth.length} labels`, `${predicted.length}`);
      return { nmi: normalizedMutualInformation(truth, predicted, params.average) };
    },
  }),
});

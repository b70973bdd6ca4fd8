import { NmflabError } from '@nmflab/core';
import { BSS_MAX_PERMUTED_SOURCES, BSS_MAX_SOURCES } from './common.js';

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

export function isSilent(x: Float64Array, from = 0, to = x.length): boolean {
  // mir_eval: a source is silent when the sum of its samples is exactly 0… of all-zero samples;
  // it tests np.all(sum over channels == 0), i.e. every (mono) sample is zero.
  for (let t = from; t < to; t++) if (x[t] !== 0) return false;
  return true;
}

export interface BssInputWhere {
  /** Name of the metric or command, for messages. */
  what?: string;
  file?: string;
  path?: string;
}

/**
 * Shape and content checks shared by the BSS Eval functions (mir_eval `validate`), and the limits
 * where the cost explodes, checked before any work: at most 100 sources (mir_eval's), and with the
 * permutation search (n! candidates) at most 8.
 */
export function validateBssInput(
  references: Float64Array[],
  estimates: Float64Array[],
  where: BssInputWhere = {},
  permutation = false,
): void {
  const what = where.what ?? 'bss eval';
  const at = { file: where.file, path: where.path };
  if (references.length === 0)
    throw new NmflabError(`${what}: no reference signals`, {
      ...at,
      expected: 'at least one reference',
      found: 'none',
    });
  const n = Math.max(references.length, estimates.length);
  if (n > BSS_MAX_SOURCES) {
    throw new NmflabError(`${what}: too many sources`, {
      ...at,
      expected: `at most ${BSS_MAX_SOURCES} sources (as mir_eval)`,
      found: `${n}`,
    });
  }
  if (permutation && n > BSS_MAX_PERMUTED_SOURCES) {
    throw new NmflabError(`${what}: too many sources for the permutation search`, {
      ...at,
      expected: `at most ${BSS_MAX_PERMUTED_SOURCES} sources with permutation (${n}! = ${factorial(n).toExponential(2)} orderings to score), or permutation: false`,
      found: `${n}`,
    });
  }
  if (estimates.length !== references.length) {
    throw new NmflabError(`${what}: as many estimates as references are needed`, {
      ...at,
      expected: `${references.length} estimate(s)`,
      found: `${estimates.length}`,
    });
  }
  const len = references[0].length;
  const all = [
    ...references.map((r, i) => ['reference', i, r] as const),
    ...estimates.map((e, i) => ['estimate', i, e] as const),
  ];
  for (const [kind, i, x] of all) {
    if (x.length !== len) {
      throw new NmflabError(`${what}: ${kind} ${i + 1} has a different length`, {
        ...at,
        expected: `${len} samples (as reference 1)`,
        found: `${x.length}`,
      });
    }
  }
  if (len === 0)
    throw new NmflabError(`${what}: empty signals`, { ...at, expected: 'at least one sample', found: '0 samples' });
  for (const [kind, i, x] of all) {
    for (let t = 0; t < x.length; t++) {
      if (!Number.isFinite(x[t])) {
        throw new NmflabError(`${what}: ${kind} ${i + 1} has a non-finite sample`, {
          ...at,
          expected: 'finite samples',
          found: `${x[t]} at sample ${t}`,
        });
      }
    }
    if (isSilent(x)) {
      throw new NmflabError(
        `${what}: ${kind} ${i + 1} is silent (all zeros); BSS Eval is undefined for silent sources`,
        {
          ...at,
          expected: 'a non-silent signal',
          found: 'all-zero samples',
        },
      );
    }
  }
}

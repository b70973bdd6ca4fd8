import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/**
 * The one seeded random stream every draw of a run derives from (xoroshiro128+ from pure-rand).
 * Same seed → bit-identical draws on every platform; `fork(label)` derives an independent stream
 * for a sub-task (restart r, source s) so adding a draw in one place does not shift the others.
 */
export class Rng {
  readonly seed: number;
  private readonly gen: JumpableRandomGenerator;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.seed = seed;
    this.gen = xoroshiro128plus(seed | 0);
    // Mix the high bits in too, so seeds that differ only above 2^32 differ.
    const hi = Math.floor(seed / 2 ** 32) | 0;
    for (let i = 0; i < (hi & 7) + 1; i++) this.gen.next();
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill `out` with uniform [lo, hi) draws. */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.uniform();
    return out;
  }

  fillNormal(out: Float64Array, mean = 0, sd = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + sd * this.normal();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** An independent stream derived from this stream's seed and a label (not from its position). */
  fork(label: string | number): Rng {
    return new Rng(deriveSeed(this.seed, label));
  }
}

/** Derive a child seed from a root seed and a label (FNV-1a over both), in [0, 2^31). */
export function deriveSeed(root: number, label: string | number): number {
  const text = `${root}/${label}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

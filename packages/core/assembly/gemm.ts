// Float64 GEMM for WebAssembly SIMD (f64x2), compiled by AssemblyScript into
// packages/core/src/linalg/backends/wasm/gemm-wasm.ts (see packages/core/scripts/build-wasm.mjs).
//
//   C[i, j] (+)= Σ_p A[i, p] · B[p, j],   i < m, j < n, p < k,
//
// with A, B and C addressed through (row stride, column stride) pairs in elements, so the same
// kernel computes AB, AᵀB and ABᵀ without a transpose. Goto-style blocking: B is packed in
// KC×NC blocks of NR-wide slivers, A in MC×KC blocks of MR-tall slivers (zero-padded at the
// edges), and an MR×NR register tile of f64x2 accumulators runs over the packed panels.
//
// The module owns no memory layout: the caller passes byte addresses of the operands and of two
// scratch areas (packA: MC·KC doubles; packB: KC·NC doubles followed by an MR·NR edge tile).
// No globals, no allocation, no runtime: every call is a pure function of memory contents.
// Summation order over p is fixed by KC alone (never by threads or tiles), so results are
// deterministic and independent of how output rows/columns are split.

// @ts-nocheck  (AssemblyScript, not TypeScript)

export const MR: i32 = 4;
export const NR: i32 = 4;
export const KC: i32 = 256;
export const MC: i32 = 96;
export const NC: i32 = 1024;

/** Bytes of scratch the caller must provide at `packA` and at `packB`. */
export function packABytes(): i32 {
  return MC * KC * 8;
}
export function packBBytes(): i32 {
  return (KC * NC + MR * NR) * 8;
}

export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRs: i32, aCs: i32,
  b: usize, bRs: i32, bCs: i32,
  c: usize, cRs: i32,
  accumulate: i32,
  packA: usize, packB: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + <usize>(i * cRs) * 8, 0, <usize>n * 8);
    return;
  }
  const tile = packB + <usize>(KC * NC) * 8;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const nPanels = (nc + NR - 1) / NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // β = 0 on the first K block unless accumulating: store instead of add (no zeroing pass).
      const add = accumulate != 0 || pc > 0;
      packBBlock(b + (<usize>pc * bRs + <usize>jc * bCs) * 8, bRs, bCs, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const mPanels = (mc + MR - 1) / MR;
        packABlock(a + (<usize>ic * aRs + <usize>pc * aCs) * 8, aRs, aCs, mc, kc, packA);
        for (let jp = 0; jp < nPanels; jp++) {
          const j0 = jp * NR;
          const jw = min(NR, nc - j0);
          const bp = packB + <usize>(jp * kc * NR) * 8;
          for (let ip = 0; ip < mPanels; ip++) {
            const i0 = ip * MR;
            const iw = min(MR, mc - i0);
            const ap = packA + <usize>(ip * kc * MR) * 8;
            const cp = c + (<usize>(ic + i0) * cRs + <usize>(jc + j0)) * 8;
            if (iw == MR && jw == NR) {
              micro(kc, ap, bp, cp, cRs, add);
            } else {
              micro(kc, ap, bp, tile, NR, false);
              for (let i = 0; i < iw; i++) {
                for (let j = 0; j < jw; j++) {
                  const dst = cp + (<usize>i * cRs + <usize>j) * 8;
                  const v = load<f64>(tile + <usize>(i * NR + j) * 8);
                  store<f64>(dst, add ? load<f64>(dst) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}

/** Pack an mc×kc block of A into MR-tall slivers: sliver s holds A[s·MR + i, p] at (p·MR + i). */
function packABlock(a: usize, aRs: i32, aCs: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const iw = min(MR, mc - i0);
    const base = dst + <usize>(i0 * kc) * 8;
    if (iw == MR && aCs == 1) {
      // Row-major A: read MR rows side by side, two p at a time.
      let p = 0;
      for (; p + 1 < kc; p += 2) {
        for (let i = 0; i < MR; i++) {
          const v = v128.load(a + (<usize>(i0 + i) * aRs + <usize>p) * 8);
          store<f64>(base + <usize>(p * MR + i) * 8, f64x2.extract_lane(v, 0));
          store<f64>(base + <usize>((p + 1) * MR + i) * 8, f64x2.extract_lane(v, 1));
        }
      }
      for (; p < kc; p++) {
        for (let i = 0; i < MR; i++) {
          store<f64>(base + <usize>(p * MR + i) * 8, load<f64>(a + (<usize>(i0 + i) * aRs + <usize>p) * 8));
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>i0 * aRs + <usize>p * aCs) * 8;
        const d = base + <usize>(p * MR) * 8;
        for (let i = 0; i < MR; i++) {
          store<f64>(d + <usize>i * 8, i < iw ? load<f64>(src + <usize>(i * aRs) * 8) : 0.0);
        }
      }
    }
  }
}

/** Pack a kc×nc block of B into NR-wide slivers: sliver s holds B[p, s·NR + j] at (p·NR + j). */
function packBBlock(b: usize, bRs: i32, bCs: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const jw = min(NR, nc - j0);
    const base = dst + <usize>(j0 * kc) * 8;
    if (jw == NR && bCs == 1) {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>p * bRs + <usize>j0) * 8;
        const d = base + <usize>(p * NR) * 8;
        v128.store(d, v128.load(src));
        v128.store(d + 16, v128.load(src + 16));
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>p * bRs + <usize>j0 * bCs) * 8;
        const d = base + <usize>(p * NR) * 8;
        for (let j = 0; j < NR; j++) {
          store<f64>(d + <usize>j * 8, j < jw ? load<f64>(src + <usize>(j * bCs) * 8) : 0.0);
        }
      }
    }
  }
}

/**
 * The MR×NR (4×4) register tile: 8 f64x2 accumulators; per p, two B loads and four A splats.
 * Measured here against 6×4 (12 accumulators, spills on x64's 16 xmm registers) and a 2×
 * unrolled p loop: this plain 4×4 was fastest.
 * C rows are cRs elements apart; `add` adds to C, otherwise overwrites it.
 */
// @ts-ignore: decorator
@inline
function micro(kc: i32, ap: usize, bp: usize, cp: usize, cRs: i32, add: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += MR * 8;
    bp += NR * 8;
  }
  const rs = <usize>cRs * 8;
  if (add) {
    let r = cp;
    v128.store(r, f64x2.add(v128.load(r), c00)); v128.store(r, f64x2.add(v128.load(r, 16), c01), 16); r += rs;
    v128.store(r, f64x2.add(v128.load(r), c10)); v128.store(r, f64x2.add(v128.load(r, 16), c11), 16); r += rs;
    v128.store(r, f64x2.add(v128.load(r), c20)); v128.store(r, f64x2.add(v128.load(r, 16), c21), 16); r += rs;
    v128.store(r, f64x2.add(v128.load(r), c30)); v128.store(r, f64x2.add(v128.load(r, 16), c31), 16);
  } else {
    let r = cp;
    v128.store(r, c00); v128.store(r, c01, 16); r += rs;
    v128.store(r, c10); v128.store(r, c11, 16); r += rs;
    v128.store(r, c20); v128.store(r, c21, 16); r += rs;
    v128.store(r, c30); v128.store(r, c31, 16);
  }
}

/**
 * MU weights of the β = 1 and β = 0 updates on a rows×cols block (strides in elements), for the
 * fused portable MU path (`muFusedWasm` in src/wasm.ts):
 *
 *   code 1 (β = 1): A = V / max(Λ, δ);   code 0 (β = 0): r = 1 / max(Λ, δ), B = r, A = (r·r)·V.
 *
 * A may be Λ itself (in place). max(Λ, δ) is f64x2.pmax(δ, Λ) = (δ < Λ ? Λ : δ), the JS loop's
 * `l > δ ? l : δ` (a NaN Λ reads as δ in both); division and products are IEEE-exact per lane, so
 * the results are bit-identical to mu's JS weights pass.
 */
export function muWeights(
  code: i32, rows: i32, cols: i32,
  v: usize, vRs: i32, l: usize, lRs: i32, a: usize, aRs: i32, b: usize, bRs: i32,
  delta: f64,
): void {
  const d2 = f64x2.splat(delta);
  const one = f64x2.splat(1.0);
  for (let i = 0; i < rows; i++) {
    const vr = v + <usize>i * <usize>vRs * 8;
    const lr = l + <usize>i * <usize>lRs * 8;
    const ar = a + <usize>i * <usize>aRs * 8;
    const br = b + <usize>i * <usize>bRs * 8;
    let j = 0;
    if (code == 1) {
      for (; j + 1 < cols; j += 2) {
        const o = <usize>j * 8;
        v128.store(ar + o, f64x2.div(v128.load(vr + o), f64x2.pmax(d2, v128.load(lr + o))));
      }
      for (; j < cols; j++) {
        const o = <usize>j * 8;
        const x = load<f64>(lr + o);
        store<f64>(ar + o, load<f64>(vr + o) / (x > delta ? x : delta));
      }
    } else {
      for (; j + 1 < cols; j += 2) {
        const o = <usize>j * 8;
        const r = f64x2.div(one, f64x2.pmax(d2, v128.load(lr + o)));
        v128.store(br + o, r);
        v128.store(ar + o, f64x2.mul(f64x2.mul(r, r), v128.load(vr + o)));
      }
      for (; j < cols; j++) {
        const o = <usize>j * 8;
        const x = load<f64>(lr + o);
        const r = 1.0 / (x > delta ? x : delta);
        store<f64>(br + o, r);
        store<f64>(ar + o, r * r * load<f64>(vr + o));
      }
    }
  }
}

/** γ(β) of the MM multiplicative update (Févotte & Idier 2011): 1/(2−β) for β < 1, 1 on [1, 2], 1/(β−1) for β > 2. */
export function mmExponent(beta: number): number {
  if (beta < 1) return 1 / (2 - beta);
  if (beta <= 2) return 1;
  return 1 / (beta - 1);
}

/**
 * Exact minimizer of the per-entry MM surrogate of penalized β-NMF (reference §2b; Févotte & Idier
 * 2011): the one implementation behind the `mu` solver's penalized steps and
 * `@nmflab/divergences`' `penalizedMMStep` (re-exported there). For an entry h of H (W is
 * symmetric) with current value h̄ and
 *   a = [Wᵀ Λ^{β−1}]_{kn},   b = [Wᵀ (V ⊙ Λ^{β−2})]_{kn}
 * the data part of the auxiliary function (Jensen on the convex part of d_β(x|·), tangent on the
 * concave part) has derivative, in t = h/h̄,
 *   β < 1:      a − b t^{β−2}
 *   1 ≤ β ≤ 2:  a t^{β−1} − b t^{β−2}
 *   β > 2:      a t^{β−1} − b
 * and a penalty majorized by q h² + l h (Regularizer.majorize) adds 2q h̄ t + l. The surrogate is
 * convex in h, so the step is the root of this increasing function F (h = 0 when F(0⁺) ≥ 0).
 * Without penalty the root is t = (b/a)^{γ(β)}, the MM multiplicative update; the penalty can only
 * shrink it, so the root lies in (0, t₀], t₀ = (b/a)^γ, where F(t₀) = 2q h̄ t₀ + l ≥ 0.
 *
 * Closed forms where they exist (β = 2, β = 1, q = 0 with β < 1 or β > 2); otherwise Newton's
 * method safeguarded by bisection in log t on [lo, t₀], to relative 1e-15. The lower end comes
 * from the equation itself (t ≤ t₀ bounds the other terms), so no search is needed:
 *   β < 2:  b t^{β−2} = a t^{e₁} + 2q h̄ t + l ≤ S := a t₀^{e₁} + 2q h̄ t₀ + l  ⇒  t ≥ (S/b)^{1/(β−2)};
 *   β > 2:  a t^{β−1} + 2q h̄ t = b − l, one of the two terms is ≥ (b − l)/2
 *           ⇒  t ≥ min(((b − l)/(2a))^{1/(β−1)}, (b − l)/(4q h̄)).
 * (The former `mu`-private solver bisected arithmetically from 0 and could stop, after 100
 * iterations, orders of magnitude away from a root far below t₀; this one is exact to rounding.)
 *
 * Returns h (not t). `mu` passes l = 0 with its linear terms already majorized into a (see mu.ts).
 */
export function penalizedMMStep(beta: number, a: number, b: number, hbar: number, q: number, l: number): number {
  if (!(b > 0) || !(hbar > 0)) return 0; // no pull upwards: the surrogate decreases to h = 0
  const Q = 2 * q * hbar; // penalty slope in t
  if (beta === 2) return Math.max(0, (hbar * (b - l)) / (a + Q));
  if (beta === 1) {
    // Q t² + (a + l) t − b = 0, positive root without cancellation.
    const B = a + l;
    return (hbar * 2 * b) / (B + Math.sqrt(B * B + 4 * Q * b));
  }
  if (Q === 0) {
    if (beta < 1) return hbar * Math.pow(b / (a + l), 1 / (2 - beta));
    if (beta > 2) return l >= b ? 0 : hbar * Math.pow((b - l) / a, 1 / (beta - 1));
  }
  // β > 2 with the penalty's constant slope ≥ the pull: minimum at 0.
  if (beta > 2 && l >= b) return 0;
  const e1 = beta < 1 ? 0 : beta - 1; // exponent of the a-term
  const e2 = beta > 2 ? 0 : beta - 2; // exponent of the b-term
  const F = (t: number) => a * (e1 === 0 ? 1 : Math.pow(t, e1)) - b * (e2 === 0 ? 1 : Math.pow(t, e2)) + Q * t + l;
  const dF = (t: number) =>
    (e1 === 0 ? 0 : a * e1 * Math.pow(t, e1 - 1)) - (e2 === 0 ? 0 : b * e2 * Math.pow(t, e2 - 1)) + Q;
  const gamma = beta < 1 ? 1 / (2 - beta) : beta <= 2 ? 1 : 1 / (beta - 1);
  let hi = a > 0 ? Math.pow(b / a, gamma) : 1;
  while (F(hi) < 0) hi *= 2; // only when a = 0
  let lo: number;
  if (e2 < 0) {
    lo = Math.pow((a * (e1 === 0 ? 1 : Math.pow(hi, e1)) + Q * hi + l) / b, 1 / e2);
  } else {
    const r = b - l;
    lo = Math.min(a > 0 ? Math.pow(r / (2 * a), 1 / e1) : Infinity, Q > 0 ? r / (2 * Q) : Infinity);
  }
  if (!(lo > 0) || !(lo < hi)) lo = hi / 2;
  for (let k = 0; k < 2000 && F(lo) > 0; k++) lo /= 2; // rounding at the bound, or the fallback above
  if (F(lo) > 0) return 0;
  // F is concave for β < 2 and convex for β > 2: Newton started on that side (lo, resp. t₀) moves
  // monotonically towards the root; the bracket only guards rounding.
  let t = e2 < 0 ? lo : hi;
  for (let it = 0; it < 200; it++) {
    const f = F(t);
    if (f === 0) break;
    if (f > 0) hi = t;
    else lo = t;
    let next = t - f / dF(t);
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi); // bisection in log t
    if (Math.abs(next - t) <= 1e-15 * t || hi - lo <= 1e-15 * hi) {
      t = next;
      break;
    }
    t = next;
  }
  return hbar * t;
}

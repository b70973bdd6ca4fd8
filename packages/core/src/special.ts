/** Special functions shared by divergences, solvers and tasks. */

/**
 * log Γ(z) for z > 0: Stirling's series at z ≥ 15 after the recurrence Γ(z+1) = zΓ(z); absolute
 * error below ~1e-14 (checked against mathjs `lgamma` in the tests).
 */
export function logGamma(z: number): number {
  let shift = 0;
  while (z < 15) {
    shift += Math.log(z);
    z += 1;
  }
  const z2 = 1 / (z * z);
  const series = (1 / z) * (1 / 12 - z2 * (1 / 360 - z2 * (1 / 1260 - z2 * (1 / 1680 - z2 / 1188))));
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

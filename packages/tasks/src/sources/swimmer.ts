import { Matrix, definePlugin } from '@nmflab/core';

interface Params {
  noise: number;
}

/** Limb attachment points (row, col) and the four directions (degrees, y up) of each limb. */
const LIMBS: { origin: [number, number]; angles: number[] }[] = [
  { origin: [10, 14], angles: [90, 135, 180, 225] }, // left arm
  { origin: [10, 17], angles: [90, 45, 0, -45] }, // right arm
  { origin: [22, 15], angles: [180, 210, 240, 270] }, // left leg
  { origin: [22, 16], angles: [270, 300, 330, 0] }, // right leg
];
const SIZE = 32;

/** Pixels (row-major indices) of limb `l` in position `q`: a 7-pixel ray from 2 to 8 pixels out. */
export function limbPixels(l: number, q: number): number[] {
  const { origin, angles } = LIMBS[l];
  const a = (angles[q] * Math.PI) / 180;
  const out = new Set<number>();
  for (let r = 2; r <= 8; r++) {
    const row = origin[0] - Math.round(r * Math.sin(a));
    const col = origin[1] + Math.round(r * Math.cos(a));
    out.add(row * SIZE + col);
  }
  return [...out];
}

/**
 * A "swimmer" data set after Donoho & Stodden (2003): 32×32 binary images of a torso (rows 8–22,
 * columns 15–16, in every image) with four limbs, each in one of four positions, all 4⁴ = 256
 * combinations. V is 1024 × 256 (pixels × images, pixel (r, c) is row 32r + c). The 16 limb images
 * (the parts a parts-based factorization should find) are `extra.parts` (1024 × 16, limb-major).
 * `noise` > 0 adds |N(0, noise²)| to every pixel (seeded), keeping V ≥ 0.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'swimmer',
    description: 'Donoho–Stodden swimmer images: torso + 4 limbs × 4 positions (256 images of 32×32), parts known',
    params: {
      noise: { type: 'number', minimum: 0, default: 0, description: 'sd of |Gaussian| noise added to every pixel' },
    },
  },
  create: (p) => ({
    id: 'swimmer',
    load(rng) {
      const D = SIZE * SIZE,
        N = 256;
      const V = new Matrix(D, N);
      const parts = new Matrix(D, 16);
      const limb = Array.from({ length: 4 }, (_, l) => Array.from({ length: 4 }, (_, q) => limbPixels(l, q)));
      for (let l = 0; l < 4; l++)
        for (let q = 0; q < 4; q++) for (const i of limb[l][q]) parts.data[i * 16 + l * 4 + q] = 1;
      for (let n = 0; n < N; n++) {
        for (let r = 8; r <= 22; r++) for (let c = 15; c <= 16; c++) V.data[(r * SIZE + c) * N + n] = 1;
        for (let l = 0; l < 4; l++) {
          const q = (n >> (2 * l)) & 3;
          for (const i of limb[l][q]) V.data[i * N + n] = 1;
        }
      }
      if (p.noise > 0) for (let i = 0; i < V.data.length; i++) V.data[i] += Math.abs(p.noise * rng.normal());
      return { matrix: V, extra: { parts, imageShape: [SIZE, SIZE] } };
    },
  }),
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Matrix, NmflabError, definePlugin, readMatrix, type Rng } from '@nmflab/core';

interface Params {
  images: string;
  imageShape: number[];
  count: number;
  size: number;
  patches: number;
  whiten: boolean;
  f0: number;
}

/**
 * Image patches for sparse coding (Olshausen & Field 1996). Images are either a .npy file (one
 * image per row, row-major pixels, `imageShape` [h, w], e.g. the LFW faces) or `dead-leaves`:
 * seeded synthetic images of `imageShape` made of randomly placed occluding discs with radii
 * ∝ r⁻³ (Lee, Mumford & Huang 2001: the dead-leaves model has natural images' 1/f spectrum and,
 * unlike 1/f Gaussian noise, their edges). Each image is whitened as in the paper by the
 * zero-phase filter R(f) = f·exp(−(f/f₀)⁴) (f radial frequency in cycles per image, f₀ = `f0` ×
 * the Nyquist frequency) through a 2-D DFT, then scaled to unit variance. `patches` random
 * size×size patches (positions seeded) are V's columns (size² × patches); V is signed.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'image-patches',
    description: 'Whitened random patches (columns) of .npy images or synthetic dead-leaves images, for sparse coding',
    params: {
      images: {
        type: 'string',
        minLength: 1,
        default: 'dead-leaves',
        description: '"dead-leaves" (synthetic) or a .npy file of images as rows (relative to the working directory)',
      },
      imageShape: {
        type: 'array',
        items: { type: 'integer', minimum: 4 },
        minItems: 2,
        maxItems: 2,
        default: [64, 64],
        description: '[h, w] of each image',
      },
      count: {
        type: 'integer',
        minimum: 1,
        default: 10,
        description: 'number of synthetic images (a .npy file: all its rows)',
      },
      size: { type: 'integer', minimum: 2, default: 8, description: 'patch side in pixels' },
      patches: { type: 'integer', minimum: 1, default: 3000, description: 'number of patches' },
      whiten: {
        type: 'boolean',
        default: true,
        description: 'apply the whitening/low-pass filter R(f) = f·exp(−(f/f₀)⁴)',
      },
      f0: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.8,
        description: 'cut-off f₀ as a fraction of the Nyquist frequency',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'image-patches',
    load(rng) {
      const [h, w] = p.imageShape as [number, number];
      if (p.size > h || p.size > w)
        throw new NmflabError('patches larger than the images', {
          file: ctx.file,
          path: `${ctx.path}.size`,
          expected: `≤ ${Math.min(h, w)}`,
          found: String(p.size),
        });
      let images: Float64Array[];
      if (p.images === 'dead-leaves') {
        const g = rng.fork('images');
        images = Array.from({ length: p.count }, () => deadLeaves(g, h, w));
      } else {
        const file = resolve(p.images);
        if (!existsSync(file))
          throw new NmflabError('image file not found', {
            file: ctx.file,
            path: `${ctx.path}.images`,
            expected: '"dead-leaves" or an existing .npy file',
            found: JSON.stringify(p.images),
          });
        const M = readMatrix(file);
        if (M.cols !== h * w)
          throw new NmflabError('image shape does not match the file', {
            file: ctx.file,
            path: `${ctx.path}.imageShape`,
            expected: `h·w = ${M.cols} (pixels per row of ${p.images})`,
            found: `${h}×${w}`,
          });
        images = Array.from({ length: M.rows }, (_, i) => M.data.slice(i * M.cols, (i + 1) * M.cols));
      }
      if (p.whiten) images = images.map((x) => whiten(x, h, w, p.f0));
      images = images.map(standardize);
      const D = p.size * p.size;
      const V = new Matrix(D, p.patches);
      const pr = rng.fork('patches');
      for (let n = 0; n < p.patches; n++) {
        const img = images[pr.int(images.length)];
        const r0 = pr.int(h - p.size + 1),
          c0 = pr.int(w - p.size + 1);
        for (let r = 0; r < p.size; r++)
          for (let c = 0; c < p.size; c++) V.data[(r * p.size + c) * p.patches + n] = img[(r0 + r) * w + c0 + c];
      }
      return { matrix: V, extra: { imageShape: [p.size, p.size] } };
    },
  }),
});

/** Dead-leaves image: discs of random grey level, radii r ∈ [1, h/2] with density ∝ r⁻³, until covered. */
function deadLeaves(rng: Rng, h: number, w: number): Float64Array {
  const img = new Float64Array(h * w).fill(NaN);
  let left = h * w;
  const rmin = 1,
    rmax = Math.min(h, w) / 2;
  // front-to-back: a pixel takes the first disc that covers it
  for (let t = 0; left > 0 && t < 100000; t++) {
    const u = rng.uniform();
    const r = 1 / Math.sqrt(1 / rmin ** 2 - u * (1 / rmin ** 2 - 1 / rmax ** 2)); // inverse CDF of r⁻³
    const cy = rng.uniform() * h,
      cx = rng.uniform() * w,
      grey = rng.uniform();
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r && Number.isNaN(img[y * w + x])) {
          img[y * w + x] = grey;
          left--;
        }
      }
    }
  }
  for (let i = 0; i < img.length; i++) if (Number.isNaN(img[i])) img[i] = 0.5;
  return img;
}

/** Filter by R(f) = f·exp(−(f/f₀)⁴) in the 2-D DFT domain (separable direct DFTs; images are small). */
export function whiten(x: Float64Array, h: number, w: number, f0: number): Float64Array {
  const re = Float64Array.from(x),
    im = new Float64Array(h * w);
  dft2(re, im, h, w, -1);
  const nyq = Math.min(h, w) / 2,
    fc = f0 * nyq;
  for (let u = 0; u < h; u++)
    for (let v = 0; v < w; v++) {
      const fu = u <= h / 2 ? u : u - h,
        fv = v <= w / 2 ? v : v - w;
      // radial frequency in cycles per image, on the smaller side's scale
      const f = Math.sqrt((fu * (Math.min(h, w) / h)) ** 2 + (fv * (Math.min(h, w) / w)) ** 2);
      const g = f * Math.exp(-((f / fc) ** 4));
      re[u * w + v] *= g;
      im[u * w + v] *= g;
    }
  dft2(re, im, h, w, 1);
  for (let i = 0; i < re.length; i++) re[i] /= h * w;
  return re;
}

function dft2(re: Float64Array, im: Float64Array, h: number, w: number, sign: number): void {
  const line = (n: number, get: (k: number) => [number, number], set: (k: number, a: number, b: number) => void) => {
    const a = Array.from({ length: n }, (_, k) => get(k));
    for (let k = 0; k < n; k++) {
      let sr = 0,
        si = 0;
      for (let j = 0; j < n; j++) {
        const t = (sign * 2 * Math.PI * k * j) / n,
          c = Math.cos(t),
          s = Math.sin(t);
        sr += a[j][0] * c - a[j][1] * s;
        si += a[j][0] * s + a[j][1] * c;
      }
      set(k, sr, si);
    }
  };
  for (let r = 0; r < h; r++)
    line(
      w,
      (k) => [re[r * w + k], im[r * w + k]],
      (k, a, b) => {
        re[r * w + k] = a;
        im[r * w + k] = b;
      },
    );
  for (let c = 0; c < w; c++)
    line(
      h,
      (k) => [re[k * w + c], im[k * w + c]],
      (k, a, b) => {
        re[k * w + c] = a;
        im[k * w + c] = b;
      },
    );
}

function standardize(x: Float64Array): Float64Array {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  const sd = Math.sqrt(s / x.length) || 1;
  return x.map((v) => (v - m) / sd);
}

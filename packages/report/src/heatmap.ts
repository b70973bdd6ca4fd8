import { PNG } from 'pngjs';
import { scheme } from 'vega';

/**
 * Heat maps as PNG (pngjs): a row-major `rows × cols` array of values, block-averaged down to at
 * most `maxWidth × maxHeight` pixels for display, mapped through a colour map (viridis by default,
 * the perceptually uniform map spectrograms are usually read in).
 */

export interface HeatmapOptions {
  /** Value shown as the darkest colour (default: the minimum). */
  min?: number;
  /** Value shown as the brightest colour (default: the maximum). */
  max?: number;
  /** Put row 0 at the bottom (spectrograms: low frequencies at the bottom). Default false. */
  flipY?: boolean;
  /** Largest image width in pixels (columns are block-averaged beyond it). Default 800. */
  maxWidth?: number;
  /** Largest image height in pixels. Default 256. */
  maxHeight?: number;
  /** Colour map: a Vega scheme name (viridis, magma, greys…). Default viridis. */
  scheme?: string;
  /** Reverse the colour map (e.g. greys: 0 black → white becomes 0 white). */
  reverse?: boolean;
}

export interface Heatmap {
  png: Buffer;
  width: number;
  height: number;
}

const LUTS = new Map<string, Uint8Array>();

/** 256 RGB entries sampled from a Vega continuous scheme (parsed once per scheme). */
export function colorLut(name = 'viridis'): Uint8Array {
  let lut = LUTS.get(name);
  if (lut) return lut;
  const interp = scheme(name) as unknown;
  if (typeof interp !== 'function') throw new Error(`unknown continuous colour scheme ${name}`);
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = String((interp as (t: number) => string)(i / 255));
    const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c) ?? /#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c);
    if (!m) throw new Error(`cannot read colour ${c}`);
    const hex = c.startsWith('#');
    for (let k = 0; k < 3; k++) lut[3 * i + k] = hex ? parseInt(m[k + 1], 16) : Number(m[k + 1]);
  }
  LUTS.set(name, lut);
  return lut;
}

/** Block-average a row-major matrix to at most `outRows × outCols` (integer-free box filter). */
export function downsample(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  outRows: number,
  outCols: number,
): Float64Array {
  const out = new Float64Array(outRows * outCols);
  const cnt = new Float64Array(outRows * outCols);
  for (let i = 0; i < rows; i++) {
    const oi = Math.min(outRows - 1, Math.floor((i * outRows) / rows));
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      if (!Number.isFinite(v)) continue;
      const o = oi * outCols + Math.min(outCols - 1, Math.floor((j * outCols) / cols));
      out[o] += v;
      cnt[o]++;
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = cnt[k] > 0 ? out[k] / cnt[k] : NaN;
  return out;
}

/** Encode values as a PNG heat map. Non-finite cells are drawn transparent. */
export function heatmapPng(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: HeatmapOptions = {},
): Heatmap {
  if (rows < 1 || cols < 1 || values.length !== rows * cols)
    throw new Error(`heat map needs rows·cols values (${rows}×${cols}), got ${values.length}`);
  const height = Math.min(rows, options.maxHeight ?? 256);
  const width = Math.min(cols, options.maxWidth ?? 800);
  const v = height === rows && width === cols ? values : downsample(values, rows, cols, height, width);
  let lo = options.min ?? Infinity;
  let hi = options.max ?? -Infinity;
  if (options.min === undefined || options.max === undefined) {
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      if (!Number.isFinite(x)) continue;
      if (options.min === undefined && x < lo) lo = x;
      if (options.max === undefined && x > hi) hi = x;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) lo = hi = 0;
  const span = hi > lo ? hi - lo : 1;
  const lut = colorLut(options.scheme);
  const png = new PNG({ width, height });
  for (let i = 0; i < height; i++) {
    const srcRow = options.flipY ? height - 1 - i : i;
    for (let j = 0; j < width; j++) {
      const x = v[srcRow * width + j];
      const p = 4 * (i * width + j);
      if (!Number.isFinite(x)) {
        png.data[p + 3] = 0;
        continue;
      }
      let t = Math.round(((x - lo) / span) * 255);
      t = t < 0 ? 0 : t > 255 ? 255 : t;
      if (options.reverse) t = 255 - t;
      png.data[p] = lut[3 * t];
      png.data[p + 1] = lut[3 * t + 1];
      png.data[p + 2] = lut[3 * t + 2];
      png.data[p + 3] = 255;
    }
  }
  return { png: PNG.sync.write(png), width, height };
}

/**
 * Level in dB of non-negative values: 20·log10 for magnitudes, 10·log10 for powers, relative to
 * `ref` (default: the largest value) and floored `range` dB below it, so silence does not stretch
 * the colour scale to −∞.
 */
export function toDb(
  values: ArrayLike<number>,
  options: { power?: boolean; ref?: number; range?: number } = {},
): Float64Array {
  const scale = options.power ? 10 : 20;
  let ref = options.ref;
  if (ref === undefined) {
    ref = 0;
    for (let k = 0; k < values.length; k++) if (values[k] > ref) ref = values[k];
  }
  const range = options.range ?? 80;
  const out = new Float64Array(values.length);
  if (!(ref > 0)) return out.fill(-range);
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    const db = x > 0 ? scale * Math.log10(x / ref) : -Infinity;
    out[k] = db < -range ? -range : db;
  }
  return out;
}

export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * A grid of small grey-level images (faces, patches, image bases) as one PNG: `images[i]` holds
 * `height × width` pixels row-major; each is scaled to its own [min, max] (an NMF basis has an
 * arbitrary scale), enlarged `scale` times, with a 2-pixel white gap between tiles.
 */
export function montagePng(
  images: readonly ArrayLike<number>[],
  height: number,
  width: number,
  options: { columns?: number; scale?: number; scheme?: string; reverse?: boolean } = {},
): Heatmap {
  const n = images.length;
  if (n === 0) throw new Error('montage of no images');
  const columns = Math.max(1, Math.min(n, options.columns ?? 10));
  const gridRows = Math.ceil(n / columns);
  const s = Math.max(1, Math.floor(options.scale ?? 3));
  const gap = 2;
  const W = columns * (width * s + gap) + gap;
  const H = gridRows * (height * s + gap) + gap;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const lut = colorLut(options.scheme ?? 'greys');
  images.forEach((img, idx) => {
    if (img.length !== height * width)
      throw new Error(`image ${idx} has ${img.length} pixels, expected ${height}×${width}`);
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < img.length; k++) {
      const x = img[k];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const span = hi > lo ? hi - lo : 1;
    const ox = gap + (idx % columns) * (width * s + gap);
    const oy = gap + Math.floor(idx / columns) * (height * s + gap);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        let t = Math.round(((img[r * width + c] - lo) / span) * 255);
        t = t < 0 ? 0 : t > 255 ? 255 : t;
        if (options.reverse) t = 255 - t;
        for (let dy = 0; dy < s; dy++) {
          for (let dx = 0; dx < s; dx++) {
            const p = 4 * ((oy + r * s + dy) * W + ox + c * s + dx);
            png.data[p] = lut[3 * t];
            png.data[p + 1] = lut[3 * t + 1];
            png.data[p + 2] = lut[3 * t + 2];
            png.data[p + 3] = 255;
          }
        }
      }
    }
  });
  return { png: PNG.sync.write(png), width: W, height: H };
}

import { readFileSync } from 'node:fs';

/** The mir_eval parity fixtures (scripts/make-bss-fixtures.py), decoded. */
export interface BssCase {
  name: string;
  references: Float64Array[];
  estimates: Float64Array[];
  permutation: boolean;
  expected: { sdr: number[]; sir: number[]; sar: number[]; perm: number[]; isr?: number[] };
}

interface RawCase {
  name: string;
  references: number[];
  estimates: [number, number, number][][];
  permutation: boolean;
  expected: BssCase['expected'];
}

interface Raw {
  sampleRate: number;
  length: number;
  signals: Record<string, string>;
  signalOrder: string[];
  cases: RawCase[];
  imageCases: RawCase[];
}

function decode(b64: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Float64Array.from(f);
}

function delay(x: Float64Array, d: number): Float64Array {
  if (d === 0) return x;
  const y = new Float64Array(x.length);
  y.set(x.subarray(0, x.length - d), d);
  return y;
}

export function loadBssFixtures(): { sampleRate: number; cases: BssCase[]; imageCases: BssCase[] } {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/bss/mir-eval-sources.json', import.meta.url), 'utf8'),
  ) as Raw;
  const pool = raw.signalOrder.map((n) => decode(raw.signals[n]));
  const decodeCase = (c: RawCase): BssCase => ({
    name: c.name,
    permutation: c.permutation,
    expected: c.expected,
    references: c.references.map((i) => pool[i]),
    // same order of operations as the generator: out = out + gain·delay(signal)
    estimates: c.estimates.map((terms) => {
      const out = new Float64Array(raw.length);
      for (const [i, g, d] of terms) {
        const x = delay(pool[i], d);
        for (let t = 0; t < out.length; t++) out[t] = out[t] + g * x[t];
      }
      return out;
    }),
  });
  return { sampleRate: raw.sampleRate, cases: raw.cases.map(decodeCase), imageCases: raw.imageCases.map(decodeCase) };
}

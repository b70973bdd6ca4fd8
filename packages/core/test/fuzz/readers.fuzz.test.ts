import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Matrix,
  NmflabError,
  encodeWav,
  matrixToCsv,
  matrixToNpy,
  parseCsvMatrix,
  parseNpyMatrix,
  parseWav,
  parseYaml,
} from '@nmflab/core';

/**
 * Property-based fuzzing of every file reader: random mutations of valid inputs (byte flips,
 * truncations, insertions, splices of hostile tokens) either parse to a well-formed result or throw
 * one NmflabError whose message is one line naming the file, never another exception. Seeded and
 * bounded, so CI runs the same cases in well under a second each.
 */
const runs = { seed: 18, numRuns: 400 };

type Mutation = { kind: 'flip' | 'cut' | 'insert' | 'dup'; at: number; byte: number; len: number };
const mutation = fc.record({
  kind: fc.constantFrom<'flip' | 'cut' | 'insert' | 'dup'>('flip', 'cut', 'insert', 'dup'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 64 }),
});

function mutate(buf: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(buf);
  for (const m of ms) {
    const at = b.length ? m.at % (b.length + 1) : 0;
    if (m.kind === 'flip' && at < b.length) b[at] = m.byte;
    else if (m.kind === 'cut')
      b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + m.len))]);
    else if (m.kind === 'insert')
      b = Uint8Array.from([...b.subarray(0, at), ...new Array<number>(m.len).fill(m.byte), ...b.subarray(at)]);
    else if (m.kind === 'dup')
      b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + m.len), ...b.subarray(at)]);
  }
  return b;
}

/** Accept a result or a clean one-line NmflabError naming `file`; anything else fails the property. */
function clean(file: string, f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof NmflabError))
      throw new Error(`raw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    const text = e.format();
    expect(text.includes('\n')).toBe(false);
    expect(text.startsWith(file)).toBe(true);
    return undefined;
  }
}

function sample(): Matrix {
  const m = new Matrix(3, 4);
  for (let i = 0; i < m.data.length; i++) m.data[i] = ((i * 37) % 11) + 0.25;
  return m;
}

function wellFormed(m: unknown): void {
  if (m === undefined) return;
  const x = m as Matrix;
  expect(x.data.length).toBe(x.rows * x.cols);
  for (const v of x.data) expect(Number.isFinite(v)).toBe(true);
}

describe('file readers under random mutation (fast-check, seeded)', () => {
  it('CSV matrices', () => {
    const base = new TextEncoder().encode(matrixToCsv(sample()));
    const hostile = fc.constantFrom(
      ',',
      ',,',
      '\n',
      'NaN',
      'Infinity',
      '-',
      '1e999',
      ' ',
      ';',
      '#',
      '\r\n',
      '0x10',
      '\u0000',
      '1,2,3,4,5',
    );
    fc.assert(
      fc.property(
        fc.array(mutation, { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), hostile), { maxLength: 3 }),
        (ms, splices) => {
          let text = new TextDecoder().decode(mutate(base, ms));
          for (const [at, tok] of splices) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + tok + text.slice(i);
          }
          wellFormed(clean('V.csv', () => parseCsvMatrix(text, 'V.csv')));
        },
      ),
      runs,
    );
  });

  it('NPY matrices', () => {
    const base = matrixToNpy(sample());
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => {
        wellFormed(clean('V.npy', () => parseNpyMatrix(mutate(base, ms), 'V.npy')));
      }),
      runs,
    );
  });

  it('WAV files', () => {
    const x = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i / 3) * 0.5);
    const bases = [encodeWav(x, 8000, { format: 'float32' }), encodeWav(x, 8000, { format: 'pcm16' })];
    fc.assert(
      fc.property(fc.nat(1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, ms) => {
        const r = clean('a.wav', () => parseWav(mutate(bases[which], ms), 'a.wav')) as
          | { samples?: Float64Array; sampleRate?: number }
          | undefined;
        if (r?.samples) {
          expect(r.sampleRate! > 0).toBe(true);
          for (const v of r.samples) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      runs,
    );
  });

  it('YAML configs (aliases, anchors, tags, deep nesting)', () => {
    const base =
      'name: demo\nseed: 3\ndata: { id: matrix-file, params: { path: V.csv } }\nmodel:\n  solver: mu\n  rank: 4\nmetrics: [a, b]\n';
    const hostile = fc.constantFrom(
      '&a [1,2]',
      '*a',
      '*b',
      '!!binary',
      '!!js/function',
      '{',
      '}',
      '[',
      ']',
      ':',
      '- ',
      '\t',
      '"',
      "'",
      '\n  ',
      '&a [*a, *a, *a, *a]',
      '? ',
      '%YAML 1.1\n---\n',
      '<<: *a',
      '.inf',
      '.nan',
    );
    fc.assert(
      fc.property(
        fc.array(mutation, { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), hostile), { maxLength: 4 }),
        (ms, splices) => {
          let text = new TextDecoder().decode(mutate(new TextEncoder().encode(base), ms));
          for (const [at, tok] of splices) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + tok + text.slice(i);
          }
          clean('exp.yaml', () => parseYaml(text, 'exp.yaml'));
        },
      ),
      runs,
    );
  });

  it('a YAML alias bomb is refused with one line', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${new Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(() => parseYaml(bomb, 'bomb.yaml')).toThrow(
      /^bomb\.yaml: YAML not accepted: .*; aliases may expand to at most 1000 nodes$/,
    );
  });
});

import { NmflabError } from '../errors.js';
/**
 * Dense matrices on typed arrays, row-major: element (i, j) of an r×c matrix is `data[i*c + j]`.
 * Notation across nmflab: V (F×N) ≈ W (F×K) H (K×N).
 */
/** Largest matrix made or read (2^28 float64 entries = 2 GiB): past it allocation fails or thrashes. */
export const MAX_ENTRIES = 2 ** 28;

export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
    }
    if (!data && rows * cols > MAX_ENTRIES) {
      throw new NmflabError('matrix too large for memory', {
        expected: `at most ${MAX_ENTRIES} entries (${(MAX_ENTRIES * 8) / 2 ** 30} GiB)`,
        found: `${rows}×${cols}: ${((rows * cols * 8) / 2 ** 30).toPrecision(3)} GiB`,
      });
    }
    this.rows = rows;
    this.cols = cols;
    if (data) {
      if (data.length !== rows * cols) {
        throw new RangeError(`matrix ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
      }
      this.data = data;
    } else {
      this.data = new Float64Array(rows * cols);
    }
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  static filled(rows: number, cols: number, value: number): Matrix {
    return new Matrix(rows, cols, new Float64Array(rows * cols).fill(value));
  }

  static identity(n: number): Matrix {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** From nested arrays (rows of equal length). */
  static fromRows(rows: readonly (readonly number[])[]): Matrix {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0].length;
    const m = new Matrix(r, c);
    for (let i = 0; i < r; i++) {
      const row = rows[i];
      if (row.length !== c) throw new RangeError(`row ${i} has ${row.length} values, expected ${c}`);
      for (let j = 0; j < c; j++) m.data[i * c + j] = row[j];
    }
    return m;
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  transpose(): Matrix {
    const t = new Matrix(this.cols, this.rows);
    const { rows, cols, data } = this;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t.data[j * rows + i] = data[i * cols + j];
    return t;
  }

  toRows(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** Row i as a view (no copy). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** Column j as a copy. */
  col(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j];
    return out;
  }

  sameShape(other: Matrix): boolean {
    return this.rows === other.rows && this.cols === other.cols;
  }
}

/** Complex matrix with separate real and imaginary planes (STFT data, complex NMF). */
export class ComplexMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float64Array;
  readonly im: Float64Array;

  constructor(rows: number, cols: number, re?: Float64Array, im?: Float64Array) {
    this.rows = rows;
    this.cols = cols;
    this.re = re ?? new Float64Array(rows * cols);
    this.im = im ?? new Float64Array(rows * cols);
    if (this.re.length !== rows * cols || this.im.length !== rows * cols) {
      throw new RangeError(`complex matrix ${rows}×${cols} needs ${rows * cols} values per plane`);
    }
  }

  clone(): ComplexMatrix {
    return new ComplexMatrix(this.rows, this.cols, this.re.slice(), this.im.slice());
  }

  /** |Y| as a real matrix. */
  abs(): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.hypot(this.re[i], this.im[i]);
    return out;
  }

  /** |Y|² as a real matrix. */
  power(): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = this.re[i] * this.re[i] + this.im[i] * this.im[i];
    return out;
  }

  /** Phase ∠Y in radians. */
  angle(): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.atan2(this.im[i], this.re[i]);
    return out;
  }
}

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, extname, basename, join } from 'node:path';
import { NmflabError } from './errors.js';
import { Matrix } from './linalg/matrix.js';

/**
 * Matrix files and atomic writes. Matrices are `.npy` (NumPy format 1.0/2.0, little-endian
 * float64/float32/int, C or Fortran order) or `.csv` (plain comma-separated numbers, no header).
 */

/** Write a file so that readers see either the old file or the complete new one, never a part. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function matrixToCsv(m: Matrix): string {
  const lines: string[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < m.cols; j++) row.push(String(m.data[i * m.cols + j]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export function parseCsvMatrix(text: string, file = 'input'): Matrix {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (rows.length === 0) throw new NmflabError('empty matrix file', { file, expected: 'rows of comma-separated numbers' });
  const parsed = rows.map((line, i) =>
    line.split(/[,;\s]+/).map((tok, j) => {
      const v = Number(tok);
      if (tok === '' || !Number.isFinite(v)) {
        throw new NmflabError('not a number', { file, path: `row ${i + 1}, column ${j + 1}`, expected: 'a finite number', found: JSON.stringify(tok) });
      }
      return v;
    }),
  );
  const cols = parsed[0]!.length;
  parsed.forEach((r, i) => {
    if (r.length !== cols) throw new NmflabError('ragged matrix', { file, path: `row ${i + 1}`, expected: `${cols} values`, found: `${r.length}` });
  });
  return Matrix.fromRows(parsed);
}

export function matrixToNpy(m: Matrix): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + m.data.length * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  new Float64Array(out.buffer, total, m.data.length).set(m.data);
  return out;
}

export function parseNpyMatrix(buf: Uint8Array, file = 'input'): Matrix {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) {
    throw new NmflabError('not a .npy file', { file, expected: 'the NumPy magic string \\x93NUMPY' });
  }
  const major = buf[6]!;
  const hlen = major === 1 ? buf[8]! | (buf[9]! << 8) : buf[8]! | (buf[9]! << 8) | (buf[10]! << 16) | (buf[11]! << 24);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > buf.length) throw new NmflabError('truncated .npy header', { file });
  const header = Buffer.from(buf.subarray(start, start + hlen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new NmflabError('unreadable .npy header', { file, found: JSON.stringify(header.trim()) });
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new NmflabError('unsupported .npy shape', { file, expected: 'a 1-D or 2-D array', found: `(${shapeText})` });
  }
  const [rows, cols] = dims.length === 2 ? [dims[0]!, dims[1]!] : dims.length === 1 ? [1, dims[0]!] : [1, 1];
  const n = rows * cols;
  const off = start + hlen;
  const readers: Record<string, [number, (dv: DataView, o: number) => number]> = {
    '<f8': [8, (dv, o) => dv.getFloat64(o, true)],
    '<f4': [4, (dv, o) => dv.getFloat32(o, true)],
    '<i8': [8, (dv, o) => Number(dv.getBigInt64(o, true))],
    '<i4': [4, (dv, o) => dv.getInt32(o, true)],
    '<u1': [1, (dv, o) => dv.getUint8(o)],
    '|u1': [1, (dv, o) => dv.getUint8(o)],
  };
  const reader = readers[descr];
  if (!reader) throw new NmflabError('unsupported .npy dtype', { file, expected: `one of ${Object.keys(readers).join(', ')}`, found: descr });
  const [size, read] = reader;
  if (off + n * size > buf.length) throw new NmflabError('truncated .npy data', { file, expected: `${n * size} bytes of data`, found: `${buf.length - off}` });
  const dv = new DataView(buf.buffer, buf.byteOffset + off, n * size);
  const m = new Matrix(rows, cols);
  for (let k = 0; k < n; k++) {
    const v = read(dv, k * size);
    if (fortran) m.data[(k % rows) * cols + Math.floor(k / rows)] = v;
    else m.data[k] = v;
  }
  return m;
}

/** Read a matrix from `.csv` or `.npy`, with errors naming the file. */
export function readMatrix(file: string): Matrix {
  if (!existsSync(file)) throw new NmflabError('file not found', { file, expected: 'a .csv or .npy matrix file' });
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') return parseNpyMatrix(readFileSync(file), file);
  if (ext === '.csv' || ext === '.txt') return parseCsvMatrix(readFileSync(file, 'utf8'), file);
  throw new NmflabError('unsupported matrix format', { file, expected: '.csv or .npy', found: ext || 'no extension' });
}

/** Write a matrix as `.csv` or `.npy` (by extension), atomically. */
export function writeMatrix(file: string, m: Matrix): void {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') writeFileAtomic(file, matrixToNpy(m));
  else if (ext === '.csv') writeFileAtomic(file, matrixToCsv(m));
  else throw new NmflabError('unsupported matrix format', { file, expected: '.csv or .npy', found: ext || 'no extension' });
}

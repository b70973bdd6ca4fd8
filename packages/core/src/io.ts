import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { NmflabError } from './errors.js';
import { MAX_ENTRIES, Matrix } from './linalg/matrix.js';

/**
 * Matrix files and atomic writes. Matrices are `.npy` (NumPy format 1.0/2.0, little-endian
 * float64/float32/int, C or Fortran order) or `.csv` (plain comma-separated numbers, no header).
 */

/** What went wrong with a file, in words a user acts on (by errno code). */
const FS_REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (the file-size limit was reached)',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a folder (a part of the path is a file)',
  EEXIST: 'exists and is not a folder',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
};

/** An operating-system error on `file` as one NmflabError line: `file: cannot write: disk full (ENOSPC)`. */
export function fsError(e: unknown, file: string, action: string): NmflabError {
  if (e instanceof NmflabError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = code
    ? `${FS_REASONS[code] ?? (e as Error).message.split(',')[0]} (${code})`
    : e instanceof Error
      ? e.message
      : String(e);
  return new NmflabError(`cannot ${action}: ${reason}`, { file: shownPath(file) });
}

/** Relative to the working directory when inside it (messages never show machine paths). */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel === '' ? '.' : rel.startsWith('..') && isAbsolute(file) ? file : rel;
}

/**
 * Create a folder and its missing parents, one level at a time (no `recursive: true`, which loops
 * forever on paths such as /proc/x): the first missing ancestor's parent must be a folder.
 */
export function ensureDir(dir: string): string[] {
  const abs = resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(e, cur, 'create the folder');
    }
    if (st) {
      if (!st.isDirectory())
        throw new NmflabError('cannot create the folder: a file of that name is in the way', {
          file: shownPath(cur),
          expected: 'a folder',
          found: 'a file',
        });
      break;
    }
    missing.push(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  const created: string[] = [];
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
      created.push(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue;
      // The parent exists (checked above), so ENOENT means this file system takes no new entries (/proc, /sys).
      if (code === 'ENOENT')
        throw new NmflabError('cannot create the folder: the file system there does not allow it (ENOENT)', {
          file: shownPath(d),
        });
      throw fsError(e, d, 'create the folder');
    }
  }
  return created;
}

/** Remove folders ensureDir created, deepest first, where they are still empty. */
export function removeEmptyDirs(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/** Flush a folder's entries (a rename inside it) to disk; best effort where folders cannot be opened. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write every byte of `buf` to `fd` (writeSync may write fewer bytes than asked). */
export function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    // A zero count without an error means the device takes no more: report it like a full disk.
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    off += n;
  }
}

/**
 * Write a file so that readers see either the old file or the complete new one, never a part:
 * all bytes into a temporary file beside it, fsync, rename, fsync of the folder. On any failure
 * the temporary file is removed and the error names the file and the reason.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: { syncDir?: boolean } = {}): void {
  const dir = dirname(file);
  ensureDir(dir);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    writeAll(fd, buf);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw fsError(e, file, 'write');
  }
  if (opts.syncDir ?? true) fsyncDir(dir);
}

/**
 * Write several files of one folder as a set: every file goes to a temporary file first, and only
 * when all are written whole are they renamed into place; on a failure no file of the set changes.
 */
export function writeFilesAtomic(dir: string, files: readonly (readonly [string, string | Uint8Array])[]): void {
  ensureDir(dir);
  const temps: [string, string][] = [];
  let current = dir;
  try {
    for (const [name, data] of files) {
      const file = join(dir, name);
      current = file;
      const tmp = join(dir, `.${basename(name)}.${process.pid}.${Date.now()}.tmp`);
      temps.push([tmp, file]);
      const fd = openSync(tmp, 'wx');
      try {
        writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const [tmp, file] of temps) {
      current = file;
      renameSync(tmp, file);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw fsError(e, current, 'write');
  }
  fsyncDir(dir);
}

/** Size and SHA-256 of a file (what run.json records, and `--resume` checks, for every file of a run). */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

export function digestBytes(data: string | Uint8Array): FileDigest {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
}

/** The digest of a file on disk, or undefined when it cannot be read. */
export function digestFile(file: string): FileDigest | undefined {
  try {
    return digestBytes(readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * Read a file the user named, with errors that name it (and the config path or flag): missing,
 * a folder, unreadable, or larger than `maxBytes`.
 */
export function readInputFile(file: string, where: { path?: string; what?: string; maxBytes?: number } = {}): Buffer {
  const what = where.what ?? 'a file';
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new NmflabError('file not found', { file: shownPath(file), path: where.path, expected: what });
    throw fsError(e, file, 'read').withContext({ pathPrefix: where.path });
  }
  if (st.isDirectory())
    throw new NmflabError('is a folder, not a file', { file: shownPath(file), path: where.path, expected: what });
  if (!st.isFile())
    throw new NmflabError('not a regular file', { file: shownPath(file), path: where.path, expected: what });
  const max = where.maxBytes ?? 2 ** 31 - 1;
  if (st.size > max)
    throw new NmflabError('file too large to read', {
      file: shownPath(file),
      path: where.path,
      expected: `at most ${max} bytes`,
      found: `${st.size} bytes`,
    });
  try {
    return readFileSync(file);
  } catch (e) {
    throw fsError(e, file, 'read').withContext({ pathPrefix: where.path });
  }
}

export function matrixToCsv(m: Matrix): string {
  const lines: string[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < m.cols; j++) row.push(String(m.data[i * m.cols + j]));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Comma-separated (or, on lines without a comma, whitespace/semicolon-separated) numbers. An
 * empty cell (`1,,3`) is an error, not a collapsed separator; errors give the file's line number.
 */
/** A decimal number as numpy.loadtxt reads it (no hex, no "Infinity", no empty string). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseCsvMatrix(text: string, file = 'input'): Matrix {
  const parsed: number[][] = [];
  const lineNo: number[] = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) return;
    const cells = line.includes(',') ? line.split(',').map((c) => c.trim()) : line.split(/[;\s]+/);
    parsed.push(
      cells.map((tok, j) => {
        const v = DECIMAL.test(tok) ? Number(tok) : Number.NaN;
        if (tok === '')
          throw new NmflabError('empty cell', {
            file,
            path: `row ${n + 1}, column ${j + 1}`,
            expected: 'a finite number',
          });
        if (!Number.isFinite(v))
          throw new NmflabError('not a number', {
            file,
            path: `row ${n + 1}, column ${j + 1}`,
            expected: 'a finite number',
            found: JSON.stringify(tok.slice(0, 40)),
          });
        return v;
      }),
    );
    lineNo.push(n + 1);
  });
  if (parsed.length === 0)
    throw new NmflabError('empty matrix file', { file, expected: 'rows of comma-separated numbers' });
  const cols = parsed[0].length;
  parsed.forEach((r, i) => {
    if (r.length !== cols)
      throw new NmflabError('ragged matrix', {
        file,
        path: `row ${lineNo[i]}`,
        expected: `${cols} values`,
        found: `${r.length}`,
      });
  });
  return Matrix.fromRows(parsed);
}

export function matrixToNpy(m: Matrix): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - pre - 1, ' ')}\n`;
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
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3)
    throw new NmflabError('unsupported .npy version', { file, expected: '1, 2 or 3', found: String(major) });
  if (major !== 1 && buf.length < 12) throw new NmflabError('truncated .npy header', { file });
  const hlen = major === 1 ? buf[8] | (buf[9] << 8) : buf[8] | (buf[9] << 8) | (buf[10] << 16) | (buf[11] << 24);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > buf.length) throw new NmflabError('truncated .npy header', { file });
  const header = Buffer.from(buf.subarray(start, start + hlen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined)
    throw new NmflabError('unreadable .npy header', { file, found: JSON.stringify(header.trim()) });
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new NmflabError('unsupported .npy shape', { file, expected: 'a 1-D or 2-D array', found: `(${shapeText})` });
  }
  if (dims.reduce((a, d) => a * d, 1) > MAX_ENTRIES) {
    throw new NmflabError('.npy array too large', {
      file,
      expected: `at most ${MAX_ENTRIES} entries`,
      found: `shape (${shapeText})`,
    });
  }
  const [rows, cols] = dims.length === 2 ? [dims[0], dims[1]] : dims.length === 1 ? [1, dims[0]] : [1, 1];
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
  if (!reader)
    throw new NmflabError('unsupported .npy dtype', {
      file,
      expected: `one of ${Object.keys(readers).join(', ')}`,
      found: descr,
    });
  const [size, read] = reader;
  if (off + n * size > buf.length)
    throw new NmflabError('truncated .npy data', {
      file,
      expected: `${n * size} bytes of data`,
      found: `${buf.length - off}`,
    });
  const dv = new DataView(buf.buffer, buf.byteOffset + off, n * size);
  const m = new Matrix(rows, cols);
  for (let k = 0; k < n; k++) {
    const v = read(dv, k * size);
    if (!Number.isFinite(v)) {
      const [i, j] = fortran ? [k % rows, Math.floor(k / rows)] : [Math.floor(k / cols), k % cols];
      throw new NmflabError('not a finite number', {
        file,
        path: `entry [${i}, ${j}]`,
        expected: 'finite values',
        found: String(v),
      });
    }
    if (fortran) m.data[(k % rows) * cols + Math.floor(k / rows)] = v;
    else m.data[k] = v;
  }
  return m;
}

/** Read a matrix from `.csv` or `.npy`, with errors naming the file (and `path`, the config key or flag). */
export function readMatrix(file: string, path?: string): Matrix {
  const ext = extname(file).toLowerCase();
  if (ext !== '.npy' && ext !== '.csv' && ext !== '.txt') {
    throw new NmflabError('unsupported matrix format', {
      file: shownPath(file),
      path,
      expected: '.csv or .npy',
      found: ext || 'no extension',
    });
  }
  const buf = readInputFile(file, { path, what: 'a .csv or .npy matrix file' });
  try {
    return ext === '.npy'
      ? parseNpyMatrix(buf, shownPath(file))
      : parseCsvMatrix(buf.toString('utf8'), shownPath(file));
  } catch (e) {
    throw e instanceof NmflabError && path
      ? new NmflabError(e.reason, {
          file: e.file,
          path: e.path ? `${path}: ${e.path}` : path,
          expected: e.expected,
          found: e.found,
          hint: e.hint,
        })
      : e;
  }
}

/** Write a matrix as `.csv` or `.npy` (by extension), atomically. */
export function writeMatrix(file: string, m: Matrix): void {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') writeFileAtomic(file, matrixToNpy(m));
  else if (ext === '.csv') writeFileAtomic(file, matrixToCsv(m));
  else
    throw new NmflabError('unsupported matrix format', {
      file,
      expected: '.csv or .npy',
      found: ext || 'no extension',
    });
}

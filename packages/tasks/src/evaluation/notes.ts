import { existsSync, readFileSync } from 'node:fs';
import { NmflabError, describeValue } from '@nmflab/core';
import { parseMidi } from './midi.js';

/** A reference note: MIDI pitch, onset and offset in seconds. */
export interface Note {
  pitch: number;
  onset: number;
  offset: number;
  name?: string;
}

const NAMES: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** MIDI number of a note name: C4 = 60, sharps (#) and flats (b), octave −1…9. */
export function noteNumber(name: string): number | undefined {
  const m = /^([A-Ga-g])([#b♯♭]*)(-?\d+)$/.exec(name.trim());
  if (!m) return undefined;
  let p = NAMES[m[1].toUpperCase()];
  for (const c of m[2]) p += c === '#' || c === '♯' ? 1 : -1;
  const n = p + 12 * (Number(m[3]) + 1);
  return n >= 0 && n <= 127 ? n : undefined;
}

/** Nearest MIDI number of a frequency in Hz. */
export const hzToMidi = (hz: number): number => Math.round(69 + 12 * Math.log2(hz / 440));

// column and key names accepted for each field (lower case)
const ONSET = ['onset', 'start', 'onset_time', 'start_time', 'begin', 'time'];
const OFFSET = ['offset', 'end', 'offset_time', 'end_time', 'stop'];
const DURATION = ['duration', 'dur', 'length'];
const MIDI = ['pitch', 'midi', 'note', 'key', 'midi_pitch', 'note_number'];
const HZ = ['frequency', 'freq', 'hz', 'f0', 'pitch_hz'];

type Where = { file: string; path: string };

function pitchOf(v: unknown, unit: 'midi' | 'hz', where: Where): number {
  if (typeof v === 'string') {
    const named = noteNumber(v);
    if (named !== undefined) return named;
    const x = Number(v);
    if (v.trim() !== '' && Number.isFinite(x)) return pitchOf(x, unit, where);
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    if (unit === 'hz' && v > 0) return hzToMidi(v);
    if (unit === 'midi' && Number.isInteger(v) && v >= 0 && v <= 127) return v;
  }
  throw new NmflabError('invalid note pitch', {
    ...where,
    expected: unit === 'hz' ? 'a frequency in Hz > 0' : 'a MIDI number 0–127 or a note name (C4 = 60)',
    found: describeValue(v),
  });
}

function timeOf(v: unknown, where: Where): number {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return x;
  throw new NmflabError('invalid note time', { ...where, expected: 'seconds ≥ 0', found: describeValue(v) });
}

/** One note from named fields (a JSON object or a CSV row with a header). */
function fromFields(get: (names: string[]) => { key: string; value: unknown } | undefined, where: Where): Note {
  const on = get(ONSET);
  const off = get(OFFSET);
  const dur = get(DURATION);
  const midi = get(MIDI);
  const hz = get(HZ);
  if (!on) throw new NmflabError('a note has no onset', { ...where, expected: `one of ${ONSET.join(', ')}` });
  if (!midi && !hz)
    throw new NmflabError('a note has no pitch', { ...where, expected: `one of ${[...MIDI, ...HZ].join(', ')}` });
  const onset = timeOf(on.value, { ...where, path: `${where.path}.${on.key}` });
  let offset: number;
  if (off) offset = timeOf(off.value, { ...where, path: `${where.path}.${off.key}` });
  else if (dur) offset = onset + timeOf(dur.value, { ...where, path: `${where.path}.${dur.key}` });
  else
    throw new NmflabError('a note has no offset', {
      ...where,
      expected: `one of ${[...OFFSET, ...DURATION].join(', ')}`,
    });
  if (!(offset >= onset))
    throw new NmflabError('a note ends before it starts', {
      ...where,
      expected: 'offset ≥ onset',
      found: `onset ${onset}, offset ${offset}`,
    });
  const pitch = midi
    ? pitchOf(midi.value, 'midi', { ...where, path: `${where.path}.${midi.key}` })
    : pitchOf(hz!.value, 'hz', { ...where, path: `${where.path}.${hz!.key}` });
  return { pitch, onset, offset };
}

function fromJson(text: string, file: string): Note[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const list = Array.isArray(doc) ? doc : (doc as { notes?: unknown })?.notes;
  const at = Array.isArray(doc) ? '' : 'notes';
  if (!Array.isArray(list))
    throw new NmflabError('no note list', {
      file,
      path: at || '(top level)',
      expected: 'a list of notes, or {notes: [...]}',
      found: describeValue(list),
    });
  return list.map((n, i) => {
    const where = { file, path: `${at}[${i}]` };
    if (Array.isArray(n)) {
      // [onset, offset, pitch] as mir_eval's interval lists
      if (n.length < 3)
        throw new NmflabError('a note needs onset, offset and pitch', {
          ...where,
          expected: '[onset, offset, pitch]',
          found: describeValue(n),
        });
      return fromFields(
        (names) =>
          names === ONSET
            ? { key: '0', value: n[0] }
            : names === OFFSET
              ? { key: '1', value: n[1] }
              : names === MIDI
                ? { key: '2', value: n[2] }
                : undefined,
        where,
      );
    }
    if (n === null || typeof n !== 'object')
      throw new NmflabError('invalid note', { ...where, expected: '{pitch, onset, offset}', found: describeValue(n) });
    const obj = n as Record<string, unknown>;
    const lower = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
    return fromFields((names) => {
      for (const name of names) {
        const k = lower.get(name);
        if (k !== undefined && obj[k] !== undefined && obj[k] !== null) return { key: k, value: obj[k] };
      }
      return undefined;
    }, where);
  });
}

/**
 * Delimited text (CSV, TSV, or whitespace as mir_eval's and MIREX's note files): with a header
 * row, columns by name (onset/start, offset/end or duration, pitch/midi/note or frequency/hz);
 * without one, the columns are onset, offset, pitch. A headerless pitch column is read as MIDI
 * numbers when every value is an integer in 0–127, otherwise as Hz (mir_eval's convention).
 */
function fromText(text: string, file: string): Note[] {
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.trim(), row: i + 1 }))
    .filter((x) => x.l !== '' && !x.l.startsWith('#'));
  if (!lines.length) return [];
  const sep = lines[0].l.includes('\t') ? /\t/ : lines[0].l.includes(',') ? /,/ : /\s+/;
  const rows = lines.map((x) => ({ cells: x.l.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1')), row: x.row }));
  const first = rows[0].cells;
  const header = first.some((c) => c !== '' && !Number.isFinite(Number(c)) && noteNumber(c) === undefined);
  if (header) {
    const cols = first.map((c) => c.toLowerCase());
    return rows.slice(1).map(({ cells, row }) =>
      fromFields(
        (names) => {
          const i = cols.findIndex((c) => names.includes(c));
          return i >= 0 && cells[i] !== undefined && cells[i] !== '' ? { key: first[i], value: cells[i] } : undefined;
        },
        { file, path: `line ${row}` },
      ),
    );
  }
  for (const { cells, row } of rows) {
    if (cells.length < 3)
      throw new NmflabError('a note needs onset, offset and pitch', {
        file,
        path: `line ${row}`,
        expected: '3 columns (onset offset pitch) or a header row',
        found: `${cells.length} column${cells.length === 1 ? '' : 's'}`,
      });
  }
  const midi = rows.every(
    ({ cells }) =>
      noteNumber(cells[2]) !== undefined ||
      (Number.isInteger(Number(cells[2])) && Number(cells[2]) >= 0 && Number(cells[2]) <= 127),
  );
  return rows.map(({ cells, row }) => {
    const where = { file, path: `line ${row}` };
    const onset = timeOf(cells[0], { ...where, path: `${where.path}, column 1` });
    const offset = timeOf(cells[1], { ...where, path: `${where.path}, column 2` });
    if (!(offset >= onset))
      throw new NmflabError('a note ends before it starts', {
        ...where,
        expected: 'offset ≥ onset',
        found: `onset ${onset}, offset ${offset}`,
      });
    return {
      pitch: pitchOf(cells[2], midi ? 'midi' : 'hz', { ...where, path: `${where.path}, column 3` }),
      onset,
      offset,
    };
  });
}

/**
 * A reference note list from a file in any of the common forms, told apart by extension: MIDI
 * (.mid, .midi), JSON (.json: `{notes: [...]}` or a bare list; objects with onset/start,
 * offset/end or duration, pitch/midi/note (number or name) or frequency/hz; or [onset, offset,
 * pitch] triples), delimited text (.csv, .tsv, .txt, .lab, .notes). Notes sorted by onset, pitch.
 * `path` names the config setting that gave the file, for errors.
 */
export function readNoteList(file: string, path: string): Note[] {
  if (!existsSync(file))
    throw new NmflabError('note list not found', {
      path,
      expected: 'a note list file (.json, .csv, .tsv, .txt, .mid)',
      found: JSON.stringify(file),
    });
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  let notes: Note[];
  if (ext === 'mid' || ext === 'midi' || ext === 'smf')
    notes = parseMidi(readFileSync(file), file).map(({ pitch, onset, offset }) => ({ pitch, onset, offset }));
  else if (ext === 'json') notes = fromJson(readFileSync(file, 'utf8'), file);
  else if (['csv', 'tsv', 'txt', 'lab', 'notes'].includes(ext)) notes = fromText(readFileSync(file, 'utf8'), file);
  else
    throw new NmflabError('unknown note list format', {
      path,
      file,
      expected: 'a .json, .csv, .tsv, .txt, .lab or .mid file',
      found: JSON.stringify(`.${ext}`),
    });
  if (!notes.length) throw new NmflabError('the note list is empty', { file, path, expected: 'at least one note' });
  return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NmflabError } from '@nmflab/core';
import { hzToMidi, noteNumber, readNoteList } from '../../src/evaluation/notes.js';

const dir = mkdtempSync(join(tmpdir(), 'nmflab-notes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const expected = [
  { pitch: 60, onset: 0, offset: 0.5 },
  { pitch: 64, onset: 0.5, offset: 1.25 },
  { pitch: 69, onset: 0.5, offset: 1 },
];

describe('readNoteList: the common note-list forms give the same notes', () => {
  it('note names and frequencies', () => {
    expect(noteNumber('C4')).toBe(60);
    expect(noteNumber('A4')).toBe(69);
    expect(noteNumber('Db4')).toBe(61);
    expect(noteNumber('C#-1')).toBe(1);
    expect(noteNumber('H4')).toBeUndefined();
    expect(hzToMidi(440)).toBe(69);
    expect(hzToMidi(261.63)).toBe(60);
  });

  it('JSON: {notes} with onset/offset, a bare list with start/end or duration, names or Hz, [onset, offset, pitch] triples', () => {
    const forms = [
      JSON.stringify({
        notes: [
          { pitch: 64, onset: 0.5, offset: 1.25 },
          { pitch: 60, onset: 0, offset: 0.5 },
          { pitch: 69, onset: 0.5, offset: 1 },
        ],
      }),
      JSON.stringify([
        { start: 0, end: 0.5, midi: 60 },
        { Start: 0.5, End: 1.25, note: 'E4' },
        { start: 0.5, duration: 0.5, frequency: 440 },
      ]),
      JSON.stringify([
        [0, 0.5, 60],
        [0.5, 1.25, 64],
        [0.5, 1, 69],
      ]),
    ];
    forms.forEach((text, i) => expect(readNoteList(file(`f${i}.json`, text), 'task.params.notes')).toEqual(expected));
  });

  it('CSV and TSV with a header (any column order), headerless TSV as onset offset MIDI, whitespace text in Hz as mir_eval writes it', () => {
    expect(
      readNoteList(file('a.csv', 'pitch,onset,offset,velocity\n60,0,0.5,80\n64,0.5,1.25,80\n69,0.5,1.0,80\n'), 'p'),
    ).toEqual(expected);
    expect(
      readNoteList(file('b.tsv', 'start_time\tend_time\tnote\n0\t0.5\tC4\n0.5\t1.25\tE4\n0.5\t1\tA4\n'), 'p'),
    ).toEqual(expected);
    expect(readNoteList(file('c.tsv', '# comment\n0\t0.5\t60\n0.5\t1.25\t64\n\n0.5\t1\t69\n'), 'p')).toEqual(expected);
    expect(readNoteList(file('d.txt', '0.000 0.500 261.626\n0.500 1.250 329.628\n0.500 1.000 440.000\n'), 'p')).toEqual(
      expected,
    );
  });

  it('a MIDI file', () => {
    const notes = readNoteList('data/piano/transcription.mid', 'p');
    expect(notes.length).toBe(35);
    expect(notes[0]).toEqual({ pitch: 60, onset: 0, offset: 0.5 });
  });

  it('errors name the file, the line or entry and what was expected', () => {
    const cases: [string, string, RegExp][] = [
      ['bad.csv', 'onset,offset,pitch\n0,0.5,60\n0.5,0.2,64\n', /bad\.csv: line 3: a note ends before it starts/],
      ['bad2.tsv', '0\t0.5\n', /bad2\.tsv: line 1: a note needs onset, offset and pitch/],
      ['bad3.json', '{"notes": [{"onset": 0, "offset": 1}]}', /bad3\.json: notes\[0\]: a note has no pitch/],
      [
        'bad4.json',
        '{"notes": [{"onset": 0, "offset": 1, "pitch": 200}]}',
        /bad4\.json: notes\[0\]\.pitch: invalid note pitch/,
      ],
      ['bad5.json', '{"notes": []}', /the note list is empty/],
      ['bad6.xml', '<notes/>', /unknown note list format/],
    ];
    for (const [name, text, re] of cases) {
      const f = file(name, text);
      expect(() => readNoteList(f, 'task.params.notes'), name).toThrow(NmflabError);
      expect(() => readNoteList(f, 'task.params.notes'), name).toThrow(re);
    }
    expect(() => readNoteList(join(dir, 'missing.json'), 'task.params.notes')).toThrow(
      /task\.params\.notes: note list not found/,
    );
  });
});

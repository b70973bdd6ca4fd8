import { NmflabError } from '@nmflab/core';

/** A note of a MIDI file, in seconds (tempo map applied). */
export interface MidiNote {
  pitch: number;
  onset: number;
  offset: number;
  velocity: number;
  channel: number;
  track: number;
}

/**
 * Notes of a Standard MIDI File (format 0, 1 or 2): running status, meta and sysex events skipped,
 * note-on with velocity 0 as note-off, overlapping notes of one pitch and channel closed first in,
 * first out, notes still on at the end of their track closed there. Times follow the tempo map
 * (set-tempo events of every track, 120 bpm until the first) or SMPTE division. Channel 10 (index
 * 9, GM percussion) is left out unless `percussion` is set: its key numbers are drums, not pitches.
 */
export function parseMidi(bytes: Uint8Array, file: string, opts: { percussion?: boolean } = {}): MidiNote[] {
  const fail = (reason: string, at: number, expected?: string, found?: string) =>
    new NmflabError(reason, { file, path: `byte ${at}`, expected, found });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 14 || tag(0) !== 'MThd')
    throw fail('not a Standard MIDI File', 0, 'the "MThd" header', JSON.stringify(tag(0)));
  const headerLength = view.getUint32(4);
  const format = view.getUint16(8);
  const tracks = view.getUint16(10);
  const division = view.getUint16(12);
  if (format > 2) throw fail('unknown MIDI file format', 8, '0, 1 or 2', String(format));
  // seconds per tick under SMPTE division; otherwise from the tempo map
  let smpteSecondsPerTick = 0;
  if (division & 0x8000) {
    const fps = 256 - (division >> 8);
    smpteSecondsPerTick = 1 / ((fps === 29 ? 29.97 : fps) * (division & 0xff));
  } else if (division === 0)
    throw fail('MIDI division of 0 ticks per quarter note', 12, 'ticks per quarter note ≥ 1', '0');

  const tempos: { tick: number; usPerQuarter: number }[] = [];
  const raw: { pitch: number; on: number; off: number; velocity: number; channel: number; track: number }[] = [];
  let at = 8 + headerLength;
  for (let t = 0; t < tracks; t++) {
    // skip chunks that are not tracks (the format allows other chunk types)
    while (at + 8 <= bytes.length && tag(at) !== 'MTrk') at += 8 + view.getUint32(at + 4);
    if (at + 8 > bytes.length) throw fail(`track ${t + 1} of ${tracks} is missing`, at, '"MTrk" chunk', 'end of file');
    const end = at + 8 + view.getUint32(at + 4);
    if (end > bytes.length)
      throw fail('track chunk runs past the end of the file', at, `${end - at - 8} bytes`, `${bytes.length - at - 8}`);
    let p = at + 8;
    let tick = 0;
    let status = 0;
    const open = new Map<number, { tick: number; velocity: number }[]>();
    const byte = () => {
      if (p >= end) throw fail('event runs past the end of its track', p);
      return bytes[p++];
    };
    const vlq = () => {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const c = byte();
        v = v * 128 + (c & 0x7f);
        if (!(c & 0x80)) return v;
      }
      throw fail('variable-length number longer than 4 bytes', p);
    };
    const close = (channel: number, pitch: number, offTick: number) => {
      const q = open.get(channel * 128 + pitch);
      const first = q?.shift();
      if (first) raw.push({ pitch, on: first.tick, off: offTick, velocity: first.velocity, channel, track: t });
    };
    while (p < end) {
      tick += vlq();
      let b = byte();
      if (b === 0xff) {
        const type = byte();
        const len = vlq();
        if (p + len > end) throw fail('meta event runs past the end of its track', p);
        if (type === 0x51 && len === 3)
          tempos.push({ tick, usPerQuarter: (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2] });
        p += len;
        if (type === 0x2f) break;
        status = 0;
        continue;
      }
      if (b === 0xf0 || b === 0xf7) {
        const len = vlq(); // not `p += vlq()`: that adds to p as it was before the length was read
        p += len;
        status = 0;
        continue;
      }
      if (b & 0x80) status = b;
      else {
        if (!status) throw fail('data byte without a status (running status with none set)', p - 1);
        p--;
        b = status;
      }
      const kind = status & 0xf0;
      const channel = status & 0x0f;
      const d1 = byte();
      const d2 = kind === 0xc0 || kind === 0xd0 ? 0 : byte();
      if (kind === 0x90 && d2 > 0) {
        const key = channel * 128 + d1;
        const q = open.get(key) ?? [];
        q.push({ tick, velocity: d2 });
        open.set(key, q);
      } else if (kind === 0x80 || kind === 0x90) close(channel, d1, tick);
    }
    for (const [key, q] of open)
      for (const o of q)
        raw.push({
          pitch: key % 128,
          on: o.tick,
          off: tick,
          velocity: o.velocity,
          channel: Math.floor(key / 128),
          track: t,
        });
    at = end;
  }

  // tick → seconds through the tempo map (piecewise linear)
  tempos.sort((a, b) => a.tick - b.tick);
  const seconds = (tick: number): number => {
    if (smpteSecondsPerTick) return tick * smpteSecondsPerTick;
    let s = 0;
    let last = 0;
    let us = 500_000;
    for (const tm of tempos) {
      if (tm.tick >= tick) break;
      s += ((tm.tick - last) * us) / division / 1e6;
      last = tm.tick;
      us = tm.usPerQuarter;
    }
    return s + ((tick - last) * us) / division / 1e6;
  };
  return raw
    .filter((n) => opts.percussion || n.channel !== 9)
    .map((n) => ({
      pitch: n.pitch,
      onset: seconds(n.on),
      offset: seconds(n.off),
      velocity: n.velocity,
      channel: n.channel,
      track: n.track,
    }))
    .sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

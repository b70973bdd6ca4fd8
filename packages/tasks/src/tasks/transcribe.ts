import { existsSync, readFileSync } from 'node:fs';
import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { pearson } from '../evaluation/measures.js';

/**
 * NMF transcription (Smaragdis & Brown 2003) and note/component analysis (Févotte, Bertin &
 * Durrieu 2009). V = represent(STFT(x)) ≈ W H; each basis column W_{:k} gets a pitch by harmonic
 * summation, score(p) = Σ_{h=1}^{H} ρ^{h−1} max_{|f − h·f0(p)| ≤ ¼ semitone} W_{fk} / Σ_f W_{fk},
 * with f0(p) = 440·2^{(p−69)/12} over the MIDI pitches [minPitch, maxPitch] (ρ < 1 favours the true
 * fundamental over its sub-octave, which collects only every other partial).
 *
 * Piano roll (`pianoroll.json` in the run folder): components whose score is below `minHarmonicity` are unpitched (the attack/noise
 * components NMF learns) and left out; the activations of the components of each pitch are summed, divided by their maximum
 * and thresholded (`threshold`); a note starts at each rising edge (frame n at time n·hop/sr).
 * Onset F-measure: estimated (pitch, onset) pairs matched one-to-one to the reference notes of the
 * same pitch within ±`onsetTolerance` s (greedy in time order, which is a maximum matching for a
 * fixed tolerance on a line), F = 2PR/(P+R) as mir_eval's onset-only note metric.
 *
 * Component analysis: a note is "isolated" when a component labelled with its pitch (whatever its
 * harmonicity: IS bases keep much broadband energy) has
 * purity ≥ `isolation`, purity = Σ_{n: note sounds} H_kn / Σ_n H_kn (the note sounds from onset to
 * offset + `release`); a component mixing notes spends activation where its note is silent. The
 * Pearson correlation of each activation with each note's on/off pattern is saved in extra.json.
 */
export interface Note {
  pitch: number;
  onset: number;
  offset: number;
  name?: string;
}

export const midiToHz = (p: number): number => 440 * 2 ** ((p - 69) / 12);

/** The pitch of one basis spectrum w (F bins of an n-point real STFT at `sampleRate`) by harmonic summation. */
export function basisPitch(w: Float64Array, sampleRate: number, frameLength: number, minPitch: number, maxPitch: number, harmonics = 8, rho = 0.8): { pitch: number; score: number } {
  const F = w.length;
  let total = 0;
  for (let f = 0; f < F; f++) total += w[f]!;
  if (!(total > 0)) return { pitch: -1, score: 0 };
  const binHz = sampleRate / frameLength;
  const quarter = 2 ** (1 / 48);
  let best = { pitch: -1, score: -Infinity };
  for (let p = minPitch; p <= maxPitch; p++) {
    let s = 0;
    let weight = 1;
    for (let h = 1; h <= harmonics; h++) {
      const hz = h * midiToHz(p);
      const lo = Math.max(0, Math.floor(hz / quarter / binHz));
      const hi = Math.min(F - 1, Math.ceil((hz * quarter) / binHz));
      if (lo > F - 1) break;
      let m = 0;
      for (let f = lo; f <= hi; f++) if (w[f]! > m) m = w[f]!;
      s += weight * m;
      weight *= rho;
    }
    s /= total;
    if (s > best.score) best = { pitch: p, score: s };
  }
  return best;
}

/**
 * Onsets of a thresholded activation: a note turns on where the activation rises through
 * `threshold`·max and off where it falls below half of that (hysteresis, so a decaying note
 * hovering at the threshold is not split into many), and an onset closer than `minGap` frames to
 * the previous one is merged into it.
 */
export function activationOnsets(a: Float64Array, threshold: number, minGap = 0): { onsets: number[]; roll: Uint8Array } {
  let max = 0;
  for (const v of a) if (v > max) max = v;
  const roll = new Uint8Array(a.length);
  const onsets: number[] = [];
  if (!(max > 0)) return { onsets, roll };
  let on = false;
  for (let n = 0; n < a.length; n++) {
    if (!on && a[n]! >= threshold * max) {
      on = true;
      if (!onsets.length || n - onsets[onsets.length - 1]! > minGap) onsets.push(n);
    } else if (on && a[n]! < 0.5 * threshold * max) on = false;
    roll[n] = on ? 1 : 0;
  }
  return { onsets, roll };
}

/** Onset-only note precision, recall and F-measure (same pitch, |Δonset| ≤ tol). */
export function onsetFMeasure(reference: readonly { pitch: number; onset: number }[], estimate: readonly { pitch: number; onset: number }[], tol: number): { precision: number; recall: number; f: number; matched: number } {
  let matched = 0;
  const pitches = new Set([...reference.map((n) => n.pitch), ...estimate.map((n) => n.pitch)]);
  for (const p of pitches) {
    const r = reference.filter((n) => n.pitch === p).map((n) => n.onset).sort((a, b) => a - b);
    const e = estimate.filter((n) => n.pitch === p).map((n) => n.onset).sort((a, b) => a - b);
    let i = 0;
    let j = 0;
    while (i < r.length && j < e.length) {
      if (Math.abs(r[i]! - e[j]!) <= tol + 1e-9) {
        matched++;
        i++;
        j++;
      } else if (e[j]! < r[i]!) j++;
      else i++;
    }
  }
  const precision = estimate.length ? matched / estimate.length : 0;
  const recall = reference.length ? matched / reference.length : 0;
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f, matched };
}

export function readNotes(file: string, path: string): Note[] {
  if (!existsSync(file)) throw new NmflabError('note list not found', { path, expected: 'a notes JSON file (data/piano/*.notes.json)', found: JSON.stringify(file) });
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const notes = (doc as { notes?: unknown }).notes;
  if (!Array.isArray(notes) || notes.length === 0) throw new NmflabError('the file has no notes', { file, path: 'notes', expected: 'a non-empty list of {pitch, onset, offset}', found: describeValue(notes) });
  notes.forEach((n: { pitch?: unknown; onset?: unknown; offset?: unknown }, i) => {
    if (typeof n?.pitch !== 'number' || typeof n.onset !== 'number' || typeof n.offset !== 'number' || !(n.offset >= n.onset)) {
      throw new NmflabError('invalid note', { file, path: `notes[${i}]`, expected: '{pitch, onset, offset} with offset ≥ onset', found: describeValue(n) });
    }
  });
  return notes as Note[];
}

interface Params {
  notes: string;
  threshold: number;
  onsetTolerance: number;
  minPitch: number;
  maxPitch: number;
  harmonics: number;
  isolation: number;
  minGap: number;
  minHarmonicity: number;
  release: number;
  seconds: number;
}

export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'transcribe',
    description: 'NMF transcription: basis pitches, thresholded activations as a piano roll, onset F-measure and note/component correlations',
    params: {
      notes: { type: 'string', minLength: 1, required: true, description: 'reference note list JSON ({notes: [{pitch, onset, offset}]}), relative to the working directory' },
      threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.2, description: 'a pitch is on where its summed activation ≥ threshold × its maximum' },
      onsetTolerance: { type: 'number', minimum: 0, default: 0.05, description: 'onset matching tolerance in seconds (±50 ms as mir_eval)' },
      minPitch: { type: 'integer', minimum: 0, maximum: 127, default: 36, description: 'lowest MIDI pitch a basis may get' },
      maxPitch: { type: 'integer', minimum: 0, maximum: 127, default: 96, description: 'highest MIDI pitch a basis may get' },
      harmonics: { type: 'integer', minimum: 1, maximum: 40, default: 8, description: 'partials summed when estimating a basis pitch' },
      minGap: { type: 'number', minimum: 0, default: 0.1, description: 'onsets of one pitch closer than this (seconds) are merged' },
      minHarmonicity: { type: 'number', minimum: 0, maximum: 1, default: 0.08, description: 'components whose best harmonic-sum score (share of the basis mass on the weighted partials) is below this are unpitched (attacks, noise) and left out of the piano roll' },
      isolation: { type: 'number', minimum: 0, maximum: 1, default: 0.8, description: 'purity (share of a component’s activation mass inside the frames where its note sounds) above which the note counts as isolated by that component' },
      seconds: { type: 'number', minimum: 0, default: 0, description: 'use only the first seconds of the recording and the notes starting in them (0 = all)' },
      release: { type: 'number', minimum: 0, default: 0.25, description: 'seconds after each note-off that still count as the note sounding (release tail)' },
    },
  },
  create: (p, ctx) => ({
    id: 'transcribe',
    run(tc) {
      if (p.minPitch > p.maxPitch) throw new NmflabError('empty pitch range', { path: `${ctx.path}.minPitch`, expected: `≤ maxPitch (${p.maxPitch})`, found: String(p.minPitch) });
      const allNotes = readNotes(p.notes, `${ctx.path}.notes`);
      const sig = tc.data.signal;
      const tr = tc.transform as (typeof tc.transform & { hop?: number; frameLength?: number }) | undefined;
      if (!sig || !tr || typeof tr.hop !== 'number' || typeof tr.frameLength !== 'number') {
        throw new NmflabError('transcription needs audio and an STFT', { path: 'data', expected: 'an audio source and a transform: block' });
      }
      const samples = p.seconds > 0 ? sig.samples.subarray(0, Math.min(sig.samples.length, Math.round(p.seconds * sig.sampleRate))) : sig.samples;
      const notes = allNotes.filter((n) => n.onset < samples.length / sig.sampleRate);
      const V = tr.represent(tr.analyze(samples));
      const fit = tc.fit({ problem: { V, rank: tc.rank }, label: 'main' });
      const { W, H } = fit.result;
      const K = W.cols;
      const N = H.cols;
      const frameTime = tr.hop / sig.sampleRate;
      const pitches: { pitch: number; score: number }[] = [];
      for (let k = 0; k < K; k++) pitches.push(basisPitch(W.col(k), sig.sampleRate, tr.frameLength, p.minPitch, p.maxPitch, p.harmonics));
      // piano roll: activations (scaled by their basis' sum, so components add on V's scale) summed per pitch
      const byPitch = new Map<number, Float64Array>();
      for (let k = 0; k < K; k++) {
        const pk = pitches[k]!.pitch;
        if (pk < 0 || pitches[k]!.score < p.minHarmonicity) continue;
        let scale = 0;
        for (let f = 0; f < W.rows; f++) scale += W.get(f, k);
        const a = byPitch.get(pk) ?? new Float64Array(N);
        for (let n = 0; n < N; n++) a[n] += scale * H.get(k, n);
        byPitch.set(pk, a);
      }
      const estimated: { pitch: number; onset: number }[] = [];
      const roll: { pitch: number; frames: number[][] }[] = [];
      for (const [pitch, a] of [...byPitch].sort((x, y) => x[0] - y[0])) {
        const { onsets, roll: r } = activationOnsets(a, p.threshold, Math.round(p.minGap / frameTime));
        for (const n of onsets) estimated.push({ pitch, onset: n * frameTime });
        const spans: number[][] = [];
        for (let n = 0; n < N; n++) if (r[n] && (n === 0 || !r[n - 1])) {
          let m = n;
          while (m + 1 < N && r[m + 1]) m++;
          spans.push([n * frameTime, (m + 1) * frameTime]);
        }
        roll.push({ pitch, frames: spans });
      }
      const fm = onsetFMeasure(notes, estimated, p.onsetTolerance);
      // component ↔ note correlations, notes as on/off patterns on the frame grid
      const patterns = notes.map((nt) => {
        const x = new Float64Array(N);
        for (let n = 0; n < N; n++) x[n] = n * frameTime >= nt.onset && n * frameTime < nt.offset ? 1 : 0;
        return x;
      });
      const corr: number[][] = [];
      for (let k = 0; k < K; k++) corr.push(patterns.map((x) => pearson(H.row(k), x)));
      let isolated = 0;
      const notePitches = [...new Set(notes.map((n) => n.pitch))].sort((a, b) => a - b);
      const perNote = notePitches.map((pitch) => {
        // where the note sounds: onset to offset plus the release tail
        const on = new Uint8Array(N);
        for (const nt of notes) if (nt.pitch === pitch) for (let n = 0; n < N; n++) if (n * frameTime >= nt.onset && n * frameTime < nt.offset + p.release) on[n] = 1;
        let best = { component: -1, purity: 0 };
        for (let k = 0; k < K; k++) {
          if (pitches[k]!.pitch !== pitch) continue;
          let inside = 0;
          let all = 0;
          for (let n = 0; n < N; n++) {
            all += H.get(k, n);
            if (on[n]) inside += H.get(k, n);
          }
          const purity = all > 0 ? inside / all : 0;
          if (purity > best.purity) best = { component: k, purity };
        }
        const ok = best.component >= 0 && best.purity >= p.isolation;
        if (ok) isolated++;
        return { pitch, ...best, isolated: ok };
      });
      const assigned = pitches.filter((q) => notePitches.includes(q.pitch)).length;
      return {
        fit,
        matrices: { W, H },
        metrics: {
          'onset.f': fm.f,
          'onset.precision': fm.precision,
          'onset.recall': fm.recall,
          'notes.isolated': isolated,
          'notes.count': notePitches.length,
          'components.on-note-pitch': assigned,
          'notes.with-component': perNote.filter((n) => n.component >= 0).length,
          'isolation.mean-purity': perNote.reduce((s, n) => s + n.purity, 0) / perNote.length,
        },
        extra: {
          componentPitches: pitches.map((q) => q.pitch),
          componentHarmonicity: pitches.map((q) => q.score),
          perNote,
          activationNoteCorrelation: corr,
        },
        // the piano roll as its own file, for reports
        // (the report helper's format: reference and estimated notes {pitch, onset, offset} in seconds)
        files: {
          'pianoroll.json': JSON.stringify(
            {
              reference: notes.map((n) => ({ pitch: n.pitch, onset: n.onset, offset: n.offset })),
              estimate: roll.flatMap((r) => r.frames.map(([on, off]) => ({ pitch: r.pitch, onset: on!, offset: off! }))),
              threshold: p.threshold,
              frameSeconds: frameTime,
              onsets: estimated,
            },
            null,
            1,
          ),
        },
      };
    },
  }),
});

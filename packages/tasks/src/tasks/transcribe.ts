import { NmflabError } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readNoteList, type Note } from '../evaluation/notes.js';
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
export type { Note };

export const midiToHz = (p: number): number => 440 * 2 ** ((p - 69) / 12);

/** The pitch of one basis spectrum w (F bins of an n-point real STFT at `sampleRate`) by harmonic summation. */
export function basisPitch(
  w: Float64Array,
  sampleRate: number,
  frameLength: number,
  minPitch: number,
  maxPitch: number,
  harmonics = 8,
  rho = 0.8,
): { pitch: number; score: number } {
  const F = w.length;
  let total = 0;
  for (let f = 0; f < F; f++) total += w[f];
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
      for (let f = lo; f <= hi; f++) if (w[f] > m) m = w[f];
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
export function activationOnsets(
  a: Float64Array,
  threshold: number,
  minGap = 0,
): { onsets: number[]; roll: Uint8Array } {
  let max = 0;
  for (const v of a) if (v > max) max = v;
  const roll = new Uint8Array(a.length);
  const onsets: number[] = [];
  if (!(max > 0)) return { onsets, roll };
  let on = false;
  for (let n = 0; n < a.length; n++) {
    if (!on && a[n] >= threshold * max) {
      on = true;
      if (!onsets.length || n - onsets[onsets.length - 1] > minGap) onsets.push(n);
    } else if (on && a[n] < 0.5 * threshold * max) on = false;
    roll[n] = on ? 1 : 0;
  }
  return { onsets, roll };
}

/**
 * Onsets by peak picking on the activation's novelty, as onset detectors do on a spectral flux
 * (Bello et al. 2005; the three peak conditions of Dixon 2006), so that a pitch struck again while
 * it still sounds, or after a short gap, gives a new onset. With a = activation / max(activation):
 * novelty d[n] = max(0, a[n] − min(a[n−lag..n−1])) (the rise over the last `lag` frames); frame n
 * is an onset when d[n] is the largest of d[n−w..n+w], d[n] ≥ `rise` + mean(d[n−3w..n+w]), and
 * more than `minGap` frames follow the previous onset. The onset frame is then the frame of the
 * steepest one-frame rise within the lag window (the attack's middle, where a centred STFT frame
 * sits on the onset). `roll` marks a pitch on from an onset until a falls below `offLevel`.
 * `scale` replaces max(activation) as the reference (e.g. the largest activation of all pitches).
 */
export function noveltyOnsets(
  a: Float64Array,
  opts: { rise: number; lag: number; window: number; minGap: number; offLevel: number; scale?: number },
): { onsets: number[]; roll: Uint8Array } {
  const N = a.length;
  let max = opts.scale ?? 0;
  if (opts.scale === undefined) for (const v of a) if (v > max) max = v;
  const roll = new Uint8Array(N);
  const onsets: number[] = [];
  if (!(max > 0)) return { onsets, roll };
  const lag = Math.max(1, opts.lag);
  const w = Math.max(1, opts.window);
  const d = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let lo = n === 0 ? 0 : Infinity;
    for (let k = Math.max(0, n - lag); k < n; k++) if (a[k] < lo) lo = a[k];
    d[n] = Math.max(0, (a[n] - lo) / max);
  }
  for (let n = 0; n < N; n++) {
    if (d[n] < opts.rise) continue;
    let isMax = true;
    for (let k = Math.max(0, n - w); k <= Math.min(N - 1, n + w) && isMax; k++)
      if (d[k] > d[n] || (d[k] === d[n] && k < n)) isMax = false;
    if (!isMax) continue;
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, n - 3 * w); k <= Math.min(N - 1, n + w); k++, count++) sum += d[k];
    if (d[n] < opts.rise + sum / count) continue;
    let at = n;
    let steep = -Infinity;
    for (let k = Math.max(0, n - lag + 1); k <= n; k++) {
      const step = a[k] - (k > 0 ? a[k - 1] : 0);
      if (step > steep) {
        steep = step;
        at = k;
      }
    }
    if (onsets.length && at - onsets[onsets.length - 1] <= opts.minGap) continue;
    onsets.push(at);
  }
  for (let i = 0; i < onsets.length; i++) {
    const end = i + 1 < onsets.length ? onsets[i + 1] : N;
    for (let n = onsets[i]; n < end && a[n] >= opts.offLevel * max; n++) roll[n] = 1;
  }
  return { onsets, roll };
}

/** numpy's around(x, 4): round half to even at 4 decimals (mir_eval rounds onset distances so). */
function around4(x: number): number {
  const y = x * 1e4;
  const r = Math.round(y);
  return (Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : r) / 1e4;
}

/**
 * Onset-only note precision, recall and F-measure as mir_eval.transcription's
 * precision_recall_f1_overlap with offset_ratio=None: same MIDI pitch (within 50 cents), onset
 * distance rounded to 4 decimals ≤ tol, one-to-one; per pitch the greedy two-pointer matching in
 * time order is a maximum matching (intervals of a fixed width on a line).
 */
export function onsetFMeasure(
  reference: readonly { pitch: number; onset: number }[],
  estimate: readonly { pitch: number; onset: number }[],
  tol: number,
): { precision: number; recall: number; f: number; matched: number } {
  let matched = 0;
  const pitches = new Set([...reference.map((n) => n.pitch), ...estimate.map((n) => n.pitch)]);
  for (const p of pitches) {
    const r = reference
      .filter((n) => n.pitch === p)
      .map((n) => n.onset)
      .sort((a, b) => a - b);
    const e = estimate
      .filter((n) => n.pitch === p)
      .map((n) => n.onset)
      .sort((a, b) => a - b);
    let i = 0;
    let j = 0;
    while (i < r.length && j < e.length) {
      if (around4(Math.abs(r[i] - e[j])) <= tol) {
        matched++;
        i++;
        j++;
      } else if (e[j] < r[i]) j++;
      else i++;
    }
  }
  // mir_eval returns 0 for all three when either list is empty
  const precision = estimate.length && reference.length ? matched / estimate.length : 0;
  const recall = reference.length && estimate.length ? matched / reference.length : 0;
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f, matched };
}

interface Params {
  notes?: string;
  onsetRule: 'novelty' | 'threshold';
  threshold: number;
  rise: number;
  riseLag: number;
  peakWindow: number;
  riseReference: 'pitch' | 'all';
  onsetTolerance: number;
  rankFrom: 'model' | 'notes';
  extraComponents: number;
  pitchRange: 'fixed' | 'notes';
  pitchMargin: number;
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
    description:
      'NMF transcription: basis pitches, onsets picked from the activations as a piano roll, onset F-measure (mir_eval) and note/component correlations',
    params: {
      notes: {
        type: 'string',
        minLength: 1,
        description:
          'reference note list: MIDI (.mid), JSON ({notes: [{pitch, onset, offset}]}, start/end, [onset, offset, pitch]), CSV/TSV/text (onset offset pitch, or named columns); relative to the working directory. Default: the note list the data source gives (a corpus item’s)',
      },
      onsetRule: {
        type: 'string',
        enum: ['novelty', 'threshold'],
        default: 'novelty',
        description:
          'novelty: peak picking on the activation’s rise (re-struck notes give new onsets); threshold: a rising edge through threshold × max with hysteresis (the first version; misses notes repeated before the activation falls)',
      },
      threshold: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.2,
        description:
          'threshold rule: a pitch turns on where its summed activation ≥ threshold × its maximum (off below half of that); novelty rule: the piano roll’s note ends where the activation falls below threshold × max',
      },
      rise: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.1,
        description:
          'novelty rule: smallest rise of the normalized activation over riseLag that counts as an onset (also above the local mean of the novelty)',
      },
      riseLag: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.05,
        description: 'novelty rule: seconds over which the rise is measured (about an STFT frame’s attack)',
      },
      peakWindow: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.05,
        description: 'novelty rule: an onset is the largest novelty within ± this many seconds',
      },
      riseReference: {
        type: 'string',
        enum: ['pitch', 'all'],
        default: 'pitch',
        description:
          'novelty rule: rises relative to each pitch’s largest activation, or to the largest of all pitches',
      },
      onsetTolerance: {
        type: 'number',
        minimum: 0,
        default: 0.05,
        description: 'onset matching tolerance in seconds (±50 ms as mir_eval)',
      },
      rankFrom: {
        type: 'string',
        enum: ['model', 'notes'],
        default: 'model',
        description:
          'model: model.rank; notes: the number of distinct pitches in the note list + extraComponents (model.rank is then not used)',
      },
      extraComponents: {
        type: 'integer',
        minimum: 0,
        default: 1,
        description: 'rankFrom notes: components added for attacks and noise',
      },
      pitchRange: {
        type: 'string',
        enum: ['fixed', 'notes'],
        default: 'fixed',
        description: 'fixed: minPitch–maxPitch; notes: the note list’s lowest to highest pitch ± pitchMargin',
      },
      pitchMargin: {
        type: 'integer',
        minimum: 0,
        maximum: 48,
        default: 2,
        description: 'pitchRange notes: semitones added below and above the note list’s range',
      },
      minPitch: {
        type: 'integer',
        minimum: 0,
        maximum: 127,
        default: 36,
        description: 'lowest MIDI pitch a basis may get (pitchRange fixed)',
      },
      maxPitch: {
        type: 'integer',
        minimum: 0,
        maximum: 127,
        default: 96,
        description: 'highest MIDI pitch a basis may get (pitchRange fixed)',
      },
      harmonics: {
        type: 'integer',
        minimum: 1,
        maximum: 40,
        default: 8,
        description: 'partials summed when estimating a basis pitch',
      },
      minGap: {
        type: 'number',
        minimum: 0,
        default: 0.1,
        description: 'onsets of one pitch closer than this (seconds) are merged',
      },
      minHarmonicity: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.08,
        description:
          'components whose best harmonic-sum score (share of the basis mass on the weighted partials) is below this are unpitched (attacks, noise) and left out of the piano roll',
      },
      isolation: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.8,
        description:
          'purity (share of a component’s activation mass inside the frames where its note sounds) above which the note counts as isolated by that component',
      },
      seconds: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'use only the first seconds of the recording and the notes starting in them (0 = all)',
      },
      release: {
        type: 'number',
        minimum: 0,
        default: 0.25,
        description: 'seconds after each note-off that still count as the note sounding (release tail)',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'transcribe',
    run(tc) {
      const extraNotes = (tc.data.extra as { notes?: unknown } | undefined)?.notes;
      const notesFile = p.notes ?? (typeof extraNotes === 'string' ? extraNotes : undefined);
      if (!notesFile)
        throw new NmflabError('no reference note list', {
          path: `${ctx.path}.notes`,
          expected: 'a note list file, or a data source that gives one (a corpus item)',
          found: 'nothing',
        });
      const allNotes = readNoteList(notesFile, p.notes ? `${ctx.path}.notes` : 'data');
      const sig = tc.data.signal;
      const tr = tc.transform as (typeof tc.transform & { hop?: number; frameLength?: number }) | undefined;
      if (!sig || !tr || typeof tr.hop !== 'number' || typeof tr.frameLength !== 'number') {
        throw new NmflabError('transcription needs audio and an STFT', {
          path: 'data',
          expected: 'an audio source and a transform: block',
        });
      }
      const samples =
        p.seconds > 0
          ? sig.samples.subarray(0, Math.min(sig.samples.length, Math.round(p.seconds * sig.sampleRate)))
          : sig.samples;
      const notes = allNotes.filter((n) => n.onset < samples.length / sig.sampleRate);
      if (!notes.length)
        throw new NmflabError('no reference note starts inside the recording', {
          path: p.notes ? `${ctx.path}.notes` : 'data',
          expected: `a note before ${(samples.length / sig.sampleRate).toFixed(2)} s`,
          found: `${allNotes.length} notes from ${allNotes[0].onset} s`,
        });
      const distinct = [...new Set(notes.map((n) => n.pitch))].sort((a, b) => a - b);
      const [minPitch, maxPitch] =
        p.pitchRange === 'notes'
          ? [Math.max(0, distinct[0] - p.pitchMargin), Math.min(127, distinct[distinct.length - 1] + p.pitchMargin)]
          : [p.minPitch, p.maxPitch];
      if (minPitch > maxPitch)
        throw new NmflabError('empty pitch range', {
          path: `${ctx.path}.minPitch`,
          expected: `≤ maxPitch (${maxPitch})`,
          found: String(minPitch),
        });
      const rank = p.rankFrom === 'notes' ? distinct.length + p.extraComponents : tc.rank;
      const V = tr.represent(tr.analyze(samples));
      const fit = tc.fit({ problem: { V, rank }, label: 'main' });
      const { W, H } = fit.result;
      const K = W.cols;
      const N = H.cols;
      const frameTime = tr.hop / sig.sampleRate;
      const pitches: { pitch: number; score: number }[] = [];
      for (let k = 0; k < K; k++)
        pitches.push(basisPitch(W.col(k), sig.sampleRate, tr.frameLength, minPitch, maxPitch, p.harmonics));
      // piano roll: activations (scaled by their basis' sum, so components add on V's scale) summed per pitch
      const byPitch = new Map<number, Float64Array>();
      for (let k = 0; k < K; k++) {
        const pk = pitches[k].pitch;
        if (pk < 0 || pitches[k].score < p.minHarmonicity) continue;
        let scale = 0;
        for (let f = 0; f < W.rows; f++) scale += W.get(f, k);
        const a = byPitch.get(pk) ?? new Float64Array(N);
        for (let n = 0; n < N; n++) a[n] += scale * H.get(k, n);
        byPitch.set(pk, a);
      }
      const estimated: { pitch: number; onset: number }[] = [];
      const roll: { pitch: number; frames: number[][] }[] = [];
      let allMax = 0;
      for (const a of byPitch.values()) for (const v of a) if (v > allMax) allMax = v;
      const frames = (sec: number) => Math.max(1, Math.round(sec / frameTime));
      for (const [pitch, a] of [...byPitch].sort((x, y) => x[0] - y[0])) {
        const { onsets, roll: r } =
          p.onsetRule === 'threshold'
            ? activationOnsets(a, p.threshold, Math.round(p.minGap / frameTime))
            : noveltyOnsets(a, {
                rise: p.rise,
                lag: frames(p.riseLag),
                window: frames(p.peakWindow),
                minGap: Math.round(p.minGap / frameTime),
                offLevel: p.threshold,
                scale: p.riseReference === 'all' ? allMax : undefined,
              });
        for (const n of onsets) estimated.push({ pitch, onset: n * frameTime });
        const spans: number[][] = [];
        for (let n = 0; n < N; n++)
          if (r[n] && (n === 0 || !r[n - 1])) {
            let m = n;
            while (m + 1 < N && r[m + 1]) m++;
            spans.push([n * frameTime, (m + 1) * frameTime]);
          }
        roll.push({ pitch, frames: spans });
      }
      const fm = onsetFMeasure(notes, estimated, p.onsetTolerance);
      const repeated = notes.filter((n) =>
        notes.some((m) => m !== n && m.pitch === n.pitch && m.offset <= n.onset && n.onset - m.offset <= 0.15),
      );
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
        for (const nt of notes)
          if (nt.pitch === pitch)
            for (let n = 0; n < N; n++)
              if (n * frameTime >= nt.onset && n * frameTime < nt.offset + p.release) on[n] = 1;
        let best = { component: -1, purity: 0 };
        for (let k = 0; k < K; k++) {
          if (pitches[k].pitch !== pitch) continue;
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
          // recall over the notes struck again within 150 ms of the same pitch's release (what a rising-edge rule misses)
          ...(repeated.length
            ? { 'onset.recall-repeated': onsetFMeasure(repeated, estimated, p.onsetTolerance).recall }
            : {}),
          rank: K,
          'notes.isolated': isolated,
          'notes.count': notePitches.length,
          'components.on-note-pitch': assigned,
          'notes.with-component': perNote.filter((n) => n.component >= 0).length,
          'isolation.mean-purity': perNote.reduce((s, n) => s + n.purity, 0) / perNote.length,
        },
        extra: {
          pitchRange: [minPitch, maxPitch],
          onsetRule: p.onsetRule,
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
              estimate: roll.flatMap((r) =>
                r.frames.map(([on, off]) => ({ pitch: r.pitch, onset: on!, offset: off! })),
              ),
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

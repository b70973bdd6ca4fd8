import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/support/temp-dir.js';
import { SLOW, runReduced } from '../support/experiment.js';

/**
 * The committed speech + chime experiment run from FLAC, MP3, Ogg Vorbis and Ogg Opus copies of its
 * recordings (made here with sox / opusenc from the committed WAVs), against the WAV run with the
 * same settings, reduced to the first 4 s and 60 iterations. FLAC is lossless and must give the WAV
 * run's SDRs within 0.1 dB (the decoder returns the same samples, so in practice exactly); the lossy
 * codecs' SDRs are printed, with no bound beyond being finite (their references are lossy too).
 */
const has = (tool: string, arg = '--version') => spawnSync(tool, [arg], { stdio: 'ignore' }).status === 0;
const SOX = has('sox');
const OPUSENC = has('opusenc');
if (!SOX)
  console.warn(
    'separate-formats.test: sox not found (Debian packages sox and libsox-fmt-mp3; see .ci/system-deps): the FLAC/MP3/Ogg runs are skipped',
  );
if (!OPUSENC)
  console.warn('separate-formats.test: opusenc not found (Debian package opus-tools): the Ogg Opus run is skipped');

const { dir } = tempDirs('nmflab-formats-');
const MIXTURE = 'data/mixtures/speech-chime-test.json';
const SETS = ['data.params.seconds=4', 'model.stopping.maxIterations=60'];

/** Copies of the mixture's recordings in `ext`, and a mixture JSON naming them. */
function convert(ext: string, encode: (src: string, dst: string) => string[] | null): string {
  const m = JSON.parse(readFileSync(MIXTURE, 'utf8')) as {
    audio: string;
    stems: { name: string; audio: string; train?: string }[];
  };
  const copy = (rel: string, tag: string) => {
    const out = join(dir, `${tag}.${ext}`);
    const cmd = encode(join('data/mixtures', rel), out)!;
    const r = spawnSync(cmd[0], cmd.slice(1));
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
    return `${tag}.${ext}`; // relative to the JSON, which sits beside it
  };
  const json = {
    audio: copy(m.audio, 'mixture'),
    stems: m.stems.map((s) => ({
      name: s.name,
      audio: copy(s.audio, `${s.name}-test`),
      ...(s.train ? { train: copy(s.train, `${s.name}-train`) } : {}),
    })),
  };
  const file = join(dir, `mixture-${ext}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const sox = (args: string[]) => (src: string, dst: string) => ['sox', src, ...args, dst];

describe('separation-supervised from FLAC, MP3 and Ogg copies of its recordings', () => {
  it.skipIf(!SOX)(
    "FLAC gives the WAV run's SDRs within 0.1 dB; MP3, Vorbis and Opus SDRs are reported",
    async () => {
      const sdr = async (sets: string[]) => {
        const [run] = await runReduced('experiments/separation-supervised.yaml', [...SETS, ...sets]);
        const v = run!.metrics.sdr as number[];
        if (!v) throw new Error(`run failed: ${JSON.stringify(run!.record).slice(0, 800)}`);
        expect(v.length).toBe(2);
        for (const x of v) expect(Number.isFinite(x)).toBe(true);
        return v;
      };
      const wav = await sdr([]);
      const rows: { format: string; speech: string; chime: string; 'Δ speech': string; 'Δ chime': string }[] = [];
      const row = (format: string, v: number[]) =>
        rows.push({
          format,
          speech: v[0].toFixed(3),
          chime: v[1].toFixed(3),
          'Δ speech': (v[0] - wav[0]).toFixed(3),
          'Δ chime': (v[1] - wav[1]).toFixed(3),
        });
      row('wav', wav);
      const flac = await sdr([`data.params.path=${convert('flac', sox([]))}`]);
      row('flac', flac);
      for (let i = 0; i < 2; i++) expect(Math.abs(flac[i] - wav[i])).toBeLessThan(0.1);
      expect(flac).toEqual(wav); // the decoder returns the WAV's samples exactly
      row('mp3 (192 kbit/s)', await sdr([`data.params.path=${convert('mp3', sox(['-C', '192']))}`]));
      row('ogg vorbis (q 6)', await sdr([`data.params.path=${convert('ogg', sox(['-C', '6']))}`]));
      if (OPUSENC) {
        const opus = convert('opus', (src, dst) => ['opusenc', '--quiet', '--bitrate', '96', src, dst]);
        // Opus decodes at 48 kHz: back to the WAVs' 16 kHz so the transform is the same.
        row('ogg opus (96 kbit/s)', await sdr([`data.params.path=${opus}`, 'data.params.sampleRate=16000']));
      }
      console.log(
        ['SDR (dB) by input format, first 4 s, 60 iterations:', ...rows.map((r) => JSON.stringify(r))].join('\n'),
      );
    },
    4 * SLOW,
  );
});

import { NmflabError, readAudio } from '@nmflab/core';
import { bssEvalSources, type BssSourcesResult } from '@nmflab/tasks';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';

export interface NamedSignal {
  name: string;
  samples: Float64Array;
  sampleRate: number;
}

/**
 * The command's core, on arrays: BSS Eval v3 sources (mir_eval parity) of the estimates against
 * the references. All signals must share one sample rate and length (as mir_eval requires).
 */
export function bssEvalSignals(references: NamedSignal[], estimates: NamedSignal[]): BssSourcesResult {
  if (references.length === 0) {
    throw new NmflabError('bss-eval needs reference files', { expected: '--reference r1.wav r2.wav …', found: 'none' });
  }
  if (estimates.length !== references.length) {
    throw new NmflabError('bss-eval needs one estimate per reference', {
      expected: `${references.length} --estimate file(s)`,
      found: `${estimates.length}`,
    });
  }
  const first = references[0];
  for (const s of [...references, ...estimates]) {
    if (s.sampleRate !== first.sampleRate) {
      throw new NmflabError('all files must have the same sample rate', {
        file: s.name,
        expected: `${first.sampleRate} Hz (as ${first.name})`,
        found: `${s.sampleRate} Hz`,
      });
    }
    if (s.samples.length !== first.samples.length) {
      throw new NmflabError('all files must have the same length', {
        file: s.name,
        expected: `${first.samples.length} samples (as ${first.name})`,
        found: `${s.samples.length} samples`,
      });
    }
  }
  const names = (list: NamedSignal[]) => list.map((s) => s.name);
  try {
    return bssEvalSources(
      references.map((r) => r.samples),
      estimates.map((e) => e.samples),
      { what: 'bss-eval' },
    );
  } catch (e) {
    // name the file instead of "reference 2"
    if (e instanceof NmflabError) {
      const m = /^bss-eval: (reference|estimate) (\d+) (.*)$/.exec(e.reason);
      if (m) {
        const file = (m[1] === 'reference' ? names(references) : names(estimates))[Number(m[2]) - 1];
        throw new NmflabError(`${m[1]} ${m[3]}`, { file, expected: e.expected, found: e.found });
      }
    }
    throw e;
  }
}

/** One line per reference: file, matched estimate, SDR/SIR/SAR in dB. */
export function formatBssTable(result: BssSourcesResult, refNames: string[], estNames: string[]): string {
  const rows = refNames.map((r, j) => [
    r,
    estNames[result.perm[j]],
    result.sdr[j].toFixed(2),
    result.sir[j].toFixed(2),
    result.sar[j].toFixed(2),
  ]);
  const head = ['reference', 'estimate', 'SDR dB', 'SIR dB', 'SAR dB'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

export function bssEvalCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'bss-eval',
    'BSS Eval v3 SDR/SIR/SAR of estimated sources against references (mir_eval bss_eval_sources parity)',
    (a) =>
      a
        .option('reference', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'reference audio files (WAV, FLAC, MP3, Ogg), one per source',
        })
        .option('estimate', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'estimated audio files, as many as references',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print {"sdr":[…],"sir":[…],"sar":[…],"perm":[…]}',
        }),
    async (argv) => {
      const load = async (file: string): Promise<NamedSignal> => {
        const w = await readAudio(file, { channels: 'mix' });
        return { name: file, samples: w.channels[0], sampleRate: w.sampleRate };
      };
      const refs = await Promise.all((argv.reference as string[]).map(load));
      const ests = await Promise.all((argv.estimate as string[]).map(load));
      const r = bssEvalSignals(refs, ests);
      if (argv.json) {
        process.stdout.write(`${JSON.stringify({ sdr: r.sdr, sir: r.sir, sar: r.sar, perm: r.perm })}\n`);
      } else {
        process.stdout.write(
          formatBssTable(
            r,
            refs.map((s) => s.name),
            ests.map((s) => s.name),
          ),
        );
      }
    },
  );
}

import { resolve, relative } from 'node:path';
import { NmflabError, Rng, type PluginRef, type SourceData } from '@nmflab/core';
import type { ImageShape, ReportOptions } from '@nmflab/report';
import type { Argv } from 'yargs';
import { buildRegistry } from '../container.js';
import type { GlobalArgs } from '../args.js';

/** `--image 25x25` → { height: 25, width: 25 }. */
export function parseImageShape(s: string | undefined): ImageShape | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)\s*[x×]\s*(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new NmflabError('bad --image', { expected: 'HEIGHTxWIDTH in pixels, e.g. 25x25', found: JSON.stringify(s) });
  return { height: Number(m[1]), width: Number(m[2]) };
}

/**
 * Options for `writeReport` as the CLI builds them: the run's data re-loaded through the plugin
 * registry exactly as the runner loads it (same source plugin, same seed stream `source`).
 */
export function reportOptions(pluginFiles: string[], image?: ImageShape, quiet = false): ReportOptions {
  const registries = new Map<string, ReturnType<typeof buildRegistry>>();
  return {
    image,
    display: (d) => relative(process.cwd(), d) || '.',
    log: quiet ? undefined : (line) => process.stderr.write(`nmflab: ${line}\n`),
    async loadData(config): Promise<SourceData | undefined> {
      if (!config.data) return undefined;
      const files = [...pluginFiles, ...((config.plugins as string[] | undefined) ?? [])];
      const key = files.join('\u0000');
      if (!registries.has(key)) registries.set(key, buildRegistry(files));
      const registry = await registries.get(key)!;
      const source = registry.instantiate('source', config.data as PluginRef, { path: 'data' });
      const seed = typeof config.seed === 'number' ? config.seed : 0;
      return source.load(new Rng(seed).fork('source'));
    },
  };
}

/** `nmflab report DIR`: figures and a self-contained report.html for a run or sweep folder. */
export function reportCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'report <dir>',
    'Write report.html and report/ figures for a run or sweep folder',
    (a) =>
      a
        .positional('dir', {
          type: 'string',
          demandOption: true,
          describe: 'a sweep folder (results/<name>/<stamp>) or one of its run folders',
        })
        .option('image', {
          type: 'string',
          describe: 'the data are images of HEIGHTxWIDTH pixels (show bases as images)',
        })
        .option('runs', {
          type: 'boolean',
          default: true,
          describe: 'for a sweep: also write each run’s own report (--no-runs to skip)',
        })
        .option('log-frequency', {
          type: 'boolean',
          default: false,
          describe: 'draw the bases W on a log-frequency axis (audio runs)',
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'print only where the report went' }),
    async (argv) => {
      const opts = reportOptions(argv.plugin ?? [], parseImageShape(argv.image), argv.quiet);
      // Vega is imported only when a report is written (it adds ~1 s to start-up).
      const { writeReport } = await import('@nmflab/report');
      const res = await writeReport(resolve(argv.dir), {
        ...opts,
        runReports: argv.runs,
        logFrequency: argv['log-frequency'],
      });
      process.stdout.write(`report in ${relative(process.cwd(), res.file)}\n`);
    },
  );
}

import yargs, { type Argv } from 'yargs';
import { NmflabError, packageVersion } from '@nmflab/core';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand } from './commands/run.js';
import { compareCommand } from './commands/compare.js';
import { factorizeCommand } from './commands/factorize.js';
import { workerCommand } from './commands/worker.js';
import { summarizeCommand } from './commands/summarize.js';
import { bssEvalCommand } from './commands/bss-eval.js';
import { reportCommand } from './commands/report.js';
import { storeCommands } from './commands/store.js';
import { uiCommand } from './commands/ui.js';
import type { GlobalArgs } from './args.js';

/** Commands, one registration each; each file in ./commands adds itself to the parser. */
const commands: ((y: Argv<GlobalArgs>) => Argv<GlobalArgs>)[] = [
  pluginsCommand,
  factorizeCommand,
  runCommand,
  compareCommand,
  workerCommand,
  summarizeCommand,
  bssEvalCommand,
  reportCommand,
  storeCommands,
  uiCommand,
];

/** Print an error as one clear line (no stack unless --debug) and give the exit code. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof NmflabError) {
    process.stderr.write(`nmflab: ${err.format()}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`nmflab: internal error: ${msg}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

/** The option names yargs declares for the command being parsed, by type. */
interface DeclaredOptions {
  boolean: string[];
  string: string[];
  number: string[];
  array: string[];
  count: string[];
}

/** A declared option that takes a value (string, number, array or count). */
function isKnownOption(o: DeclaredOptions, name: string): boolean {
  return [...o.string, ...o.number, ...o.array, ...o.count].includes(name);
}

/**
 * yargs reads `--no-X` as X = false for every option; only yes/no options may be negated
 * (`--no-sweep` on an array option otherwise reached the handler as [false] and crashed).
 */
function rejectNegatedValues(args: string[]) {
  return (_argv: unknown, y: { getOptions(): DeclaredOptions }): void => {
    const options = y.getOptions();
    const booleans = new Set(options.boolean);
    const end = args.indexOf('--');
    for (const a of end < 0 ? args : args.slice(0, end)) {
      const m = /^--no-([^=]+)$/.exec(a);
      if (!m || booleans.has(m[1]) || !isKnownOption(options, m[1])) continue;
      throw new NmflabError(`--${m[1]} is not a yes/no option and cannot be negated`, {
        path: a,
        hint: m[1] === 'sweep' ? "to run without the config's sweep: --set 'sweep={}'" : `leave ${a} out`,
      });
    }
  };
}

export async function main(args: string[]): Promise<number> {
  const debug = args.includes('--debug');
  let parser = yargs(args)
    .scriptName('nmflab')
    .usage('$0 <command> [options]\n\nNon-negative matrix factorization research from YAML experiments.')
    .option('plugin', { type: 'string', array: true, describe: 'load a plugin module file (repeatable)' })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces on errors' })
    .strict()
    .demandCommand(1, 'no command given; run nmflab --help for the list')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(
      'version',
      'show the nmflab version',
      packageVersion(new URL('../package.json', import.meta.url)) ?? 'unknown',
    )
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      // Throwing stops yargs here, so a command's handler never runs on bad usage.
      throw new NmflabError(
        msg
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' '),
        { exitCode: 2 },
      );
    }) as unknown as Argv<GlobalArgs>;
  for (const add of commands) parser = add(parser);
  // yargs passes its instance second, which its type declarations omit.
  parser = parser.middleware(rejectNegatedValues(args) as () => void, true);
  try {
    await parser.parseAsync();
  } catch (e) {
    return reportError(e, debug);
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

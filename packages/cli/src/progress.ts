import { SingleBar, Presets } from 'cli-progress';

/**
 * Progress of a set of runs on stderr: a bar that also counts the finished fraction of running runs
 * when stderr is a terminal, otherwise one line per finished run. Shared by local sweeps and by
 * following queued ones.
 */
export class RunProgress<K> {
  private bar: SingleBar | undefined;
  private total = 0;
  private done = 0;
  private readonly partial = new Map<K, number>();

  constructor(
    private readonly tty: boolean,
    private readonly log: (line: string) => void,
  ) {}

  /** `total` runs of which `done` are finished; shows the bar when on a terminal and work remains. */
  start(total: number, done = 0, showBar = true): void {
    this.total = total;
    this.done = done;
    if (this.tty && showBar && done < total) {
      this.bar = new SingleBar(
        {
          format: '  {bar} {percentage}% | runs {runs} | {duration_formatted} elapsed, eta {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      this.bar.start(total, done, { runs: `${done}/${total}` });
    }
  }

  /** A running run has done this fraction of its iterations. */
  iteration(key: K, fraction: number): void {
    this.partial.set(key, Math.min(1, fraction));
    this.update();
  }

  /**
   * A run finished: `line` is printed when there is no bar; `alert` (a failure) is printed above
   * the bar when there is one.
   */
  finished(key: K, line: string, alert?: string): void {
    this.partial.delete(key);
    this.done++;
    this.update();
    if (!this.tty) this.log(line);
    else if (alert !== undefined) {
      this.bar?.stop();
      this.log(alert);
      this.bar?.start(this.total, this.done, { runs: `${this.done}/${this.total}` });
    }
  }

  stop(): void {
    this.bar?.stop();
  }

  private update(): void {
    if (!this.bar) return;
    let partial = 0;
    for (const v of this.partial.values()) partial += v;
    this.bar.update(Math.min(this.total, this.done + partial), { runs: `${this.done}/${this.total}` });
  }
}

/**
 * What a sweep command writes to stderr: `log` (a line, nothing when `quiet`) and the progress of
 * its runs (a bar on a terminal unless `quiet`, else a line per run).
 */
export function stderrProgress<K>(quiet: boolean): { log: (line: string) => void; progress: RunProgress<K> } {
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  return { log, progress: new RunProgress<K>(Boolean(process.stderr.isTTY) && !quiet, log) };
}

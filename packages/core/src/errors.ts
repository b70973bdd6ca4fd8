/**
 * One error class for everything a user can get wrong (config, CLI input, data files) and for
 * failures a run reports. The CLI prints `format()` as one line (no stack trace) and exits with
 * `exitCode`: 2 for usage/config errors, 1 for run failures.
 */
export interface ErrorDetails {
  /** File the problem is in (config, data file), relative to where the user ran the command. */
  file?: string;
  /** Dotted path inside the config, e.g. `model.divergence.params.beta`. */
  path?: string;
  /** What was expected ("a number ≥ 0", "one of mm, heuristic"). */
  expected?: string;
  /** What was found, already rendered for display. */
  found?: string;
  /** A hint such as "did you mean 'kl'?". */
  hint?: string;
  /** 130: interrupted (Ctrl-C) before there was anything to write. */
  exitCode?: 1 | 2 | 130;
}

export class NmflabError extends Error {
  /** The bare reason, without file/path/expected/found (those are in `message`). */
  readonly reason: string;
  readonly file?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
  readonly exitCode: 1 | 2 | 130;

  constructor(reason: string, details: ErrorDetails = {}) {
    super(formatError(reason, details));
    this.reason = reason;
    this.name = 'NmflabError';
    this.file = details.file;
    this.path = details.path;
    this.expected = details.expected;
    this.found = details.found;
    this.hint = details.hint;
    this.exitCode = details.exitCode ?? 2;
  }

  /** The one-line form: `file: path: reason (expected X, found Y); hint` (same as `message`). */
  format(): string {
    return this.message;
  }

  /** A copy with file/path filled in where they were unknown (used when errors bubble up). */
  withContext(ctx: { file?: string; pathPrefix?: string }): NmflabError {
    const path = ctx.pathPrefix ? (this.path ? `${ctx.pathPrefix}.${this.path}` : ctx.pathPrefix) : this.path;
    return new NmflabError(this.reason, {
      file: this.file ?? ctx.file,
      path,
      expected: this.expected,
      found: this.found,
      hint: this.hint,
      exitCode: this.exitCode,
    });
  }
}

/**
 * An error about a file a parameter names, re-addressed to the parameter: `path: V.csv: row 2: …`
 * without a file of its own, so that config validation puts the config file and YAML path in front.
 */
export function paramFileError(e: unknown, param: string): unknown {
  if (!(e instanceof NmflabError) || e instanceof NmflabErrors) return e;
  const inner = [e.file, e.path].filter((x) => x !== undefined && x !== '').join(': ');
  return new NmflabError(e.reason, {
    path: inner ? `${param}: ${inner}` : param,
    expected: e.expected,
    found: e.found,
    hint: e.hint,
    exitCode: e.exitCode,
  });
}

/** The one error template: `file: path: reason (expected X, found Y); hint`. */
export function formatError(reason: string, d: ErrorDetails): string {
  const where = [d.file, d.path].filter((s) => s !== undefined && s !== '').join(': ');
  let text = where ? `${where}: ${reason}` : reason;
  const ef: string[] = [];
  if (d.expected !== undefined) ef.push(`expected ${d.expected}`);
  if (d.found !== undefined) ef.push(`found ${d.found}`);
  if (ef.length) text += ` (${ef.join(', ')})`;
  if (d.hint) text += `; ${d.hint}`;
  return text;
}

/** Several errors found at once (config validation reports all of them, not the first). */
export class NmflabErrors extends NmflabError {
  readonly errors: NmflabError[];
  constructor(errors: NmflabError[]) {
    super(errors.map((e) => e.format()).join('\n'), { exitCode: errors[0]?.exitCode ?? 2 });
    this.name = 'NmflabErrors';
    this.errors = errors;
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

/** Render a value for an error message: short, JSON-like, never "[object Object]". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 60)})`;
  if (typeof v === 'object') return `an object (${JSON.stringify(v).slice(0, 60)})`;
  return typeof v;
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

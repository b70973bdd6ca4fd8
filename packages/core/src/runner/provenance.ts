import { execFileSync } from 'node:child_process';
import { hostname, platform, arch } from 'node:os';
import { readFileSync } from 'node:fs';

/** Where a run comes from: code version, packages, interpreter, machine. Recorded in run.json. */
export interface Provenance {
  git: { commit: string | null; dirty: boolean | null };
  packages: Record<string, string>;
  node: string;
  host: string;
  platform: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

/** Read a package.json's version; `url` points at the package.json. */
export function packageVersion(url: URL): string | undefined {
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Collect provenance once per experiment (git is asked in the working directory). */
export function collectProvenance(packages: Record<string, string> = {}): Provenance {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  const core = packageVersion(new URL('../../package.json', import.meta.url));
  return {
    git: { commit, dirty: status === null ? null : status.length > 0 },
    packages: { ...(core ? { '@nmflab/core': core } : {}), ...packages },
    node: process.version,
    host: hostname(),
    platform: `${platform()}-${arch()}`,
  };
}

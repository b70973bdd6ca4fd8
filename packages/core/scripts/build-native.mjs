#!/usr/bin/env node
// Optional native backend (packages/core/native: N-API addon calling OpenBLAS's cblas_dgemm).
// Built with node-gyp against the running Node's headers; needs a C compiler and libopenblas-dev.
// Never fails the setup: on any problem it prints one line and exits 0, and the WebAssembly
// kernel serves every product. NMFLAB_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../native');
const skip = (why) => {
  console.log(`nmflab: optional native BLAS backend not built (${why}); using the WebAssembly kernel`);
  process.exit(0);
};
if (process.env.NMFLAB_NATIVE === '0') skip('NMFLAB_NATIVE=0');

// node-gyp: the copy npm ships (npm sets npm_config_node_gyp when it runs a script).
const prefix = resolve(dirname(process.execPath), '..');
const gyp = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].find((p) => p && existsSync(p));
if (!gyp) skip('node-gyp not found');
// Headers of the running Node when installed with it (no download needed); else node-gyp fetches them.
const args = [gyp, 'rebuild', '--silent'];
if (existsSync(join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 180_000 });
if (r.status !== 0) {
  const text = `${r.stderr ?? ''}\n${r.stdout ?? ''}`;
  const why = /cblas\.h|lopenblas/.test(text)
    ? 'OpenBLAS not found: apt-get install libopenblas-dev'
    : r.error
      ? r.error.message
      : 'node-gyp failed; run it in packages/core/native to see why';
  skip(why);
}
console.log('nmflab: native BLAS backend built (packages/core/native/build)');

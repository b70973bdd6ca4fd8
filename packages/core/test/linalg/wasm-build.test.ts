import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The WASM kernel is committed as generated source (src/linalg/backends/wasm/gemm-wasm.ts); this checks it is
// exactly what assembly/gemm.ts compiles to with the pinned AssemblyScript, so they cannot drift.
const root = fileURLToPath(new URL('../..', import.meta.url));

async function ascPresent(): Promise<boolean> {
  try {
    await import('assemblyscript/asc');
    return true;
  } catch {
    return false;
  }
}

describe('committed WASM kernel', () => {
  it('matches a fresh compile of assembly/gemm.ts', async (ctx) => {
    if (!(await ascPresent())) ctx.skip();
    const script = (await import(new URL('../../scripts/build-wasm.mjs', import.meta.url).href)) as {
      compileGemm(): Promise<Buffer>;
      moduleText(b: Buffer): string;
    };
    const fresh = script.moduleText(await script.compileGemm());
    const committed = readFileSync(`${root}src/linalg/backends/wasm/gemm-wasm.ts`, 'utf8');
    expect(
      committed === fresh,
      'src/linalg/backends/wasm/gemm-wasm.ts is stale: run `pnpm --filter @nmflab/core build:wasm`',
    ).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ComplexMatrix, Matrix, Rng, fit, type TaskContext, type Transform } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const plugins = fileURLToPath(new URL('../../../core/test/fixtures/plugins/test-solver.mjs', import.meta.url));
const registry = await buildRegistry([plugins]);

function context(data: TaskContext['data'], transform?: Transform): TaskContext & { problems: Matrix[] } {
  const problems: Matrix[] = [];
  return {
    data,
    transform,
    rank: 2,
    rng: new Rng(1),
    registry,
    problems,
    fit(req) {
      problems.push(req.problem.V);
      const solver = registry.create('solver', 'test-mu');
      return fit(solver, req.problem, new Rng(2), { stopping: { maxIterations: 30 } });
    },
  };
}

describe('task factorize', () => {
  const task = registry.create('task', 'factorize');
  const V = Matrix.fromRows([
    [1, 2, 3, 4],
    [2, 4, 6, 8],
    [1, 0, 1, 0],
  ]);

  it('fits the source matrix with the configured rank and returns W, H and the fit', async () => {
    const ctx = context({ matrix: V });
    const out = await task.run(ctx);
    expect(ctx.problems[0]).toBe(V);
    expect(out.fit!.iterations).toBe(30);
    expect([out.matrices!.W!.rows, out.matrices!.W!.cols, out.matrices!.H!.rows, out.matrices!.H!.cols]).toEqual([
      3, 2, 2, 4,
    ]);
    const t = out.fit!.trajectory;
    expect(t[t.length - 1].objective).toBeLessThan(t[0].objective);
  });

  it('for audio, factorizes the transform’s representation of the mixture', async () => {
    const rep = Matrix.fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const transform: Transform = {
      sampleRate: 8000,
      analyze: (s) => new ComplexMatrix(3, 2, new Float64Array(6).fill(s.length), new Float64Array(6)),
      synthesize: (_Y, n) => new Float64Array(n),
      represent: () => rep,
    };
    const ctx = context({ signal: { samples: new Float64Array(16), sampleRate: 8000 } }, transform);
    await task.run(ctx);
    expect(ctx.problems[0]).toBe(rep);
  });

  it('without data it says what is missing', () => {
    expect(() => task.run(context({}))).toThrow(
      /^data: the source gave no data to factorize \(expected a matrix or an audio signal\)/,
    );
  });
});

import { definePlugin, type PluginRef } from '@nmflab/core';
import { MuSolver, SKLEARN_EPS, type FactorFloor, type ModelFloor, type MuMode, type Normalize } from './mu/solver.js';

export * from './mu/solver.js';

interface MuParams {
  divergence: PluginRef;
  mode: MuMode;
  regularizers: PluginRef[];
  normalize: Normalize;
  initializer: PluginRef;
  eps: number;
  modelFloor: ModelFloor;
  factorFloor: FactorFloor;
  freezeW: boolean | number[];
  freezeH: boolean;
  offset: number;
}

export default definePlugin<'solver', MuParams>({
  meta: {
    kind: 'solver',
    id: 'mu',
    description: 'Multiplicative updates for any divergence (β, Bregman) with penalties, masks and frozen factors',
    params: {
      divergence: { description: 'the data-fit divergence d(V|WH)', plugin: 'divergence', default: 'kl' },
      mode: {
        description: 'mm: ratio raised to the MM exponent γ(β), monotone for every β; heuristic: γ = 1',
        type: 'string',
        enum: ['mm', 'heuristic'],
        default: 'mm',
      },
      regularizers: {
        description: 'penalties, each with its target factor W or H',
        pluginList: 'regularizer',
        default: [],
      },
      normalize: {
        description:
          'unit-norm columns of W (or rows of H) with the scale moved to the other factor; auto: when a penalty is on one factor only',
        type: 'string',
        enum: ['none', 'l1', 'l2', 'auto'],
        default: 'auto',
      },
      initializer: {
        description: 'how W and H start when the problem gives no W0/H0',
        plugin: 'initializer',
        default: 'random',
      },
      eps: {
        description:
          'ε: floor of the factors (factorFloor eps), value of zero denominators, and with modelFloor eps the floor of WH (default: float32 epsilon, as scikit-learn)',
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: SKLEARN_EPS,
      },
      modelFloor: {
        description:
          'floor of WH where a negative power of it is taken: eps2 (ε², never reached by ε-floored factors, so every mm step decreases the objective evaluated, also on data below ε), eps (ε, as scikit-learn: not monotone where WH < ε)',
        type: 'string',
        enum: ['eps2', 'eps'],
        default: 'eps2',
      },
      factorFloor: {
        description:
          'small factor entries: eps (floor at ε, MU can recover), zero (hard zeros below float64 epsilon, as scikit-learn), none',
        type: 'string',
        enum: ['eps', 'zero', 'none'],
        default: 'eps',
      },
      freezeW: {
        description: 'keep W fixed (true) or only the listed column indices (a dictionary learned earlier)',
        type: ['boolean', 'array'],
        items: { type: 'integer', minimum: 0 },
        default: false,
      },
      freezeH: { description: 'keep H fixed', type: 'boolean', default: false },
      offset: {
        description: 'add this to V before fitting (for β ≤ 0 with zeros in the data)',
        type: 'number',
        minimum: 0,
        default: 0,
      },
    },
  },
  create(p, ctx) {
    const divergence = ctx.registry.instantiate('divergence', p.divergence, {
      file: ctx.file,
      path: `${ctx.path}.divergence`,
    });
    const regularizers = p.regularizers.map((r, i) =>
      ctx.registry.instantiate('regularizer', r, { file: ctx.file, path: `${ctx.path}.regularizers[${i}]` }),
    );
    const initializer = ctx.registry.instantiate('initializer', p.initializer, {
      file: ctx.file,
      path: `${ctx.path}.initializer`,
    });
    return new MuSolver({
      divergence,
      mode: p.mode,
      regularizers,
      normalize: p.normalize,
      initializer,
      eps: p.eps,
      modelFloor: p.modelFloor,
      factorFloor: p.factorFloor,
      freezeW: p.freezeW,
      freezeH: p.freezeH,
      offset: p.offset,
      kernels: ctx.kernels?.mu,
    });
  },
});

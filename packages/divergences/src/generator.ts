import { createRequire } from 'node:module';
import { NmflabError } from '@nmflab/core';
import type { MathNode } from 'mathjs';

/**
 * A Bregman generator φ given as a math expression (reference §2f): mathjs parses it and derives
 * φ′ and φ″ symbolically once; each expression tree is then turned into a plain JavaScript function
 * (Math.* calls and arithmetic) once, so evaluation per matrix entry costs what hand-written code
 * costs. Trees using functions outside the translated set fall back to mathjs `compile` (slower,
 * still compiled once).
 */
export interface Generator {
  /** The variable name used in the expression (`y` or `x`). */
  variable: string;
  /** Source text of φ, φ′, φ″ (mathjs notation), for messages and docs. */
  text: { phi: string; d1: string; d2: string };
  phi: (v: number) => number;
  d1: (v: number) => number;
  d2: (v: number) => number;
  /** True when φ, φ′, φ″ all became plain JavaScript (no mathjs evaluation per call). */
  native: boolean;
}

type MathJs = typeof import('mathjs');
let mathjs: MathJs | undefined;
/** mathjs takes about a second to load: only a `bregman` divergence loads it, synchronously, once. */
function math(): MathJs {
  mathjs ??= createRequire(import.meta.url)('mathjs') as MathJs;
  return mathjs;
}

const CONSTANTS: Record<string, string> = { pi: 'Math.PI', e: 'Math.E', E: 'Math.E', PI: 'Math.PI' };
const FUNCTIONS: Record<string, string> = {
  log: 'Math.log',
  exp: 'Math.exp',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  log1p: 'Math.log1p',
  expm1: 'Math.expm1',
  log2: 'Math.log2',
  log10: 'Math.log10',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  tanh: 'Math.tanh',
  atan: 'Math.atan',
  cbrt: 'Math.cbrt',
  pow: 'Math.pow',
};
const BINARY: Record<string, string> = { add: '+', subtract: '-', multiply: '*', divide: '/' };

/** JavaScript source for a mathjs tree in the variable `v`, or undefined if some node is not translatable. */
function toJs(node: MathNode, variable: string): string | undefined {
  const n = node as MathNode & Record<string, unknown>;
  switch (node.type) {
    case 'ConstantNode': {
      const v = Number(n.value);
      return Number.isFinite(v) ? `(${String(v)})` : undefined;
    }
    case 'SymbolNode': {
      const name = n.name as string;
      if (name === variable) return 'v';
      return CONSTANTS[name];
    }
    case 'ParenthesisNode':
      return toJs(n.content as MathNode, variable);
    case 'OperatorNode': {
      const args = (n.args as MathNode[]).map((a) => toJs(a, variable));
      if (args.some((a) => a === undefined)) return undefined;
      const fn = n.fn as string;
      if (args.length === 1) {
        if (fn === 'unaryMinus') return `(-${args[0]})`;
        if (fn === 'unaryPlus') return args[0];
        return undefined;
      }
      if (args.length === 2) {
        if (fn === 'pow') return `Math.pow(${args[0]}, ${args[1]})`;
        const op = BINARY[fn];
        return op ? `(${args[0]} ${op} ${args[1]})` : undefined;
      }
      if (fn === 'add' || fn === 'multiply') return `(${args.join(fn === 'add' ? ' + ' : ' * ')})`;
      return undefined;
    }
    case 'FunctionNode': {
      const name = (n.fn as { name?: string }).name ?? '';
      const args = (n.args as MathNode[]).map((a) => toJs(a, variable));
      if (args.some((a) => a === undefined)) return undefined;
      // mathjs log(a, b) is the base-b logarithm.
      if (name === 'log' && args.length === 2) return `(Math.log(${args[0]}) / Math.log(${args[1]}))`;
      const js = FUNCTIONS[name];
      return js ? `${js}(${args.join(', ')})` : undefined;
    }
    default:
      return undefined;
  }
}

function compileNode(node: MathNode, variable: string): { f: (v: number) => number; native: boolean } {
  const js = toJs(node, variable);
  if (js !== undefined) {
    // Built from a whitelisted tree: numbers, the one variable, Math.* and arithmetic only.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return { f: new Function('v', `"use strict"; return ${js};`) as (v: number) => number, native: true };
  }
  const code = node.compile();
  return {
    f: (v: number) => {
      const r = code.evaluate({ [variable]: v }) as unknown;
      return typeof r === 'number' ? r : NaN;
    },
    native: false,
  };
}

/** Parse φ, check its variables, derive φ′ and φ″, compile all three. Errors name `path`. */
export function compileGenerator(phi: string, where: { path: string; file?: string }): Generator {
  const m = math();
  const bad = (reason: string, expected: string, found: string): never => {
    throw new NmflabError(reason, { file: where.file, path: where.path, expected, found });
  };
  let node: MathNode;
  try {
    node = m.parse(phi);
  } catch (e) {
    return bad(
      'cannot parse the generator φ',
      'a math expression in y, e.g. "y*log(y) - y"',
      `${JSON.stringify(phi)} (${(e as Error).message})`,
    );
  }
  const symbols = new Set<string>();
  node.traverse((c, _path, parent) => {
    const cn = c as MathNode & { name?: string; fn?: unknown };
    // A function's name is a SymbolNode child of the FunctionNode (its `fn`), not a variable.
    if (
      c.type === 'SymbolNode' &&
      !(parent?.type === 'FunctionNode' && (parent as unknown as { fn: unknown }).fn === c)
    ) {
      if (!(cn.name! in CONSTANTS)) symbols.add(cn.name!);
    }
  });
  const vars = [...symbols];
  if (vars.length !== 1 || (vars[0] !== 'y' && vars[0] !== 'x')) {
    const found =
      vars.length === 0
        ? `${JSON.stringify(phi)} (no variable)`
        : `${JSON.stringify(phi)} (variables ${vars.join(', ')})`;
    return bad(
      'the generator φ must be an expression of one variable',
      'an expression of y (or x) only, e.g. "y*log(y) - y"',
      found,
    );
  }
  const variable = vars[0];
  let d1: MathNode, d2: MathNode;
  try {
    d1 = m.derivative(node, variable);
    d2 = m.derivative(d1, variable);
  } catch (e) {
    return bad(
      'cannot differentiate the generator φ',
      'functions mathjs can differentiate (log, exp, sqrt, powers…)',
      `${JSON.stringify(phi)} (${(e as Error).message})`,
    );
  }
  const c0 = compileNode(node, variable),
    c1 = compileNode(d1, variable),
    c2 = compileNode(d2, variable);
  return {
    variable,
    text: { phi: node.toString(), d1: d1.toString(), d2: d2.toString() },
    phi: c0.f,
    d1: c1.f,
    d2: c2.f,
    native: c0.native && c1.native && c2.native,
  };
}

/** Strict convexity on a log grid of [1e-3, 1e3]: φ, φ′ finite and φ″ > 0; else an error naming `path`. */
export function checkConvex(g: Generator, phi: string, where: { path: string; file?: string }): void {
  for (let k = 0; k <= 60; k++) {
    const y = 10 ** (-3 + k / 10);
    const f = g.phi(y),
      f1 = g.d1(y),
      f2 = g.d2(y);
    if (!Number.isFinite(f) || !Number.isFinite(f1) || !Number.isFinite(f2)) {
      throw new NmflabError('the generator φ is not finite on y > 0', {
        file: where.file,
        path: where.path,
        expected: 'φ, φ′ and φ″ finite for every y > 0',
        found: `${JSON.stringify(phi)} with φ(${y}) = ${f}, φ′ = ${f1}, φ″ = ${f2}`,
      });
    }
    if (!(f2 > 0)) {
      throw new NmflabError('the generator φ is not strictly convex', {
        file: where.file,
        path: where.path,
        expected: `φ″(y) > 0 for y > 0 (φ″ = ${g.text.d2})`,
        found: `φ″(${y}) = ${f2} for ${JSON.stringify(phi)}`,
      });
    }
  }
}

/**
 * lim_{v→0+} f(v): f(0) when finite, else f at 10^−k for growing k until it settles (relative
 * change ≤ 1e-12); ±Infinity when it grows without bound, NaN when it does neither.
 */
export function limitAtZero(f: (v: number) => number): number {
  const f0 = f(0);
  if (Number.isFinite(f0)) return f0;
  if (f0 === Infinity || f0 === -Infinity) return f0;
  let prev = f(1e-20);
  for (let k = 40; k <= 300; k += 20) {
    const cur = f(10 ** -k);
    if (!Number.isFinite(cur)) return cur;
    if (Math.abs(cur - prev) <= 1e-12 * Math.max(1, Math.abs(cur))) return cur;
    if (Math.abs(cur) > 1e6 * Math.max(1, Math.abs(prev))) return cur > 0 ? Infinity : -Infinity;
    prev = cur;
  }
  // Grows slowly (e.g. like −log v): treat as unbounded.
  return prev > 0 ? Infinity : -Infinity;
}

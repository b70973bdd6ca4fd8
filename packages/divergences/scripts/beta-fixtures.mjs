// Writes test/fixtures/beta-values.json: d_β(x|y) for β ∈ {−1, 0, ½, 1, 3/2, 2, 3} at points
// including x ≈ y, x ≫ y and x ≪ y, evaluated with mathjs BigNumber at 80 significant digits from
// the raw closed forms on the exact binary values of the double inputs (so the cancellation near
// x = y costs nothing at this precision). Run from the repository root:
//   node packages/divergences/scripts/beta-fixtures.mjs
import { create, all } from 'mathjs';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const m = create(all, { number: 'BigNumber', precision: 80 });

/** The exact value of a double as a BigNumber (decimal.js reads binary exponents in hex). */
function exactBig(x) {
  if (x === 0) return m.bignumber(0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const expBits = Number(bits >> 52n);
  let mant = bits & 0xfffffffffffffn;
  let e = -1074;
  if (expBits !== 0) {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  const v = m.multiply(m.bignumber(mant.toString()), m.pow(m.bignumber(2), m.bignumber(e)));
  return x < 0 ? m.unaryMinus(v) : v;
}

const forms = {
  kl: m.compile('x * log(x / y) - x + y'),
  is: m.compile('x / y - log(x / y) - 1'),
  beta: m.compile('(x^b + (b - 1) * y^b - b * x * y^(b - 1)) / (b * (b - 1))'),
};

const BETAS = [-1, 0, 0.5, 1, 1.5, 2, 3];
const POINTS = [
  [1, 1 + 1e-9],
  [1 + 1e-6, 1],
  [2.5, 2.4],
  [0.3, 0.33], // |log(x/y)| = 0.0953: series branch
  [0.3, 0.34], // |log(x/y)| = 0.125: closed form
  [1.5e-8, 1.5e-8 * (1 + 1e-4)],
  [7, 3],
  [1000, 0.01],
  [0.01, 1000],
  [123.4, 0.5],
];

const cases = [];
for (const beta of BETAS) {
  for (const [x, y] of POINTS) {
    const scope = { x: exactBig(x), y: exactBig(y), b: exactBig(beta) };
    const f = beta === 1 ? forms.kl : beta === 0 ? forms.is : forms.beta;
    const d = f.evaluate(scope);
    cases.push({ beta, x, y, d: Number(d.toString()), d80: d.toSignificantDigits(30).toString() });
  }
}
const out = fileURLToPath(new URL('../test/fixtures/beta-values.json', import.meta.url));
writeFileSync(
  out,
  `${JSON.stringify({ generator: 'packages/divergences/scripts/beta-fixtures.mjs', precision: 80, cases }, null, 1)}\n`,
);
console.log(`wrote ${cases.length} cases`);

/**
 * Bad inputs of `nmflab`, as data: every case runs in a fresh folder holding the fixtures of
 * bad-inputs-driver.mjs (V.csv, V.npy, W0.csv, H0.csv, ok.yaml, mix/…), plus its own `files`.
 *
 *   args   the command line (without `nmflab`)
 *   files  extra files: text, or { npy: rows } / { bytes: [..] } / { wav: {...} } / { dir: true }
 *   code   expected exit status (default 2)
 *   err    regular expression (source) the one stderr line must match (code ≠ 0)
 *   ok     for code 0: regular expression the run's output must match (optional)
 *   setup  what the driver prepares first: 'completed-run' (a finished sweep in results/) or 'ulimit'
 *   ulimit file-size limit (KiB) for the process: the case runs in its own child process
 *   lines  stderr lines expected (default 1; validation lists every problem, one line each)
 *
 * Every case is also checked for: one line on stderr, no stack trace, no "internal error", no
 * temporary file left anywhere, no NaN/Infinity/null in any result file, and (for exit 2 of
 * `run`) no results folder created.
 */

const cases = [];
const add = (c) => cases.push(c);

const ok = (over = '') =>
  `name: ok\nseed: 1\ndata: { id: matrix-file, params: { path: V.csv } }\nmodel:\n  solver: { id: mu, params: { divergence: kl } }\n  rank: 2\n  stopping: { maxIterations: 5 }\n${over}`;
const cfg = (text) => ({ 'bad.yaml': text });
const run = ['run', 'bad.yaml', '--quiet', '--jobs', '1'];

// ── Config files: the file itself ─────────────────────────────────────────────────────────────
add({ name: 'config file missing', args: ['run', 'none.yaml'], err: '^nmflab: none\\.yaml: config file not found' });
add({
  name: 'config is a folder',
  args: ['run', 'adir'],
  files: { adir: { dir: true } },
  err: '^nmflab: adir: is a folder, not a file',
});
add({ name: 'config empty', args: run, files: cfg(''), lines: 3, err: 'bad\\.yaml: name: missing required key' });
add({ name: 'config a list', args: run, files: cfg('- a\n- b\n'), err: 'bad\\.yaml: a config must be a mapping' });
add({ name: 'config a scalar', args: run, files: cfg('hello\n'), err: 'bad\\.yaml: a config must be a mapping' });
add({
  name: 'config YAML syntax',
  args: run,
  files: cfg('name: [ok\n'),
  err: 'bad\\.yaml: line \\d+, column \\d+: YAML syntax error',
});
add({
  name: 'config tab indentation',
  args: run,
  files: cfg('name: ok\nmodel:\n\trank: 2\n'),
  err: 'bad\\.yaml: .*YAML syntax error',
});
add({
  name: 'config duplicate key',
  args: run,
  files: cfg('name: a\nname: b\n'),
  err: 'bad\\.yaml: .*YAML syntax error',
});
add({
  name: 'config YAML alias bomb',
  args: run,
  files: cfg(
    `${['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n')}\n`,
  ),
  err: 'bad\\.yaml: YAML not accepted',
});
add({
  name: 'config binary junk',
  args: run,
  files: { 'bad.yaml': { bytes: [0xff, 0xfe, 0, 1, 2, 0x93, 10] } },
  err: 'bad\\.yaml',
});
add({
  name: 'extends missing file',
  args: run,
  files: cfg('extends: nothere.yaml\nname: x\n'),
  err: 'bad\\.yaml: extends: config file not found',
});
add({
  name: 'extends cycle',
  args: run,
  files: { 'bad.yaml': 'extends: b2.yaml\nname: x\n', 'b2.yaml': 'extends: bad.yaml\n' },
  err: 'extends cycle',
});
add({
  name: 'extends a number',
  args: run,
  files: cfg('extends: 3\nname: x\n'),
  err: 'bad\\.yaml: extends: wrong type',
});
add({
  name: 'extends a folder',
  args: run,
  files: { ...cfg('extends: adir\nname: x\n'), adir: { dir: true } },
  err: 'adir: is a folder',
});

// ── Config keys: structure ──────────────────────────────────────────────────────────────────
add({
  name: 'name missing',
  args: run,
  files: cfg(ok().replace('name: ok\n', '')),
  err: 'bad\\.yaml: name: missing required key',
});
add({
  name: 'name with a slash',
  args: run,
  files: cfg(ok().replace('name: ok', 'name: a/b')),
  err: 'bad\\.yaml: name: bad experiment name',
});
add({
  name: 'name ..',
  args: run,
  files: cfg(ok().replace('name: ok', 'name: ".."')),
  err: 'bad\\.yaml: name: bad experiment name',
});
add({
  name: 'data missing',
  args: run,
  files: cfg('name: x\nmodel: { solver: mu, rank: 2 }\n'),
  err: 'bad\\.yaml: data: missing required key',
});
add({
  name: 'model missing',
  args: run,
  files: cfg('name: x\ndata: { id: matrix-file, params: { path: V.csv } }\n'),
  err: 'bad\\.yaml: model: missing required key',
});
add({ name: 'unknown top key', args: run, files: cfg(ok('modle: 3\n')), err: 'bad\\.yaml: modle: unknown key' });
add({
  name: 'unknown model key',
  args: run,
  files: cfg(ok().replace('rank: 2', 'rank: 2\n  rnak: 3')),
  err: 'bad\\.yaml: model\\.rnak: unknown key',
});
add({
  name: 'unknown solver',
  args: run,
  files: cfg(ok().replace('id: mu', 'id: muu')),
  err: "bad\\.yaml: model\\.solver\\.id: unknown solver 'muu'",
});
add({
  name: 'unknown divergence',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: kll')),
  err: "unknown divergence 'kll'",
});
add({
  name: 'unknown source',
  args: run,
  files: cfg(ok().replace('matrix-file', 'matrix-fil')),
  err: "bad\\.yaml: data\\.id: unknown source 'matrix-fil'",
});
add({
  name: 'unknown task',
  args: run,
  files: cfg(ok('task: factorise\n')),
  err: "bad\\.yaml: task: unknown task 'factorise'",
});
add({
  name: 'unknown metric',
  args: run,
  files: cfg(ok('metrics: [lp-nrm]\n')),
  err: "bad\\.yaml: metrics\\[0\\]: unknown metric 'lp-nrm'",
});
add({ name: 'metrics not a list', args: run, files: cfg(ok('metrics: lp-norm\n')), err: 'bad\\.yaml: metrics' });
add({
  name: 'plugin ref without id',
  args: run,
  files: cfg(ok().replace('{ id: mu, params: { divergence: kl } }', '{ params: {} }')),
  err: 'bad\\.yaml: model\\.solver',
});
add({
  name: 'plugin ref extra key',
  args: run,
  files: cfg(ok().replace('{ id: mu, params: { divergence: kl } }', '{ id: mu, param: {} }')),
  err: 'bad\\.yaml: model\\.solver',
});
add({
  name: 'solver param unknown',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: kl, bogus: 1')),
  err: 'bad\\.yaml: model\\.solver\\.params\\.bogus',
});
add({
  name: 'solver param enum',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: kl, mode: fast')),
  err: 'bad\\.yaml: model\\.solver\\.params\\.mode',
});
add({
  name: 'beta param NaN',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: { id: beta, params: { beta: .nan } }')),
  err: 'bad\\.yaml: model\\.solver\\.params\\.divergence\\.params\\.beta: not a finite number',
});
add({
  name: 'beta param Infinity',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: { id: beta, params: { beta: .inf } }')),
  err: 'params\\.beta: not a finite number',
});
add({
  name: 'beta param string',
  args: run,
  files: cfg(ok().replace('divergence: kl', 'divergence: { id: beta, params: { beta: two } }')),
  err: 'params\\.beta',
});
add({
  name: 'window unknown',
  args: run,
  files: cfg(ok('transform: { window: hamm }\n')),
  err: 'bad\\.yaml: transform\\.window',
});
add({
  name: 'representation unknown',
  args: run,
  files: cfg(ok('transform: { representation: db }\n')),
  err: 'bad\\.yaml: transform\\.representation',
});
add({
  name: 'frame length too small',
  args: run,
  files: cfg(ok('transform: { frameLength: 1 }\n')),
  err: 'bad\\.yaml: transform',
});
add({
  name: 'hop larger than frame',
  args: run,
  files: cfg(ok('transform: { frameLength: 256, hop: 512 }\n')),
  err: 'bad\\.yaml: transform',
});
add({
  name: 'outputs unknown key',
  args: run,
  files: cfg(ok('outputs: { plots: true }\n')),
  err: 'bad\\.yaml: outputs\\.plots: unknown key',
});
add({
  name: 'outputs not boolean',
  args: run,
  files: cfg(ok('outputs: { factors: yes please }\n')),
  err: 'bad\\.yaml: outputs\\.factors',
});
add({ name: 'plugins not a list', args: run, files: cfg(ok('plugins: p.mjs\n')), err: 'bad\\.yaml: plugins' });

// Numeric keys × bad values (each value is invalid for its key by the schema or finiteness).
const numeric = [
  [
    'rank',
    (v) => ok().replace('rank: 2', `rank: ${v}`),
    ['0', '-1', '1.5', '.inf', '-.inf', '.nan', 'two', 'null', '[2]', '{}', '1e12', '2000000'],
  ],
  [
    'maxIterations',
    (v) => ok().replace('maxIterations: 5', `maxIterations: ${v}`),
    ['-1', '2.5', '.inf', '.nan', 'many', '1e12'],
  ],
  [
    'tol',
    (v) => ok().replace('maxIterations: 5', `maxIterations: 5, tol: ${v}`),
    ['-1', '.inf', '.nan', 'small', '[0]'],
  ],
  ['window', (v) => ok().replace('maxIterations: 5', `maxIterations: 5, window: ${v}`), ['0', '1.5', '.inf', '.nan']],
  ['factorTol', (v) => ok().replace('maxIterations: 5', `maxIterations: 5, factorTol: ${v}`), ['-0.1', '.inf', '.nan']],
  ['restarts', (v) => ok().replace('rank: 2', `rank: 2\n  restarts: ${v}`), ['0', '-2', '1.5', '.inf', '.nan', '1e9']],
  ['seed', (v) => ok().replace('seed: 1', `seed: ${v}`), ['-1', '1.5', '.inf', '.nan', 'abc', '1e300']],
  ['frameLength', (v) => ok(`transform: { frameLength: ${v} }\n`), ['0', '1', '.inf', '.nan', '-512']],
  ['hop', (v) => ok(`transform: { hop: ${v} }\n`), ['0', '.inf', '.nan', '2.5']],
  ['matrix-file transpose', (v) => ok().replace('path: V.csv', `path: V.csv, transpose: ${v}`), ['1', 'maybe', '.nan']],
];
for (const [key, make, values] of numeric) {
  for (const v of values) add({ name: `${key} = ${v}`, args: run, files: cfg(make(v)), err: `^nmflab: bad\\.yaml: ` });
}

// ── --set and --sweep ───────────────────────────────────────────────────────────────────────
const okRun = ['run', 'ok.yaml', '--quiet', '--jobs', '1'];
for (const [set, err] of [
  ['model.rank=.inf', 'model\\.rank: not a finite number'],
  ['model.rank=0', 'model\\.rank'],
  ['model.rank=abc', 'model\\.rank'],
  ['model..rank=2', 'bad parameter path'],
  ['=3', 'bad --set argument'],
  ['model.rank', 'bad --set argument'],
  ['name.x=3', 'cannot set a value inside a scalar'],
  ['seed=.nan', 'seed: not a finite number'],
  ['model.stopping.maxIterations=-5', 'model\\.stopping\\.maxIterations'],
  ['data.params.path=missing.csv', 'data\\.params\\.path: missing\\.csv: file not found'],
])
  add({ name: `--set ${set}`, args: [...okRun, '--set', set], err });
for (const [sweep, err] of [
  ['model.rank=range(1, 3, 0)', 'bad range step'],
  ['model.rank=range(1)', 'bad range arguments'],
  ['model.rank=logspace(0, 1, 3)', 'bad logspace bounds'],
  ['model.rank=logspace(1, 10, 0)', 'bad logspace count'],
  ['model.rank=[]', 'empty sweep list'],
  ['model.rank=range(1, 1e9)', 'range too long'],
  ['model.rank=[1, .inf]', 'not a finite number'],
  ['model.rank=[2, -1]', 'model\\.rank'],
  ['seeds=0', 'seeds'],
  ['seeds=abc', 'seeds'],
  ['model.rank=hello', 'not a sweep'],
])
  add({ name: `--sweep ${sweep}`, args: [...okRun, '--sweep', sweep], err });
add({
  name: 'sweep block not a mapping',
  args: run,
  files: cfg(ok('sweep: [1, 2]\n')),
  err: 'bad\\.yaml: sweep: wrong type',
});
add({
  name: 'sweep seeds 0 in YAML',
  args: run,
  files: cfg(ok('sweep: { seeds: 0 }\n')),
  err: 'bad\\.yaml: sweep\\.seeds',
});
add({
  name: 'sweep too large',
  args: run,
  files: cfg(ok('sweep: { model.rank: "range(1, 400)", seed: "range(0, 400)" }\n')),
  err: 'sweep too large',
});
add({ name: 'run flags: --jobs 0', args: [...okRun, '--jobs', '0'], err: 'bad --jobs' });
add({ name: 'run flags: --jobs 1.5', args: ['run', 'ok.yaml', '--jobs', '1.5'], err: 'bad --jobs' });
add({ name: 'run flags: --follow without --queue', args: [...okRun, '--follow'], err: '--follow needs --queue' });
add({ name: 'run flags: no config', args: ['run'], err: 'no config given' });
add({
  name: 'run flags: --resume with config',
  args: ['run', 'ok.yaml', '--resume', 'x'],
  err: '--resume takes no config',
});
add({ name: 'run flags: unknown option', args: [...okRun, '--frobnicate'], err: 'Unknown argument' });

// ── Data files through matrix-file (found at validation, before any folder) ──────────────────
const dataCsv = (text, err, name) =>
  add({
    name: `data CSV: ${name}`,
    args: run,
    files: { ...cfg(ok().replace('V.csv', 'D.csv')), 'D.csv': text },
    err: `bad\\.yaml: data\\.params\\.path: D\\.csv: ${err}`,
  });
dataCsv('', 'empty matrix file', 'empty');
dataCsv('\n\n# only a comment\n', 'empty matrix file', 'blank lines only');
dataCsv('1,,3\n4,5,6\n', 'row 1, column 2: empty cell', 'empty cell in row 1');
dataCsv('1,2,3\n4,,6\n', 'row 2, column 2: empty cell', 'empty cell in row 2');
dataCsv('1,2,3\n4,5,\n', 'row 2, column 3: empty cell', 'trailing comma');
dataCsv(',1,2\n3,4,5\n', 'row 1, column 1: empty cell', 'leading comma');
dataCsv('1,2\n3\n', 'row 2: ragged matrix', 'ragged');
dataCsv('1,2\n\n3,4,5\n', 'row 3: ragged matrix', 'ragged after a blank line (file row numbers)');
dataCsv('a,b\n1,2\n', 'row 1, column 1: not a number', 'header row');
dataCsv('1,NaN\n2,3\n', 'row 1, column 2: not a number', 'NaN cell');
dataCsv('1,Infinity\n2,3\n', 'row 1, column 2: not a number', 'Infinity cell');
dataCsv('1,1e999\n2,3\n', 'row 1, column 2: not a number', 'overflowing cell');
dataCsv('1,0x10\n2,3\n', 'row 1, column 2', 'hex cell');
dataCsv('1,2 3\n4,5 6\n', 'row 1, column 2', 'space inside a cell');
const dataFile = (name, files, err) =>
  add({
    name: `data file: ${name}`,
    args: run,
    files: { ...cfg(ok().replace('V.csv', Object.keys(files)[0])), ...files },
    err,
  });
dataFile('missing', { 'nothere.csv': undefined }, 'bad\\.yaml: data\\.params\\.path: nothere\\.csv: file not found');
dataFile('a folder', { 'Dd.csv': { dir: true } }, 'data\\.params\\.path: Dd\\.csv: is a folder');
dataFile('unknown extension', { 'D.tsv': '1\t2\n' }, 'data\\.params\\.path: D\\.tsv: unsupported matrix format');
dataFile('no extension', { D: '1,2\n' }, 'data\\.params\\.path: D: unsupported matrix format');
dataFile(
  'NPY with NaN',
  {
    'D.npy': {
      npy: [
        [1, NaN],
        [2, 3],
      ],
    },
  },
  'D\\.npy: entry \\[0, 1\\]: not a finite number',
);
dataFile(
  'NPY with Infinity',
  {
    'D.npy': {
      npy: [
        [1, 2],
        [Infinity, 3],
      ],
    },
  },
  'D\\.npy: entry \\[1, 0\\]: not a finite number',
);
dataFile(
  'NPY bad magic',
  { 'D.npy': { bytes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } },
  'D\\.npy: not a \\.npy file',
);
dataFile('NPY too short', { 'D.npy': { bytes: [0x93, 0x4e] } }, 'D\\.npy: not a \\.npy file');
dataFile('NPY empty', { 'D.npy': { bytes: [] } }, 'D\\.npy: not a \\.npy file');
const npyHeader = (h, dataBytes = 0, major = 1) => {
  const text = `${h.padEnd(Math.ceil((h.length + 11) / 64) * 64 - 11, ' ')}\n`;
  return {
    bytes: [
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      major,
      0,
      text.length & 255,
      text.length >> 8,
      ...[...text].map((c) => c.charCodeAt(0)),
      ...Array(dataBytes).fill(0),
    ],
  };
};
dataFile(
  'NPY big-endian',
  { 'D.npy': npyHeader("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1), }", 8) },
  'D\\.npy: unsupported \\.npy dtype',
);
dataFile(
  'NPY complex dtype',
  { 'D.npy': npyHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }", 16) },
  'unsupported \\.npy dtype',
);
dataFile(
  'NPY 3-D',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", 8) },
  'unsupported \\.npy shape',
);
dataFile(
  'NPY truncated data',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4), }", 8) },
  'D\\.npy: truncated \\.npy data',
);
dataFile('NPY header not a dict', { 'D.npy': npyHeader('hello', 8) }, 'D\\.npy: unreadable \\.npy header');
dataFile(
  'NPY negative shape',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", 8) },
  'unsupported \\.npy shape',
);
dataFile(
  'NPY huge shape',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", 8) },
  'D\\.npy: \\.npy array too large',
);
dataFile(
  'NPY version 9',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", 8, 9) },
  'D\\.npy: unsupported \\.npy version',
);
dataFile(
  'NPY header length past the end',
  { 'D.npy': { bytes: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 255, 255, 32] } },
  'D\\.npy: truncated \\.npy header',
);
dataFile(
  'NPY empty shape (0, 3)',
  { 'D.npy': npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", 0) },
  'D\\.npy: empty data matrix',
);

// ── factorize: flags ──────────────────────────────────────────────────────────────────────
const fz = (...extra) => [
  'factorize',
  '--input',
  'V.csv',
  '--rank',
  '2',
  '--iterations',
  '5',
  '--out',
  'out',
  ...extra,
];
for (const [flag, values, _err] of [
  ['--rank', ['0', '-3', '1.5', 'Infinity', 'NaN', 'abc', '1e12'], '--rank'],
  ['--iterations', ['-1', '2.5', 'Infinity', 'NaN', 'lots'], '--iterations'],
  ['--restarts', ['0', '-1', '1.5', 'Infinity', 'NaN'], '--restarts'],
  ['--seed', ['1.5', 'Infinity', 'NaN', 'x'], '--seed'],
  ['--tol', ['-1', 'NaN', 'x'], '--tol'],
  ['--beta', ['NaN', 'Infinity', '-Infinity', 'x'], '--beta'],
  ['--offset', ['NaN', 'Infinity', 'x'], '--offset'],
]) {
  for (const v of values)
    add({
      name: `factorize ${flag} ${v}`,
      args: [...fz().filter((a, i, all) => !(a === flag || all[i - 1] === flag)), `${flag}=${v}`],
      err: flag,
    });
}
add({ name: 'factorize --mode bogus', args: fz('--mode', 'bogus'), err: 'Invalid values' });
add({ name: 'factorize --model-floor bogus', args: fz('--model-floor', 'x'), err: 'Invalid values' });
add({
  name: 'factorize --divergence unknown',
  args: fz('--divergence', 'kll'),
  err: "--divergence\\.id: unknown divergence 'kll'|--divergence: unknown divergence",
});
add({ name: 'factorize --init unknown', args: fz('--init', 'nndsvdz'), err: "--init: unknown initializer 'nndsvdz'" });
add({
  name: 'factorize --init custom without files',
  args: fz('--init', 'custom'),
  err: '--init custom needs both --w0 and --h0',
});
add({
  name: 'factorize --w0 without custom',
  args: fz('--w0', 'W0.csv'),
  err: '--w0/--h0 are only used with --init custom',
});
add({
  name: 'factorize --h0 missing file',
  args: fz('--init', 'custom', '--w0', 'W0.csv', '--h0', 'none.csv'),
  err: 'none\\.csv: file not found',
});
add({
  name: 'factorize --h0 all zero',
  args: fz('--init', 'custom', '--w0', 'W0.csv', '--h0', 'H0zero.csv'),
  files: { 'H0zero.csv': '0,0,0,0,0\n0,0,0,0,0\n' },
  err: 'H0zero\\.csv: --h0: H0 is all zeros',
});
add({
  name: 'factorize --h0 wrong shape',
  args: fz('--init', 'custom', '--w0', 'W0.csv', '--h0', 'H0bad.csv'),
  files: { 'H0bad.csv': '1,2\n3,4\n' },
  err: 'H0bad\\.csv: --h0: H0 has the wrong shape',
});
add({
  name: 'factorize --w0 negative',
  args: fz('--init', 'custom', '--w0', 'W0neg.csv', '--h0', 'H0.csv'),
  files: { 'W0neg.csv': '1,-1\n1,1\n1,1\n1,1\n' },
  err: 'W0neg\\.csv: --w0\\[0\\]\\[1\\]: W0 must be finite and non-negative',
});
add({ name: 'factorize --phi without bregman', args: fz('--phi', 'y^2'), err: '--divergence' });
add({
  name: 'factorize --divergence bregman bad phi',
  args: fz('--divergence', 'bregman', '--phi', 'y^'),
  err: '--phi: cannot parse the generator',
});
add({
  name: 'factorize missing --input',
  args: ['factorize', '--rank', '2', '--out', 'o'],
  err: 'Missing required argument',
});
add({
  name: 'factorize missing --out',
  args: ['factorize', '--input', 'V.csv', '--rank', '2'],
  err: 'Missing required argument',
});
const fzIn = (name, files, err, extra = []) =>
  add({
    name: `factorize input: ${name}`,
    args: ['factorize', '--input', Object.keys(files)[0], '--rank', '2', '--iterations', '3', '--out', 'out', ...extra],
    files,
    err,
  });
fzIn('missing', { 'none.csv': undefined }, 'none\\.csv: file not found');
fzIn('a folder', { 'F.csv': { dir: true } }, 'F\\.csv: is a folder');
fzIn('empty cell', { 'E.csv': '1,,3\n4,5,6\n' }, 'E\\.csv: row 1, column 2: empty cell');
fzIn('ragged', { 'E.csv': '1,2,3\n4,5\n' }, 'E\\.csv: row 2: ragged matrix');
fzIn('words', { 'E.csv': 'x,y\n' }, 'E\\.csv: row 1, column 1: not a number');
fzIn('empty', { 'E.csv': '' }, 'E\\.csv: empty matrix file');
fzIn(
  'NaN npy',
  {
    'E.npy': {
      npy: [
        [1, NaN, 2],
        [3, 4, 5],
      ],
    },
  },
  'E\\.npy: entry \\[0, 1\\]: not a finite number',
);
fzIn('bad npy', { 'E.npy': { bytes: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 4, 0, 65, 66] } }, 'E\\.npy');
fzIn(
  'negative entry',
  { 'N.csv': '1,2,3\n4,-5,6\n1,1,1\n' },
  'N\\.csv: --input: entry \\[1\\]\\[1\\]: data must be finite and non-negative',
);
fzIn('zeros with IS', { 'Z.csv': '1,0,3\n4,5,6\n1,1,1\n' }, 'Z\\.csv: --input: the data has 1 zero entries', [
  '--divergence',
  'is',
]);
fzIn('zeros with beta 0', { 'Z.csv': '1,0,3\n4,5,6\n1,1,1\n' }, 'Z\\.csv: --input: the data has 1 zero entries', [
  '--beta',
  '0',
]);
fzIn('zeros with beta -1', { 'Z.csv': '1,0,3\n4,5,6\n1,1,1\n' }, 'Z\\.csv: --input: the data has 1 zero entries', [
  '--beta=-1',
]);
// All-zero data is valid: W H = 0 fits it exactly (exit 0, finite files).
add({
  name: 'factorize input: all zeros (valid, exit 0)',
  args: ['factorize', '--input', 'Z.csv', '--rank', '2', '--iterations', '3', '--out', 'out'],
  files: { 'Z.csv': '0,0,0\n0,0,0\n' },
  code: 0,
});
fzIn('unknown extension', { 'V.txt2': '1,2\n' }, 'V\\.txt2: unsupported matrix format');
fzIn('mask shape', { 'V3.csv': '1,2,3\n4,5,6\n' }, 'M\\.csv: mask shape differs', ['--mask', 'M.csv']);
add({ name: 'factorize --mask missing', args: fz('--mask', 'nomask.csv'), err: 'nomask\\.csv: file not found' });
add({
  name: 'factorize --mask negative',
  args: fz('--mask', 'Mneg.csv'),
  files: { 'Mneg.csv': '1,1,1,1,1\n1,-1,1,1,1\n1,1,1,1,1\n1,1,1,1,1\n' },
  err: 'mask|Mneg\\.csv',
});
add({
  name: 'factorize --plugin missing',
  args: [...fz(), '--plugin', 'nope.mjs'],
  err: 'nope\\.mjs: plugin module not found',
});

// ── Output folders ────────────────────────────────────────────────────────────────────────
add({
  name: 'factorize --out in /proc (no spin)',
  args: fz().map((a) => (a === 'out' ? '/proc/nmflab-x' : a)),
  err: '/proc/nmflab-x: --out: cannot create the folder: the file system there does not allow it',
});
add({
  name: 'factorize --out under /proc/self',
  args: fz().map((a) => (a === 'out' ? '/proc/self/nmflab/x' : a)),
  err: 'cannot create the folder',
});
add({
  name: 'factorize --out is a file',
  args: fz().map((a) => (a === 'out' ? 'afile' : a)),
  files: { afile: 'x' },
  err: 'afile: --out: cannot create the folder: a file of that name is in the way',
});
add({
  name: 'factorize --out below a file',
  args: fz().map((a) => (a === 'out' ? 'afile/sub' : a)),
  files: { afile: 'x' },
  err: 'afile: --out: cannot create the folder: a file of that name is in the way',
});
add({
  name: 'run --out is a file',
  args: [...okRun, '--out', 'afile'],
  files: { afile: 'x' },
  err: 'afile: --out: cannot create the folder: a file of that name is in the way',
});
add({
  name: 'run --out in /proc',
  args: [...okRun, '--out', '/proc/nmflab-y'],
  err: '/proc/nmflab-y: --out: cannot create the folder',
});
add({
  name: 'run --out below a file',
  args: [...okRun, '--out', 'afile/r'],
  files: { afile: 'x' },
  err: 'afile: --out: cannot create the folder',
});
add({
  name: 'factorize file-size limit (EFBIG)',
  ulimit: 4,
  args: ['factorize', '--input', 'big.csv', '--rank', '3', '--iterations', '2', '--out', 'out'],
  setup: 'big',
  err: 'out/(W|H|trajectory)\\.csv: cannot write: file too large|cannot write: file too large',
});
add({
  name: 'run file-size limit (EFBIG) on a run file',
  ulimit: 2,
  args: ['run', 'big.yaml', '--quiet', '--jobs', '1'],
  setup: 'big',
  err: 'cannot write: file too large',
});
add({
  name: 'run file-size limit (EFBIG) in a worker thread',
  ulimit: 2,
  args: ['run', 'big.yaml', '--quiet', '--jobs', '2', '--sweep', 'seed=[1,2]'],
  setup: 'big',
  err: 'cannot write: file too large',
});

// ── Mixture descriptions and WAV files (mixture-file source, checked at validation) ─────────────
const mixCfg = (json = 'mix/bad.json') =>
  `name: mx\ndata: { id: mixture-file, params: { path: ${json} } }\nmodel: { solver: mu, rank: 2, stopping: { maxIterations: 3 } }\ntask: { id: separate, params: { mode: unsupervised, ranks: [1, 1] } }\ntransform: { frameLength: 256, hop: 64 }\n`;
const mix = (name, json, err, extra = {}) =>
  add({
    name: `mixture: ${name}`,
    args: ['run', 'mx.yaml', '--quiet', '--jobs', '1'],
    files: { 'mx.yaml': mixCfg(), 'mix/bad.json': json, ...extra },
    err: `mx\\.yaml: data\\.params\\.path: mix/bad\\.json${err}`,
  });
mix('null', 'null', ': a mixture description must be an object');
mix('a list', '[]', ': a mixture description must be an object');
mix('a string', '"x"', ': a mixture description must be an object');
mix('empty object', '{}', ': audio: the mixture has no audio file');
mix('invalid JSON', '{ audio: ', ': not valid JSON');
mix('empty file', '', ': not valid JSON');
mix('no stems', '{ "audio": "m.wav" }', ': stems: the mixture has no stems');
mix('stems empty', '{ "audio": "m.wav", "stems": [] }', ': stems: the mixture has no stems');
mix('stem null', '{ "audio": "m.wav", "stems": [null] }', ': stems\\[0\\]: a stem needs a name');
mix('stem without audio', '{ "audio": "m.wav", "stems": [{ "name": "a" }] }', ': stems\\[0\\]: a stem needs a name');
mix(
  'duplicate stem names',
  '{ "audio": "m.wav", "stems": [{ "name": "a", "audio": "a.wav" }, { "name": "a", "audio": "b.wav" }] }',
  ': stems\\[1\\]\\.name: duplicate stem name',
);
mix(
  'stem name with a slash',
  '{ "audio": "m.wav", "stems": [{ "name": "../a", "audio": "a.wav" }] }',
  ': stems\\[0\\]\\.name: bad stem name',
);
mix(
  'train a number',
  '{ "audio": "m.wav", "stems": [{ "name": "a", "audio": "a.wav", "train": 3 }] }',
  ': stems\\[0\\]\\.train: wrong type',
);
mix(
  'audio missing',
  '{ "audio": "none.wav", "stems": [{ "name": "a", "audio": "a.wav" }] }',
  ': audio: mix/none\\.wav: file not found',
);
mix(
  'stem audio missing',
  '{ "audio": "m.wav", "stems": [{ "name": "a", "audio": "none.wav" }] }',
  ': stems\\[0\\]\\.audio: mix/none\\.wav: file not found',
);
mix(
  'audio a folder',
  '{ "audio": "sub", "stems": [{ "name": "a", "audio": "a.wav" }] }',
  ': audio: mix/sub: is a folder',
  { 'mix/sub': { dir: true } },
);
add({
  name: 'mixture: JSON missing',
  args: ['run', 'mx.yaml', '--quiet'],
  files: { 'mx.yaml': mixCfg('mix/none.json') },
  err: 'mx\\.yaml: data\\.params\\.path: mix/none\\.json: file not found',
});
add({
  name: 'mixture: JSON is a folder',
  args: ['run', 'mx.yaml', '--quiet'],
  files: { 'mx.yaml': mixCfg('mix') },
  err: 'mx\\.yaml: data\\.params\\.path: mix: is a folder',
});
const wavBytes = {
  empty: [],
  'not RIFF': [...'JUNKxxxxWAVE'].map((c) => c.charCodeAt(0)),
  'RIFX big-endian': [...'RIFX\x00\x00\x00\x00WAVE'].map((c) => c.charCodeAt(0)),
  'not WAVE': [...'RIFF\x04\x00\x00\x00AVI '].map((c) => c.charCodeAt(0)),
  'too short': [0x52, 0x49],
  'no fmt chunk': [...'RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00'].map((c) => c.charCodeAt(0)),
};
for (const [name, bytes] of Object.entries(wavBytes)) {
  mix(`WAV ${name}`, '{ "audio": "w.wav", "stems": [{ "name": "a", "audio": "a.wav" }] }', ': audio: mix/w\\.wav', {
    'mix/w.wav': { bytes },
  });
}
for (const [name, spec] of Object.entries({
  'truncated data chunk': { truncate: 20 },
  'zero channels': {
    patch: [
      [22, 0],
      [23, 0],
    ],
  },
  'sample rate 0': {
    patch: [
      [24, 0],
      [25, 0],
      [26, 0],
      [27, 0],
    ],
  },
  'format code 2 (ADPCM)': { patch: [[20, 2]] },
  'fmt chunk past the end': {
    patch: [
      [16, 255],
      [17, 255],
    ],
  },
  'NaN samples (float)': { nan: true },
})) {
  mix(
    `WAV ${name}`,
    '{ "audio": "m.wav", "stems": [{ "name": "a", "audio": "w.wav" }] }',
    ': stems\\[0\\]\\.audio: mix/w\\.wav',
    { 'mix/w.wav': { wav: spec } },
  );
}
mix(
  'stem length differs',
  '{ "audio": "m.wav", "stems": [{ "name": "a", "audio": "short.wav" }] }',
  ': stems\\[0\\]\\.audio: a stem differs in length from the mixture',
);

// ── Plugin modules ────────────────────────────────────────────────────────────────────────
const plug = (name, code, err) =>
  add({ name: `plugin module: ${name}`, args: ['plugins', '--plugin', 'p.mjs'], files: { 'p.mjs': code }, err });
const def = (meta, create = '() => ({})') => `export default { meta: ${meta}, create: ${create} };\n`;
plug('meta null', def('null'), 'p\\.mjs: plugin \\[0\\]: plugin has no meta');
plug('meta a string', def('"x"'), 'p\\.mjs: plugin \\[0\\]: plugin has no meta');
plug(
  'unknown kind',
  def("{ kind: 'solvr', id: 'x-y', description: 'd', params: {} }"),
  "p\\.mjs: plugin 'x-y': meta\\.kind: unknown plugin kind .*did you mean 'solver'",
);
plug(
  'kind missing',
  def("{ id: 'x-y', description: 'd', params: {} }"),
  "p\\.mjs: plugin 'x-y': meta\\.kind: unknown plugin kind",
);
plug(
  'id not kebab-case',
  def("{ kind: 'metric', id: 'MyMetric', description: 'd', params: {} }"),
  "p\\.mjs: plugin 'MyMetric': meta\\.id: plugin id is not kebab-case",
);
plug(
  'id missing',
  def("{ kind: 'metric', description: 'd', params: {} }"),
  'p\\.mjs: plugin \\[0\\]: meta\\.id: plugin id is not kebab-case',
);
plug(
  'description missing',
  def("{ kind: 'metric', id: 'm-x', params: {} }"),
  "p\\.mjs: plugin 'm-x': meta\\.description",
);
plug(
  'create missing',
  "export default { meta: { kind: 'metric', id: 'm-x', description: 'd', params: {} } };\n",
  "p\\.mjs: plugin 'm-x': create: plugin has no create function",
);
plug(
  'params null',
  def("{ kind: 'metric', id: 'm-x', description: 'd', params: null }"),
  "p\\.mjs: plugin 'm-x': meta\\.params: plugin params are not a mapping",
);
plug(
  'param declaration a number',
  def("{ kind: 'metric', id: 'm-x', description: 'd', params: { p: 3 } }"),
  "p\\.mjs: plugin 'm-x': meta\\.params\\.p: bad parameter declaration",
);
plug(
  'invalid params schema',
  def("{ kind: 'metric', id: 'm-x', description: 'd', params: { p: { type: 'bogus', description: 'x' } } }"),
  "p\\.mjs: plugin 'm-x': meta\\.params: invalid params schema",
);
plug(
  'invalid params pattern',
  def(
    "{ kind: 'metric', id: 'm-x', description: 'd', params: { p: { type: 'string', pattern: '(', description: 'x' } } }",
  ),
  "p\\.mjs: plugin 'm-x': meta\\.params: invalid params schema",
);
plug(
  'needsModel not boolean',
  def("{ kind: 'task', id: 't-x', description: 'd', params: {}, needsModel: 'no' }"),
  "p\\.mjs: plugin 't-x': meta\\.needsModel",
);
plug('exports nothing', 'export const x = 1;\n', 'p\\.mjs: plugin module exports no plugins');
plug('default export null', 'export default null;\n', 'p\\.mjs: plugin module exports no plugins');
plug(
  'list with a number',
  'export default [3];\n',
  'p\\.mjs: plugin \\[0\\]: not a plugin definition|p\\.mjs: plugin \\[0\\]',
);
plug('syntax error', 'export default {\n', 'p\\.mjs: plugin module failed to load');
plug('throws on import', "throw new Error('boom');\n", 'p\\.mjs: plugin module failed to load: boom');
plug(
  'imports a missing package',
  "import x from 'no-such-package-nmflab';\nexport default x;\n",
  'p\\.mjs: plugin module failed to load',
);
plug(
  'duplicate id of a built-in',
  def("{ kind: 'divergence', id: 'kl', description: 'd', params: {} }"),
  "two divergence plugins have the id 'kl'",
);
add({
  name: 'plugin module: a folder',
  args: ['plugins', '--plugin', 'pdir'],
  files: { pdir: { dir: true } },
  err: 'pdir: plugin module',
});
add({
  name: 'plugin module: missing',
  args: ['plugins', '--plugin', 'missing.mjs'],
  err: 'missing\\.mjs: plugin module not found',
});
add({
  name: 'plugin module in config missing',
  args: run,
  files: cfg(ok('plugins: [nothere.mjs]\n')),
  err: 'bad\\.yaml: plugins: nothere\\.mjs: plugin module not found',
});
add({ name: 'plugins: unknown kind', args: ['plugins', 'solverz'], err: "unknown plugin kind 'solverz'" });

// ── Resume and summarize: sweep folders, sweep.yaml, run.json ───────────────────────────────
const sweep = (name, text, err, cmd = 'resume') =>
  add({
    name: `${cmd}: sweep.yaml ${name}`,
    args: cmd === 'resume' ? ['run', '--resume', 'sw', '--quiet'] : ['summarize', 'sw'],
    files: { 'sw/sweep.yaml': text },
    err: `sw/sweep\\.yaml${err}`,
  });
for (const cmd of ['resume', 'summarize']) {
  sweep('empty', '', ': corrupt sweep\\.yaml', cmd);
  sweep('null', 'null\n', ': corrupt sweep\\.yaml', cmd);
  sweep('a list', '- 1\n', ': corrupt sweep\\.yaml', cmd);
  sweep('bad YAML', 'experiment: [x\n', ': corrupt sweep\\.yaml', cmd);
  sweep('no runs', 'experiment: x\nconfig: x.yaml\nbase: {}\naxes: []\n', ': runs: corrupt sweep\\.yaml', cmd);
  sweep(
    'runs not a list',
    'experiment: x\nconfig: x.yaml\nbase: {}\naxes: []\nruns: 3\n',
    ': runs: corrupt sweep\\.yaml',
    cmd,
  );
  sweep(
    'run name a path',
    'experiment: x\nconfig: x.yaml\nbase: {}\naxes: []\nruns: [{ run: ../x, seed: 1, varied: {} }]\n',
    ': runs: corrupt sweep\\.yaml',
    cmd,
  );
  sweep(
    'axes not a list',
    'experiment: x\nconfig: x.yaml\nbase: {}\naxes: 3\nruns: []\n',
    ': axes: corrupt sweep\\.yaml',
    cmd,
  );
  sweep(
    'base null',
    'experiment: x\nconfig: x.yaml\nbase: null\naxes: []\nruns: []\n',
    ': base: corrupt sweep\\.yaml',
    cmd,
  );
  sweep(
    'alias bomb',
    `${['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n')}\n`,
    ': corrupt sweep\\.yaml',
    cmd,
  );
}
add({
  name: 'resume: folder missing',
  args: ['run', '--resume', 'nowhere', '--quiet'],
  err: 'nowhere: not a sweep folder',
});
add({
  name: 'resume: a file',
  args: ['run', '--resume', 'afile', '--quiet'],
  files: { afile: 'x' },
  err: 'afile: not a sweep folder',
});
add({
  name: 'resume: folder without sweep.yaml',
  args: ['run', '--resume', 'emptydir', '--quiet'],
  files: { emptydir: { dir: true } },
  err: 'emptydir: not a sweep folder',
});
add({ name: 'summarize: folder missing', args: ['summarize', 'nowhere'], err: 'nowhere: not a sweep folder' });
add({
  name: 'summarize: a file',
  args: ['summarize', 'afile'],
  files: { afile: 'x' },
  err: 'afile: not a sweep folder',
});
// A completed run whose files were damaged afterwards is rerun by --resume (exit 0, folder whole again).
for (const damage of [
  'truncate-W',
  'delete-H',
  'edit-metrics',
  'empty-run-json',
  'corrupt-run-json',
  'run-json-null',
  'run-json-no-status',
]) {
  add({
    name: `resume: completed run damaged (${damage}) is rerun`,
    args: ['run', '--resume', '@sweep', '--quiet'],
    setup: `completed-run:${damage}`,
    code: 0,
    ok: 'results in',
  });
}

// ── Metrics and tasks at run time (exit 1: the run failed, with the reason) ──────────────────
add({
  name: 'metric non-finite: lp-norm p = 1e-300',
  args: run,
  files: cfg(ok('metrics: [{ id: lp-norm, params: { p: 1e-300 } }]\n')),
  code: 1,
  err: 'metrics\\[0\\] \\(lp-norm\\): metric value is not finite',
});
add({
  name: 'rank too large for memory',
  args: run,
  files: cfg(ok().replace('rank: 2', 'rank: 1000000')),
  code: 1,
  err: 'too large for memory',
});
add({
  name: 'synthetic source too large',
  args: run,
  files: cfg(
    ok().replace(
      '{ id: matrix-file, params: { path: V.csv } }',
      '{ id: synthetic-lowrank, params: { rows: 1000000000, cols: 1000000000, rank: 2 } }',
    ),
  ),
  code: 1,
  err: 'matrix too large for memory',
});
add({
  name: 'zeros with IS in a run',
  args: run,
  files: {
    ...cfg(ok().replace('divergence: kl', 'divergence: is').replace('V.csv', 'Z.csv')),
    'Z.csv': '1,0,3\n4,5,6\n1,1,1\n',
  },
  err: 'bad\\.yaml: model\\.solver\\.params\\.divergence: the data file Z\\.csv \\(data\\.params\\.path\\) has 1 zero entries, undefined for the is divergence',
});
// Zeros against a divergence undefined at 0, caught at validation; an offset or ε makes them valid.
const zeroRun = (div, extra = '') => ({
  ...cfg(ok().replace('divergence: kl', `divergence: ${div}${extra}`).replace('V.csv', 'Z.npy')),
  'Z.npy': {
    npy: [
      [1, 0, 3],
      [4, 5, 6],
      [0, 1, 1],
    ],
  },
});
add({
  name: 'zeros (npy) with beta -1 in a run',
  args: run,
  files: zeroRun('{ id: beta, params: { beta: -1 } }'),
  err: 'model\\.solver\\.params\\.divergence: the data file Z\\.npy .* 2 zero entries, undefined for the beta divergence',
});
add({
  name: 'zeros with beta 0 given by --set',
  args: [...run, '--set', 'model.solver.params.divergence={ id: beta, params: { beta: 0 } }'],
  files: zeroRun('kl'),
  err: 'model\\.solver\\.params\\.divergence: the data file Z\\.npy',
});
add({
  name: 'zeros with a β sweep reaching 0',
  args: [...run, '--sweep', 'model.solver.params.divergence.params.beta=[1, 0]'],
  files: zeroRun('{ id: beta, params: { beta: 1 } }'),
  err: 'the data file Z\\.npy .* undefined for the beta divergence',
});
add({
  name: 'zeros with IS and an offset (valid)',
  args: run,
  files: zeroRun('is', ', offset: 1e-6'),
  code: 0,
  ok: 'results in',
});
add({
  name: 'zeros with IS and its eps (valid)',
  args: run,
  files: zeroRun('{ id: is, params: { eps: 1e-9 } }'),
  code: 0,
  ok: 'results in',
});
add({
  name: 'zeros with KL (valid)',
  args: run,
  files: zeroRun('kl'),
  code: 0,
  ok: 'results in',
});

// ── Usage ─────────────────────────────────────────────────────────────────────────────────
add({ name: 'unknown command', args: ['frobnicate'], err: 'Unknown argument: frobnicate' });
add({ name: 'no command', args: [], err: 'no command given' });
add({ name: 'bss-eval without files', args: ['bss-eval'], err: 'Missing required argument|not enough|bss-eval' });
add({ name: 'report on a missing folder', args: ['report', 'nowhere'], err: 'nowhere' });
add({ name: 'compare with a missing folder', args: ['compare', 'nowhere'], err: 'nowhere' });

// `--no-X` on an option that takes a value (yargs reads it as X = false)
for (const [args, flag] of [
  [['run', 'ok.yaml', '--no-sweep'], 'sweep'],
  [['run', 'ok.yaml', '--no-set'], 'set'],
  [['run', 'ok.yaml', '--no-out'], 'out'],
  [['run', 'ok.yaml', '--no-jobs'], 'jobs'],
  [['run', 'ok.yaml', '--no-plugin'], 'plugin'],
  [['factorize', '--input', 'V.csv', '--rank', '2', '--out', 'out', '--no-rank'], 'rank'],
  [['factorize', '--input', 'V.csv', '--rank', '2', '--no-out'], 'out'],
  [['compare', '--no-csv', 'results'], 'csv'],
])
  add({
    name: `${args[0]} --no-${flag}`,
    args,
    err: `--no-${flag}: --${flag} is not a yes/no option and cannot be negated`,
  });
add({
  name: 'run --no-quiet (a yes/no option) is accepted',
  args: ['run', 'ok.yaml', '--no-quiet', '--quiet', '--jobs', '1'],
  code: 0,
  ok: 'results in',
});

export default cases;

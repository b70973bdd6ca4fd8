#!/usr/bin/env node
// Writes the labelled text corpus data/corpus/debian/ (see its SOURCES.md) from Debian's package
// index: each document is one binary package's short description, its label the package's Section.
// Run from the repository root after `apt-get update`:
//
//   node scripts/make-debian-corpus.mjs [Packages-file] [out-dir]
//
// Packages-file defaults to apt's list of bookworm main amd64 under /var/lib/apt/lists (any
// compression apt stores: it is read through `apt-helper cat-file`); out-dir to data/corpus/debian.
// The uncompressed file's sha256 is checked against the suite's InRelease when that sits beside it.
// Every choice is a function of the file's contents (sha256 of source-package names orders and
// splits), so the same Packages file gives the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const LISTS = '/var/lib/apt/lists';
const SECTIONS = ['database', 'fonts', 'games', 'mail', 'math', 'sound'];
/** Documents kept per section at most (the first in sha256 order of their source package). */
const PER_SECTION = 500;
/** Share of source packages (by sha256 of the name) whose binaries form the test split. */
const TEST_SHARE = 0.3;
/** A term is kept when it occurs in at least this many training documents. */
const MIN_DF = 3;
/** A document is kept when it has at least this many vocabulary tokens. */
const MIN_TOKENS = 2;

// Bad input: one line and exit status 2, before anything is written.
const fail = (message) => {
  process.stderr.write(`make-debian-corpus: ${message}\n`);
  process.exit(2);
};
const input = process.argv[2] ?? findPackagesList();
const out = process.argv[3] ?? 'data/corpus/debian';
if (!existsSync(input)) fail(`${input}: no such Packages file`);
const text = input.endsWith('Packages')
  ? readFileSync(input)
  : execFileSync('/usr/lib/apt/apt-helper', ['cat-file', input], { maxBuffer: 1 << 30 });
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const sourceSha = sha256(text);
const release = readRelease(input, sourceSha, text.length);

// English function words only: packaging words shared by all sections ("data", "library",
// "plugin", "files") stay in, as the cross-section noise a real corpus has.
const STOP = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both
  but by can cannot could did do does doing down during each few for from further had has have having he her here hers
  him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
  over own same she should so some such than that the their theirs them then there these they this those through to too
  under until up very was we were what when where which while who whom why will with would you your yours via etc using
  use used based`
    .split(/\s+/)
    .filter(Boolean),
);
const tokenize = (s) => (s.toLowerCase().match(/[a-z][a-z0-9]*/g) ?? []).filter((w) => w.length >= 2 && !STOP.has(w));

// Stanzas: Package, Source (without version), Section, the one-line Description.
const packages = [];
for (const stanza of text.toString('utf8').split(/\n\n+/)) {
  const field = (name) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
  const pkg = field('Package');
  const section = field('Section');
  const description = field('Description');
  if (!pkg || !section || !description || !SECTIONS.includes(section)) continue;
  const source = (field('Source') ?? pkg).split(' ')[0];
  packages.push({ package: pkg, source, section, description });
}
packages.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
// One document per distinct (section, description): identical descriptions (e.g. one per
// architecture variant or language pack) would be near-copies across the split.
const seen = new Set();
const distinct = packages.filter((p) => {
  const key = `${p.section}\n${p.description.toLowerCase()}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
});

const hashOf = (s) => sha256(Buffer.from(s, 'utf8'));
const isTest = (source) => Number.parseInt(hashOf(`split:${source}`).slice(0, 8), 16) / 2 ** 32 < TEST_SHARE;
const order = (p) => `${hashOf(`order:${p.source}`)}:${p.package}`;
const chosen = SECTIONS.flatMap((section) =>
  distinct
    .filter((p) => p.section === section)
    .sort((a, b) => (order(a) < order(b) ? -1 : 1))
    .slice(0, PER_SECTION),
).map((p) => ({ ...p, split: isTest(p.source) ? 'test' : 'train', tokens: tokenize(p.description) }));

// Vocabulary from the training documents only (the test split never shapes it), and the documents
// with enough vocabulary tokens: iterated to a fixed point (dropping documents changes the counts).
let docs = chosen;
let vocabulary = [];
for (;;) {
  const df = new Map();
  for (const d of docs) if (d.split === 'train') for (const w of new Set(d.tokens)) df.set(w, (df.get(w) ?? 0) + 1);
  vocabulary = [...df.entries()]
    .filter(([, n]) => n >= MIN_DF)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([w]) => w);
  const inVocabulary = new Set(vocabulary);
  const kept = docs.filter((d) => d.tokens.filter((w) => inVocabulary.has(w)).length >= MIN_TOKENS);
  if (kept.length === docs.length) break;
  docs = kept;
}
const index = new Map(vocabulary.map((w, i) => [w, i]));

const splitOf = (name) => {
  const ds = docs.filter((d) => d.split === name);
  return {
    packages: ds.map((d) => d.package),
    labels: ds.map((d) => SECTIONS.indexOf(d.section)),
    // Each document as the vocabulary indices of its tokens in order (repeats are counts).
    documents: ds.map((d) => d.tokens.filter((w) => index.has(w)).map((w) => index.get(w))),
  };
};
const corpus = {
  kind: 'text-corpus',
  format:
    'documents[i] lists the vocabulary indices of document i’s tokens in order (a count matrix is the histogram); labels[i] indexes categories',
  categories: SECTIONS,
  vocabulary,
  train: splitOf('train'),
  test: splitOf('test'),
};
const trainSources = new Set(docs.filter((d) => d.split === 'train').map((d) => d.source));
const overlap = docs.filter((d) => d.split === 'test' && trainSources.has(d.source)).length;
if (overlap) fail(`${overlap} test documents share a source package with training`);

mkdirSync(out, { recursive: true });
const corpusText = `${JSON.stringify(corpus)}\n`;
writeFileSync(join(out, 'corpus.json'), corpusText);
const count = (split) =>
  Object.fromEntries(SECTIONS.map((s) => [s, docs.filter((d) => d.split === split && d.section === s).length]));
const manifest = {
  kind: 'text-corpus',
  name: 'debian-descriptions',
  description:
    'Short descriptions of Debian binary packages labelled by their Section: six sections, train/test disjoint by source package',
  source: {
    file: `dists/${release.suite}/main/binary-amd64/Packages (uncompressed)`,
    sha256: sourceSha,
    bytes: text.length,
    release: release.info,
    checkedAgainstInRelease: release.checked,
  },
  selection: {
    sections: SECTIONS,
    document: 'the one-line Description of a binary package whose Section is one of the sections',
    deduplication: 'one package per distinct (section, lower-cased description), the first by package name',
    perSection: `at most ${PER_SECTION}, the first in sha256("order:" + source package) order`,
    tokens: 'lower-cased [a-z][a-z0-9]*, at least 2 characters, English function words removed (list in the script)',
    vocabulary: `terms in at least ${MIN_DF} training documents, most frequent first (ties alphabetical); built on the train split only`,
    minTokens: `documents keep at least ${MIN_TOKENS} vocabulary tokens (vocabulary and documents iterated to a fixed point)`,
  },
  split: {
    rule: `test when sha256("split:" + source package) read as a fraction (first 32 bits) is below ${TEST_SHARE}`,
    disjoint:
      'by source package (hence by binary package): no test document shares a source package with a training one',
    train: count('train'),
    test: count('test'),
  },
  documents: docs.length,
  terms: vocabulary.length,
  files: [{ path: 'corpus.json', bytes: Buffer.byteLength(corpusText), sha256: sha256(Buffer.from(corpusText)) }],
};
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
process.stdout.write(
  `${out}: ${docs.length} documents (${corpus.train.labels.length} train, ${corpus.test.labels.length} test), ${vocabulary.length} terms, ${Buffer.byteLength(corpusText)} bytes\n`,
);

function findPackagesList() {
  const name = readdirSync(LISTS).find((f) => /_dists_bookworm_main_binary-amd64_Packages(\.\w+)?$/.test(f));
  if (!name) fail(`no bookworm main amd64 Packages list in ${LISTS}: run apt-get update first`);
  return join(LISTS, name);
}

/** Suite, version and date of the InRelease beside an apt list, and whether it lists this sha256. */
function readRelease(file, sha, bytes) {
  const prefix = basename(file).replace(/_main_binary-amd64_Packages.*$/, '');
  const path = join(dirname(file), `${prefix}_InRelease`);
  if (!existsSync(path)) return { suite: 'bookworm', info: null, checked: false };
  const rel = readFileSync(path, 'utf8');
  const get = (k) => new RegExp(`^${k}: (.*)$`, 'm').exec(rel)?.[1]?.trim();
  const checked = new RegExp(`^ ${sha} +${bytes} main/binary-amd64/Packages$`, 'm').test(rel);
  if (!checked) fail(`${basename(file)}: sha256 ${sha} is not the one its InRelease lists`);
  return {
    suite: get('Codename') ?? 'bookworm',
    info: { origin: get('Origin'), codename: get('Codename'), version: get('Version'), date: get('Date') },
    checked,
  };
}

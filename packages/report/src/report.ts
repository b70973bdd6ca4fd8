import { mkdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { type Matrix, NmflabError, Stft, encodeWav, matmul, writeFileAtomic, type SourceData } from '@nmflab/core';
import type { TopLevelSpec } from 'vega-lite';
import {
  imageOnAxesSpec,
  metricBarsSpec,
  pianoRollSpec,
  renderSvg,
  trajectorySpec,
  type MetricBar,
  type TrajectoryPoint,
} from './charts.js';
import {
  combinations,
  comparisonMetrics,
  displayMetric,
  label,
  metricVsParameterPlots,
  objectivePanelsSpec,
  shortNames,
  sweptAxes,
  sweptValues,
  type ObjectivePanel,
} from './compare.js';
import { heatmapPng, montagePng, pngDataUri, toDb } from './heatmap.js';
import { escapeHtml, pageHtml, tableHtml, type Section } from './html.js';
import { isRunFolder, isSweepFolder, readRunFolder, runFoldersOf, type RunFolder } from './load.js';

/**
 * `writeReport(dir)`: figures of a run or sweep folder into `<dir>/report/` (SVG from Vega-Lite,
 * PNG heat maps and image grids) and one self-contained `<dir>/report.html` (figures inline, PNGs
 * and the audio as data URIs: the page can be moved or mailed on its own).
 */

export interface ImageShape {
  height: number;
  width: number;
}

export interface ReportOptions {
  /**
   * Re-load a run's data (the mixture and its reference sources, or a data matrix) from its
   * config, when the run folder does not hold them; the CLI passes one built on the plugin
   * registry. Failing or absent: the report goes without those figures and says why.
   */
  loadData?: (config: Record<string, unknown>, run: RunFolder) => Promise<SourceData | undefined>;
  /** The data are images of this shape (overrides extra.json's `image`). */
  image?: ImageShape;
  /** For sweeps: also write each run's own report (default true). */
  runReports?: boolean;
  /** How folders are named in messages and errors (default: relative to the working directory). */
  display?: (dir: string) => string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Draw W's bases on a log-frequency axis (audio runs). Default false. */
  logFrequency?: boolean;
}

export interface Figure {
  id: string;
  title: string;
  caption?: string;
  /** File written into report/ (relative to it). */
  file: string;
  svg?: string;
  png?: Buffer;
}

export interface ReportResult {
  /** The report.html written. */
  file: string;
  figures: Figure[];
  notes: string[];
  /** Reports written for a sweep's runs. */
  runs: ReportResult[];
}

const display0 = (d: string) => relative(process.cwd(), d) || '.';

export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const display = options.display ?? display0;
  if (isSweepFolder(dir)) return writeSweepReport(dir, options);
  if (isRunFolder(dir)) return writeRunReport(dir, options);
  throw new NmflabError('not a run or sweep folder', {
    file: display(dir),
    expected: 'a sweep folder (holding sweep.yaml) or a run folder (holding run.json)',
    hint: 'nmflab run prints where its results went',
  });
}

async function svgFigure(id: string, title: string, spec: TopLevelSpec, caption?: string): Promise<Figure> {
  return { id, title, caption, file: `${id}.svg`, svg: await renderSvg(spec) };
}

function runLabel(run: RunFolder): string {
  const varied = Object.entries(run.record.varied ?? {}).map(
    ([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return varied.length ? `${run.name} (${varied.join(', ')})` : run.name;
}

/** Trajectory points of a run: the total and each term that is not the total itself. */
function trajectoryPoints(run: RunFolder, label: string): TrajectoryPoint[] {
  const rows = run.trajectory;
  if (!rows.length) return [];
  const terms = Object.keys(rows[0]).filter((c) => c.startsWith('term:'));
  const pts: TrajectoryPoint[] = [];
  for (const r of rows) pts.push({ run: label, series: 'objective', iteration: r.iteration!, value: r.objective! });
  for (const t of terms) {
    if (rows.every((r) => r[t] === r.objective)) continue; // the only term: it is the total
    for (const r of rows) pts.push({ run: label, series: t.slice(5), iteration: r.iteration!, value: r[t] });
  }
  return pts;
}

const BSS = /^(?:(.*)\.)?(sdr|sir|sar|isr|si-sdr|sisdr)$/i;
const BSS_NAMES: Record<string, string> = { sisdr: 'SI-SDR', 'si-sdr': 'SI-SDR' };

/** SDR/SIR/SAR rows as bars; `method` names unprefixed metrics, a prefix (`oracle.sdr`) names its own. */
function metricBars(run: RunFolder, method: string): MetricBar[] {
  const bars: MetricBar[] = [];
  for (const m of run.metrics) {
    const hit = BSS.exec(m.metric);
    if (!hit || !Number.isFinite(m.value)) continue;
    bars.push({
      method: hit[1] ? hit[1] : method,
      source: m.source || 'all',
      metric: BSS_NAMES[hit[2].toLowerCase()] ?? hit[2].toUpperCase(),
      value: m.value,
    });
  }
  // The run's own method first, then the oracles and baselines the task reported.
  return [...bars.filter((b) => b.method === method), ...bars.filter((b) => b.method !== method)];
}

function transformOf(
  run: RunFolder,
):
  | { frameLength: number; hop: number; window?: string; center?: boolean; padMode?: string; representation?: string }
  | undefined {
  const t = run.config.transform as Record<string, unknown> | undefined;
  if (!t || typeof t.frameLength !== 'number' || typeof t.hop !== 'number') return undefined;
  return t as never;
}

function imageShapeOf(run: RunFolder, options: ReportOptions): ImageShape | undefined {
  if (options.image) return options.image;
  const im = run.extra?.image as Partial<ImageShape> | undefined;
  if (im && Number.isInteger(im.height) && Number.isInteger(im.width) && im.height! > 0 && im.width! > 0)
    return { height: im.height!, width: im.width! };
  return undefined;
}

function wavDataUri(wav: Uint8Array): string {
  return `data:audio/wav;base64,${Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64')}`;
}

interface AudioAxes {
  sampleRate: number;
  frameLength: number;
  hop: number;
  power: boolean;
  logFrequency: boolean;
}

/**
 * W and H as heat maps side by side: each basis W[:, k] and each activation H[k, :] scaled to its
 * own maximum (an NMF factor's scale is arbitrary) and shown in dB over 60 dB, so that weak
 * partials and quiet activations stay visible. Audio: W on frequency (Hz, optionally a log axis,
 * the image re-sampled to log-spaced frequencies), H on time (s); otherwise on indices.
 */
async function factorFigure(W: Matrix, H: Matrix, audio?: AudioAxes): Promise<Figure> {
  const K = W.cols;
  const F = W.rows;
  const N = H.cols;
  const range = 60;
  // W normalized per column, H per row, both in dB re 1
  const Wn = new Float64Array(F * K);
  for (let k = 0; k < K; k++) {
    let m = 0;
    for (let f = 0; f < F; f++) m = Math.max(m, W.data[f * K + k]);
    for (let f = 0; f < F; f++) Wn[f * K + k] = m > 0 ? W.data[f * K + k] / m : 0;
  }
  const Hn = new Float64Array(K * N);
  for (let k = 0; k < K; k++) {
    let m = 0;
    for (let n = 0; n < N; n++) m = Math.max(m, H.data[k * N + n]);
    for (let n = 0; n < N; n++) Hn[k * N + n] = m > 0 ? H.data[k * N + n] / m : 0;
  }
  const power = audio?.power ?? false;
  let wRows = F;
  let wImage = Wn;
  let y: [number, number] = [0, F];
  let yTitle = 'row f';
  let yScale: 'linear' | 'log' = 'linear';
  if (audio) {
    const df = audio.sampleRate / audio.frameLength;
    y = [0, audio.sampleRate / 2];
    yTitle = 'frequency (Hz)';
    if (audio.logFrequency && F > 2) {
      // rows at log-spaced frequencies from the first non-zero bin to Nyquist, linear between bins
      const lo = df;
      const hi = (F - 1) * df;
      wRows = Math.min(256, 2 * F);
      wImage = new Float64Array(wRows * K);
      for (let i = 0; i < wRows; i++) {
        const fHz = lo * Math.pow(hi / lo, i / (wRows - 1));
        const b = fHz / df;
        const b0 = Math.min(F - 2, Math.floor(b));
        const t = b - b0;
        for (let k = 0; k < K; k++) wImage[i * K + k] = (1 - t) * Wn[b0 * K + k] + t * Wn[(b0 + 1) * K + k];
      }
      y = [lo, hi];
      yTitle = 'frequency (Hz, log)';
      yScale = 'log';
    }
  }
  const wDb = toDb(wImage, { power, ref: 1, range });
  const hDb = toDb(Hn, { power, ref: 1, range });
  const wPng = heatmapPng(wDb, wRows, K, { min: -range, max: 0, flipY: true, maxWidth: 400, maxHeight: 256 });
  const hPng = heatmapPng(hDb, K, N, { min: -range, max: 0, maxWidth: 800, maxHeight: 256 });
  const duration = audio ? (N * audio.hop) / audio.sampleRate : N;
  const legend = { scheme: 'viridis', domain: [-range, 0] as [number, number], title: 'dB re max' };
  const wSpec = imageOnAxesSpec({
    title: `W: ${K} bases`,
    url: pngDataUri(wPng.png),
    x: [0.5, K + 0.5],
    y,
    xTitle: 'basis k',
    yTitle,
    width: Math.max(120, Math.min(300, 8 * K)),
    height: 220,
    yScale,
    legend: undefined,
  });
  const hSpec = imageOnAxesSpec({
    title: `H: ${K} activations`,
    url: pngDataUri(hPng.png),
    x: [0, duration],
    y: [K + 0.5, 0.5],
    xTitle: audio ? 'time (s)' : 'column n',
    yTitle: 'basis k',
    width: 520,
    height: 220,
    legend,
  });
  const spec = {
    hconcat: [wSpec, hSpec],
    spacing: 20,
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
  const caption = `W (left): each basis normalized to its maximum; H (right): each activation normalized to its maximum; both ${power ? '10' : '20'}·log10, ${range} dB range${audio?.logFrequency ? '; W re-sampled to log-spaced frequencies' : ''}.`;
  return svgFigure('components', 'Bases and activations', spec, caption);
}

export async function writeRunReport(dir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const display = options.display ?? display0;
  const run = readRunFolder(dir, display(dir));
  const outDir = join(dir, 'report');
  mkdirSync(outDir, { recursive: true });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const sections: Section[] = [];
  const label = runLabel(run);
  const W = run.matrices.get('W');
  const H = run.matrices.get('H');

  let data: SourceData | undefined;
  if (options.loadData && run.record.status === 'completed') {
    try {
      data = await options.loadData(run.config, run);
    } catch (e) {
      notes.push(
        `The run's data could not be re-loaded from its config (${e instanceof NmflabError ? e.format() : e instanceof Error ? e.message : String(e)}); figures of the data are left out.`,
      );
    }
  }

  // Audio: spectrograms (dB, s, Hz) of the mixture, the model WH and each source, with players.
  const tcfg = transformOf(run);
  const sampleRate = data?.signal?.sampleRate ?? run.wavs[0]?.sampleRate;
  const audio: { label: string; src: string }[] = [];
  if (tcfg && sampleRate) {
    const stft = new Stft({ ...(tcfg as object), sampleRate } as never, {
      file: display(join(dir, 'config.yaml')),
      path: 'transform',
    });
    const power = stft.representation === 'power';
    const spectrum = (x: Float64Array) => stft.represent(stft.analyze(x));
    const panels: { id: string; title: string; S: Matrix }[] = [];
    const V = run.matrices.get('V');
    let mix: Matrix | undefined = V && V.rows === stft.bins ? V : undefined;
    if (data?.signal) {
      mix ??= spectrum(data.signal.samples);
      const wav = encodeWav(data.signal.samples, data.signal.sampleRate, { format: 'pcm16' });
      writeFileAtomic(join(outDir, 'mixture.wav'), wav);
      audio.push({ label: 'mixture', src: wavDataUri(wav) });
    }
    if (mix) panels.push({ id: 'spectrogram-mixture', title: 'Mixture |X|', S: mix });
    if (W && H && W.rows === stft.bins) panels.push({ id: 'spectrogram-model', title: 'Model WH', S: matmul(W, H) });
    // Each separated source beside its reference (same name), then references without an estimate.
    const refs = [...(data?.sources ?? [])];
    const refPanel = (s: { name: string; samples: Float64Array }) => ({
      id: `spectrogram-reference-${slug(s.name)}`,
      title: `Reference: ${s.name}`,
      S: spectrum(s.samples),
    });
    for (const w of run.wavs) {
      panels.push({ id: `spectrogram-${slug(w.name)}`, title: `Separated: ${w.name}`, S: spectrum(w.samples) });
      // 16-bit PCM inside the page (the run's own WAV beside it keeps full precision)
      audio.push({ label: w.name, src: wavDataUri(encodeWav(w.samples, w.sampleRate, { format: 'pcm16' })) });
      const i = refs.findIndex((s) => s.name === w.name);
      if (i >= 0) panels.push(refPanel(refs.splice(i, 1)[0]));
    }
    for (const s of refs) panels.push(refPanel(s));
    if (panels.length) {
      // One dB scale for all panels (re the mixture's maximum, 80 dB range), so they compare.
      let ref = 0;
      for (const x of (mix ?? panels[0].S).data) if (x > ref) ref = x;
      const range = 80;
      const sec: Section = { title: 'Spectrograms', figures: [] };
      for (const p of panels) {
        const db = toDb(p.S.data, { power, ref, range });
        const hm = heatmapPng(db, p.S.rows, p.S.cols, {
          min: -range,
          max: 0,
          flipY: true,
          maxWidth: 800,
          maxHeight: 256,
        });
        const duration = (p.S.cols * stft.hop) / sampleRate;
        const spec = imageOnAxesSpec({
          title: p.title,
          url: pngDataUri(hm.png),
          x: [0, duration],
          y: [0, sampleRate / 2],
          xTitle: 'time (s)',
          yTitle: 'frequency (Hz)',
          width: 640,
          height: 170,
          legend: { scheme: 'viridis', domain: [-range, 0], title: 'dB' },
        });
        const fig = await svgFigure(
          p.id,
          p.title,
          spec,
          `${power ? '10' : '20'}·log10 of the ${power ? 'power' : 'magnitude'} re the mixture's maximum; STFT ${stft.frameLength}/${stft.hop} ${stft.window}, ${sampleRate} Hz; image ${hm.width}×${hm.height} px for ${p.S.cols} frames × ${p.S.rows} bins.`,
        );
        figures.push(fig);
        sec.figures.push(fig);
      }
      sections.push(sec);
    }
    if (W && H && W.rows === stft.bins) {
      const fig = await factorFigure(W, H, {
        sampleRate,
        frameLength: stft.frameLength,
        hop: stft.hop,
        power,
        logFrequency: options.logFrequency ?? false,
      });
      figures.push(fig);
      sections.push({ title: 'Bases and activations', figures: [fig] });
    }
  } else if (W && H) {
    const shape = imageShapeOf(run, options);
    const V = run.matrices.get('V') ?? data?.matrix;
    const sec: Section = { title: shape ? 'Images' : 'Factors', figures: [] };
    if (shape) {
      const px = shape.height * shape.width;
      const cols = (m: Matrix) =>
        Array.from({ length: m.cols }, (_, j) =>
          Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]),
        );
      const rows = (m: Matrix) =>
        Array.from({ length: m.rows }, (_, i) => m.data.subarray(i * m.cols, (i + 1) * m.cols));
      // Images are W's columns when F = pixels (V's columns are images), else H's rows.
      const byCols = W.rows === px;
      if (!byCols && H.cols !== px) {
        notes.push(
          `The images are ${shape.height}×${shape.width} = ${px} pixels, but W has ${W.rows} rows and H ${H.cols} columns: no image figure.`,
        );
      } else {
        const bases = byCols ? cols(W) : rows(H);
        const grids: [string, string, Float64Array[] | Float64Array[]][] = [
          ['bases', `Bases (${byCols ? "W's columns" : "H's rows"}) as images`, bases as Float64Array[]],
        ];
        if (V) {
          const WH = matmul(W, H);
          const take = 20;
          grids.push([
            'data-images',
            `Data (first ${take})`,
            (byCols ? cols(V) : rows(V)).slice(0, take) as Float64Array[],
          ]);
          grids.push([
            'reconstructions',
            `Model WH (first ${take})`,
            (byCols ? cols(WH) : rows(WH)).slice(0, take) as Float64Array[],
          ]);
        }
        for (const [id, title, imgs] of grids) {
          const m = montagePng(imgs, shape.height, shape.width, {
            columns: 10,
            scale: Math.max(1, Math.round(64 / Math.max(shape.height, shape.width))),
            reverse: true,
          });
          const fig: Figure = {
            id,
            title,
            file: `${id}.png`,
            png: m.png,
            caption: `${imgs.length} images of ${shape.height}×${shape.width} pixels, each on its own grey scale (bright = large).`,
          };
          figures.push(fig);
          sec.figures.push(fig);
        }
      }
    } else {
      // V and WH on one colour scale, so they compare; then W and H per component.
      const WH = matmul(W, H);
      const [lo, hi] = V ? extent(Float64Array.of(...extent(V.data), ...extent(WH.data))) : extent(WH.data);
      for (const [id, title, m] of [
        ['data', 'Data V', V],
        ['model', 'Model WH', WH],
      ] as const) {
        if (!m) continue;
        const hm = heatmapPng(m.data, m.rows, m.cols, { min: lo, max: hi, maxWidth: 800, maxHeight: 256 });
        const spec = imageOnAxesSpec({
          title,
          url: pngDataUri(hm.png),
          x: [0, m.cols],
          y: [m.rows, 0],
          xTitle: 'column n',
          yTitle: 'row f',
          width: 640,
          height: 200,
          legend: { scheme: 'viridis', domain: [lo, hi], title: 'value' },
        });
        const fig = await svgFigure(id, title, spec, `${m.rows}×${m.cols}, linear colour scale shared by V and WH.`);
        figures.push(fig);
        sec.figures.push(fig);
      }
      const fig = await factorFigure(W, H);
      figures.push(fig);
      sec.figures.push(fig);
    }
    if (sec.figures.length) sections.push(sec);
  }

  const pts = trajectoryPoints(run, run.name);
  if (pts.length) {
    const fig = await svgFigure(
      'objective',
      'Objective per iteration',
      trajectorySpec(pts),
      'Total objective (and each penalty term when there are several) per iteration, log scale.',
    );
    figures.push(fig);
    sections.push({ title: 'Objective', figures: [fig] });
  }

  const solverId = (
    (run.config.model as Record<string, unknown> | undefined)?.solver as Record<string, unknown> | undefined
  )?.id;
  const bars = metricBars(run, typeof solverId === 'string' ? solverId : run.name);
  const metricSec: Section = {
    title: 'Metrics',
    figures: [],
    html: run.metrics.length
      ? tableHtml(
          ['metric', 'source', 'value'],
          run.metrics.map((m) => [m.metric, m.source, fmt(m.value)]),
        )
      : '<p>No metrics.</p>',
  };
  if (bars.length) {
    const fig = await svgFigure(
      'metrics',
      'Separation metrics',
      metricBarsSpec(bars),
      'BSS Eval per source and method (dB), oracle and baselines as reported by the task; each panel on its own scale, bars above 60 dB cut at 60 (see the table).',
    );
    figures.push(fig);
    metricSec.figures.push(fig);
  }
  sections.push(metricSec);

  if (run.pianoroll) {
    const pr = run.pianoroll;
    const fig = await svgFigure(
      'pianoroll',
      'Piano roll',
      pianoRollSpec(pr.reference, pr.estimate),
      `${pr.estimate.length} estimated notes${pr.threshold !== undefined ? ` (activations thresholded at ${pr.threshold})` : ''} against ${pr.reference.length} ground-truth notes.`,
    );
    figures.push(fig);
    sections.push({ title: 'Transcription', figures: [fig] });
  }

  for (const f of figures) writeFileAtomic(join(outDir, f.file), f.svg ?? f.png!);
  const r = run.record;
  const facts: [string, string][] = [
    ['experiment', String(r.experiment ?? '')],
    ['run', label],
    ['status', String(r.status ?? '')],
    ['seed', String(r.seed ?? '')],
    ['iterations', r.iterations === undefined ? '' : `${r.iterations} (${r.stopReason ?? ''})`],
    ['seconds', r.seconds === undefined ? '' : r.seconds.toFixed(2)],
    [
      'commit',
      r.provenance?.git?.commit
        ? `${r.provenance.git.commit.slice(0, 12)}${r.provenance.git.dirty ? ' (dirty)' : ''}`
        : '',
    ],
  ];
  if (r.error) facts.push(['error', r.error]);
  const html = pageHtml({
    title: `nmflab report: ${String(r.experiment ?? '')} run ${run.name}`,
    facts,
    audio,
    notes,
    sections,
  });
  const file = join(dir, 'report.html');
  writeFileAtomic(file, html);
  options.log?.(`report: ${display(file)} (${figures.length} figures)`);
  return { file, figures, notes, runs: [] };
}

export async function writeSweepReport(dir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const display = options.display ?? display0;
  const outDir = join(dir, 'report');
  mkdirSync(outDir, { recursive: true });
  const runDirs = runFoldersOf(dir);
  const runs = runDirs.map((r) => readRunFolder(join(dir, r), display(join(dir, r))));
  const results: ReportResult[] = [];
  if (options.runReports !== false) for (const r of runs) results.push(await writeRunReport(r.dir, options));
  const links = new Set(results.map((x) => relative(dir, x.file).split('/')[0]));
  const figures: Figure[] = [];
  const sections: Section[] = [];
  const axes = sweptAxes(runs);
  const names = shortNames(axes.map((a) => a.path));
  const metrics = comparisonMetrics(runs);
  const combos = combinations(runs, metrics);
  const seeds = Math.max(0, ...combos.map((c) => c.runs.length));

  // Comparison: mean ± 95 % CI over seeds per combination of swept values, and plots against each swept parameter.
  if (combos.length) {
    const ci = (st: { mean: number; ciHalf: number } | undefined) =>
      st ? (Number.isFinite(st.ciHalf) ? `${fmt(st.mean)} ± ${fmt(st.ciHalf)}` : fmt(st.mean)) : '';
    const header = [
      ...axes.map((a) => names.get(a.path)!),
      'runs',
      ...metrics.map((m) => `${displayMetric(m)} (mean ± 95% CI)`),
      'iterations',
      'seconds',
    ];
    const rows = combos.map((c) => [
      ...axes.map((a) => String(c.values[a.path] ?? '')),
      String(c.runs.length),
      ...metrics.map((m) => ci(c.stats[m])),
      ci(c.stats.iterations),
      ci(c.stats.seconds),
    ]);
    const sec: Section = {
      title: 'Comparison',
      figures: [],
      html: `<p class="protocol">Each row pools the runs of one combination of swept values (${seeds} seed${seeds === 1 ? '' : 's'} at most); metrics of several sources are averaged per run first; ± is the half-width of the 95% Student-t interval of the mean. The same table, with paired tests between methods: <code>nmflab compare ${escapeHtml(basename(dir))} --by ${escapeHtml(axes.map((a) => a.path).join(','))} --test ${escapeHtml(axes[0]?.path ?? 'model.solver.id')}</code>.</p>${tableHtml(header, rows)}`,
    };
    for (const plot of metricVsParameterPlots(runs)) {
      const fig = await svgFigure(`metrics-vs-${slug(plot.axis)}`, plot.title, plot.spec, plot.caption);
      figures.push(fig);
      sec.figures.push(fig);
    }
    sections.push(sec);
  }

  // Objectives: one panel per solver configuration (objectives of different divergences do not share an axis).
  const panels = new Map<string, ObjectivePanel>();
  const solverPaths = axes.filter((a) => a.path.startsWith('model.solver')).map((a) => a.path);
  for (const r of runs) {
    if (!r.trajectory.length) continue;
    const solver = (r.config.model as Record<string, unknown> | undefined)?.solver ?? {};
    const key = JSON.stringify(solver);
    const v = sweptValues(r);
    const title =
      label(v, names, (p) => solverPaths.includes(p)) || String((solver as { id?: string }).id ?? 'all runs');
    if (!panels.has(key)) panels.set(key, { title, points: [] });
    const series = label(v, names, (p) => !solverPaths.includes(p)) || 'run';
    for (const t of r.trajectory)
      panels.get(key)!.points.push({ series, run: r.name, iteration: t.iteration!, value: t.objective! });
  }
  if (panels.size) {
    const seriesTitle = axes
      .filter((a) => !solverPaths.includes(a.path))
      .map((a) => names.get(a.path))
      .join(', ');
    const spec =
      panels.size === 1 && runs.length <= 8
        ? trajectorySpec(
            runs.flatMap((r) => trajectoryPoints(r, runLabel(r))),
            'Objective per iteration, one line per run',
          )
        : objectivePanelsSpec([...panels.values()], seriesTitle);
    const fig = await svgFigure(
      'objective',
      'Objective per iteration',
      spec,
      panels.size === 1 && runs.length <= 8
        ? 'Log scale; dashes distinguish the penalty terms from the total.'
        : `One panel per solver configuration (${panels.size}), each on its own log scale; colour = ${seriesTitle || 'run'}, one line per run (seed).`,
    );
    figures.push(fig);
    sections.push({ title: 'Objective', figures: [fig] });
  }

  // Runs: a table with the swept values first, then the method's metrics per source; baselines once.
  const methodMetric = (m: string) => !m.includes('.') && m !== 'perm';
  const metricCols = [
    ...new Set(
      runs.flatMap((r) =>
        r.metrics.filter((m) => methodMetric(m.metric)).map((m) => (m.source ? `${m.metric}[${m.source}]` : m.metric)),
      ),
    ),
  ];
  const header = [
    'run',
    ...axes.map((a) => names.get(a.path)!),
    'seed',
    'status',
    ...metricCols,
    'iterations',
    'stop',
    'seconds',
  ];
  const rows = runs.map((r) => {
    const v = sweptValues(r);
    const mv = new Map(r.metrics.map((m) => [m.source ? `${m.metric}[${m.source}]` : m.metric, m.value]));
    const name = r.name;
    return [
      links.has(name) ? { html: `<a href="${escapeHtml(name)}/report.html">${escapeHtml(name)}</a>` } : name,
      ...axes.map((a) => String(v[a.path] ?? '')),
      String(r.record.seed ?? ''),
      String(r.record.status ?? ''),
      ...metricCols.map((c) => (mv.has(c) ? fmt(mv.get(c)!) : '')),
      String(r.record.iterations ?? ''),
      String(r.record.stopReason ?? ''),
      r.record.seconds === undefined ? '' : r.record.seconds.toFixed(2),
    ];
  });
  // Baselines reported by the task (oracle-irm.*, mixture.*): shown once when every run agrees.
  const base = new Map<string, Set<string>>();
  for (const r of runs)
    for (const m of r.metrics.filter((x) => !methodMetric(x.metric))) {
      const k = m.source ? `${m.metric}[${m.source}]` : m.metric;
      if (!base.has(k)) base.set(k, new Set());
      base.get(k)!.add(fmt(m.value));
    }
  const same = [...base].filter(([, v]) => v.size === 1);
  const runSec: Section = {
    title: 'Runs',
    figures: [],
    html:
      tableHtml(header, rows) +
      (same.length
        ? `<h3>Baselines and run-independent values</h3>${tableHtml(['value', ...same.map(([k]) => k)], [['', ...same.map(([, v]) => [...v][0])]])}`
        : ''),
  };
  // Bars per run only while they stay readable.
  if (runs.length <= 8) {
    const own: MetricBar[] = [];
    const others: MetricBar[] = [];
    const seen = new Map<string, number>();
    for (const r of runs) {
      for (const b of metricBars(r, runLabel(r))) {
        if (b.method === runLabel(r)) {
          own.push(b);
          continue;
        }
        const key = `${b.method}\u0000${b.source}\u0000${b.metric}`;
        const prev = seen.get(key);
        if (prev === undefined) {
          seen.set(key, b.value);
          others.push(b);
        } else if (prev !== b.value) others.push({ ...b, method: `${b.method} (${runLabel(r)})` });
      }
    }
    const bars = [...own, ...others];
    if (bars.length) {
      const fig = await svgFigure(
        'metrics',
        'Separation metrics per method',
        metricBarsSpec(bars),
        'BSS Eval per source (dB), one bar per run and per oracle/baseline; each panel on its own scale, bars above 60 dB cut at 60 (see the table).',
      );
      figures.push(fig);
      runSec.figures.push(fig);
    }
  }
  sections.push(runSec);
  for (const f of figures) writeFileAtomic(join(outDir, f.file), f.svg!);
  const experiment = String((runs[0]?.record.experiment as string | undefined) ?? '');
  const facts: [string, string][] = [
    ['experiment', experiment],
    ['folder', `${basename(dirname(dir))}/${basename(dir)}`],
    ['runs', `${runs.length} (${runs.filter((r) => r.record.status === 'completed').length} completed)`],
    ['swept', axes.map((a) => `${a.path} ∈ {${a.values.join(', ')}}`).join('; ')],
    ['seeds per combination', seeds ? String(seeds) : ''],
  ];
  const html = pageHtml({
    title: `nmflab report: ${experiment} sweep (${runs.length} runs)`,
    facts,
    audio: [],
    notes: [],
    sections,
  });
  const file = join(dir, 'report.html');
  writeFileAtomic(file, html);
  options.log?.(`report: ${display(file)} (${figures.length} figures, ${results.length} run reports)`);
  return { file, figures, notes: [], runs: results };
}

function extent(x: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi > lo ? hi : lo + 1] : [0, 1];
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'source'
  );
}

function fmt(x: number): string {
  return Number.isFinite(x)
    ? Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0)
      ? x.toExponential(4)
      : x.toFixed(Math.abs(x) >= 100 ? 1 : 3)
    : String(x);
}

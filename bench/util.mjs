// Shared timing helpers for the benchmark sections.

/** Median wall time (ms) of `fn` over `reps` runs after `warmup` runs. */
export function timeMs(fn, { reps = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** Print rows of objects as an aligned table. */
export function table(rows) {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padStart(w[i])).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

/** Median process CPU time (ms, user + system) of `fn` over `reps` runs after one warm-up: less
 * disturbed than wall time when the machine is shared. */
export function cpuMs(fn, reps = 3) {
  fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(reps / 2)];
}

/** `cpuMs` for an async `fn`. */
export async function cpuMsAsync(fn, reps = 3) {
  await fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(reps / 2)];
}

#!/usr/bin/env python3
"""Regenerate packages/core/test/fixtures/stats/scipy-stats.json.

scipy.stats' Student-t quantiles, 95 % confidence intervals of a mean, paired t-tests and
Wilcoxon signed-rank tests (default zero_method 'wilcox', mode 'auto', no continuity correction)
on hand-made and seeded random paired samples (with ties, zeros, n > 50), plus Holm-adjusted
p-values written out from the definition. Run offline with Debian's interpreter (python3-numpy,
python3-scipy):

    /usr/bin/python3 scripts/make-stats-fixture.py

The tests only read the JSON; Python is never needed to run them.
"""
import json, os, warnings

import numpy as np
import scipy
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "packages", "core", "test", "fixtures", "stats", "scipy-stats.json")
rng = np.random.default_rng(20261202)

# scipy 1.10's t.ppf is good to ~1e-8 relative (its own t.cdf of the result misses p by up to
# ~4e-10), so the CDF is also recorded at fixed points and checked more tightly.
quantiles = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df))}
             for df in [1, 2, 3, 4, 5, 9, 14, 29, 44, 100, 1000] for p in [0.5, 0.9, 0.975, 0.995, 0.025]]
cdfs = [{"t": t, "df": df, "cdf": float(stats.t.cdf(t, df))}
        for df in [1, 2, 3, 4, 7, 14, 44, 200] for t in [-3.5, -1.0, 0.3, 1.0, 2.0, 2.5, 6.0]]

summaries = []
for n in [2, 3, 5, 15, 45]:
    x = rng.normal(5.0, 2.0, n)
    m, s = float(np.mean(x)), float(np.std(x, ddof=1))
    lo, hi = stats.t.interval(0.95, n - 1, loc=m, scale=s / np.sqrt(n))
    summaries.append({"x": x.tolist(), "mean": m, "std": s, "ciLow": float(lo), "ciHigh": float(hi)})

paired = []
def add(name, a, b):
    a = np.asarray(a, float); b = np.asarray(b, float)
    d = a - b
    t = stats.ttest_rel(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = stats.wilcoxon(a, b)
    nz = d[d != 0]
    r = stats.rankdata(np.abs(nz))
    wp, wm = float(r[nz > 0].sum()), float(r[nz < 0].sum())
    paired.append({"name": name, "a": a.tolist(), "b": b.tolist(),
                   "t": float(t.statistic), "tp": float(t.pvalue), "dz": float(np.mean(d) / np.std(d, ddof=1)),
                   "w": float(w.statistic), "wp": float(w.pvalue), "rankBiserial": (wp - wm) / (wp + wm)})
add("hand 6 pairs", [1.2, 3.4, 2.2, 5.0, 4.1, 3.3], [1.0, 2.9, 2.5, 4.0, 3.0, 3.2])
add("all positive 8", [3, 4, 5, 6, 7, 8, 9, 10.5], [1, 1.5, 2, 2.2, 3, 3.1, 4, 4.7])
add("ties in |d|", [1, 2, 3, 4, 5, 6, 7], [0, 1, 4, 3, 6, 5, 5])
add("a zero difference", [1.5, 2.5, 3.5, 4.5, 5.5, 6.1], [1.5, 2.0, 3.9, 3.0, 4.1, 5.0])
for n in [5, 10, 15, 25, 60]:
    b = rng.normal(0, 1, n)
    a = b + rng.normal(0.4, 1, n)
    add(f"random n={n}", a.round(6), b.round(6))

def holm(p):
    p = np.asarray(p); m = len(p); order = np.argsort(p, kind="stable"); out = np.empty(m); run = 0.0
    for k, i in enumerate(order):
        run = max(run, min(1.0, (m - k) * p[i])); out[i] = run
    return out.tolist()
holms = [{"p": p, "adjusted": holm(p)} for p in [[0.01, 0.04, 0.03, 0.005], [0.2, 0.5, 0.01], [0.04]]]

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"generator": f"scipy {scipy.__version__}, numpy {np.__version__}", "quantiles": quantiles, "cdfs": cdfs,
               "summaries": summaries, "paired": paired, "holm": holms}, f, indent=1)
    f.write("\n")
print("wrote", os.path.relpath(OUT, ROOT))

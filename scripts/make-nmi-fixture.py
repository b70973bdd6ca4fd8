#!/usr/bin/env python3
"""Regenerate packages/core/test/fixtures/nmi/sklearn-nmi.json.

scikit-learn's normalized_mutual_info_score for four hand-made and five seeded random pairs of
labelings, with every average_method (geometric = Strehl & Ghosh's NMI, the one Banerjee et al.
report; arithmetic = scikit-learn's default). Run offline with Debian's interpreter, which has
python3-numpy and python3-sklearn:

    /usr/bin/python3 scripts/make-nmi-fixture.py

The tests only read the JSON; Python is never needed to run them.
"""
import json, os

import numpy as np
import sklearn
from sklearn.metrics import normalized_mutual_info_score as nmi

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "packages", "core", "test", "fixtures", "nmi", "sklearn-nmi.json")
rng = np.random.default_rng(20261126)
cases = []
def add(name, a, b):
    a = [int(x) for x in a]; b = [int(x) for x in b]
    cases.append({"name": name, "truth": a, "predicted": b,
                  **{m: float(nmi(a, b, average_method=m)) for m in ["geometric", "arithmetic", "min", "max"]}})
add("hand 6 items", [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])
add("identical up to renaming", [0, 0, 1, 1, 2, 2, 2], [5, 5, 3, 3, 9, 9, 9])
add("independent", [0, 0, 1, 1], [0, 1, 0, 1])
add("one cluster predicted", [0, 1, 2, 0, 1, 2], [4, 4, 4, 4, 4, 4])
for i, (n, ka, kb) in enumerate([(30, 2, 3), (100, 3, 3), (300, 3, 4), (500, 5, 2), (1000, 3, 3)]):
    a = rng.integers(0, ka, n)
    b = np.where(rng.random(n) < 0.6, a % kb, rng.integers(0, kb, n))
    add(f"random {n} items, {ka} vs {kb} labels", a, b)
json.dump({"generator": f"scikit-learn {sklearn.__version__} normalized_mutual_info_score, numpy {np.__version__}", "cases": cases},
          open(OUT, "w"))

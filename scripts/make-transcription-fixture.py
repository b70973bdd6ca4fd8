#!/usr/bin/env python3
"""Regenerate packages/tasks/test/fixtures/transcription/mir-eval-onset.json.

mir_eval.transcription.precision_recall_f1_overlap with offset_ratio=None (onset-only note
matching: ±50 ms, 50 cents), for hand-made and seeded random pairs of note lists: jittered onsets
(some exactly at the tolerance), wrong pitches (a semitone, an octave), dropped and extra notes,
repeated notes of one pitch. Run offline with Debian's interpreter (python3-mir-eval):

    /usr/bin/python3 scripts/make-transcription-fixture.py

The tests only read the JSON; Python is never needed to run them.
"""
import json, os

import numpy as np
import mir_eval
from mir_eval.transcription import precision_recall_f1_overlap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "packages", "tasks", "test", "fixtures", "transcription", "mir-eval-onset.json")
rng = np.random.default_rng(20261202)
hz = lambda p: 440.0 * 2.0 ** ((np.asarray(p, dtype=float) - 69) / 12)
cases = []


def add(name, ref, est):
    """ref, est: lists of (pitch, onset, offset)."""
    r = np.array([[n[1], n[2]] for n in ref], dtype=float).reshape(-1, 2)
    e = np.array([[n[1], n[2]] for n in est], dtype=float).reshape(-1, 2)
    p, rec, f, _ = precision_recall_f1_overlap(r, hz([n[0] for n in ref]), e, hz([n[0] for n in est]),
                                               onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None)
    cases.append({"name": name,
                  "reference": [{"pitch": int(n[0]), "onset": float(n[1]), "offset": float(n[2])} for n in ref],
                  "estimate": [{"pitch": int(n[0]), "onset": float(n[1]), "offset": float(n[2])} for n in est],
                  "precision": float(p), "recall": float(rec), "f": float(f)})


ref = [(60, 0.0, 0.5), (64, 0.5, 1.0), (67, 1.0, 1.5), (60, 1.6, 1.8), (60, 1.9, 2.2)]
add("identical", ref, ref)
add("onsets exactly 50 ms late", ref, [(p, on + 0.05, off) for p, on, off in ref])
add("onsets 51 ms late", ref, [(p, on + 0.051, off) for p, on, off in ref])
add("a semitone off", ref, [(p + 1, on, off) for p, on, off in ref])
add("an octave off", ref, [(p + 12, on, off) for p, on, off in ref])
add("repeated note missed", ref, ref[:4])
add("extra notes", ref, ref + [(72, 0.3, 0.6), (60, 1.0, 1.2)])
add("one estimate between two repeated strikes", [(60, 0.0, 0.1), (60, 0.09, 0.3)], [(60, 0.045, 0.2)])

for k in range(30):
    n = int(rng.integers(5, 40))
    pitches = rng.integers(55, 80, n)
    onsets = np.round(np.sort(rng.uniform(0, 10, n)), 4)
    ref = [(int(p), float(o), float(o + rng.uniform(0.1, 0.8))) for p, o in zip(pitches, onsets)]
    est = []
    for p, o, off in ref:
        u = rng.uniform()
        if u < 0.15:
            continue  # missed
        q = p + (int(rng.choice([-12, -1, 1, 12])) if rng.uniform() < 0.15 else 0)
        jitter = float(rng.choice([0.0, 0.05, -0.05])) if rng.uniform() < 0.2 else float(rng.normal(0, 0.035))
        est.append((q, max(0.0, round(o + jitter, 6)), off))
    for _ in range(int(rng.integers(0, 6))):
        o = float(rng.uniform(0, 10))
        est.append((int(rng.integers(55, 80)), o, o + 0.3))
    add(f"random {k}", ref, est)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump({"generator": "scripts/make-transcription-fixture.py", "mir_eval": mir_eval.__version__,
               "numpy": np.__version__, "cases": cases}, fh, indent=1)
    fh.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)}")

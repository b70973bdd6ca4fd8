#!/usr/bin/env python3
"""Generate packages/tasks/test/fixtures/bss/mir-eval-images-multichannel.json with mir_eval 0.7.

Run with a Python that has numpy and mir_eval (Debian: python3-mir-eval, see .ci/system-deps):
    /usr/bin/python3 scripts/make-bss-images-fixture.py
Tests only read the committed JSON.

Signals are synthetic and seeded: smoothed noise and harmonic tones, made into genuinely
multichannel images (each channel its own gain of the source plus a diffuse part of its own),
with estimates that mix the images, delay them and add noise. Every value is rounded to
float32 before mir_eval sees it and is stored as base64 little-endian float32, so both sides use
the same numbers. 4000 samples per channel: well above the 512-tap filters' regressors
(sources x channels x 512), so the projections are not trivially exact. Infinite ratios (a
source with no interference) are stored as null.
"""
import base64
import json
import os

import numpy as np
import mir_eval

N = 4000
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'tasks', 'test', 'fixtures', 'bss', 'mir-eval-images-multichannel.json')
rng = np.random.default_rng(2021)


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def b64(col):
    return base64.b64encode(np.asarray(col, dtype='<f4').tobytes()).decode('ascii')


def finite(xs):
    return [None if not np.isfinite(v) else float(v) for v in xs]


def smooth_noise():
    x = rng.standard_normal(N + 64)
    k = np.hanning(9)
    return np.convolve(x, k / k.sum(), mode='same')[:N]


def tone():
    t = np.arange(N) / 8000.0
    f0 = rng.uniform(150, 600)
    return sum(rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 6)) for h in range(1, 5))


def delay(x, d):
    return np.concatenate([np.zeros(d), x[: len(x) - d]]) if d else x


def image(src, nchan):
    # channel c: its own gain of the source plus a diffuse part of its own, so that no channel's
    # delayed copies lie in the span of another's (delayed copies of one signal make the Gram
    # matrix near-singular, where mir_eval's LU solve and any other solver part ways)
    return np.stack([rng.uniform(0.4, 1.2) * src + 0.6 * smooth_noise() for _ in range(nchan)], axis=1)


def case(name, nsrc, nchan, permutation, swap=False):
    srcs = [smooth_noise() if k % 2 == 0 else tone() for k in range(nsrc)]
    refs = f32(np.stack([image(s, nchan) for s in srcs]))  # (nsrc, N, nchan)
    ests = []
    for j in range(nsrc):
        e = 0.9 * refs[j] + 0.05 * rng.standard_normal((N, nchan))
        for k in range(nsrc):
            if k != j:
                e = e + rng.uniform(0.05, 0.3) * np.stack([delay(refs[k][:, c], 3) for c in range(nchan)], axis=1)
        ests.append(e)
    if swap:
        ests = ests[::-1]
    ests = f32(np.stack(ests))
    sdr, isr, sir, sar, perm = mir_eval.separation.bss_eval_images(refs, ests, compute_permutation=permutation)
    return {
        'name': name,
        'permutation': permutation,
        'references': [[b64(refs[j][:, c]) for c in range(nchan)] for j in range(nsrc)],
        'estimates': [[b64(ests[j][:, c]) for c in range(nchan)] for j in range(nsrc)],
        'expected': {'sdr': finite(sdr), 'isr': finite(isr), 'sir': finite(sir), 'sar': finite(sar), 'perm': np.asarray(perm).tolist()},
    }


cases = [
    case('2 sources x 2 channels', 2, 2, True),
    case('2 sources x 2 channels, estimates swapped, no permutation', 2, 2, False, swap=True),
    case('1 source x 3 channels', 1, 3, False),
]
with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/make-bss-images-fixture.py', 'mir_eval': mir_eval.__version__, 'samples': N, 'cases': cases}, f, separators=(',', ':'))
print(OUT, os.path.getsize(OUT), 'bytes')

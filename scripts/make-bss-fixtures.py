#!/usr/bin/env python3
"""Generate the BSS Eval parity fixtures (packages/core/test/fixtures/bss/*.json) with mir_eval.

Run offline with a Python that has numpy and mir_eval (Debian: python3-mir-eval):
    python3 scripts/make-bss-fixtures.py
Tests only read the committed JSON; Python is never a dependency of tests or CI.

Signals are synthetic (seeded): noise, harmonic tones with vibrato and noise floor, decaying
drum-like bursts, a speech-like source (noise through moving formant resonances with a pitch
pulse train). Cases: 2 and 3 sources, mixtures, delays, gain changes, swapped estimates.
The source signals are stored once as base64 little-endian float32; each estimate is a recipe
(terms [signal index, gain, delay]) that the test rebuilds in float64 in the same order, so
mir_eval and nmflab see the same values.
"""
import base64
import json
import os
import sys

import numpy as np
import mir_eval

SR = 8000
N = 4000  # 0.5 s
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'core', 'test', 'fixtures', 'bss')


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def b64(x):
    return base64.b64encode(np.asarray(x, dtype='<f4').tobytes()).decode('ascii')


def tone(rng, f0, n=N):
    t = np.arange(n) / SR
    vib = 1 + 0.01 * np.sin(2 * np.pi * 5 * t)
    x = sum((0.6 ** k) * np.sin(2 * np.pi * f0 * (k + 1) * np.cumsum(vib) / SR + rng.uniform(0, 2 * np.pi)) for k in range(6))
    return x + 0.01 * rng.standard_normal(n)


def drums(rng, n=N):
    x = np.zeros(n)
    for start in range(0, n, n // 5):
        m = min(n - start, 1200)
        env = np.exp(-np.arange(m) / (SR * 0.03))
        x[start:start + m] += env * (rng.standard_normal(m) + np.sin(2 * np.pi * 90 * np.arange(m) / SR))
    return x + 1e-3 * rng.standard_normal(n)


def speechlike(rng, n=N):
    # pitch pulse train (120–160 Hz) through two moving resonances, with noise bursts
    t = np.arange(n) / SR
    f0 = 140 + 20 * np.sin(2 * np.pi * 2 * t)
    phase = np.cumsum(f0) / SR
    src = (np.diff(np.floor(phase), prepend=0) > 0).astype(float) + 0.05 * rng.standard_normal(n)
    y = np.zeros(n)
    for fc, bw in ((500, 80), (1500, 120)):
        r = np.exp(-np.pi * bw / SR)
        y1 = y2 = 0.0
        out = np.zeros(n)
        for i in range(n):
            fci = fc * (1 + 0.3 * np.sin(2 * np.pi * 3 * t[i]))
            a1 = 2 * r * np.cos(2 * np.pi * fci / SR)
            v = src[i] + a1 * y1 - r * r * y2
            out[i] = v
            y2, y1 = y1, v
        y += out
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return y * env


def delay(x, d):
    return np.concatenate([np.zeros(d), x[:-d]]) if d > 0 else x


def build(pool, recipe):
    """An estimate from a recipe: a list of terms [pool index, gain, delay in samples]."""
    out = np.zeros(N)
    for idx, gain, d in recipe:
        out = out + gain * delay(pool[idx], d)
    return out


def main():
    rng = np.random.default_rng(20261126)
    sp = speechlike(rng)
    dr = drums(rng)
    names = ['speech', 'drums', 'tone220', 'tone330', 'noise1', 'noise2', 'noise3']
    raw = [sp / np.std(sp), dr / np.std(dr), tone(rng, 220.0), tone(rng, 330.0)] + [rng.standard_normal(N) for _ in range(3)]
    pool = [f32(x) for x in raw]  # the float32 values stored are the values evaluated
    SP, DR, T1, T2, N1, N2, N3 = range(7)
    mix = [[SP, 1, 0], [DR, 1, 0]]
    cases = [
        ('speech+drums: mixture as estimate', [SP, DR], [mix, mix], True),
        ('speech+drums: partial separation', [SP, DR], [[[SP, 1, 0], [DR, 0.3, 0], [N1, 0.05, 0]], [[DR, 1, 0], [SP, 0.2, 0]]], True),
        ('speech+drums: swapped estimates', [SP, DR], [[[DR, 1, 0], [SP, 0.1, 0]], [[SP, 1, 0], [DR, 0.1, 0]]], True),
        ('speech+drums: gains and delays', [SP, DR], [[[SP, 2.5, 7], [DR, 0.2, 0]], [[DR, 0.3, 100], [N1, 0.1, 0]]], True),
        ('speech+drums: delay beyond the filter length', [SP, DR], [[[SP, 1, 600], [DR, 0.1, 0]], [[DR, 1, 0]]], True),
        ('noise: white noises, leaky estimates', [N1, N2], [[[N1, 1, 0], [N3, 0.5, 0]], [[N2, 1, 0], [N1, 0.3, 3]]], True),
        ('tones: harmonic tones, filtered estimates', [T1, T2], [[[T1, 1, 0], [T1, 0.5, 1], [T1, 0.25, 2], [T2, 0.2, 0]], [[T2, 1, 0], [T1, -0.1, 0], [N1, 0.02, 0]]], True),
        ('three sources: speech, drums, tone', [SP, DR, T1], [[[SP, 1, 0], [DR, 0.2, 0]], [[DR, 1, 0], [T1, 0.3, 0], [SP, 0.1, 0]], [[T1, 1, 0], [N1, 0.05, 0]]], True),
        ('three sources: permuted estimates', [SP, DR, T1], [[[T1, 1, 0], [SP, 0.1, 0]], [[SP, 1, 0], [DR, 0.1, 0]], [[DR, 1, 0], [T1, 0.1, 0]]], True),
        ('no permutation: swapped estimates scored as given', [SP, DR], [[[DR, 1, 0], [SP, 0.1, 0]], [[SP, 1, 0], [DR, 0.1, 0]]], False),
    ]
    out_cases = []
    for name, refs, recipes, perm in cases:
        R = np.stack([pool[i] for i in refs])
        E = np.stack([build(pool, r) for r in recipes])
        sdr, sir, sar, p = mir_eval.separation.bss_eval_sources(R, E, compute_permutation=perm)
        out_cases.append({
            'name': name,
            'references': refs,
            'estimates': recipes,
            'permutation': perm,
            'expected': {'sdr': sdr.tolist(), 'sir': sir.tolist(), 'sar': sar.tolist(), 'perm': [int(i) for i in p]},
        })
    # bss_eval_images on the whole signal (v3) equals museval v4 with one frame: the v4 filters
    # are computed once on the whole signal, which is then the only frame.
    image_cases = [
        ('images: partial separation', [SP, DR], [[[SP, 1, 0], [DR, 0.3, 0], [N1, 0.05, 0]], [[DR, 1, 0], [SP, 0.2, 0]]]),
        ('images: gains and delays', [SP, DR], [[[SP, 2.5, 7], [DR, 0.2, 0]], [[DR, 0.3, 100], [N1, 0.1, 0]]]),
        ('images: three sources', [SP, DR, T1], [[[SP, 0.5, 0], [DR, 0.2, 0]], [[DR, 1, 3], [T1, 0.3, 0], [SP, 0.1, 0]], [[T1, 1.5, 0], [N1, 0.05, 0]]]),
    ]
    out_images = []
    for name, refs, recipes in image_cases:
        R = np.stack([pool[i] for i in refs])[:, :, None]
        E = np.stack([build(pool, r) for r in recipes])[:, :, None]
        sdr, isr, sir, sar, p = mir_eval.separation.bss_eval_images(R, E, compute_permutation=False)
        out_images.append({
            'name': name,
            'references': refs,
            'estimates': recipes,
            'permutation': False,
            'expected': {'sdr': sdr.tolist(), 'isr': isr.tolist(), 'sir': sir.tolist(), 'sar': sar.tolist(), 'perm': [int(i) for i in p]},
        })
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'mir-eval-sources.json')
    doc = {
        'generator': 'scripts/make-bss-fixtures.py',
        'mir_eval': mir_eval.__version__,
        'sampleRate': SR,
        'length': N,
        'signals': {name: b64(x) for name, x in zip(names, pool)},
        'signalOrder': names,
        'cases': out_cases,
        'imageCases': out_images,
    }
    with open(path, 'w') as f:
        json.dump(doc, f, indent=1)
    print(f'wrote {len(out_cases)} cases to {os.path.relpath(path)}', file=sys.stderr)


if __name__ == '__main__':
    main()

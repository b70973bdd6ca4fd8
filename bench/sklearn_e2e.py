#!/usr/bin/env python3
"""scikit-learn's side of bench/e2e.bench.mjs: what `nmflab factorize` does, as a Python user would.

Loads V (.npy), initializes (init='custom' from --w0/--h0 .npy, or 'nndsvda' with sklearn's own
randomized SVD), fits NMF(solver='mu', beta_loss=--beta, tol=0, max_iter=--iterations), and saves
W and H as CSV in --out. Run with Debian's /usr/bin/python3 (python3-sklearn, python3-numpy). The
bench times the whole process with /usr/bin/time and passes the same environment to both sides.
"""
import argparse, os, warnings

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--rank", type=int, required=True)
    ap.add_argument("--beta", type=float, required=True)
    ap.add_argument("--iterations", type=int, required=True)
    ap.add_argument("--init", default="nndsvda")
    ap.add_argument("--w0"); ap.add_argument("--h0")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import numpy as np
    from sklearn.decomposition import non_negative_factorization
    V = np.load(a.input)
    kw = {}
    if a.init == "custom":
        kw = dict(W=np.load(a.w0), H=np.load(a.h0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W, H, _ = non_negative_factorization(V, n_components=a.rank, init=a.init, solver="mu", beta_loss=a.beta,
                                             tol=0, max_iter=a.iterations, alpha_W=0.0, alpha_H=0.0, **kw)
    os.makedirs(a.out, exist_ok=True)
    np.savetxt(os.path.join(a.out, "W.csv"), W, delimiter=",", fmt="%.17g")
    np.savetxt(os.path.join(a.out, "H.csv"), H, delimiter=",", fmt="%.17g")

if __name__ == "__main__":
    main()

"""Oxfolio's optimisers against PyPortfolioOpt on the same synthetic prices.

Prices: seeded three-factor daily returns for 20, 100 and 500 assets over 1,000 days
(bench/.data/optim/prices_N.csv). PyPortfolioOpt 1.6 is timed on each method with each
solver it can use (CLARABEL, OSQP, ECOS, SCS where installed) and the fastest is kept;
HRPOpt includes its covariance and correlation from returns, like Oxfolio's HRP line.
Weights are compared (max abs difference) so a fast wrong answer cannot pass.

Run: python -m venv v && v/bin/pip install pyportfolioopt && v/bin/python bench/optim_peers.py
"""
import json
import os
import subprocess
import time

import numpy as np
import pandas as pd
from pypfopt import EfficientFrontier, HRPOpt, expected_returns, risk_models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench/.data/optim")
os.makedirs(WORK, exist_ok=True)
subprocess.run(["cargo", "build", "--release", "-q", "-p", "oxfolio-optim", "--example", "bench_optim"], cwd=ROOT, check=True)


def prices(n, days=1000, seed=11):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0, 1, (n, 3)) * [0.008, 0.005, 0.004]
    drift = rng.normal(0.0004, 0.0004, n)
    r = rng.normal(0, 1, (days, 3)) @ loadings.T + rng.normal(0, 1, (days, n)) * rng.uniform(0.006, 0.02, n) + drift
    p = 100 * np.cumprod(1 + r, axis=0)
    dates = pd.bdate_range("2015-01-01", periods=days)
    return pd.DataFrame(p, index=dates, columns=[f"A{i:03d}" for i in range(n)])


def median(f, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], out


SOLVERS = [s for s in ["CLARABEL", "OSQP", "ECOS", "SCS"] if s in __import__("cvxpy").installed_solvers()]
for n in [20, 100, 500]:
    df = prices(n)
    path = os.path.join(WORK, f"prices_{n}.csv")
    df.to_csv(path, index_label="date", float_format="%.10f")
    df = pd.read_csv(path, index_col=0, parse_dates=True)
    repeats = 7 if n < 500 else 3
    ours = json.loads(subprocess.run([os.path.join(ROOT, "target/release/examples/bench_optim"), path, str(repeats)],
                                     capture_output=True, text=True, check=True).stdout)
    mu = expected_returns.mean_historical_return(df)
    S = risk_models.sample_cov(df)
    returns = df.pct_change().dropna()
    rows = []
    for name, call in [
        ("max_sharpe", lambda ef: ef.max_sharpe(risk_free_rate=0.02)),
        ("min_volatility", lambda ef: ef.min_volatility()),
        ("efficient_return", lambda ef: ef.efficient_return(ours["efficient_return_target"])),
    ]:
        best = None
        for solver in SOLVERS:
            def run():
                ef = EfficientFrontier(mu, S, solver=solver)
                call(ef)
                return ef.clean_weights(cutoff=0, rounding=None)
            try:
                t, w = median(run, repeats)
            except Exception as e:  # a solver that fails on this problem is skipped
                continue
            if best is None or t < best[0]:
                best = (t, w, solver)
        t, w, solver = best
        # Accuracy against PyPortfolioOpt's tightest answer (Clarabel at 1e-10), not the
        # fastest solver's, whose tolerances are looser.
        ef = EfficientFrontier(mu, S, solver="CLARABEL",
                               solver_options={"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10})
        call(ef)
        tight = ef.clean_weights(cutoff=0, rounding=None)
        diff = max(abs(tight[c] - x) for c, x in zip(df.columns, ours[name]["weights"]))
        rows.append((name, ours[name]["seconds"], t, solver, diff))
    t, w = median(lambda: HRPOpt(returns).optimize(), repeats)
    diff = max(abs(w[c] - x) for c, x in zip(df.columns, ours["hrp"]["weights"]))
    rows.append(("hrp", ours["hrp"]["seconds"], t, "HRPOpt", diff))
    print(f"== {n} assets, {ours['observations']} daily returns ==")
    for name, a, b, solver, diff in rows:
        print(f"{name:17s} oxfolio {a*1e3:9.3f} ms   pypfopt {b*1e3:9.2f} ms ({solver:8s})   "
              f"ratio {b/a:7.1f}x   max weight diff {diff:.1e}")
    print(f"{'risk_parity':17s} oxfolio {ours['risk_parity']['seconds']*1e3:9.3f} ms   (PyPortfolioOpt has none)")

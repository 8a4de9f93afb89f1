"""Oxfolio's dynamic optimisation against a pure-Python reimplementation of the published
algorithm (bench/dynopt/carver_greedy.py, numpy), on the same inputs.

1. One greedy solve at 100 instruments (one-factor correlations, a few contracts each,
   previous positions, shadow cost 50): Oxfolio's `time_solve` example (validation and
   PSD check included) against the Python step.
2. The default `oxfolio dynopt` run (33 bundled futures, 2011-2023, daily): every dynamic
   solve is recorded (`--record-solves`), replayed through the Python step, positions
   compared one by one; Oxfolio's time is the whole simulation (signals, weights, both
   runs), Python's only the solves.

Run from the repository root: python3 bench/dynopt_peer.py   (needs numpy)
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench/dynopt"))
from carver_greedy import solve  # noqa: E402

WORK = os.path.join(ROOT, "bench/.data/dynopt")
os.makedirs(WORK, exist_ok=True)


def run(cmd):
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


run(["cargo", "build", "--release", "-q", "-p", "oxfolio", "-p", "oxfolio-dynopt", "--example", "time_solve"])

# 1. One solve at 100 instruments.
rng = np.random.default_rng(1)
n = 100
loading = rng.uniform(0.3, 0.8, n)
cov = np.outer(loading, loading)
np.fill_diagonal(cov, 1.0)
optimal = rng.uniform(-3, 3, n)
case = {
    "instruments": [f"I{i}" for i in range(n)],
    "optimal_positions": optimal.tolist(),
    "per_contract_value": rng.uniform(0.02, 0.12, n).tolist(),
    "covariance": cov.tolist(),
    "costs_per_unit_weight": rng.uniform(0.001, 0.005, n).tolist(),
    "previous_positions": [int(x) for x in np.round(optimal + rng.uniform(-0.75, 0.75, n))],
    "shadow_cost": 50.0,
    "tracking_error_buffer": 0.0,
}
path = os.path.join(WORK, "case100.json")
with open(path, "w") as f:
    json.dump(case, f)
rust = json.loads(run([os.path.join(ROOT, "target/release/examples/time_solve"), path, "201"]))
times = []
for _ in range(5):
    t0 = time.perf_counter()
    py = solve(case, pysystemtrade_quirks=False)
    times.append(time.perf_counter() - t0)
python_one = sorted(times)[2]
assert py["positions"] == rust["positions"], "positions differ"
print(f"one solve, 100 instruments: oxfolio {rust['median_seconds']*1e6:.1f} us, "
      f"python {python_one*1e3:.1f} ms, ratio {python_one / rust['median_seconds']:.0f}x")

# 2. The default run.
solves = os.path.join(WORK, "solves.jsonl")
metrics = json.loads(run([os.path.join(ROOT, "target/release/oxfolio"), "dynopt", "--out", os.path.join(WORK, "run"),
                          "--record-solves", solves, "--json"]))
records = [json.loads(line) for line in open(solves)]
t0 = time.perf_counter()
for r in records:
    out = solve(r["input"], pysystemtrade_quirks=False)
    got = [out["positions"][k] for k in r["input"]["instruments"]]
    assert got == r["positions"], f"positions differ on {r['date']}"
python_run = time.perf_counter() - t0
rust_run = metrics["timings"]["simulate"]
print(f"default run: {len(records)} daily solves of {len(metrics['instruments'])} futures, "
      f"{metrics['start']} to {metrics['end']}: oxfolio simulate {rust_run*1e3:.1f} ms (load "
      f"{metrics['timings']['load']*1e3:.1f} ms), python solves only {python_run:.1f} s, "
      f"ratio {python_run / rust_run:.0f}x; positions identical on every day")

"""Oxfolio's option pricing against numpy/scipy (vectorised) and vollib, same inputs.

1. 1,000,000 European options, price and the Greeks delta, gamma, vega, theta, rho:
   `oxfolio option greeks --input --output --json` on one thread (RAYON_NUM_THREADS=1),
   its reported compute time, against numpy/scipy vectorised Black-Scholes-Merton on the
   same arrays; and vollib's analytical functions per option on a 20,000-option sample.
2. Implied volatility: `oxfolio option iv` (one thread) on 100,000 prices against
   vollib's `implied_volatility` (Let's Be Rational) per call on a 20,000 sample.

Per-second rates, best of 3. Usage: bench/options.py target/release/oxfolio (bench/run.sh
passes it)."""

import csv
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.special import ndtr

OXFOLIO = sys.argv[1]
RUNS = 3
rng = np.random.default_rng(3)


def inputs(n):
    return {
        "type": np.where(np.arange(n) % 2 == 0, "call", "put"),
        "spot": np.full(n, 100.0),
        "strike": 60 + 80 * rng.random(n),
        "expiry": 0.05 + 2 * rng.random(n),
        "vol": 0.1 + 0.6 * rng.random(n),
        "rate": 0.05 * rng.random(n),
        "dividend": 0.02 * rng.random(n),
    }


def numpy_greeks(d):
    s, k, t, v, r, q = d["spot"], d["strike"], d["expiry"], d["vol"], d["rate"], d["dividend"]
    call = d["type"] == "call"
    sqt = np.sqrt(t)
    d1 = (np.log(s / k) + (r - q + 0.5 * v * v) * t) / (v * sqt)
    d2 = d1 - v * sqt
    dq, dr = np.exp(-q * t), np.exp(-r * t)
    pdf = np.exp(-0.5 * d1 * d1) / np.sqrt(2 * np.pi)
    sign = np.where(call, 1.0, -1.0)
    nd1, nd2 = ndtr(sign * d1), ndtr(sign * d2)
    price = sign * (s * dq * nd1 - k * dr * nd2)
    delta = sign * dq * nd1
    gamma = dq * pdf / (s * v * sqt)
    vega = s * dq * pdf * sqt
    theta = -s * dq * pdf * v / (2 * sqt) - sign * r * k * dr * nd2 + sign * q * s * dq * nd1
    rho = sign * k * t * dr * nd2
    return price, delta, gamma, vega, theta, rho


def best(fn):
    out = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def write_csv(path, d, value_col, values=None):
    cols = ["type", "spot", "strike", "expiry", value_col, "rate", "dividend"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        vals = values if values is not None else d["vol"]
        for i in range(len(d["spot"])):
            w.writerow([d["type"][i], d["spot"][i], repr(float(d["strike"][i])), repr(float(d["expiry"][i])),
                        repr(float(vals[i])), repr(float(d["rate"][i])), repr(float(d["dividend"][i]))])


def oxfolio_compute(cmd, inp, out):
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    times = []
    for _ in range(RUNS):
        r = subprocess.run([OXFOLIO, "option", cmd, "--input", inp, "--output", out, "--json"], check=True,
                           capture_output=True, text=True, env=env)
        times.append(json.loads(r.stdout)["timings"]["compute"])
    return min(times)


def bench_oxfolio_in_process_rate():
    """Criterion's own figure is printed by `cargo bench -p oxfolio-derivatives`."""


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    n = 1_000_000
    d = inputs(n)
    write_csv(tmp / "greeks_in.csv", d, "vol")
    ox = oxfolio_compute("greeks", str(tmp / "greeks_in.csv"), str(tmp / "greeks_out.csv"))
    npy = best(lambda: numpy_greeks(d))
    print(f"1,000,000 prices with Greeks, one core: oxfolio {n / ox / 1e6:.1f} M/s ({ox:.3f} s), "
          f"numpy/scipy {n / npy / 1e6:.1f} M/s ({npy:.3f} s), ratio {npy / ox:.1f}x")

    from vollib.black_scholes_merton import black_scholes_merton as vl_price
    from vollib.black_scholes_merton.greeks import analytical as vl
    from vollib.black_scholes_merton.implied_volatility import implied_volatility as vl_iv
    m = 20_000

    def vollib_greeks():
        for i in range(m):
            f = d["type"][i][0]
            a = (f, d["spot"][i], d["strike"][i], d["expiry"][i], d["rate"][i], d["vol"][i], d["dividend"][i])
            vl_price(*a), vl.delta(*a), vl.gamma(*a), vl.vega(*a), vl.theta(*a), vl.rho(*a)

    vg = best(vollib_greeks)
    print(f"prices with Greeks: vollib {m / vg / 1e6:.3f} M/s (per option, {m:,} sample), ratio {(m / vg) and (n / ox) / (m / vg):.0f}x")

    p, *_ = numpy_greeks({k: v[:100_000] for k, v in d.items()})
    small = {k: v[:100_000] for k, v in d.items()}
    write_csv(tmp / "iv_in.csv", small, "price", p)
    ox_iv = oxfolio_compute("iv", str(tmp / "iv_in.csv"), str(tmp / "iv_out.csv"))

    def vollib_ivs():
        for i in range(m):
            try:
                vl_iv(p[i], small["spot"][i], small["strike"][i], small["expiry"][i], small["rate"][i],
                      small["dividend"][i], small["type"][i][0])
            except Exception:  # prices too close to intrinsic for vollib; Oxfolio reports them too
                pass

    vi = best(vollib_ivs)
    print(f"implied volatility, one core: oxfolio {100_000 / ox_iv / 1e6:.2f} M/s ({ox_iv:.3f} s for 100,000), "
          f"vollib {m / vi / 1e3:.1f} k/s, ratio {(100_000 / ox_iv) / (m / vi):.0f}x")

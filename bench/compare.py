"""Oxfolio against pandas / empyrical / quantstats on the same inputs.

1. Read and validate a 1,000,000-row minute OHLCV CSV: `oxfolio data inspect --json`
   (the whole CLI: parse, validate every row, summarise) against pandas `read_csv` with
   timestamp parsing plus the same checks (missing values, non-positive prices,
   high < low, open/close outside the range, order, duplicates).
2. Metrics of 100,000 daily returns: `oxfolio metrics --returns --json` (whole CLI,
   file read included) against reading the file with pandas plus the empyrical and
   quantstats calls for the same metrics.

Each timing is the best of 3 runs, wall clock. Prints one line per comparison."""

import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

OXFOLIO = sys.argv[1]
RUNS = 3


def best(fn):
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def make_minute_bars(path, rows):
    rng = np.random.default_rng(42)
    ts = pd.date_range("2020-01-01", periods=rows, freq="min")
    close = 100 * np.cumprod(1 + (rng.random(rows) - 0.5) * 0.002)
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.random(rows) * 0.001)
    low = np.minimum(open_, close) * (1 - rng.random(rows) * 0.001)
    vol = np.round(rng.random(rows) * 10000)
    pd.DataFrame({"timestamp": ts, "open": open_, "high": high, "low": low, "close": close, "volume": vol}).to_csv(
        path, index=False, float_format="%.4f", date_format="%Y-%m-%d %H:%M:%S")


def pandas_read_validate(path):
    df = pd.read_csv(path, parse_dates=["timestamp"])
    prices = df[["open", "high", "low", "close"]]
    problems = int(df.isna().sum().sum())
    problems += int((prices <= 0).sum().sum())
    problems += int((df["high"] < df["low"]).sum())
    problems += int(((df["open"] < df["low"]) | (df["open"] > df["high"])).sum())
    problems += int(((df["close"] < df["low"]) | (df["close"] > df["high"])).sum())
    problems += int((df["timestamp"].diff().dt.total_seconds() < 0).sum())
    problems += int(df["timestamp"].duplicated().sum())
    assert problems == 0


def oxfolio(*args):
    subprocess.run([OXFOLIO, *args], check=True, stdout=subprocess.DEVNULL)


def empyrical_quantstats(path):
    import empyrical as ep
    import quantstats as qs
    r = pd.read_csv(path, parse_dates=["date"], index_col="date")["ret"]
    ep.cum_returns_final(r); ep.annual_return(r); ep.annual_volatility(r); ep.sharpe_ratio(r)
    ep.sortino_ratio(r); ep.max_drawdown(r); ep.calmar_ratio(r); ep.tail_ratio(r)
    for c in (0.05, 0.01):
        ep.value_at_risk(r, c); ep.conditional_value_at_risk(r, c)
    qs.stats.skew(r); qs.stats.kurtosis(r); qs.stats.win_rate(r); qs.stats.profit_factor(r)
    qs.stats.value_at_risk(r); qs.stats.best(r); qs.stats.worst(r)


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    bars = tmp / "minute.csv"
    make_minute_bars(bars, 1_000_000)
    ox = best(lambda: oxfolio("data", "inspect", str(bars), "--json"))
    pd_t = best(lambda: pandas_read_validate(bars))
    print(f"read+validate 1,000,000-row OHLCV CSV: oxfolio {ox:.3f} s ({1e6 / ox / 1e6:.2f} M rows/s), "
          f"pandas {pd_t:.3f} s, ratio {pd_t / ox:.1f}x")

    rets = tmp / "returns.csv"
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("1700-01-01", periods=100_000)
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "ret": rng.normal(0.0004, 0.01, 100_000)}).to_csv(rets, index=False)
    ox = best(lambda: oxfolio("metrics", "--returns", str(rets), "--json"))
    py = best(lambda: empyrical_quantstats(rets))
    print(f"metrics of 100,000 returns (file to summary): oxfolio {ox:.3f} s, "
          f"pandas+empyrical+quantstats {py:.3f} s, ratio {py / ox:.1f}x")

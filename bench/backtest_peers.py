"""Peers of `oxfolio backtest` on identical data and rules; prints seconds and ratios.

Data: 500 symbols x 5,040 days of seeded random-walk closes (written once to
`bench/.data/closes_500x5040.csv`, a wide file: date + one column per symbol).

(a) Monthly rebalance to equal weight, 10 bps costs, fills at the close of the first
    trading day of each month, fractional units, long only:
    - vectorbt `Portfolio.from_orders(size=1/N, size_type="targetpercent",
      cash_sharing=True, group_by=True, call_seq="auto", fees=0.001)`;
    - bt `RunMonthly, SelectAll, WeighEqually, Rebalance` with 10 bps commissions;
    - oxfolio: `crates/engine/examples/bench_backtest.rs monthly` on the same CSV.
(b) A strategy called every day that rebalances to equal weight whenever any weight is
    more than 20% (relative) away from its target:
    - bt with a custom Algo doing the drift check;
    - backtrader with a Strategy.next doing the drift check (order_target_percent);
    - oxfolio: the same example in `drift` mode (a Rust closure).

Only the simulation is timed for every tool (data already in memory). Run:

    python3 -m venv .venv && .venv/bin/pip install vectorbt bt backtrader
    .venv/bin/python backtest_peers.py [--symbols 500] [--days 5040] [--skip-backtrader]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def make_panel(n, days, path):
    if os.path.exists(path):
        return pd.read_csv(path, index_col=0, parse_dates=True)
    rng = np.random.default_rng(42)
    r = 1.0 + 0.0003 + 0.07 * (rng.random((days, n)) - 0.5)
    prices = 100.0 * np.cumprod(r, axis=0)
    dates = pd.bdate_range("2000-01-03", periods=days)
    df = pd.DataFrame(prices, index=dates, columns=[f"S{i:03d}" for i in range(n)])
    df.index.name = "date"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    df.to_csv(path, float_format="%.6f")
    return pd.read_csv(path, index_col=0, parse_dates=True)


def month_starts(index):
    m = index.to_period("M")
    first = np.r_[True, m[1:] != m[:-1]]
    return first


def run_vectorbt(prices):
    import vectorbt as vbt
    n = prices.shape[1]
    size = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
    size.iloc[month_starts(prices.index)] = 1.0 / n
    # Warm the JIT on a tiny slice so compile time is not counted.
    vbt.Portfolio.from_orders(prices.iloc[:50, :3], size.iloc[:50, :3], size_type="targetpercent",
                              cash_sharing=True, group_by=True, call_seq="auto", fees=0.001,
                              init_cash=1e6)
    t = time.perf_counter()
    pf = vbt.Portfolio.from_orders(prices, size, size_type="targetpercent", cash_sharing=True,
                                   group_by=True, call_seq="auto", fees=0.001, init_cash=1e6)
    value = pf.value()
    elapsed = time.perf_counter() - t
    return elapsed, float(value.iloc[-1])


def run_bt_monthly(prices):
    import bt
    s = bt.Strategy("ew", [bt.algos.RunMonthly(run_on_first_date=True), bt.algos.SelectAll(),
                           bt.algos.WeighEqually(), bt.algos.Rebalance()])
    test = bt.Backtest(s, prices, initial_capital=1e6, commissions=lambda q, p: abs(q) * p * 0.001,
                       integer_positions=False, progress_bar=False)
    t = time.perf_counter()
    res = bt.run(test)
    elapsed = time.perf_counter() - t
    return elapsed, float(res.prices.iloc[-1, 0] / 100.0 * 1e6)


def run_bt_drift(prices):
    import bt

    class Drift(bt.Algo):
        def __init__(self, threshold):
            super().__init__()
            self.threshold = threshold

        def __call__(self, target):
            n = len(target.universe.columns)
            if target.value <= 0 or not target.children:
                target.temp["weights"] = {c: 1.0 / n for c in target.universe.columns}
                return True
            w = np.array([target.children[c].weight if c in target.children else 0.0
                          for c in target.universe.columns])
            if np.any(np.abs(w * n - 1.0) > self.threshold):
                target.temp["weights"] = {c: 1.0 / n for c in target.universe.columns}
                return True
            return False

    s = bt.Strategy("drift", [Drift(0.2), bt.algos.Rebalance()])
    test = bt.Backtest(s, prices, initial_capital=1e6, commissions=lambda q, p: abs(q) * p * 0.001,
                       integer_positions=False, progress_bar=False)
    t = time.perf_counter()
    res = bt.run(test)
    elapsed = time.perf_counter() - t
    return elapsed, float(res.prices.iloc[-1, 0] / 100.0 * 1e6)


def run_backtrader_drift(prices):
    import backtrader as btr

    class Drift(btr.Strategy):
        def next(self):
            n = len(self.datas)
            value = self.broker.getvalue()
            weights = np.array([self.getposition(d).size * d.close[0] / value for d in self.datas])
            if not np.any(weights) or np.any(np.abs(weights * n - 1.0) > 0.2):
                for d in self.datas:
                    self.order_target_percent(d, target=1.0 / n)

    cerebro = btr.Cerebro(stdstats=False)
    for c in prices.columns:
        df = pd.DataFrame({"open": prices[c], "high": prices[c], "low": prices[c], "close": prices[c],
                           "volume": 1e9})
        cerebro.adddata(btr.feeds.PandasData(dataname=df), name=c)
    cerebro.broker.setcash(1e6)
    cerebro.broker.setcommission(commission=0.001)
    cerebro.broker.set_coc(True)
    cerebro.addstrategy(Drift)
    t = time.perf_counter()
    cerebro.run(runonce=False, preload=True)
    elapsed = time.perf_counter() - t
    return elapsed, float(cerebro.broker.getvalue())


def run_oxfolio(mode, path):
    exe = os.path.join(ROOT, "target", "release", "examples", "bench_backtest")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "-p", "oxfolio-engine", "--example", "bench_backtest"],
                       cwd=ROOT, check=True)
    out = subprocess.run([exe, mode, path], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    return r["simulate_seconds"], r["final_equity"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", type=int, default=500)
    ap.add_argument("--days", type=int, default=5040)
    ap.add_argument("--skip-backtrader", action="store_true")
    ap.add_argument("--skip-bt", action="store_true")
    args = ap.parse_args()
    path = os.path.join(HERE, ".data", f"closes_{args.symbols}x{args.days}.csv")
    prices = make_panel(args.symbols, args.days, path)
    print(f"data: {args.symbols} symbols x {args.days} days ({path})")
    results = {}
    ox_a, eq = run_oxfolio("monthly", path)
    print(f"(a) oxfolio   {ox_a:9.4f} s  final equity {eq:,.0f}")
    results["oxfolio_a"] = ox_a
    t, eq = run_vectorbt(prices)
    print(f"(a) vectorbt  {t:9.4f} s  final equity {eq:,.0f}  ratio {t / ox_a:,.0f}x")
    results["vectorbt_a"] = t
    if not args.skip_bt:
        t, eq = run_bt_monthly(prices)
        print(f"(a) bt        {t:9.4f} s  final equity {eq:,.0f}  ratio {t / ox_a:,.0f}x")
        results["bt_a"] = t
    ox_b, eq = run_oxfolio("drift", path)
    print(f"(b) oxfolio   {ox_b:9.4f} s  final equity {eq:,.0f}")
    results["oxfolio_b"] = ox_b
    if not args.skip_bt:
        t, eq = run_bt_drift(prices)
        print(f"(b) bt        {t:9.4f} s  final equity {eq:,.0f}  ratio {t / ox_b:,.0f}x")
        results["bt_b"] = t
    if not args.skip_backtrader:
        t, eq = run_backtrader_drift(prices)
        print(f"(b) backtrader {t:8.4f} s  final equity {eq:,.0f}  ratio {t / ox_b:,.0f}x")
        results["backtrader_b"] = t
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())

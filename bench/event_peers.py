"""Event-driven engine against backtrader, backtesting.py and vectorbt on the same bars
and rules: SMA 10/30 crossover, long only, fixed 100 units, market orders filled at the
next bar's open, 0.1% commission per fill, cash 10,000,000 (so no order is ever short of
cash), positions left open and marked at the last close.

    python3 -m venv /tmp/evvenv && /tmp/evvenv/bin/pip install backtrader backtesting vectorbt
    cargo build --release -p oxfolio
    /tmp/evvenv/bin/python bench/event_peers.py [--bars 1000000] [--data FILE] [--skip backtrader,...]

Without --data the script writes seeded random-walk one-minute bars (8-decimal prices: with 4 decimals, SMA 10 and SMA 30 tie exactly 9 times in a million bars, and each engine breaks exact ties its own way)
to a temporary file; with --data it reads a `datetime,open,high,low,close,volume` file
(for example data/bars/spy_daily.csv). Every engine reads the same file. Times are the
simulation with its indicators, after loading: Oxfolio's `timings.simulate` from its
metrics.json (the best of --repeat runs), the others' wall time around their run call
(vectorbt compiled first on a small input, then also the best of --repeat runs;
backtesting.py and backtrader once). Prints final equities and ratios.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASH = 10_000_000.0
QTY = 100
FEE = 0.001


def make_bars(n, path, seed=7):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0007, n)))
    open_ = np.empty(n)
    open_[0] = 100.0
    open_[1:] = close[:-1] * np.exp(rng.normal(0.0, 0.0002, n - 1))
    spread = np.abs(rng.normal(0.0, 0.0004, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - np.abs(rng.normal(0.0, 0.0004, n)) * close
    df = pd.DataFrame(
        {
            "datetime": pd.date_range("2020-01-01", periods=n, freq="min"),
            "open": open_.round(8),
            "high": high.round(8),
            "low": low.round(8),
            "close": close.round(8),
            "volume": rng.integers(100, 10_000, n),
        }
    )
    df["high"] = df[["open", "high", "close"]].max(axis=1)
    df["low"] = df[["open", "low", "close"]].min(axis=1)
    df.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")


def load(path):
    df = pd.read_csv(path, parse_dates=["datetime"]).set_index("datetime")
    return df


def run_oxfolio(path, repeat):
    exe = os.path.join(ROOT, "target", "release", "oxfolio")
    best, equity = None, None
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "sma.toml")
        with open(cfg, "w") as f:
            f.write(
                f'[data]\nprices = "{os.path.abspath(path)}"\n\n'
                f"[backtest]\ninitial_cash = {CASH}\ntransaction_cost_bps = {FEE * 1e4}\n\n"
                f'[strategy]\nkind = "sma_crossover"\nfast = 10\nslow = 30\nquantity = {QTY}\n'
            )
        for _ in range(repeat):
            out = subprocess.run(
                [exe, "backtest", "--config", cfg, "--out", os.path.join(tmp, "run"), "--json"],
                check=True,
                capture_output=True,
                text=True,
            )
            m = json.loads(out.stdout)
            s = m["timings"]["simulate"]
            best = s if best is None else min(best, s)
            equity = m["final_equity"]
            fills = m["num_fills"]
    return equity, best, fills


def run_backtrader(df):
    import backtrader as bt

    class Sma(bt.Strategy):
        def __init__(self):
            fast = bt.ind.SMA(self.data.close, period=10)
            slow = bt.ind.SMA(self.data.close, period=30)
            self.cross = bt.ind.CrossOver(fast, slow)

        def next(self):
            if not self.position:
                if self.cross > 0:
                    self.buy(size=QTY)
            elif self.cross < 0:
                self.close()

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(Sma)
    cerebro.broker.setcash(CASH)
    cerebro.broker.setcommission(commission=FEE)
    start = time.perf_counter()
    cerebro.run()
    elapsed = time.perf_counter() - start
    return cerebro.broker.getvalue(), elapsed


def run_backtesting(df):
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    def sma(x, n):
        return pd.Series(x).rolling(n).mean().to_numpy()

    class Sma(Strategy):
        def init(self):
            self.fast = self.I(sma, self.data.Close, 10)
            self.slow = self.I(sma, self.data.Close, 30)

        def next(self):
            if not self.position:
                if crossover(self.fast, self.slow):
                    self.buy(size=QTY)
            elif crossover(self.slow, self.fast):
                self.position.close()

    data = df.rename(columns=str.capitalize)
    bt_ = Backtest(data, Sma, cash=CASH, commission=FEE, trade_on_close=False, finalize_trades=False)
    start = time.perf_counter()
    stats = bt_.run()
    elapsed = time.perf_counter() - start
    return float(stats["Equity Final [$]"]), elapsed


def run_vectorbt(df, repeat):
    import vectorbt as vbt

    def go(d):
        fast = vbt.MA.run(d["close"], 10)
        slow = vbt.MA.run(d["close"], 30)
        entries = fast.ma_crossed_above(slow).vbt.fshift(1, fill_value=False)
        exits = fast.ma_crossed_below(slow).vbt.fshift(1, fill_value=False)
        pf = vbt.Portfolio.from_signals(
            d["close"],
            entries,
            exits,
            price=d["open"],
            size=QTY,
            size_type="amount",
            fees=FEE,
            init_cash=CASH,
            accumulate=False,
            freq="1min",
        )
        return pf.final_value()

    go(df.iloc[:2000])  # compile
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = go(df)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return float(value), best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip", default="")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    tmp = None
    path = args.data
    if path is None:
        tmp = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)
        path = tmp.name
        make_bars(args.bars, path)
    df = load(path)
    n = len(df)
    print(f"{n} bars from {path}")
    ox_equity, ox_s, fills = run_oxfolio(path, args.repeat)
    rows = [("oxfolio", ox_equity, ox_s)]
    # The two fast engines run --repeat times (best kept); the slow two once.
    peers = [
        ("vectorbt", lambda d: run_vectorbt(d, args.repeat)),
        ("backtesting.py", run_backtesting),
        ("backtrader", run_backtrader),
    ]
    for name, fn in peers:
        if name in skip:
            continue
        equity, s = fn(df)
        rows.append((name, equity, s))
    print(f"{'engine':<16}{'final equity':>18}{'seconds':>12}{'bars/s':>16}{'oxfolio x':>12}  agrees to the cent")
    for name, equity, s in rows:
        agree = round(equity, 2) == round(ox_equity, 2)
        print(f"{name:<16}{equity:>18,.2f}{s:>12.4f}{n / s:>16,.0f}{s / ox_s:>12.1f}  {agree}")
    print(f"oxfolio fills: {fills}")
    if tmp is not None:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())

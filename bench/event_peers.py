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
metrics.json, the others' wall time around their run call. Oxfolio and vectorbt
(compiled first on a small input) take turns for --repeat rounds, so that both meet the
same spells of a machine whose speed drifts, and each keeps its best run (vectorbt's
timed run follows an untimed one, so it finds its data in cache); backtesting.py and
backtrader run once. Prints each round's pair, final equities and ratios.
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


def oxfolio_runner(path, tmp):
    """One Oxfolio run per call: (final equity, `timings.simulate` seconds, fills)."""
    exe = os.path.join(ROOT, "target", "release", "oxfolio")
    cfg = os.path.join(tmp, "sma.toml")
    with open(cfg, "w") as f:
        f.write(
            f'[data]\nprices = "{os.path.abspath(path)}"\n\n'
            f"[backtest]\ninitial_cash = {CASH}\ntransaction_cost_bps = {FEE * 1e4}\n\n"
            f'[strategy]\nkind = "sma_crossover"\nfast = 10\nslow = 30\nquantity = {QTY}\n'
        )

    def once():
        out = subprocess.run(
            [exe, "backtest", "--config", cfg, "--out", os.path.join(tmp, "run"), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        m = json.loads(out.stdout)
        return m["final_equity"], m["timings"]["simulate"], m["num_fills"]

    return once


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


def vectorbt_runner(df):
    """Compiles vectorbt on a small input; then one timed run per call: (value, seconds)."""
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

    def once():
        start = time.perf_counter()
        value = go(df)
        return float(value), time.perf_counter() - start

    return once


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
    # The two fast engines take turns, --repeat rounds of one timed run each, and each
    # keeps its best: both then meet the same spells of a machine whose speed drifts.
    # vectorbt runs once untimed before its timed run, so that the timed one finds its
    # data in cache, as a run right after another does (right after an Oxfolio process
    # it was up to 18% slower).
    rounds = []
    with tempfile.TemporaryDirectory() as run_dir:
        oxfolio = oxfolio_runner(path, run_dir)
        vectorbt = None if "vectorbt" in skip else vectorbt_runner(df)
        for _ in range(args.repeat):
            ox_equity, ox_s, fills = oxfolio()
            vbt_value, vbt_s = None, None
            if vectorbt:
                vectorbt()
                vbt_value, vbt_s = vectorbt()
            rounds.append((ox_equity, ox_s, vbt_value, vbt_s))
    ox_s = min(r[1] for r in rounds)
    rows = [("oxfolio", ox_equity, ox_s)]
    if vectorbt:
        rows.append(("vectorbt", vbt_value, min(r[3] for r in rounds)))
        pairs = (f"{r[1] * 1e3:.1f} / {r[3] * 1e3:.0f}" for r in rounds)
        print("rounds, oxfolio / vectorbt ms:", ", ".join(pairs))
    # The slow two run once.
    for name, fn in [("backtesting.py", run_backtesting), ("backtrader", run_backtrader)]:
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

"""Writes the single-symbol OHLCV files of this folder from the project's shared Lean data.

Run from the repository root: python3 data/bars/make_bars.py ../shared/data
Lean stores prices in deci-cents and minute times as milliseconds since midnight
(New York time); the output has `datetime,open,high,low,close,volume` in dollars.
"""
import csv
import glob
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
here = os.path.dirname(os.path.abspath(__file__))


def price(x):
    return f"{int(x) / 10000:.4f}".rstrip("0").rstrip(".")


with open(os.path.join(here, "spy_daily.csv"), "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["datetime", "open", "high", "low", "close", "volume"])
    with open(os.path.join(root, "stocks/lean/daily/spy.csv")) as f:
        for row in csv.reader(f):
            d = row[0][:8]
            w.writerow([f"{d[:4]}-{d[4:6]}-{d[6:8]}", *map(price, row[1:5]), row[5]])

with open(os.path.join(here, "spy_minute.csv"), "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["datetime", "open", "high", "low", "close", "volume"])
    files = sorted(glob.glob(os.path.join(root, "intraday/lean/equity_spy_minute/*_spy_minute_trade.csv")))
    for path in files:
        d = os.path.basename(path)[:8]
        with open(path) as f:
            for row in csv.reader(f):
                ms = int(row[0])
                hh, mm = divmod(ms // 60000, 60)
                stamp = f"{d[:4]}-{d[4:6]}-{d[6:8]} {hh:02d}:{mm:02d}:00"
                w.writerow([stamp, *map(price, row[1:5]), row[5]])

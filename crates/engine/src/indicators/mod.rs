//! Technical indicators for the order-level engine, updated once per bar in O(1)
//! (amortised for highest and lowest), allocation-free after construction. Each returns
//! `None` until it has seen enough bars. Conventions follow pandas (the reference the
//! tests use, fixtures made by `tests/fixtures/make_indicator_fixtures.py`):
//!
//! | indicator | definition |
//! |---|---|
//! | SMA(n) | mean of the last `n` values |
//! | EMA(n) | `e = a x + (1 - a) e`, `a = 2 / (n + 1)`, seeded with the first value, reported from the `n`-th (pandas `ewm(span=n, adjust=False, min_periods=n)`) |
//! | WMA(n) | weights `1..n`, newest heaviest |
//! | rolling std(n) | sample standard deviation (ddof 1) of the last `n` values |
//! | Bollinger(n, k) | SMA(n) plus and minus `k` population (ddof 0) standard deviations |
//! | RSI(n) | Wilder: gains and losses smoothed with `a = 1 / n` from the first change, reported from the `n`-th change; `100 - 100 / (1 + gain / loss)`, 100 when there is no loss |
//! | MACD(f, s, g) | EMA(f) - EMA(s) of the closes (both from the first bar), signal EMA(g) of it from the bar MACD exists, histogram the difference |
//! | ATR(n) | Wilder smoothing (`a = 1 / n`, from the first bar) of the true range `max(h - l, |h - c_prev|, |l - c_prev|)`, the first bar's range `h - l` |
//! | ROC(n), momentum(n) | `100 (x / x_{t-n} - 1)`, `x - x_{t-n}` |
//! | highest(n), lowest(n) | max and min of the last `n` values (monotonic deque) |

mod extremes;
mod smoothing;
mod window;

pub use extremes::{Highest, Lowest};
pub use smoothing::{Atr, Ema, Macd, MacdValue, Rsi};
pub use window::{Bollinger, BollingerValue, Momentum, Roc, RollingStd, Sma, Wma};

//! Exponentially smoothed indicators: EMA, Wilder's RSI and ATR, MACD.

/// Exponential moving average with `a = 2 / (n + 1)`, seeded with the first value and
/// reported from the `n`-th.
#[derive(Clone, Debug)]
pub struct Ema {
    alpha: f64,
    value: f64,
    seen: usize,
    period: usize,
}

impl Ema {
    /// Span `n`.
    pub fn new(n: usize) -> Self {
        Ema::with_alpha(2.0 / (n as f64 + 1.0), n)
    }

    /// Any smoothing factor, reported from the `period`-th value (Wilder's is `1 / n`).
    pub fn with_alpha(alpha: f64, period: usize) -> Self {
        Ema {
            alpha,
            value: 0.0,
            seen: 0,
            period: period.max(1),
        }
    }

    /// Takes a value; the average once `period` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.value = if self.seen == 0 {
            x
        } else {
            self.alpha * x + (1.0 - self.alpha) * self.value
        };
        self.seen += 1;
        (self.seen >= self.period).then_some(self.value)
    }
}

/// Wilder's relative strength index.
#[derive(Clone, Debug)]
pub struct Rsi {
    gain: Ema,
    loss: Ema,
    last: Option<f64>,
}

impl Rsi {
    /// Over `n` changes.
    pub fn new(n: usize) -> Self {
        let a = 1.0 / n.max(1) as f64;
        Rsi {
            gain: Ema::with_alpha(a, n),
            loss: Ema::with_alpha(a, n),
            last: None,
        }
    }

    /// Takes a close; the index once `n` changes are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let last = self.last.replace(x)?;
        let change = x - last;
        let gain = self.gain.update(change.max(0.0));
        let loss = self.loss.update((-change).max(0.0));
        let (gain, loss) = (gain?, loss?);
        Some(if loss == 0.0 {
            100.0
        } else {
            100.0 - 100.0 / (1.0 + gain / loss)
        })
    }
}

/// MACD line, signal and histogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MacdValue {
    /// EMA(fast) - EMA(slow).
    pub macd: f64,
    /// EMA(signal) of the MACD line.
    pub signal: f64,
    /// MACD - signal.
    pub histogram: f64,
}

/// Moving-average convergence divergence.
#[derive(Clone, Debug)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    /// Spans `fast`, `slow` and `signal` (12, 26, 9 classically).
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        Macd {
            fast: Ema::new(fast),
            slow: Ema::new(slow),
            signal: Ema::new(signal),
        }
    }

    /// Takes a close; the values once the slow average and then the signal exist.
    pub fn update(&mut self, x: f64) -> Option<MacdValue> {
        let fast = self.fast.update(x);
        let slow = self.slow.update(x)?;
        let macd = fast? - slow;
        let signal = self.signal.update(macd)?;
        Some(MacdValue {
            macd,
            signal,
            histogram: macd - signal,
        })
    }
}

/// Wilder's average true range.
#[derive(Clone, Debug)]
pub struct Atr {
    average: Ema,
    close: Option<f64>,
}

impl Atr {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Atr {
            average: Ema::with_alpha(1.0 / n.max(1) as f64, n),
            close: None,
        }
    }

    /// Takes a bar; the average once `n` bars are in.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let range = match self.close.replace(close) {
            Some(prev) => (high - low)
                .max((high - prev).abs())
                .max((low - prev).abs()),
            None => high - low,
        };
        self.average.update(range)
    }
}

//! Indicators over a fixed window of the last `n` values, kept in a ring buffer.

/// The last `n` values. Slots not yet written hold `0.0`.
#[derive(Clone, Debug)]
struct Ring {
    values: Vec<f64>,
    next: usize,
    /// Values pushed, counted up to `n`.
    seen: usize,
}

impl Ring {
    fn new(n: usize) -> Self {
        Ring {
            values: vec![0.0; n.max(1)],
            next: 0,
            seen: 0,
        }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn full(&self) -> bool {
        self.seen == self.values.len()
    }

    /// Stores `x` in the oldest slot; returns what the slot held (`0.0` while filling).
    #[inline]
    fn replace(&mut self, x: f64) -> f64 {
        let n = self.values.len();
        let old = std::mem::replace(&mut self.values[self.next], x);
        // A compare instead of a modulo: this runs once per bar.
        self.next += 1;
        if self.next == n {
            self.next = 0;
        }
        self.seen += usize::from(self.seen < n);
        old
    }

    /// Stores `x`; returns the value it replaced once the window is full.
    #[inline]
    fn push(&mut self, x: f64) -> Option<f64> {
        let full = self.full();
        let old = self.replace(x);
        full.then_some(old)
    }

    /// The value `k` bars ago (0 = the newest).
    fn ago(&self, k: usize) -> f64 {
        let n = self.values.len();
        self.values[(self.next + n - 1 - k) % n]
    }
}

/// Simple moving average.
#[derive(Clone, Debug)]
pub struct Sma {
    ring: Ring,
    sum: f64,
}

impl Sma {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Sma {
            ring: Ring::new(n),
            sum: 0.0,
        }
    }

    /// Takes a value; the average once `n` are in.
    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        // While the window fills the replaced slot holds 0.0, and `x - 0.0` is `x`.
        self.sum += x - self.ring.replace(x);
        self.ring.full().then(|| self.sum / self.ring.len() as f64)
    }
}

/// Linearly weighted moving average (weights `1..n`, newest heaviest).
#[derive(Clone, Debug)]
pub struct Wma {
    ring: Ring,
    sum: f64,
    weighted: f64,
}

impl Wma {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Wma {
            ring: Ring::new(n),
            sum: 0.0,
            weighted: 0.0,
        }
    }

    /// Takes a value; the average once `n` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let n = self.ring.len() as f64;
        let before = self.ring.seen.min(self.ring.len()) as f64;
        match self.ring.push(x) {
            // Every weight drops by one, the oldest leaves, the newest enters at n.
            Some(old) => {
                self.weighted += n * x - self.sum;
                self.sum += x - old;
            }
            None => {
                self.weighted += (before + 1.0) * x;
                self.sum += x;
            }
        }
        self.ring
            .full()
            .then(|| self.weighted / (n * (n + 1.0) / 2.0))
    }
}

/// Windowed mean and sum of squared deviations (sliding Welford).
#[derive(Clone, Debug)]
struct Moments {
    ring: Ring,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn new(n: usize) -> Self {
        Moments {
            ring: Ring::new(n),
            mean: 0.0,
            m2: 0.0,
        }
    }

    fn push(&mut self, x: f64) -> bool {
        match self.ring.push(x) {
            Some(old) => {
                let n = self.ring.len() as f64;
                let mean = self.mean + (x - old) / n;
                self.m2 += (x - old) * (x - mean + old - self.mean);
                self.mean = mean;
            }
            None => {
                let k = self.ring.seen as f64;
                let delta = x - self.mean;
                self.mean += delta / k;
                self.m2 += delta * (x - self.mean);
            }
        }
        self.ring.full()
    }

    fn variance(&self, ddof: f64) -> f64 {
        (self.m2 / (self.ring.len() as f64 - ddof)).max(0.0)
    }
}

/// Rolling sample standard deviation (ddof 1).
#[derive(Clone, Debug)]
pub struct RollingStd(Moments);

impl RollingStd {
    /// Over `n` bars (at least 2).
    pub fn new(n: usize) -> Self {
        RollingStd(Moments::new(n.max(2)))
    }

    /// Takes a value; the deviation once `n` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.push(x).then(|| self.0.variance(1.0).sqrt())
    }
}

/// Bollinger bands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BollingerValue {
    /// Lower band.
    pub lower: f64,
    /// The moving average.
    pub middle: f64,
    /// Upper band.
    pub upper: f64,
}

/// Bollinger bands: SMA(n) plus and minus `k` population standard deviations.
#[derive(Clone, Debug)]
pub struct Bollinger {
    moments: Moments,
    k: f64,
}

impl Bollinger {
    /// Over `n` bars, `k` deviations wide.
    pub fn new(n: usize, k: f64) -> Self {
        Bollinger {
            moments: Moments::new(n),
            k,
        }
    }

    /// Takes a value; the bands once `n` are in.
    pub fn update(&mut self, x: f64) -> Option<BollingerValue> {
        if !self.moments.push(x) {
            return None;
        }
        let (mean, sd) = (self.moments.mean, self.moments.variance(0.0).sqrt());
        Some(BollingerValue {
            lower: mean - self.k * sd,
            middle: mean,
            upper: mean + self.k * sd,
        })
    }
}

/// The value `n` bars ago.
#[derive(Clone, Debug)]
struct Lag(Ring);

impl Lag {
    fn new(n: usize) -> Self {
        Lag(Ring::new(n + 1))
    }

    /// Takes a value; `x_{t-n}` once `n + 1` are in.
    fn update(&mut self, x: f64) -> Option<f64> {
        self.0.push(x);
        let oldest = self.0.len() - 1;
        self.0.full().then(|| self.0.ago(oldest))
    }
}

/// Rate of change in percent over `n` bars.
#[derive(Clone, Debug)]
pub struct Roc(Lag);

impl Roc {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Roc(Lag::new(n))
    }

    /// Takes a value; `100 (x / x_{t-n} - 1)` once `n + 1` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.update(x).map(|old| 100.0 * (x / old - 1.0))
    }
}

/// Momentum: the change over `n` bars.
#[derive(Clone, Debug)]
pub struct Momentum(Lag);

impl Momentum {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Momentum(Lag::new(n))
    }

    /// Takes a value; `x - x_{t-n}` once `n + 1` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.update(x).map(|old| x - old)
    }
}

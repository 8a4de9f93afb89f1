//! Round-trip trades: a position from flat back to flat (a reversal closes one and opens
//! the next), with its excursions, and the trade statistics.
//!
//! | field | definition |
//! |---|---|
//! | `pnl` | exit value - entry cost - every fee of the trip, in money |
//! | `return` | `pnl / (entry price x quantity x multiplier)` |
//! | `r_multiple` | `pnl / initial risk`, the initial risk being `|entry - initial stop| x quantity x multiplier` (empty without a stop) |
//! | `bars_held` | exit bar - entry bar |
//! | `mae`, `mfe` | worst and best unrealised P&L over the bars held (from the entry bar's range to the bar before the exit), in money; `mae <= 0 <= mfe` |
//!
//! | statistic | definition |
//! |---|---|
//! | `win_rate` | trips with `pnl > 0` / trips |
//! | `profit_factor` | sum of winning P&L / -sum of losing P&L (`inf` without losses) |
//! | `expectancy` | mean P&L per trip |
//! | `r_expectancy` | mean R multiple over trips that have one |
//! | `exposure` | bars with any position open / bars in the run |

use serde::Serialize;

use oxfolio_core::memory::push_huge;
use oxfolio_core::Timestamp;

use super::order::OrderRole;

/// A closed round trip.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundTrip {
    /// Symbol index.
    pub symbol: usize,
    /// `long` or `short`.
    pub side: &'static str,
    /// Largest absolute quantity held.
    pub quantity: f64,
    /// Entry bar and time.
    pub entry_bar: usize,
    /// Entry timestamp.
    pub entry_ts: Timestamp,
    /// Exit bar.
    pub exit_bar: usize,
    /// Exit timestamp.
    pub exit_ts: Timestamp,
    /// Average entry price.
    pub entry_price: f64,
    /// Average exit price.
    pub exit_price: f64,
    /// Net P&L.
    pub pnl: f64,
    /// P&L over entry notional.
    #[serde(rename = "return")]
    pub ret: f64,
    /// P&L over initial risk.
    pub r_multiple: Option<f64>,
    /// Bars held.
    pub bars_held: usize,
    /// Maximum adverse excursion (money, <= 0).
    pub mae: f64,
    /// Maximum favourable excursion (money, >= 0).
    pub mfe: f64,
    /// Fees.
    pub fees: f64,
    /// Role of the order that closed it.
    pub exit_role: OrderRole,
}

#[derive(Clone, Debug)]
struct Open {
    sign: f64,
    quantity: f64,
    peak_quantity: f64,
    entry_cost: f64,
    entry_units: f64,
    exit_value: f64,
    exit_units: f64,
    fees: f64,
    entry_bar: usize,
    entry_ts: Timestamp,
    first_bar: usize,
    high: f64,
    low: f64,
    stop: Option<f64>,
}

/// The time-major highs and lows of every symbol's bars (`NaN`: no bar), where a closing
/// trip finds its excursions.
#[derive(Clone, Copy, Debug)]
pub struct BarRanges<'a> {
    /// Highs, `bars x n`.
    pub highs: &'a [f64],
    /// Lows, `bars x n`.
    pub lows: &'a [f64],
}

/// Builds round trips from fills. Excursions are found when a trip closes, from the
/// bars it was open (the [`BarRanges`] handed to the closing fill), so open positions
/// cost nothing per bar.
#[derive(Clone, Debug)]
pub struct RoundTrips {
    open: Vec<Option<Open>>,
    multipliers: Vec<f64>,
    closed: Vec<RoundTrip>,
    /// Bar ranges `[from, to)` of closed trips, for the exposure.
    spans: Vec<(usize, usize)>,
}

impl RoundTrips {
    /// A tracker for symbols with these multipliers.
    pub fn new(multipliers: Vec<f64>) -> Self {
        RoundTrips {
            open: vec![None; multipliers.len()],
            multipliers,
            closed: Vec::new(),
            spans: Vec::new(),
        }
    }

    /// True while any trip is open.
    #[inline]
    pub fn any_open(&self) -> bool {
        self.open.iter().any(Option::is_some)
    }

    /// Sets the initial stop of symbol `i`'s open trip (for the R multiple).
    pub fn set_stop(&mut self, i: usize, stop: f64) {
        if let Some(o) = self.open[i].as_mut() {
            if o.stop.is_none() {
                o.stop = Some(stop);
            }
        }
    }

    /// Books a fill; `at_close` says it came after the bar (a same-close fill), so that
    /// bar's range is not part of a trip it opens. A trip it closes finds its excursions
    /// in `ranges`.
    #[allow(clippy::too_many_arguments)]
    pub fn on_fill(
        &mut self,
        ranges: BarRanges<'_>,
        i: usize,
        quantity: f64,
        price: f64,
        fee: f64,
        bar: usize,
        ts: Timestamp,
        role: OrderRole,
        at_close: bool,
    ) {
        let mut q = quantity;
        let mut fee = fee;
        if let Some(o) = self.open[i].as_mut() {
            if q.signum() == o.sign {
                o.quantity += q.abs();
                o.peak_quantity = o.peak_quantity.max(o.quantity);
                o.entry_cost += q.abs() * price;
                o.entry_units += q.abs();
                o.fees += fee;
                return;
            }
            let closing = q.abs().min(o.quantity);
            let share = closing / q.abs();
            o.exit_value += closing * price;
            o.exit_units += closing;
            o.fees += fee * share;
            o.quantity -= closing;
            fee *= 1.0 - share;
            q += closing * o.sign;
            if o.quantity <= 1e-9 {
                let o = self.open[i].take().expect("checked above");
                self.close(ranges, i, o, bar, ts, role);
            }
        }
        if q.abs() > 1e-9 {
            self.open[i] = Some(Open {
                sign: q.signum(),
                quantity: q.abs(),
                peak_quantity: q.abs(),
                entry_cost: q.abs() * price,
                entry_units: q.abs(),
                exit_value: 0.0,
                exit_units: 0.0,
                fees: fee,
                entry_bar: bar,
                entry_ts: ts,
                first_bar: bar + usize::from(at_close),
                high: price,
                low: price,
                stop: None,
            });
        }
    }

    fn close(
        &mut self,
        ranges: BarRanges<'_>,
        i: usize,
        mut o: Open,
        bar: usize,
        ts: Timestamp,
        role: OrderRole,
    ) {
        let m = self.multipliers[i];
        // The bars it was open, from the entry bar (unless entered at its close) to the
        // bar before the exit; `max` and `min` skip a missing (`NaN`) bar.
        let n = self.multipliers.len();
        if o.first_bar < bar {
            let span = o.first_bar * n + i..(bar - 1) * n + i + 1;
            let (high, low) = extremes(&ranges.highs[span.clone()], &ranges.lows[span], n);
            o.high = o.high.max(high);
            o.low = o.low.min(low);
        }
        push_huge(&mut self.spans, (o.entry_bar, bar));
        let entry = o.entry_cost / o.entry_units;
        let exit = o.exit_value / o.exit_units;
        let gross = o.sign * (o.exit_value - entry * o.exit_units) * m;
        let pnl = gross - o.fees;
        let notional = entry * o.peak_quantity * m;
        let excursion = |p: f64| o.sign * (p - entry) * o.peak_quantity * m;
        let (worst, best) = if o.sign > 0.0 {
            (o.low, o.high)
        } else {
            (o.high, o.low)
        };
        let risk = o
            .stop
            .map(|s| (entry - s).abs() * o.peak_quantity * m)
            .filter(|r| *r > 0.0);
        push_huge(
            &mut self.closed,
            RoundTrip {
                symbol: i,
                side: if o.sign > 0.0 { "long" } else { "short" },
                quantity: o.peak_quantity,
                entry_bar: o.entry_bar,
                entry_ts: o.entry_ts,
                exit_bar: bar,
                exit_ts: ts,
                entry_price: entry,
                exit_price: exit,
                pnl,
                ret: pnl / notional,
                r_multiple: risk.map(|r| pnl / r),
                bars_held: bar - o.entry_bar,
                mae: excursion(worst).min(0.0),
                mfe: excursion(best).max(0.0),
                fees: o.fees,
                exit_role: role,
            },
        );
    }

    /// Bars with at least one position open, through bar `end` (exclusive).
    pub fn exposed_bars(&self, end: usize) -> usize {
        let mut spans: Vec<(usize, usize)> = self.spans.clone();
        spans.extend(self.open.iter().flatten().map(|o| (o.entry_bar, end)));
        spans.sort_unstable();
        let (mut total, mut reach) = (0, 0);
        for (from, to) in spans {
            let from = from.max(reach);
            if to > from {
                total += to - from;
                reach = to;
            }
        }
        total
    }

    /// The closed trips.
    pub fn into_closed(self) -> Vec<RoundTrip> {
        self.closed
    }
}

/// The highest of every `stride`-th value of `highs` and the lowest of `lows` from the
/// first (`NaN` skipped; `-inf` and `inf` when there is none). Contiguous values are
/// compared in four lanes, so no comparison waits on the one before.
fn extremes(highs: &[f64], lows: &[f64], stride: usize) -> (f64, f64) {
    if stride > 1 {
        let every = |v: &[f64], init: f64, pick: fn(f64, f64) -> f64| {
            v.iter().step_by(stride).fold(init, |a, &x| pick(a, x))
        };
        return (
            every(highs, f64::NEG_INFINITY, above),
            every(lows, f64::INFINITY, below),
        );
    }
    let mut high = [f64::NEG_INFINITY; 4];
    let mut low = [f64::INFINITY; 4];
    let (h4, l4) = (highs.chunks_exact(4), lows.chunks_exact(4));
    let tail = h4.remainder().iter().zip(l4.remainder());
    for (h, l) in h4.zip(l4) {
        for k in 0..4 {
            high[k] = above(high[k], h[k]);
            low[k] = below(low[k], l[k]);
        }
    }
    for (&h, &l) in tail {
        high[0] = above(high[0], h);
        low[0] = below(low[0], l);
    }
    (
        high[0].max(high[1]).max(high[2].max(high[3])),
        low[0].min(low[1]).min(low[2].min(low[3])),
    )
}

/// `x` when it is above `a`, else `a`. A comparison with `NaN` is false, so a missing bar
/// changes nothing: `f64::max` without its `NaN` handling, one instruction per lane.
#[inline]
fn above(a: f64, x: f64) -> f64 {
    if x > a {
        x
    } else {
        a
    }
}

/// `x` when it is below `a`, else `a` (see [`above`]).
#[inline]
fn below(a: f64, x: f64) -> f64 {
    if x < a {
        x
    } else {
        a
    }
}

/// Statistics of a list of round trips.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeStats {
    /// Round trips.
    pub trades: usize,
    /// Trips with positive P&L.
    pub wins: usize,
    /// Trips with negative P&L.
    pub losses: usize,
    /// Wins over trips.
    pub win_rate: f64,
    /// Winning P&L over losing P&L.
    pub profit_factor: f64,
    /// Mean P&L per trip.
    pub expectancy: f64,
    /// Mean R multiple (trips with an initial stop).
    pub r_expectancy: Option<f64>,
    /// Mean winning P&L.
    pub average_win: f64,
    /// Mean losing P&L.
    pub average_loss: f64,
    /// Mean bars held.
    pub average_bars_held: f64,
    /// Bars with a position over bars.
    pub exposure: f64,
}

/// Statistics of `trips` over a run of `bars` bars, `exposed` of them with a position.
pub fn trade_stats(trips: &[RoundTrip], bars: usize, exposed: usize) -> TradeStats {
    let n = trips.len();
    let wins: Vec<f64> = trips.iter().map(|t| t.pnl).filter(|p| *p > 0.0).collect();
    let losses: Vec<f64> = trips.iter().map(|t| t.pnl).filter(|p| *p < 0.0).collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let all: Vec<f64> = trips.iter().map(|t| t.pnl).collect();
    let rs: Vec<f64> = trips.iter().filter_map(|t| t.r_multiple).collect();
    let gross_loss = -losses.iter().sum::<f64>();
    TradeStats {
        trades: n,
        wins: wins.len(),
        losses: losses.len(),
        win_rate: if n == 0 {
            0.0
        } else {
            wins.len() as f64 / n as f64
        },
        profit_factor: if gross_loss > 0.0 {
            wins.iter().sum::<f64>() / gross_loss
        } else if wins.is_empty() {
            0.0
        } else {
            f64::INFINITY
        },
        expectancy: mean(&all),
        r_expectancy: (!rs.is_empty()).then(|| mean(&rs)),
        average_win: mean(&wins),
        average_loss: mean(&losses),
        average_bars_held: mean(&trips.iter().map(|t| t.bars_held as f64).collect::<Vec<_>>()),
        exposure: if bars == 0 {
            0.0
        } else {
            exposed as f64 / bars as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four-lane scan finds what a plain fold of `f64::max` and `f64::min` finds, gaps
    /// (`NaN`) skipped, for contiguous and strided columns of every length up to 40.
    #[test]
    fn extremes_match_a_plain_fold() {
        let value = |k: usize| match k % 7 {
            3 => f64::NAN,
            r => 100.0 + ((k * 37) % 23) as f64 - r as f64,
        };
        let highs: Vec<f64> = (0..120).map(value).collect();
        let lows: Vec<f64> = (0..120).map(|k| value(k + 5) - 50.0).collect();
        for stride in [1, 3] {
            for len in 0..40 {
                let (h, l) = (&highs[..len * stride], &lows[..len * stride]);
                let fold = |v: &[f64], init: f64, pick: fn(f64, f64) -> f64| {
                    v.iter().step_by(stride).fold(init, |a, &x| pick(a, x))
                };
                let expected = (
                    fold(h, f64::NEG_INFINITY, f64::max),
                    fold(l, f64::INFINITY, f64::min),
                );
                assert_eq!(
                    extremes(h, l, stride),
                    expected,
                    "stride {stride}, {len} bars"
                );
            }
        }
    }

    #[test]
    fn reversal_closes_and_opens() {
        let highs = [104.0, 101.0, 101.0, 200.0];
        let lows = [97.0, 99.0, 99.0, 50.0];
        let ranges = BarRanges {
            highs: &highs,
            lows: &lows,
        };
        let mut r = RoundTrips::new(vec![1.0]);
        r.on_fill(
            ranges,
            0,
            10.0,
            100.0,
            1.0,
            0,
            0,
            OrderRole::Strategy,
            false,
        );
        r.set_stop(0, 95.0);
        r.on_fill(
            ranges,
            0,
            -15.0,
            102.0,
            1.5,
            3,
            3,
            OrderRole::Strategy,
            false,
        );
        assert_eq!(r.exposed_bars(4), 4, "bars 0-2 and the new short from 3");
        assert!(r.any_open());
        let trips = r.into_closed();
        let t = &trips[0];
        // 10 x (102 - 100) - 1 - 1 (two thirds of 1.5)
        assert!((t.pnl - 18.0).abs() < 1e-12, "{}", t.pnl);
        assert!((t.r_multiple.unwrap_or(0.0) - 18.0 / 50.0).abs() < 1e-12);
        assert_eq!((t.mae, t.mfe), (-30.0, 40.0));
        assert_eq!(t.bars_held, 3);
        let stats = trade_stats(&trips, 10, 4);
        assert_eq!(stats.win_rate, 1.0);
        assert_eq!(stats.exposure, 0.4);
    }
}

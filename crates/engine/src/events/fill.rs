//! The fill rules: where and whether a live order fills inside one bar. Pure functions of
//! the order and the bar, so every row of the table in `docs/EVENTS.md` is a test.
//!
//! | order | bar | fill |
//! |---|---|---|
//! | market | next bar | its open |
//! | market, `fill_timing = same_close` | the bar it was placed on | that bar's close |
//! | buy limit `L` | open at or below `L` | the open (better than the limit) |
//! | buy limit `L` | low at or below `L` | `L` |
//! | sell limit `L` | open at or above `L` / high at or above `L` | the open / `L` |
//! | buy stop `S` | open at or above `S` (a gap) | the open (the worse of stop and open) |
//! | buy stop `S` | high at or above `S` | `S` |
//! | sell stop `S` | open at or below `S` / low at or below `S` | the open / `S` |
//! | stop-limit `S`, `L` | triggered as a stop at `T` (open or `S`) | `T` if `T` is within `L`; otherwise it rests as a limit from the next bar |
//! | trailing stop | like a stop at the level set before the bar: best price since live (high for sells, low for buys) minus (plus) the trail | as a stop; the best price then moves with the bar |
//! | stop and target of one position both inside one bar | | the one the open is already through; otherwise the named rule (`stop_first`, default, or `target_first`) |
//!
//! Slippage moves market, stop and trailing-stop fills against the trader, never beyond
//! the bar's high or low; limit fills are at their price. A volume cap fills at most a
//! fraction of the bar's volume; the rest stays live (IOC: cancelled).

use serde::{Deserialize, Serialize};

use super::order::{OrderKind, Trail};

/// One symbol's bar (defined in `oxfolio-core`, shared by every crate).
pub use oxfolio_core::bars::BarPrices;

/// Which of a position's stop and target fills when both are inside one bar and the open
/// is through neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntrabarPriority {
    /// The stop (the conservative assumption; backtesting.py's too).
    #[default]
    StopFirst,
    /// The target.
    TargetFirst,
}

/// When market orders fill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillTiming {
    /// At the next bar's open (no look-ahead).
    #[default]
    NextOpen,
    /// At the close of the bar the order was placed on: a named option, since the
    /// strategy saw that close.
    SameClose,
}

/// How a live order matched a bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Fill price before slippage.
    pub price: f64,
    /// True when it filled at the open (a market order, or a gap through its level).
    pub at_open: bool,
    /// True for a market-like fill (slippage applies).
    pub marketable: bool,
}

/// A stop or a target, for the intrabar rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitClass {
    /// Stops and trailing stops (protective).
    Stop,
    /// Limits (targets).
    Target,
    /// Anything else.
    Other,
}

/// The class of an order kind.
pub fn exit_class(kind: &OrderKind) -> ExitClass {
    match kind {
        OrderKind::Stop { .. } | OrderKind::TrailingStop { .. } => ExitClass::Stop,
        OrderKind::Limit { .. } => ExitClass::Target,
        _ => ExitClass::Other,
    }
}

/// The level of a trailing stop given the best price since it became live.
pub fn trailing_level(trail: Trail, best: f64, buy: bool) -> f64 {
    match (trail, buy) {
        (Trail::Percent(p), false) => best * (1.0 - p),
        (Trail::Percent(p), true) => best * (1.0 + p),
        (Trail::Amount(a), false) => best - a,
        (Trail::Amount(a), true) => best + a,
    }
}

/// A stop at `stop`: the open when the bar opens through it, the stop when the range
/// reaches it.
#[inline]
pub fn stop_match(stop: f64, buy: bool, bar: &BarPrices) -> Option<Match> {
    let (through_open, reached) = if buy {
        (bar.open >= stop, bar.high >= stop)
    } else {
        (bar.open <= stop, bar.low <= stop)
    };
    if through_open {
        Some(Match {
            price: bar.open,
            at_open: true,
            marketable: true,
        })
    } else if reached {
        Some(Match {
            price: stop,
            at_open: false,
            marketable: true,
        })
    } else {
        None
    }
}

/// A limit at `limit`: the open when it is better, the limit when the range reaches it.
#[inline]
pub fn limit_match(limit: f64, buy: bool, bar: &BarPrices) -> Option<Match> {
    let (better_open, reached) = if buy {
        (bar.open <= limit, bar.low <= limit)
    } else {
        (bar.open >= limit, bar.high >= limit)
    };
    if better_open {
        Some(Match {
            price: bar.open,
            at_open: true,
            marketable: false,
        })
    } else if reached {
        Some(Match {
            price: limit,
            at_open: false,
            marketable: false,
        })
    } else {
        None
    }
}

/// How an order matches a bar: the fill table as a trait, so a user can bring their own
/// (fills at a VWAP proxy, at the mid of a quote bar, never better than the close, ...).
/// Slippage, impact, volume caps, time in force and brackets stay the broker's: a model
/// says only whether and at what price an order of `kind` meets `bar`. [`FillTable`] is
/// the documented table (`docs/EVENTS.md`), the default. `Send`, like the cost models.
pub trait FillModel: Send {
    /// How an order of `kind` (a buy when `buy`) matches `bar`, and whether a stop-limit's
    /// stop triggered on this bar. `triggered` says a stop was reached on an earlier bar;
    /// `trail_level` is a trailing stop's level before this bar (`NaN` for other kinds).
    fn match_order(
        &self,
        kind: &OrderKind,
        buy: bool,
        triggered: bool,
        trail_level: f64,
        bar: &BarPrices,
    ) -> (Option<Match>, bool);
}

/// The fill table of `docs/EVENTS.md` (market at the next open, gaps at the open, limits
/// and stops at their level inside the range).
#[derive(Clone, Copy, Debug, Default)]
pub struct FillTable;

impl FillModel for FillTable {
    fn match_order(
        &self,
        kind: &OrderKind,
        buy: bool,
        triggered: bool,
        trail_level: f64,
        bar: &BarPrices,
    ) -> (Option<Match>, bool) {
        match_order(kind, buy, triggered, trail_level, bar)
    }
}

/// How an order of `kind` matches `bar`. `triggered` says a stop's stop was reached on an
/// earlier bar (a partly filled stop then fills as a market order, a stop-limit as its
/// limit); `trail_level` is a trailing stop's level before this bar. Returns the match,
/// and whether a stop-limit's stop triggered on this bar.
pub fn match_order(
    kind: &OrderKind,
    buy: bool,
    triggered: bool,
    trail_level: f64,
    bar: &BarPrices,
) -> (Option<Match>, bool) {
    match *kind {
        OrderKind::Stop { .. } | OrderKind::TrailingStop { .. } if triggered => {
            match_order(&OrderKind::Market, buy, false, trail_level, bar)
        }
        OrderKind::Market => (
            Some(Match {
                price: bar.open,
                at_open: true,
                marketable: true,
            }),
            false,
        ),
        OrderKind::Limit { limit } => (limit_match(limit, buy, bar), false),
        OrderKind::Stop { stop } => (stop_match(stop, buy, bar), false),
        OrderKind::TrailingStop { .. } => (stop_match(trail_level, buy, bar), false),
        OrderKind::StopLimit { stop, limit } => {
            if triggered {
                return (limit_match(limit, buy, bar), false);
            }
            match stop_match(stop, buy, bar) {
                None => (None, false),
                Some(t) => {
                    let within = if buy {
                        t.price <= limit
                    } else {
                        t.price >= limit
                    };
                    let m = within.then_some(Match {
                        marketable: false,
                        ..t
                    });
                    (m, true)
                }
            }
        }
    }
}

/// Of several matching exits of one position (a one-cancels-other group), the one that
/// fills: a fill at the open first; then the rule; among stops, the one nearest the open.
pub fn pick_exit(
    candidates: &[(usize, ExitClass, Match)],
    rule: IntrabarPriority,
    open: f64,
) -> Option<usize> {
    let rank = |c: &(usize, ExitClass, Match)| {
        let class_rank = match (c.1, rule) {
            (ExitClass::Stop, IntrabarPriority::StopFirst)
            | (ExitClass::Target, IntrabarPriority::TargetFirst) => 0,
            (ExitClass::Other, _) => 1,
            _ => 2,
        };
        (
            if c.2.at_open { 0 } else { 1 },
            class_rank,
            (c.2.price - open).abs(),
        )
    };
    candidates
        .iter()
        .min_by(|a, b| {
            let (ra, rb) = (rank(a), rank(b));
            (ra.0, ra.1).cmp(&(rb.0, rb.1)).then(ra.2.total_cmp(&rb.2))
        })
        .map(|c| c.0)
}

/// Moves a marketable fill price against the trader by `slip` (a price amount), capped at
/// the bar's range.
#[inline]
pub fn slipped(price: f64, slip: f64, buy: bool, bar: &BarPrices) -> f64 {
    if buy {
        (price + slip).min(bar.high.max(price))
    } else {
        (price - slip).max(bar.low.min(price))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64) -> BarPrices {
        BarPrices {
            open: o,
            high: h,
            low: l,
            close: c,
            volume: 1000.0,
        }
    }

    #[test]
    fn stop_limit_gap_beyond_limit_rests() {
        let k = OrderKind::StopLimit {
            stop: 100.0,
            limit: 101.0,
        };
        let (m, trig) = match_order(&k, true, false, f64::NAN, &bar(103.0, 104.0, 100.5, 102.0));
        assert!(m.is_none() && trig);
        let (m, _) = match_order(&k, true, true, f64::NAN, &bar(102.0, 103.0, 100.5, 102.0));
        assert_eq!(m.map(|m| m.price), Some(101.0));
    }

    #[test]
    fn slippage_stays_in_the_bar() {
        let b = bar(100.0, 100.5, 99.0, 100.0);
        assert_eq!(slipped(100.0, 1.0, true, &b), 100.5);
        assert_eq!(slipped(100.0, 0.2, false, &b), 99.8);
        assert_eq!(slipped(100.0, 5.0, false, &b), 99.0);
    }
}

//! A consolidated best bid and offer (NBBO) from per-venue quotes, and the day's trades
//! measured against it.
//!
//! * Each venue's top of book is its latest non-zero bid and latest non-zero ask (a row
//!   with a zero price on one side leaves that side as it was).
//! * The NBBO after a quote event is the highest venue bid and the lowest venue ask.
//! * A quote event is `locked` when the NBBO bid equals the ask and `crossed` when the bid
//!   is above the ask (both sides present).
//! * Trades are taken in file order; before each trade every quote stamped at or before
//!   its millisecond is applied. A trade is outside the NBBO when its price is below the
//!   bid or above the ask in force; trades with no two-sided NBBO yet are counted apart.
//! * The time-weighted spread weights each NBBO (both sides present, locked and crossed
//!   included) by the milliseconds until the next quote event.
//!
//! Every row is used, suspicious ones included.

use serde::Serialize;

use crate::replay::lean::{QuoteTick, TradeTick};

/// What the replay of a day's quotes and trades found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NbboReport {
    /// Quote rows processed.
    pub quote_events: usize,
    /// Trade rows processed.
    pub trade_events: usize,
    /// Quote events after which the NBBO bid equals the ask.
    pub locked_events: usize,
    /// Quote events after which the NBBO bid is above the ask.
    pub crossed_events: usize,
    /// Trades priced below the NBBO bid or above the NBBO ask in force.
    pub trades_outside_nbbo: usize,
    /// Trades before a two-sided NBBO existed.
    pub trades_without_nbbo: usize,
    /// Venues seen in the quotes.
    pub venues: usize,
    /// Suspicious quote rows (included in every count).
    pub suspicious_quotes: usize,
    /// Suspicious trade rows (included in every count).
    pub suspicious_trades: usize,
    /// Time-weighted NBBO spread, in price units (dollars for deci-cent files).
    pub time_weighted_spread: f64,
    /// Milliseconds covered by the time weighting.
    pub two_sided_ms: i64,
}

/// Per-venue tops and the consolidated NBBO, updated one quote at a time.
#[derive(Clone, Debug, Default)]
pub struct Consolidated {
    venues: Vec<VenueTop>,
}

/// One venue's latest non-zero bid and ask, with their sizes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct VenueTop {
    venue: char,
    bid: i64,
    bid_size: i64,
    ask: i64,
    ask_size: i64,
}

impl Consolidated {
    /// Applies one venue quote (zero prices leave that side unchanged).
    pub fn apply(&mut self, q: &QuoteTick) {
        let i = match self.venues.iter().position(|v| v.venue == q.venue) {
            Some(i) => i,
            None => {
                self.venues.push(VenueTop {
                    venue: q.venue,
                    ..VenueTop::default()
                });
                self.venues.len() - 1
            }
        };
        let v = &mut self.venues[i];
        if q.bid != 0 {
            v.bid = q.bid;
            v.bid_size = q.bid_size;
        }
        if q.ask != 0 {
            v.ask = q.ask;
            v.ask_size = q.ask_size;
        }
    }

    /// Best bid and best ask over venues (None for a side no venue has quoted).
    pub fn nbbo(&self) -> (Option<i64>, Option<i64>) {
        let bid = self.venues.iter().map(|v| v.bid).filter(|b| *b != 0).max();
        let ask = self.venues.iter().map(|v| v.ask).filter(|a| *a != 0).min();
        (bid, ask)
    }

    /// Units shown at the NBBO bid and at the NBBO ask, summed over the venues there.
    pub fn nbbo_sizes(&self) -> (i64, i64) {
        let (bid, ask) = self.nbbo();
        let bid_size = bid.map_or(0, |b| {
            self.venues
                .iter()
                .filter(|v| v.bid == b)
                .map(|v| v.bid_size)
                .sum()
        });
        let ask_size = ask.map_or(0, |a| {
            self.venues
                .iter()
                .filter(|v| v.ask == a)
                .map(|v| v.ask_size)
                .sum()
        });
        (bid_size, ask_size)
    }

    /// Number of venues seen.
    pub fn venue_count(&self) -> usize {
        self.venues.len()
    }
}

/// Replays quotes and trades (both in time order) and measures them; `scale` converts
/// price units to the reported spread (10,000 for deci-cents to dollars).
pub fn replay(quotes: &[QuoteTick], trades: &[TradeTick], scale: f64) -> NbboReport {
    let mut book = Consolidated::default();
    let mut r = NbboReport {
        quote_events: quotes.len(),
        trade_events: trades.len(),
        suspicious_quotes: quotes.iter().filter(|q| q.suspicious).count(),
        suspicious_trades: trades.iter().filter(|t| t.suspicious).count(),
        ..Default::default()
    };
    let mut weighted = 0.0f64;
    let mut next_quote = 0;
    let mut apply_through =
        |ms: Option<i64>, book: &mut Consolidated, r: &mut NbboReport, weighted: &mut f64| {
            while next_quote < quotes.len() && ms.is_none_or(|m| quotes[next_quote].ms <= m) {
                let q = &quotes[next_quote];
                book.apply(q);
                if let (Some(b), Some(a)) = book.nbbo() {
                    r.locked_events += usize::from(b == a);
                    r.crossed_events += usize::from(b > a);
                    if let Some(next) = quotes.get(next_quote + 1) {
                        let dt = next.ms - q.ms;
                        *weighted += (a - b) as f64 * dt as f64;
                        r.two_sided_ms += dt;
                    }
                }
                next_quote += 1;
            }
        };
    for t in trades {
        apply_through(Some(t.ms), &mut book, &mut r, &mut weighted);
        match book.nbbo() {
            (Some(b), Some(a)) => r.trades_outside_nbbo += usize::from(t.price < b || t.price > a),
            _ => r.trades_without_nbbo += 1,
        }
    }
    apply_through(None, &mut book, &mut r, &mut weighted);
    r.venues = book.venue_count();
    if r.two_sided_ms > 0 {
        r.time_weighted_spread = weighted / r.two_sided_ms as f64 / scale;
    }
    r
}

/// After each quote event with both sides present: the NBBO spread (price units divided
/// by `scale`) and the units shown at the NBBO bid and ask.
pub fn spreads(quotes: &[QuoteTick], scale: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut book = Consolidated::default();
    let (mut spread, mut bid_size, mut ask_size) = (Vec::new(), Vec::new(), Vec::new());
    for q in quotes {
        book.apply(q);
        if let (Some(b), Some(a)) = book.nbbo() {
            spread.push((a - b) as f64 / scale);
            let (bs, asz) = book.nbbo_sizes();
            bid_size.push(bs as f64);
            ask_size.push(asz as f64);
        }
    }
    (spread, bid_size, ask_size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(ms: i64, venue: char, bid: i64, ask: i64) -> QuoteTick {
        QuoteTick {
            ms,
            bid,
            bid_size: 1,
            ask,
            ask_size: 1,
            venue,
            suspicious: false,
        }
    }

    fn t(ms: i64, price: i64) -> TradeTick {
        TradeTick {
            ms,
            price,
            qty: 100,
            venue: 'N',
            suspicious: false,
        }
    }

    #[test]
    fn by_hand() {
        let quotes = [
            q(0, 'N', 100, 0),
            q(0, 'N', 0, 104),  // N: 100 x 104
            q(10, 'P', 102, 0), // NBBO 102 x 104
            q(20, 'P', 0, 102), // P ask 102: locked
            q(30, 'Q', 103, 0), // Q bid 103 > 102: crossed
            q(40, 'P', 0, 105), // P ask 105: NBBO 103 x 104
        ];
        let trades = [t(0, 99), t(15, 101), t(40, 104), t(41, 106)];
        let r = replay(&quotes, &trades, 1.0);
        let (spread, bid_size, _) = spreads(&quotes, 1.0);
        assert_eq!(spread.len(), 5);
        // After the last quote: bid 103 at Q (size 1).
        assert_eq!(bid_size.last(), Some(&1.0));
        assert_eq!((r.quote_events, r.trade_events, r.venues), (6, 4, 3));
        assert_eq!((r.locked_events, r.crossed_events), (1, 1));
        // 99 < 100 at ms 0 (both ms-0 quotes applied first); 101 is inside 102 x 104? No:
        // 101 < 102, outside; 104 at the ask is inside; 106 > 104 outside.
        assert_eq!((r.trades_outside_nbbo, r.trades_without_nbbo), (3, 0));
        // Spreads: 4 for 0 ms (0 -> 0), 4 for 10 ms, 2 for 10, 0 for 10, -1 for 10, then the last.
        let expected = (4.0 * 10.0 + 2.0 * 10.0 + 0.0 * 10.0 - 10.0) / 40.0;
        assert!((r.time_weighted_spread - expected).abs() < 1e-12);
    }
}

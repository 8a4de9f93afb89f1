//! Tardis.dev CSV files: book snapshots in wide layout (`exchange,symbol,timestamp,
//! local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,...`) and
//! incremental L2 (`exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,
//! amount`, amount 0 deletes). Timestamps are epoch microseconds.

use std::path::Path;

use serde::Serialize;

use crate::error::BookError;
use crate::level_book::{BookSide, LevelBook};
use crate::replay::for_each_record;
use crate::replay::stats::Distribution;

/// What a replay of a Tardis file found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TardisReport {
    /// Rows read.
    pub rows: usize,
    /// Spread of each snapshot (or after each update), in price units.
    pub spread: Distribution,
    /// Quantity on the best 5 bid levels, per snapshot or update.
    pub bid_depth_5: Distribution,
    /// Quantity on the best 5 ask levels.
    pub ask_depth_5: Distribution,
    /// Book states with the bid at or above the ask.
    pub crossed: usize,
    /// Rows per second of exchange time (0 when all share one timestamp).
    pub updates_per_second: f64,
    /// Bid and ask levels at the end.
    pub final_levels: (usize, usize),
}

fn header(path: &Path) -> Result<Vec<String>, BookError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| BookError::Data {
        path: path.display().to_string(),
        line: 1,
        message: e.to_string(),
    })?;
    let h = r.headers().map_err(|e| BookError::Data {
        path: path.display().to_string(),
        line: 1,
        message: e.to_string(),
    })?;
    Ok(h.iter().map(|s| s.trim().to_string()).collect())
}

/// True for a Tardis wide snapshot header.
pub fn is_snapshot_file(cols: &[String]) -> bool {
    cols.get(4).is_some_and(|c| c == "asks[0].price")
}

/// True for a Tardis incremental L2 header.
pub fn is_incremental_file(cols: &[String]) -> bool {
    cols.get(4).is_some_and(|c| c == "is_snapshot")
}

fn measure(
    report: &mut TardisReport,
    book: &LevelBook,
    spreads: &mut Vec<f64>,
    bids: &mut Vec<f64>,
    asks: &mut Vec<f64>,
) {
    if let Some(s) = book.spread() {
        spreads.push(s);
    }
    report.crossed += usize::from(book.is_crossed());
    let (b, a) = book.depth(5);
    bids.push(b);
    asks.push(a);
}

/// Replays a Tardis snapshot or incremental file.
pub fn replay(path: &Path) -> Result<TardisReport, BookError> {
    let cols = header(path)?;
    let snapshots = is_snapshot_file(&cols);
    if !snapshots && !is_incremental_file(&cols) {
        return Err(BookError::Data {
            path: path.display().to_string(),
            line: 1,
            message: "not a Tardis book_snapshot or incremental_book_L2 header".into(),
        });
    }
    let mut report = TardisReport::default();
    let (mut spreads, mut bids, mut asks) = (Vec::new(), Vec::new(), Vec::new());
    let mut book = LevelBook::new();
    let (mut first_ts, mut last_ts) = (None, 0i64);
    for_each_record(
        crate::replay::open(path)?,
        &path.display().to_string(),
        true,
        |_, r| {
            report.rows += 1;
            let ts: i64 = crate::replay::field(r, 2, "timestamp")?;
            first_ts.get_or_insert(ts);
            last_ts = ts;
            if snapshots {
                book.clear();
                let mut i = 4;
                while i + 3 < r.len().max(4) + 1 && i + 3 < cols.len() + 1 {
                    for (k, side) in [(0, BookSide::Ask), (2, BookSide::Bid)] {
                        let p = r.get(i + k).unwrap_or("").trim();
                        let q = r.get(i + k + 1).unwrap_or("").trim();
                        if p.is_empty() {
                            continue;
                        }
                        let price: f64 = p.parse().map_err(|_| format!("`{p}` is not a price"))?;
                        let qty: f64 = q.parse().map_err(|_| format!("`{q}` is not an amount"))?;
                        book.set(side, price, qty);
                    }
                    i += 4;
                }
            } else {
                let side = match r.get(5).map(str::trim) {
                    Some("bid") => BookSide::Bid,
                    Some("ask") => BookSide::Ask,
                    other => {
                        return Err(format!(
                            "side `{}` is neither bid nor ask",
                            other.unwrap_or("")
                        ))
                    }
                };
                book.set(
                    side,
                    crate::replay::field(r, 6, "price")?,
                    crate::replay::field(r, 7, "amount")?,
                );
            }
            measure(&mut report, &book, &mut spreads, &mut bids, &mut asks);
            Ok(())
        },
    )?;
    report.spread = Distribution::of(&spreads);
    report.bid_depth_5 = Distribution::of(&bids);
    report.ask_depth_5 = Distribution::of(&asks);
    let span = (last_ts - first_ts.unwrap_or(last_ts)) as f64 / 1e6;
    report.updates_per_second = if span > 0.0 {
        report.rows as f64 / span
    } else {
        0.0
    };
    report.final_levels = book.levels();
    Ok(report)
}

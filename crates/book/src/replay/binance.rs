//! Binance USD-M futures depth files (`symbol,timestamp,first_update_id,last_update_id,
//! side,update_type,price,qty,pu`): a snapshot (`update_type` snap) and incremental
//! updates (`set`, quantity 0 deletes the level).
//!
//! Sequencing, as Binance documents it: updates with `last_update_id` at or below the
//! snapshot's are stale; the first update applied must have `first_update_id <=
//! snapshot + 1 <= last_update_id`; after it, each update's `pu` must equal the previous
//! update's `last_update_id`. Anything else is a gap: reported, and no book is built.

use std::path::Path;

use serde::Serialize;

use crate::error::BookError;
use crate::level_book::{BookSide, LevelBook};
use crate::replay::{field, for_each_record, open};

/// One row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepthRow {
    /// Epoch milliseconds.
    pub timestamp: i64,
    /// First update id of the batch.
    pub first_update_id: u64,
    /// Last update id of the batch.
    pub last_update_id: u64,
    /// Bid or ask.
    pub side: BookSide,
    /// `snap` or `set`.
    pub snapshot: bool,
    /// Price.
    pub price: f64,
    /// Quantity (0 deletes).
    pub qty: f64,
    /// The previous batch's last update id (-1 in snapshots).
    pub previous: i64,
}

/// Reads a depth file (with its header).
pub fn read_depth(path: &Path) -> Result<Vec<DepthRow>, BookError> {
    parse_depth(open(path)?, &path.display().to_string())
}

/// [`read_depth`] from any reader (`name` is used in errors).
pub fn parse_depth(input: impl std::io::Read, name: &str) -> Result<Vec<DepthRow>, BookError> {
    let mut out = Vec::new();
    for_each_record(input, name, true, |_, r| {
        if r.len() != 9 {
            return Err(format!("{} fields, expected 9", r.len()));
        }
        let side = match r.get(4).map(str::trim) {
            Some("b") => BookSide::Bid,
            Some("a") => BookSide::Ask,
            other => return Err(format!("side `{}` is neither b nor a", other.unwrap_or(""))),
        };
        let qty: f64 = field(r, 7, "qty")?;
        let price: f64 = field(r, 6, "price")?;
        if !(price.is_finite() && price > 0.0 && qty.is_finite() && qty >= 0.0) {
            return Err(format!(
                "price {price} and qty {qty} must be positive (qty may be 0)"
            ));
        }
        out.push(DepthRow {
            timestamp: field(r, 1, "timestamp")?,
            first_update_id: field(r, 2, "first_update_id")?,
            last_update_id: field(r, 3, "last_update_id")?,
            side,
            snapshot: r.get(5).map(str::trim) == Some("snap"),
            price,
            qty,
            previous: field(r, 8, "pu")?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Builds the book from a snapshot and applies updates, checking the sequence.
pub fn build(snapshot: &[DepthRow], updates: &[DepthRow]) -> Result<LevelBook, BookError> {
    let mut book = LevelBook::new();
    let snap_id = snapshot
        .iter()
        .map(|r| r.last_update_id)
        .max()
        .ok_or_else(|| BookError::Sequence("the snapshot is empty".into()))?;
    for r in snapshot {
        book.set(r.side, r.price, r.qty);
    }
    let mut previous: Option<u64> = None;
    for r in updates.iter().filter(|r| r.last_update_id > snap_id) {
        match previous {
            None if r.first_update_id > snap_id + 1 => {
                return Err(BookError::Sequence(format!(
                    "the first update covers ids {}..{} but the snapshot ends at {snap_id}: {} ids are missing; fetch a new snapshot",
                    r.first_update_id,
                    r.last_update_id,
                    r.first_update_id - snap_id - 1
                )))
            }
            Some(last) if r.last_update_id != last && r.previous != last as i64 => {
                return Err(BookError::Sequence(format!(
                    "update {}..{} follows {} but the previous batch ended at {last}",
                    r.first_update_id, r.last_update_id, r.previous
                )))
            }
            _ => {}
        }
        book.set(r.side, r.price, r.qty);
        previous = Some(r.last_update_id);
    }
    Ok(book)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        first: u64,
        last: u64,
        prev: i64,
        side: BookSide,
        price: f64,
        qty: f64,
        snapshot: bool,
    ) -> DepthRow {
        DepthRow {
            timestamp: 0,
            first_update_id: first,
            last_update_id: last,
            side,
            snapshot,
            price,
            qty,
            previous: prev,
        }
    }

    #[test]
    fn chains_or_reports_the_gap() {
        let snap = vec![
            row(10, 10, -1, BookSide::Bid, 100.0, 1.0, true),
            row(10, 10, -1, BookSide::Ask, 101.0, 1.0, true),
        ];
        let ok = vec![
            row(5, 9, 4, BookSide::Bid, 99.0, 9.0, false), // stale, dropped
            row(9, 12, 8, BookSide::Ask, 101.0, 0.0, false),
            row(13, 15, 12, BookSide::Ask, 102.0, 2.0, false),
        ];
        let b = build(&snap, &ok).expect("chained");
        assert_eq!(b.best_ask(), Some((102.0, 2.0)));
        assert_eq!(b.levels(), (1, 1));
        let gap = vec![row(20, 25, 19, BookSide::Bid, 99.0, 1.0, false)];
        let e = build(&snap, &gap).expect_err("gap");
        assert!(e.to_string().contains("9 ids are missing"), "{e}");
        let broken = vec![
            row(9, 12, 8, BookSide::Ask, 101.0, 0.0, false),
            row(14, 15, 13, BookSide::Ask, 102.0, 2.0, false),
        ];
        assert!(build(&snap, &broken).is_err());
    }
}

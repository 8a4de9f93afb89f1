//! QuantConnect (Lean) equity files: no header; the first field is milliseconds since
//! midnight of the file's date; prices are in deci-cents (1/10,000 of a dollar), which are
//! used directly as integer ticks.

use std::path::Path;

use serde::Serialize;

use crate::error::BookError;
use crate::replay::{field, for_each_record, open};

/// One quote tick: a bid or an ask (the other side is zero) from one venue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteTick {
    /// Milliseconds since midnight.
    pub ms: i64,
    /// Bid in deci-cents (0 when this row is an ask).
    pub bid: i64,
    /// Bid size.
    pub bid_size: i64,
    /// Ask in deci-cents (0 when this row is a bid).
    pub ask: i64,
    /// Ask size.
    pub ask_size: i64,
    /// Venue code (N, Q, T, P, ...).
    pub venue: char,
    /// Flagged suspicious by the vendor.
    pub suspicious: bool,
}

/// One trade tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TradeTick {
    /// Milliseconds since midnight.
    pub ms: i64,
    /// Price in deci-cents.
    pub price: i64,
    /// Units.
    pub qty: i64,
    /// Venue code.
    pub venue: char,
    /// Flagged suspicious by the vendor.
    pub suspicious: bool,
}

/// One minute of best bid and ask (open, high, low, close of each side).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteBar {
    /// Milliseconds since midnight (start of the minute).
    pub ms: i64,
    /// Bid close in deci-cents.
    pub bid_close: i64,
    /// Last bid size.
    pub bid_size: i64,
    /// Ask close in deci-cents.
    pub ask_close: i64,
    /// Last ask size.
    pub ask_size: i64,
}

fn venue(r: &csv::StringRecord, i: usize) -> Result<char, String> {
    r.get(i)
        .and_then(|v| v.trim().chars().next())
        .ok_or_else(|| format!("field {} (exchange) is empty", i + 1))
}

fn flag(r: &csv::StringRecord, i: usize) -> Result<bool, String> {
    Ok(field::<i64>(r, i, "suspicious")? != 0)
}

/// Reads `ms,bid,bid_size,ask,ask_size,exchange,condition,suspicious` rows.
pub fn read_quote_ticks(path: &Path) -> Result<Vec<QuoteTick>, BookError> {
    parse_quote_ticks(open(path)?, &path.display().to_string())
}

/// [`read_quote_ticks`] from any reader (`name` is used in errors).
pub fn parse_quote_ticks(
    input: impl std::io::Read,
    name: &str,
) -> Result<Vec<QuoteTick>, BookError> {
    let mut out = Vec::new();
    for_each_record(input, name, false, |_, r| {
        if r.len() != 8 {
            return Err(format!("{} fields, expected 8 (ms,bid,bid_size,ask,ask_size,exchange,condition,suspicious)", r.len()));
        }
        out.push(QuoteTick {
            ms: field(r, 0, "ms")?,
            bid: field(r, 1, "bid")?,
            bid_size: field(r, 2, "bid_size")?,
            ask: field(r, 3, "ask")?,
            ask_size: field(r, 4, "ask_size")?,
            venue: venue(r, 5)?,
            suspicious: flag(r, 7)?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Reads `ms,price,quantity,exchange,sale_condition,suspicious` rows.
pub fn read_trade_ticks(path: &Path) -> Result<Vec<TradeTick>, BookError> {
    parse_trade_ticks(open(path)?, &path.display().to_string())
}

/// [`read_trade_ticks`] from any reader (`name` is used in errors).
pub fn parse_trade_ticks(
    input: impl std::io::Read,
    name: &str,
) -> Result<Vec<TradeTick>, BookError> {
    let mut out = Vec::new();
    for_each_record(input, name, false, |_, r| {
        if r.len() != 6 {
            return Err(format!(
                "{} fields, expected 6 (ms,price,quantity,exchange,sale_condition,suspicious)",
                r.len()
            ));
        }
        out.push(TradeTick {
            ms: field(r, 0, "ms")?,
            price: field(r, 1, "price")?,
            qty: field(r, 2, "quantity")?,
            venue: venue(r, 3)?,
            suspicious: flag(r, 5)?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Reads minute quote bars `ms,bid_open,bid_high,bid_low,bid_close,last_bid_size,
/// ask_open,ask_high,ask_low,ask_close,last_ask_size`.
pub fn read_quote_bars(path: &Path) -> Result<Vec<QuoteBar>, BookError> {
    parse_quote_bars(open(path)?, &path.display().to_string())
}

/// [`read_quote_bars`] from any reader (`name` is used in errors).
pub fn parse_quote_bars(input: impl std::io::Read, name: &str) -> Result<Vec<QuoteBar>, BookError> {
    let mut out = Vec::new();
    for_each_record(input, name, false, |_, r| {
        if r.len() != 11 {
            return Err(format!(
                "{} fields, expected 11 (a minute quote bar)",
                r.len()
            ));
        }
        out.push(QuoteBar {
            ms: field(r, 0, "ms")?,
            bid_close: field(r, 4, "bid_close")?,
            bid_size: field(r, 5, "last_bid_size")?,
            ask_close: field(r, 9, "ask_close")?,
            ask_size: field(r, 10, "last_ask_size")?,
        });
        Ok(())
    })?;
    Ok(out)
}

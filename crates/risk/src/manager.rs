//! The risk manager: drawdown zones, daily loss limit, portfolio heat, pre-trade
//! validation, and positions with their stops.
//!
//! * Equity = cash + sum of signed quantity x last price. Opening a position moves its
//!   notional out of cash (a short adds it).
//! * Drawdown = 1 - equity / peak equity. The zone in force is the one with the largest
//!   `from_drawdown` at or below the current drawdown; its `risk_multiplier` scales new
//!   risk, and `halt` blocks new trades.
//! * Daily loss = 1 - equity / equity at the end of the previous day.
//! * Heat = sum over open positions of quantity x the distance from the last price to the
//!   protective stop (0 for a position already beyond its stop, or without a stop), as a
//!   fraction of equity.
//!
//! Pre-trade checks, all run, every failure reported with its reason:
//!
//! | check | fails when |
//! |---|---|
//! | `valid_prices` | the price or stop is not a positive number, or the stop is on the wrong side |
//! | `position_side` | the symbol is open on the other side (close it first) |
//! | `balance` | a long's notional exceeds cash |
//! | `position_limit` | notional exceeds `max_position_fraction` x equity |
//! | `confidence` | the trade's confidence is below `min_confidence` |
//! | `drawdown_zone` | the zone in force halts trading |
//! | `heat` | heat after the trade (the symbol's position marked at the trade's price, keeping its stop unless the trade brings one) would exceed `max_heat` |
//! | `daily_loss` | today's loss has reached `daily_loss_limit` |

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use oxfolio_core::time::{day_number, format_timestamp, Timestamp};

use crate::error::{fraction, positive, RiskError};
use crate::sizing::{Side, Size, SizerConfig, SizingRequest};
use crate::stops::{Bar, ExitReason, PositionStops, StopConfig};

/// One drawdown zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Name (normal, caution, alert, emergency).
    pub name: String,
    /// The zone starts at this drawdown from peak (0.05 = 5%).
    pub from_drawdown: f64,
    /// Multiplier applied to new risk in this zone.
    pub risk_multiplier: f64,
    /// No new trades in this zone.
    #[serde(default)]
    pub halt: bool,
}

/// The default zones: normal from 0, caution from 5%, alert from 10%, emergency (halt) from 15%.
pub fn default_zones() -> Vec<Zone> {
    let z = |name: &str, from: f64, m: f64, halt: bool| Zone {
        name: name.into(),
        from_drawdown: from,
        risk_multiplier: m,
        halt,
    };
    vec![
        z("normal", 0.0, 1.0, false),
        z("caution", 0.05, 0.75, false),
        z("alert", 0.10, 0.5, false),
        z("emergency", 0.15, 0.0, true),
    ]
}

/// Portfolio-level limits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioLimits {
    /// Largest heat, as a fraction of equity.
    #[serde(default = "default_heat", alias = "max_portfolio_heat")]
    pub max_heat: f64,
    /// Largest loss in one day, as a fraction of the previous day's equity.
    #[serde(default = "default_daily_loss", alias = "daily_loss_limit_pct")]
    pub daily_loss_limit: f64,
    /// Largest position value, as a fraction of equity.
    #[serde(default = "default_position")]
    pub max_position_fraction: f64,
    /// Smallest model confidence to trade (0 = any).
    #[serde(default)]
    pub min_confidence: f64,
}

fn default_heat() -> f64 {
    0.06
}
fn default_daily_loss() -> f64 {
    0.03
}
fn default_position() -> f64 {
    0.2
}

impl Default for PortfolioLimits {
    fn default() -> Self {
        PortfolioLimits {
            max_heat: default_heat(),
            daily_loss_limit: default_daily_loss(),
            max_position_fraction: default_position(),
            min_confidence: 0.0,
        }
    }
}

/// A trade to validate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposedTrade {
    /// Symbol.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Units (> 0).
    pub quantity: f64,
    /// Expected fill price.
    pub price: f64,
    /// Protective stop, if any.
    #[serde(default)]
    pub stop: Option<f64>,
    /// Model confidence, if any.
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// One failed pre-trade check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckFailure {
    /// The check's name (see the module table).
    pub check: &'static str,
    /// Why, with the numbers.
    pub reason: String,
}

/// The outcome of pre-trade validation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Validation {
    /// True when no check failed.
    pub approved: bool,
    /// Every failed check.
    pub failures: Vec<CheckFailure>,
}

/// An open position.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Position {
    /// Symbol.
    pub symbol: String,
    /// Signed quantity (negative = short).
    pub quantity: f64,
    /// Entry price.
    pub entry: f64,
    /// Entry date.
    pub entry_date: String,
    /// Last price seen.
    pub last: f64,
    /// Its stops.
    pub stops: PositionStops,
}

/// A closed position.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClosedTrade {
    /// Symbol.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Units.
    pub quantity: f64,
    /// Entry price.
    pub entry: f64,
    /// Exit price.
    pub exit: f64,
    /// Entry date.
    pub entry_date: String,
    /// Exit date.
    pub exit_date: String,
    /// Profit or loss.
    pub pnl: f64,
    /// Why it closed.
    pub reason: ExitReason,
}

/// A snapshot of the manager's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Equity.
    pub equity: f64,
    /// Cash.
    pub cash: f64,
    /// Drawdown from peak (positive fraction).
    pub drawdown: f64,
    /// Zone in force.
    pub zone: String,
    /// Risk multiplier of the zone.
    pub risk_multiplier: f64,
    /// Heat as a fraction of equity.
    pub heat: f64,
    /// Open positions.
    pub open_positions: usize,
    /// Closed trades.
    pub closed_trades: usize,
    /// Sum of closed trades' PnL.
    pub realized_pnl: f64,
    /// Winning closed trades over closed trades.
    pub win_rate: Option<f64>,
}

/// The risk manager's state. See the module docs for the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskManager {
    limits: PortfolioLimits,
    zones: Vec<Zone>,
    stops: StopConfig,
    cash: f64,
    peak: f64,
    previous_close_equity: f64,
    day: Option<i64>,
    positions: BTreeMap<String, Position>,
    closed: Vec<ClosedTrade>,
}

impl RiskManager {
    /// A manager with `initial_cash` and no positions. Zones are sorted by their start.
    pub fn new(
        initial_cash: f64,
        limits: PortfolioLimits,
        zones: Vec<Zone>,
        stops: StopConfig,
    ) -> Result<Self, RiskError> {
        positive("initial_cash", initial_cash)?;
        fraction("max_heat", limits.max_heat)?;
        fraction("daily_loss_limit", limits.daily_loss_limit)?;
        fraction("max_position_fraction", limits.max_position_fraction)?;
        fraction("min_confidence", limits.min_confidence)?;
        stops.validate()?;
        let mut zones = zones;
        if zones.is_empty() {
            zones = default_zones();
        }
        for z in &zones {
            fraction(&format!("zone {} from_drawdown", z.name), z.from_drawdown)?;
            crate::error::non_negative(
                &format!("zone {} risk_multiplier", z.name),
                z.risk_multiplier,
            )?;
        }
        zones.sort_by(|a, b| a.from_drawdown.total_cmp(&b.from_drawdown));
        Ok(RiskManager {
            limits,
            zones,
            stops,
            cash: initial_cash,
            peak: initial_cash,
            previous_close_equity: initial_cash,
            day: None,
            positions: BTreeMap::new(),
            closed: Vec::new(),
        })
    }

    /// Cash plus marked positions.
    pub fn equity(&self) -> f64 {
        self.cash
            + self
                .positions
                .values()
                .map(|p| p.quantity * p.last)
                .sum::<f64>()
    }

    /// Drawdown from peak equity (0 at a peak, positive below it).
    pub fn drawdown(&self) -> f64 {
        (1.0 - self.equity() / self.peak).max(0.0)
    }

    /// The zone in force.
    pub fn zone(&self) -> &Zone {
        let dd = self.drawdown();
        // Zones are sorted and non-empty; the first applies at least from 0.
        self.zones
            .iter()
            .rev()
            // A drawdown equal to a zone's start (up to rounding) is in that zone.
            .find(|z| dd >= z.from_drawdown - 1e-12)
            .unwrap_or(&self.zones[0])
    }

    /// Money at risk to the stops, as a fraction of equity.
    pub fn heat(&self) -> f64 {
        let money: f64 = self.positions.values().map(position_heat).sum();
        money / self.equity()
    }

    /// Open positions by symbol.
    pub fn positions(&self) -> &BTreeMap<String, Position> {
        &self.positions
    }

    /// Closed trades so far.
    pub fn closed_trades(&self) -> &[ClosedTrade] {
        &self.closed
    }

    fn roll_day(&mut self, date: Timestamp) {
        let d = day_number(date);
        if self.day.is_some_and(|cur| cur != d) {
            self.previous_close_equity = self.equity();
        }
        self.day = Some(d);
    }

    fn update_peak(&mut self) {
        self.peak = self.peak.max(self.equity());
    }

    /// Runs every pre-trade check and reports each failure. A position already open in
    /// the symbol is first marked at the trade's price, as opening would.
    pub fn validate(&self, trade: &ProposedTrade) -> Validation {
        let mut failures = Vec::new();
        let mut fail =
            |check: &'static str, reason: String| failures.push(CheckFailure { check, reason });
        let prices_ok = trade.price.is_finite()
            && trade.price > 0.0
            && trade.quantity.is_finite()
            && trade.quantity > 0.0;
        // Opening marks a position already open in the symbol at the trade's price.
        let existing = self.positions.get(&trade.symbol);
        let remark = match (existing, prices_ok) {
            (Some(p), true) => p.quantity * (trade.price - p.last),
            _ => 0.0,
        };
        let equity = self.equity() + remark;
        if !prices_ok {
            fail(
                "valid_prices",
                format!(
                    "price {} and quantity {} must be positive numbers",
                    trade.price, trade.quantity
                ),
            );
        }
        if let Some(stop) = trade.stop {
            if !(stop.is_finite() && stop > 0.0) {
                fail(
                    "valid_prices",
                    format!("stop {stop} is not a positive number"),
                );
            } else if prices_ok && (trade.price - stop) * trade.side.sign() <= 0.0 {
                fail(
                    "valid_prices",
                    format!(
                        "stop {stop} is on the wrong side of the price {} for a {} trade",
                        trade.price,
                        trade.side.name()
                    ),
                );
            }
        }
        let opposite = existing.is_some_and(|p| p.quantity.signum() != trade.side.sign());
        if opposite {
            fail(
                "position_side",
                format!(
                    "`{}` is open on the other side; close it first",
                    trade.symbol
                ),
            );
        }
        let notional = trade.quantity * trade.price;
        if prices_ok {
            if trade.side == Side::Long && notional > self.cash {
                fail(
                    "balance",
                    format!("notional {notional:.2} exceeds cash {:.2}", self.cash),
                );
            }
            let cap = self.limits.max_position_fraction * equity;
            let held = existing.map_or(0.0, |p| p.quantity) + trade.side.sign() * trade.quantity;
            let after = (held * trade.price).abs();
            if after > cap {
                fail(
                    "position_limit",
                    format!(
                        "position value {after:.2} would exceed {:.0}% of equity ({cap:.2})",
                        self.limits.max_position_fraction * 100.0
                    ),
                );
            }
        }
        if let Some(c) = trade.confidence {
            if c.is_nan() || c < self.limits.min_confidence {
                fail(
                    "confidence",
                    format!(
                        "confidence {c} is below the minimum {}",
                        self.limits.min_confidence
                    ),
                );
            }
        }
        let zone = self.zone();
        if zone.halt {
            fail(
                "drawdown_zone",
                format!(
                    "zone `{}` (drawdown {:.2}%) halts new trades",
                    zone.name,
                    self.drawdown() * 100.0
                ),
            );
        }
        if prices_ok && !opposite {
            let symbol_heat = match self.position_after(trade, String::new()) {
                Ok(after) => position_heat(&after),
                // The trade's stop is invalid (reported above): judge the heat already held.
                Err(_) => existing.map_or(0.0, |p| {
                    position_heat(&Position {
                        last: trade.price,
                        ..p.clone()
                    })
                }),
            };
            let others: f64 = self
                .positions
                .values()
                .filter(|p| p.symbol != trade.symbol)
                .map(position_heat)
                .sum();
            let heat = others + symbol_heat;
            let cap = self.limits.max_heat * equity;
            if heat > cap {
                fail(
                    "heat",
                    format!(
                        "heat would be {heat:.2} ({:.2}% of equity), above the cap {cap:.2}",
                        heat / equity * 100.0
                    ),
                );
            }
        }
        let daily_loss = 1.0 - equity / self.previous_close_equity;
        if daily_loss >= self.limits.daily_loss_limit {
            fail(
                "daily_loss",
                format!(
                    "today's loss {:.2}% has reached the limit {:.2}%",
                    daily_loss * 100.0,
                    self.limits.daily_loss_limit * 100.0
                ),
            );
        }
        Validation {
            approved: failures.is_empty(),
            failures,
        }
    }

    /// The position in the trade's symbol after the trade, as [`RiskManager::open`]
    /// leaves it: quantities add up, the entry is the average, the price is the trade's,
    /// and the protective stop is the trade's own or else the one already in force.
    fn position_after(
        &self,
        trade: &ProposedTrade,
        entry_date: String,
    ) -> Result<Position, RiskError> {
        let signed = trade.side.sign() * trade.quantity;
        match self.positions.get(&trade.symbol) {
            Some(p) if p.quantity.signum() != trade.side.sign() => Err(RiskError::Position(
                trade.symbol.clone(),
                "is open on the other side; close it first".into(),
            )),
            Some(p) => {
                let quantity = p.quantity + signed;
                let entry = (p.entry * p.quantity + trade.price * signed) / quantity;
                // A new stop is checked against the price it is set at (it may lie beyond
                // the average entry, locking in profit); levels then carry the average entry.
                let stops = match trade.stop {
                    Some(stop) => PositionStops::carried(
                        &PositionStops::new(trade.side, trade.price, Some(stop), &self.stops)?,
                        entry,
                    )?,
                    None => PositionStops::carried(&p.stops, entry)?,
                };
                Ok(Position {
                    symbol: p.symbol.clone(),
                    quantity,
                    entry,
                    entry_date: p.entry_date.clone(),
                    last: trade.price,
                    stops,
                })
            }
            None => Ok(Position {
                symbol: trade.symbol.clone(),
                quantity: signed,
                entry: trade.price,
                entry_date,
                last: trade.price,
                stops: PositionStops::new(trade.side, trade.price, trade.stop, &self.stops)?,
            }),
        }
    }

    /// Validates and, if approved, opens (or adds to) a position at the trade's price.
    pub fn open(
        &mut self,
        trade: &ProposedTrade,
        date: Timestamp,
    ) -> Result<Validation, RiskError> {
        self.roll_day(date);
        let v = self.validate(trade);
        if !v.approved {
            return Ok(v);
        }
        let position = self.position_after(trade, format_timestamp(date))?;
        self.cash -= trade.side.sign() * trade.quantity * trade.price;
        self.positions.insert(trade.symbol.clone(), position);
        self.update_peak();
        Ok(v)
    }

    /// Closes a position at `price`.
    pub fn close(
        &mut self,
        symbol: &str,
        price: f64,
        date: Timestamp,
        reason: ExitReason,
    ) -> Result<ClosedTrade, RiskError> {
        positive("price", price)?;
        let p = self
            .positions
            .remove(symbol)
            .ok_or_else(|| RiskError::Position(symbol.into(), "is not open".into()))?;
        self.cash += p.quantity * price;
        let trade = ClosedTrade {
            symbol: p.symbol,
            side: p.stops.side,
            quantity: p.quantity.abs(),
            entry: p.entry,
            exit: price,
            entry_date: p.entry_date,
            exit_date: format_timestamp(date),
            pnl: p.quantity * (price - p.entry),
            reason,
        };
        self.closed.push(trade.clone());
        Ok(trade)
    }

    /// Processes one date's bars: runs each position's stops (closing those that exit)
    /// and marks the rest at the close. Returns the trades the stops closed.
    pub fn on_bars(
        &mut self,
        date: Timestamp,
        bars: &BTreeMap<String, Bar>,
    ) -> Result<Vec<ClosedTrade>, RiskError> {
        self.roll_day(date);
        let mut exits = Vec::new();
        for (symbol, bar) in bars {
            let Some(p) = self.positions.get_mut(symbol) else {
                continue;
            };
            match p.stops.on_bar(bar)? {
                Some(exit) => exits.push((symbol.clone(), exit)),
                None => p.last = bar.close,
            }
        }
        let mut closed = Vec::new();
        for (symbol, exit) in exits {
            closed.push(self.close(&symbol, exit.price, date, exit.reason)?);
        }
        self.update_peak();
        Ok(closed)
    }

    /// Books a position opened elsewhere (an engine fill) at the trade's price, without
    /// the checks (they ran when the order was placed).
    pub fn book_open(&mut self, trade: &ProposedTrade, date: Timestamp) -> Result<(), RiskError> {
        self.roll_day(date);
        let position = self.position_after(trade, format_timestamp(date))?;
        self.cash -= trade.side.sign() * trade.quantity * trade.price;
        self.positions.insert(trade.symbol.clone(), position);
        self.update_peak();
        Ok(())
    }

    /// Starts `date` (the previous day's closing equity becomes the daily-loss base when
    /// the day changes) and marks open positions at `price(symbol)` without running their
    /// stops, for an engine that runs stops as orders; `cash` aligns the cash with the
    /// engine's ledger (fees, borrow). Updates the peak.
    pub fn mark_external(
        &mut self,
        date: Timestamp,
        cash: f64,
        price: &dyn Fn(&str) -> Option<f64>,
    ) {
        self.roll_day(date);
        self.cash = cash;
        for p in self.positions.values_mut() {
            if let Some(x) = price(&p.symbol).filter(|x| x.is_finite() && *x > 0.0) {
                p.last = x;
            }
        }
        self.update_peak();
    }

    /// Sizes a trade with `sizer`, scaling the capital by the zone's risk multiplier (so
    /// the caution zone's 0.75 sizes three quarters, an emergency's 0 sizes nothing).
    pub fn size(&self, sizer: &SizerConfig, request: &SizingRequest) -> Result<Size, RiskError> {
        let scaled = SizingRequest {
            capital: request.capital * self.zone().risk_multiplier,
            ..*request
        };
        sizer.size(&scaled)
    }

    /// The state in numbers.
    pub fn summary(&self) -> Summary {
        let wins = self.closed.iter().filter(|t| t.pnl > 0.0).count();
        Summary {
            equity: self.equity(),
            cash: self.cash,
            drawdown: self.drawdown(),
            zone: self.zone().name.clone(),
            risk_multiplier: self.zone().risk_multiplier,
            heat: self.heat(),
            open_positions: self.positions.len(),
            closed_trades: self.closed.len(),
            realized_pnl: self.closed.iter().map(|t| t.pnl).sum(),
            win_rate: (!self.closed.is_empty()).then(|| wins as f64 / self.closed.len() as f64),
        }
    }
}

fn position_heat(p: &Position) -> f64 {
    let side = p.quantity.signum();
    p.stops
        .stop_level()
        .map_or(0.0, |s| (p.quantity.abs() * (p.last - s) * side).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::from_ymd;

    fn day(d: u32) -> Timestamp {
        from_ymd(2024, 1, d).expect("date")
    }

    fn manager() -> RiskManager {
        let limits = PortfolioLimits {
            max_heat: 0.05,
            daily_loss_limit: 0.03,
            max_position_fraction: 0.5,
            min_confidence: 0.6,
        };
        RiskManager::new(100_000.0, limits, Vec::new(), StopConfig::default()).expect("manager")
    }

    fn trade(qty: f64, price: f64, stop: Option<f64>) -> ProposedTrade {
        ProposedTrade {
            symbol: "X".into(),
            side: Side::Long,
            quantity: qty,
            price,
            stop,
            confidence: None,
        }
    }

    #[test]
    fn heat_and_validation_by_hand() {
        let mut m = manager();
        // 400 units at 100 with stop 90: 4,000 at risk = 4% of 100,000.
        let v = m
            .open(&trade(400.0, 100.0, Some(90.0)), day(2))
            .expect("ok");
        assert!(v.approved, "{v:?}");
        assert!((m.heat() - 0.04).abs() < 1e-12);
        // 200 of another symbol with stop 90 adds 2,000: 6% > 5%.
        let v = m.validate(&ProposedTrade {
            symbol: "Y".into(),
            ..trade(200.0, 100.0, Some(90.0))
        });
        assert_eq!(
            v.failures.iter().map(|f| f.check).collect::<Vec<_>>(),
            vec!["heat"]
        );
    }

    #[test]
    fn every_failed_check_is_reported() {
        let mut m = manager();
        m.open(&trade(400.0, 100.0, Some(90.0)), day(2))
            .expect("ok");
        // Price drops 20% on day 3: equity 92,000, drawdown 8% (caution), daily loss 8%.
        let bars = BTreeMap::from([("X".to_string(), Bar::flat(80.0))]);
        let closed = m.on_bars(day(3), &bars).expect("ok");
        assert_eq!(closed.len(), 1, "the stop at 90 closed it (gap fill at 80)");
        assert_eq!(closed[0].pnl, -8_000.0);
        let bad = ProposedTrade {
            symbol: "Y".into(),
            side: Side::Long,
            quantity: 2_000.0,
            price: 100.0,
            stop: Some(110.0),
            confidence: Some(0.5),
        };
        let v = m.validate(&bad);
        let checks: Vec<&str> = v.failures.iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            vec![
                "valid_prices",
                "balance",
                "position_limit",
                "confidence",
                "daily_loss"
            ]
        );
        assert!(!v.approved);
    }

    #[test]
    fn nan_prices_fail_validation_and_the_zone_scales_sizes() {
        let m = manager();
        let v = m.validate(&trade(10.0, f64::NAN, None));
        assert_eq!(
            v.failures.iter().map(|f| f.check).collect::<Vec<_>>(),
            vec!["valid_prices"]
        );
        let v = m.validate(&trade(10.0, 100.0, Some(f64::NAN)));
        assert_eq!(v.failures[0].check, "valid_prices");
        let sizer = SizerConfig::FixedFractional(crate::sizing::FixedFractional {
            risk_fraction: 0.01,
            max_position_fraction: 1.0,
            lot_size: 1.0,
        });
        let req = SizingRequest {
            capital: 100_000.0,
            entry: 50.0,
            stop: Some(48.0),
            confidence: None,
            asset_volatility: None,
            side: None,
        };
        assert_eq!(m.size(&sizer, &req).expect("size").shares, 500.0);
        let mut m = manager();
        m.open(&trade(500.0, 100.0, None), day(2)).expect("ok");
        m.on_bars(
            day(3),
            &BTreeMap::from([("X".to_string(), Bar::flat(86.0))]),
        )
        .expect("ok");
        assert_eq!(m.zone().name, "caution");
        assert_eq!(m.size(&sizer, &req).expect("size").shares, 375.0);
    }

    #[test]
    fn zones_follow_drawdown_and_emergency_halts() {
        let mut m = manager();
        m.open(&trade(500.0, 100.0, None), day(2)).expect("ok");
        let mark = |m: &mut RiskManager, d: u32, p: f64| {
            m.on_bars(day(d), &BTreeMap::from([("X".to_string(), Bar::flat(p))]))
                .expect("ok");
        };
        mark(&mut m, 3, 86.0); // equity 93,000: 7% drawdown
        assert_eq!(m.zone().name, "caution");
        mark(&mut m, 4, 80.0); // equity 90,000: 10%
        assert_eq!(m.zone().name, "alert");
        mark(&mut m, 5, 68.0); // equity 84,000: 16%
        assert_eq!(m.zone().name, "emergency");
        let v = m.validate(&trade(1.0, 68.0, None));
        assert!(v.failures.iter().any(|f| f.check == "drawdown_zone"));
        let s = m.summary();
        assert_eq!((s.zone.as_str(), s.open_positions), ("emergency", 1));
        assert!((s.drawdown - 0.16).abs() < 1e-12);
    }
}

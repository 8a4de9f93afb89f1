//! Stops of one position: hard stop, trailing stop (percent or ATR multiple), take profit,
//! time stop; long and short.
//!
//! Rules per bar (open, high, low, close), with the levels set before the bar:
//!
//! | case | exit |
//! |---|---|
//! | the open is already through the protective stop | stop loss at the open (a gap) |
//! | the open is already through the take profit | take profit at the open |
//! | the bar's range reaches the protective stop (and not the open) | stop loss at the stop level |
//! | the bar's range reaches the take profit | take profit at its level |
//! | both inside one bar | the stop first (conservative) |
//! | `max_holding_bars` bars held, no other exit | time stop at the close |
//!
//! The protective stop is the tighter of the hard stop and the trailing level. After a bar
//! without an exit the trailing level moves to `high x (1 - p)` (long) or `low x (1 + p)`
//! (short), or `high - m x ATR` / `low + m x ATR`, only when that is in the trade's favour.

use serde::{Deserialize, Serialize};

use crate::error::{fraction, positive, RiskError};
use crate::sizing::Side;

/// Stop settings (all optional).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopConfig {
    /// Hard stop this fraction away from the entry (used when a trade gives no stop).
    #[serde(default, alias = "hard_stop_pct")]
    pub stop_percent: Option<f64>,
    /// Trailing stop this fraction behind the best price.
    #[serde(default, alias = "trailing_stop_pct")]
    pub trailing_percent: Option<f64>,
    /// Trailing stop this many ATRs behind the best price.
    #[serde(default)]
    pub trailing_atr_multiple: Option<f64>,
    /// Take profit this fraction beyond the entry.
    #[serde(default, alias = "take_profit_pct")]
    pub take_profit_percent: Option<f64>,
    /// Exit at the close after this many bars (`time_stop_days` on daily bars).
    #[serde(default, alias = "time_stop_days", alias = "time_stop_bars")]
    pub max_holding_bars: Option<usize>,
}

impl StopConfig {
    /// Checks every fraction is in (0, 1] and multiples are positive.
    pub fn validate(&self) -> Result<(), RiskError> {
        for (name, v) in [
            ("stop_percent", self.stop_percent),
            ("trailing_percent", self.trailing_percent),
            ("take_profit_percent", self.take_profit_percent),
        ] {
            if let Some(v) = v {
                positive(name, v)?;
                fraction(name, v)?;
            }
        }
        if let Some(m) = self.trailing_atr_multiple {
            positive("trailing_atr_multiple", m)?;
        }
        if self.max_holding_bars == Some(0) {
            return Err(RiskError::param("max_holding_bars", "must be at least 1"));
        }
        Ok(())
    }
}

/// One bar of prices for a position's symbol.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Average true range, for ATR trailing stops.
    pub atr: Option<f64>,
}

impl Bar {
    /// A bar where every price is `p` (a mark without a range).
    pub fn flat(p: f64) -> Bar {
        Bar {
            open: p,
            high: p,
            low: p,
            close: p,
            atr: None,
        }
    }

    fn check(&self) -> Result<(), RiskError> {
        for (name, v) in [
            ("open", self.open),
            ("high", self.high),
            ("low", self.low),
            ("close", self.close),
        ] {
            positive(name, v)?;
        }
        if self.high < self.low {
            return Err(RiskError::param(
                "high",
                format!("{} is below low {}", self.high, self.low),
            ));
        }
        Ok(())
    }
}

/// Why a position was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The protective stop (hard or trailing) was hit.
    StopLoss,
    /// The take-profit level was reached.
    TakeProfit,
    /// Held for the maximum number of bars.
    TimeStop,
    /// Closed by the user.
    Manual,
}

/// An exit decided on a bar.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Exit {
    /// Why.
    pub reason: ExitReason,
    /// Fill price.
    pub price: f64,
}

/// The live stops of one position.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PositionStops {
    /// Direction of the position.
    pub side: Side,
    /// Entry price.
    pub entry: f64,
    /// Hard stop level.
    pub hard: Option<f64>,
    /// Trailing level (moves only in the trade's favour).
    pub trailing: Option<f64>,
    /// Take-profit level.
    pub take_profit: Option<f64>,
    /// Bars held so far.
    pub bars_held: usize,
    config: StopConfig,
}

impl PositionStops {
    /// Stops for a new position; `stop` overrides the configured hard-stop percentage.
    pub fn new(
        side: Side,
        entry: f64,
        stop: Option<f64>,
        config: &StopConfig,
    ) -> Result<Self, RiskError> {
        positive("entry", entry)?;
        config.validate()?;
        let s = side.sign();
        let hard = match stop {
            Some(level) => {
                positive("stop", level)?;
                if (entry - level) * s <= 0.0 {
                    return Err(RiskError::param(
                        "stop",
                        format!(
                            "{level} is on the wrong side of the entry {entry} for a {} position",
                            side.name()
                        ),
                    ));
                }
                Some(level)
            }
            None => config.stop_percent.map(|p| entry * (1.0 - s * p)),
        };
        let trailing = match (config.trailing_percent, config.trailing_atr_multiple) {
            (Some(p), _) => Some(entry * (1.0 - s * p)),
            _ => None,
        };
        Ok(PositionStops {
            side,
            entry,
            hard,
            trailing,
            take_profit: config.take_profit_percent.map(|p| entry * (1.0 + s * p)),
            bars_held: 0,
            config: *config,
        })
    }

    /// The stops of a position after adding to it at a new average `entry`: the levels in
    /// force carry over (a trailing level may be beyond the new entry), the bar count
    /// restarts.
    pub fn carried(previous: &PositionStops, entry: f64) -> Result<Self, RiskError> {
        positive("entry", entry)?;
        Ok(PositionStops {
            entry,
            bars_held: 0,
            ..*previous
        })
    }

    /// The protective stop in force: the tighter of hard and trailing.
    pub fn stop_level(&self) -> Option<f64> {
        match (self.hard, self.trailing, self.side) {
            (Some(h), Some(t), Side::Long) => Some(h.max(t)),
            (Some(h), Some(t), Side::Short) => Some(h.min(t)),
            (h, t, _) => h.or(t),
        }
    }

    /// Processes one bar: returns the exit if one happened, otherwise ratchets the
    /// trailing level.
    pub fn on_bar(&mut self, bar: &Bar) -> Result<Option<Exit>, RiskError> {
        bar.check()?;
        let long = self.side == Side::Long;
        let stop = self.stop_level();
        // Through a level means at or beyond it in the losing (stop) or winning (target) direction.
        let stop_hit = |p: f64| stop.is_some_and(|s| if long { p <= s } else { p >= s });
        let target_hit = |p: f64| {
            self.take_profit
                .is_some_and(|t| if long { p >= t } else { p <= t })
        };
        let (worst, best) = if long {
            (bar.low, bar.high)
        } else {
            (bar.high, bar.low)
        };
        let exit = if stop_hit(bar.open) {
            Some(Exit {
                reason: ExitReason::StopLoss,
                price: bar.open,
            })
        } else if target_hit(bar.open) {
            Some(Exit {
                reason: ExitReason::TakeProfit,
                price: bar.open,
            })
        } else if let (true, Some(s)) = (stop_hit(worst), stop) {
            Some(Exit {
                reason: ExitReason::StopLoss,
                price: s,
            })
        } else if let (true, Some(t)) = (target_hit(best), self.take_profit) {
            Some(Exit {
                reason: ExitReason::TakeProfit,
                price: t,
            })
        } else {
            None
        };
        if exit.is_some() {
            return Ok(exit);
        }
        self.bars_held += 1;
        if self
            .config
            .max_holding_bars
            .is_some_and(|m| self.bars_held >= m)
        {
            return Ok(Some(Exit {
                reason: ExitReason::TimeStop,
                price: bar.close,
            }));
        }
        let candidate = match (
            self.config.trailing_percent,
            self.config.trailing_atr_multiple,
            bar.atr,
        ) {
            (Some(p), _, _) => Some(if long {
                best * (1.0 - p)
            } else {
                best * (1.0 + p)
            }),
            (None, Some(m), Some(atr)) if atr.is_finite() && atr >= 0.0 => {
                Some(if long { best - m * atr } else { best + m * atr })
            }
            _ => None,
        };
        if let Some(c) = candidate {
            let better = match self.trailing {
                None => true,
                Some(t) => {
                    if long {
                        c > t
                    } else {
                        c < t
                    }
                }
            };
            if better {
                self.trailing = Some(c);
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64) -> Bar {
        Bar {
            open: o,
            high: h,
            low: l,
            close: c,
            atr: None,
        }
    }

    #[test]
    fn long_trailing_ratchets_and_exits_at_level() {
        let cfg = StopConfig {
            trailing_percent: Some(0.1),
            ..Default::default()
        };
        let mut s = PositionStops::new(Side::Long, 100.0, None, &cfg).expect("stops");
        assert_eq!(s.stop_level(), Some(90.0));
        assert_eq!(s.on_bar(&bar(100.0, 120.0, 99.0, 118.0)).expect("ok"), None);
        assert_eq!(s.stop_level(), Some(108.0));
        // A lower high does not lower the level.
        assert_eq!(
            s.on_bar(&bar(117.0, 115.0 + 1.0, 110.0, 112.0))
                .expect("ok"),
            None
        );
        assert_eq!(s.stop_level(), Some(108.0));
        let exit = s.on_bar(&bar(111.0, 112.0, 105.0, 106.0)).expect("ok");
        assert_eq!(
            exit,
            Some(Exit {
                reason: ExitReason::StopLoss,
                price: 108.0
            })
        );
    }

    #[test]
    fn gaps_fill_at_the_open_and_stop_wins_inside_one_bar() {
        let cfg = StopConfig {
            take_profit_percent: Some(0.1),
            ..Default::default()
        };
        let mut s = PositionStops::new(Side::Long, 100.0, Some(95.0), &cfg).expect("stops");
        let gap = s.on_bar(&bar(90.0, 92.0, 89.0, 91.0)).expect("ok");
        assert_eq!(
            gap,
            Some(Exit {
                reason: ExitReason::StopLoss,
                price: 90.0
            })
        );
        let both = s.on_bar(&bar(100.0, 111.0, 94.0, 100.0)).expect("ok");
        assert_eq!(
            both,
            Some(Exit {
                reason: ExitReason::StopLoss,
                price: 95.0
            })
        );
        let target = s
            .on_bar(&bar(100.0, 111.0, 96.0, 100.0))
            .expect("ok")
            .expect("exit");
        assert_eq!(target.reason, ExitReason::TakeProfit);
        assert!((target.price - 110.0).abs() < 1e-12);
        let gap_up = s.on_bar(&bar(112.0, 113.0, 111.0, 112.0)).expect("ok");
        assert_eq!(
            gap_up,
            Some(Exit {
                reason: ExitReason::TakeProfit,
                price: 112.0
            })
        );
    }

    #[test]
    fn short_stops_mirror_long_and_time_stop_exits_at_close() {
        let cfg = StopConfig {
            trailing_percent: Some(0.05),
            max_holding_bars: Some(2),
            ..Default::default()
        };
        let mut s = PositionStops::new(Side::Short, 100.0, Some(110.0), &cfg).expect("stops");
        assert_eq!(s.stop_level(), Some(105.0));
        assert_eq!(s.on_bar(&bar(99.0, 100.0, 90.0, 91.0)).expect("ok"), None);
        assert_eq!(s.stop_level(), Some(94.5));
        let t = s.on_bar(&bar(91.0, 93.0, 89.0, 92.0)).expect("ok");
        assert_eq!(
            t,
            Some(Exit {
                reason: ExitReason::TimeStop,
                price: 92.0
            })
        );
        let wrong = PositionStops::new(Side::Short, 100.0, Some(90.0), &cfg);
        assert!(wrong
            .expect_err("wrong side")
            .to_string()
            .contains("wrong side"));
    }

    #[test]
    fn atr_trailing() {
        let cfg = StopConfig {
            trailing_atr_multiple: Some(2.0),
            ..Default::default()
        };
        let mut s = PositionStops::new(Side::Long, 100.0, Some(90.0), &cfg).expect("stops");
        let b = Bar {
            atr: Some(3.0),
            ..bar(100.0, 104.0, 99.0, 103.0)
        };
        assert_eq!(s.on_bar(&b).expect("ok"), None);
        assert_eq!(s.stop_level(), Some(98.0));
        assert!(s.on_bar(&bar(f64::NAN, 1.0, 1.0, 1.0)).is_err());
    }
}

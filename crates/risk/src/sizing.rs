//! Position sizers: how many units to trade.
//!
//! | sizer | rule |
//! |---|---|
//! | fixed fractional | units = min(capital x risk_fraction / abs(entry - stop), capital x max_position_fraction / entry), rounded down to the lot; long when the stop is below the entry, short when above |
//! | Kelly | `f* = W - (1 - W) / R`; the fraction used is `clamp(kelly_fraction x f*, 0, max_fraction)`, zero below `min_win_rate`; position value = capital x that |
//! | confidence | risk fraction = base + (max - base) x (c - min) / (1 - min) for confidence c >= min (zero below), then fixed fractional |
//! | volatility target | position value = equity x target_vol / asset_vol, capped at equity x max_position_fraction; units rounded down to the lot |
//!
//! Rounding down uses a guarded floor: a quotient within 1e-9 (relative) below a whole
//! number of lots, such as 2.9999999999 from `0.3 / 0.1`, counts as that whole number.

use serde::{Deserialize, Serialize};

use crate::error::{finite, fraction, non_negative, positive, RiskError};

/// Long or short (the one definition, in `oxfolio-core`, named `Side` here).
pub use oxfolio_core::PositionSide as Side;

/// Which limit decided the size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The risk budget (capital x risk fraction over the distance to the stop).
    RiskBudget,
    /// The maximum position fraction.
    MaxPosition,
    /// Both limits give the same size.
    Both,
    /// Nothing to size (zero risk fraction, confidence or Kelly fraction).
    None,
}

impl Binding {
    /// Which of two size limits binds; `nothing` when a zero parameter sizes nothing.
    fn decide(by_budget: f64, by_cap: f64, nothing: bool) -> Binding {
        if nothing {
            Binding::None
        } else if by_budget == by_cap {
            Binding::Both
        } else if by_budget < by_cap {
            Binding::RiskBudget
        } else {
            Binding::MaxPosition
        }
    }
}

/// A sizing result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Size {
    /// Units to trade (a whole number of lots), always >= 0.
    pub shares: f64,
    /// Direction.
    pub side: Side,
    /// The limit that decided the size.
    pub binding_constraint: Binding,
    /// Money lost if the stop is hit: shares x abs(entry - stop) (0 without a stop).
    pub capital_at_risk: f64,
    /// Position value at entry: shares x entry.
    pub position_value: f64,
}

/// Largest whole number of lots in `units`, tolerating floating-point shortfalls of
/// 1e-9 relative (so `2.9999999999` lots is 3).
pub fn guarded_floor_lots(units: f64, lot: f64) -> f64 {
    let lots = units / lot;
    let nearest = lots.round();
    let whole = if (lots - nearest).abs() <= 1e-9 * nearest.abs().max(1.0) {
        nearest
    } else {
        lots.floor()
    };
    whole.max(0.0) * lot
}

/// Fixed-fractional sizing inputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixedFractional {
    /// Fraction of capital risked to the stop (0 to 1).
    #[serde(alias = "risk_per_trade")]
    pub risk_fraction: f64,
    /// Largest position value as a fraction of capital (0 to 1).
    #[serde(alias = "max_position_size")]
    pub max_position_fraction: f64,
    /// Trading unit (1 share, 100 shares, 0.001 BTC).
    #[serde(default = "one")]
    pub lot_size: f64,
}

fn one() -> f64 {
    1.0
}

impl FixedFractional {
    /// Sizes a trade entering at `entry` with its stop at `stop`; the side follows from
    /// the stop, and must match `side` when given.
    pub fn size(
        &self,
        capital: f64,
        entry: f64,
        stop: f64,
        side: Option<Side>,
    ) -> Result<Size, RiskError> {
        non_negative("capital", capital)?;
        positive("entry", entry)?;
        positive("stop", stop)?;
        fraction("risk_fraction", self.risk_fraction)?;
        fraction("max_position_fraction", self.max_position_fraction)?;
        positive("lot_size", self.lot_size)?;
        if entry == stop {
            return Err(RiskError::param(
                "stop",
                format!("equals the entry {entry}: the risk per unit would be zero"),
            ));
        }
        let implied = if stop < entry {
            Side::Long
        } else {
            Side::Short
        };
        if let Some(s) = side {
            if s != implied {
                return Err(RiskError::param(
                    "stop",
                    format!(
                        "{stop} is on the wrong side of the entry {entry} for a {} trade",
                        s.name()
                    ),
                ));
            }
        }
        let risk_per_unit = (entry - stop).abs();
        let by_risk =
            guarded_floor_lots(capital * self.risk_fraction / risk_per_unit, self.lot_size);
        let by_cap =
            guarded_floor_lots(capital * self.max_position_fraction / entry, self.lot_size);
        let shares = by_risk.min(by_cap);
        let binding = Binding::decide(
            by_risk,
            by_cap,
            self.risk_fraction == 0.0 || self.max_position_fraction == 0.0,
        );
        Ok(Size {
            shares,
            side: implied,
            binding_constraint: binding,
            capital_at_risk: shares * risk_per_unit,
            position_value: shares * entry,
        })
    }
}

/// Kelly sizing inputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kelly {
    /// Fraction of full Kelly to use (1 = full Kelly, 0.5 = half Kelly).
    #[serde(default = "one")]
    pub kelly_fraction: f64,
    /// Below this win rate the size is zero.
    #[serde(default)]
    pub min_win_rate: f64,
    /// Largest fraction of capital (after the Kelly fraction).
    #[serde(default = "one")]
    pub max_fraction: f64,
}

impl Default for Kelly {
    fn default() -> Self {
        Kelly {
            kelly_fraction: 1.0,
            min_win_rate: 0.0,
            max_fraction: 1.0,
        }
    }
}

/// Kelly result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KellyResult {
    /// Win rate used.
    pub win_rate: f64,
    /// Average win over average loss used.
    pub win_loss_ratio: f64,
    /// Full Kelly `f* = W - (1 - W) / R` (can be negative or above 1).
    pub kelly_fraction_raw: f64,
    /// The fraction of capital to use: `clamp(kelly_fraction x f*, 0, max_fraction)`,
    /// zero below the minimum win rate.
    pub kelly_fraction_clamped: f64,
    /// Same as `kelly_fraction_clamped`: the fraction used to size.
    pub kelly_fraction: f64,
}

impl Kelly {
    /// Kelly fraction from a win rate and a win/loss ratio.
    pub fn from_stats(&self, win_rate: f64, win_loss_ratio: f64) -> Result<KellyResult, RiskError> {
        fraction("win_rate", win_rate)?;
        positive("win_loss_ratio", win_loss_ratio)?;
        fraction("kelly_fraction", self.kelly_fraction)?;
        fraction("min_win_rate", self.min_win_rate)?;
        fraction("max_fraction", self.max_fraction)?;
        let raw = win_rate - (1.0 - win_rate) / win_loss_ratio;
        let clamped = if win_rate < self.min_win_rate {
            0.0
        } else {
            (raw * self.kelly_fraction).clamp(0.0, self.max_fraction)
        };
        Ok(KellyResult {
            win_rate,
            win_loss_ratio,
            kelly_fraction_raw: raw,
            kelly_fraction_clamped: clamped,
            kelly_fraction: clamped,
        })
    }

    /// Kelly fraction from past trade PnLs: W = wins / trades, R = mean win / abs(mean
    /// loss). Zero-PnL trades count as trades but neither win nor lose.
    pub fn from_trades(&self, pnls: &[f64]) -> Result<KellyResult, RiskError> {
        if pnls.is_empty() {
            return Err(RiskError::Empty("trade list"));
        }
        for (i, p) in pnls.iter().enumerate() {
            finite(&format!("trade pnl {i}"), *p)?;
        }
        let wins: Vec<f64> = pnls.iter().copied().filter(|p| *p > 0.0).collect();
        let losses: Vec<f64> = pnls.iter().copied().filter(|p| *p < 0.0).collect();
        if wins.is_empty() || losses.is_empty() {
            return Err(RiskError::param(
                "trades",
                format!(
                    "need at least one win and one loss ({} wins, {} losses)",
                    wins.len(),
                    losses.len()
                ),
            ));
        }
        let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        self.from_stats(
            wins.len() as f64 / pnls.len() as f64,
            avg(&wins) / avg(&losses).abs(),
        )
    }
}

/// Confidence-scaled fixed-fractional sizing.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceScaled {
    /// Risk fraction at the minimum confidence.
    #[serde(alias = "risk_per_trade")]
    pub base_risk_fraction: f64,
    /// Risk fraction at confidence 1.
    pub max_risk_fraction: f64,
    /// Below this confidence, size zero.
    #[serde(default)]
    pub min_confidence: f64,
    /// Largest position value as a fraction of capital.
    #[serde(alias = "max_position_size")]
    pub max_position_fraction: f64,
    /// Trading unit.
    #[serde(default = "one")]
    pub lot_size: f64,
}

impl ConfidenceScaled {
    /// The risk fraction for a model confidence in [0, 1].
    pub fn risk_fraction(&self, confidence: f64) -> Result<f64, RiskError> {
        fraction("confidence", confidence)?;
        fraction("base_risk_fraction", self.base_risk_fraction)?;
        fraction("max_risk_fraction", self.max_risk_fraction)?;
        fraction("min_confidence", self.min_confidence)?;
        if self.max_risk_fraction < self.base_risk_fraction {
            return Err(RiskError::param(
                "max_risk_fraction",
                "must be at least base_risk_fraction",
            ));
        }
        if confidence < self.min_confidence {
            return Ok(0.0);
        }
        if self.min_confidence >= 1.0 {
            return Ok(self.max_risk_fraction);
        }
        let t = (confidence - self.min_confidence) / (1.0 - self.min_confidence);
        Ok(self.base_risk_fraction + (self.max_risk_fraction - self.base_risk_fraction) * t)
    }

    /// Sizes a trade at a model confidence.
    pub fn size(
        &self,
        capital: f64,
        entry: f64,
        stop: f64,
        confidence: f64,
        side: Option<Side>,
    ) -> Result<Size, RiskError> {
        FixedFractional {
            risk_fraction: self.risk_fraction(confidence)?,
            max_position_fraction: self.max_position_fraction,
            lot_size: self.lot_size,
        }
        .size(capital, entry, stop, side)
    }
}

/// Volatility-target sizing.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolatilityTarget {
    /// Annualised volatility the position should contribute (0.1 = 10%).
    pub target_volatility: f64,
    /// Largest position value as a fraction of equity.
    pub max_position_fraction: f64,
    /// Trading unit.
    #[serde(default = "one")]
    pub lot_size: f64,
}

impl VolatilityTarget {
    /// Sizes a long position in an asset with annualised volatility `asset_volatility`.
    pub fn size(&self, equity: f64, price: f64, asset_volatility: f64) -> Result<Size, RiskError> {
        non_negative("equity", equity)?;
        positive("price", price)?;
        positive("asset_volatility", asset_volatility)?;
        non_negative("target_volatility", self.target_volatility)?;
        fraction("max_position_fraction", self.max_position_fraction)?;
        positive("lot_size", self.lot_size)?;
        let by_vol = guarded_floor_lots(
            equity * self.target_volatility / asset_volatility / price,
            self.lot_size,
        );
        let by_cap = guarded_floor_lots(equity * self.max_position_fraction / price, self.lot_size);
        let shares = by_vol.min(by_cap);
        let binding = Binding::decide(
            by_vol,
            by_cap,
            self.target_volatility == 0.0 || self.max_position_fraction == 0.0,
        );
        Ok(Size {
            shares,
            side: Side::Long,
            binding_constraint: binding,
            capital_at_risk: 0.0,
            position_value: shares * price,
        })
    }
}

/// Any sizer, as configured (`method` names the kind).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SizerConfig {
    /// See [`FixedFractional`].
    FixedFractional(FixedFractional),
    /// See [`Kelly`]; sizes `capital x fraction / entry` units.
    Kelly {
        /// Kelly parameters.
        #[serde(flatten)]
        kelly: Kelly,
        /// Win rate of the strategy.
        win_rate: f64,
        /// Average win over average loss.
        win_loss_ratio: f64,
        /// Trading unit.
        #[serde(default = "one")]
        lot_size: f64,
    },
    /// See [`ConfidenceScaled`].
    #[serde(alias = "confidence_based")]
    Confidence(ConfidenceScaled),
    /// See [`VolatilityTarget`].
    VolatilityTarget(VolatilityTarget),
}

/// What a sizer needs to know about one trade.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizingRequest {
    /// Capital (equity) to size against.
    pub capital: f64,
    /// Entry price.
    pub entry: f64,
    /// Stop price (needed by fixed fractional and confidence).
    pub stop: Option<f64>,
    /// Model confidence (confidence sizer).
    pub confidence: Option<f64>,
    /// Annualised asset volatility (volatility target).
    pub asset_volatility: Option<f64>,
    /// The intended side, checked against the stop (fixed fractional, confidence).
    pub side: Option<Side>,
}

impl SizerConfig {
    /// Sizes a trade with whichever sizer this is; a missing input is an error naming it.
    pub fn size(&self, req: &SizingRequest) -> Result<Size, RiskError> {
        let need = |v: Option<f64>, name: &str| {
            v.ok_or_else(|| RiskError::param(name, "is required by this sizer"))
        };
        match self {
            SizerConfig::FixedFractional(f) => {
                f.size(req.capital, req.entry, need(req.stop, "stop")?, req.side)
            }
            SizerConfig::Confidence(c) => c.size(
                req.capital,
                req.entry,
                need(req.stop, "stop")?,
                need(req.confidence, "confidence")?,
                req.side,
            ),
            SizerConfig::VolatilityTarget(v) => v.size(
                req.capital,
                req.entry,
                need(req.asset_volatility, "asset_volatility")?,
            ),
            SizerConfig::Kelly {
                kelly,
                win_rate,
                win_loss_ratio,
                lot_size,
            } => {
                non_negative("capital", req.capital)?;
                positive("entry", req.entry)?;
                positive("lot_size", *lot_size)?;
                let k = kelly.from_stats(*win_rate, *win_loss_ratio)?;
                let shares =
                    guarded_floor_lots(req.capital * k.kelly_fraction / req.entry, *lot_size);
                Ok(Size {
                    shares,
                    side: Side::Long,
                    binding_constraint: if shares == 0.0 {
                        Binding::None
                    } else {
                        Binding::RiskBudget
                    },
                    capital_at_risk: 0.0,
                    position_value: shares * req.entry,
                })
            }
        }
    }
}

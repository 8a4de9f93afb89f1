//! Slippage and commission models of both strategy levels: small traits users can
//! implement, and the built-in models a config file names. The portfolio level takes a
//! [`Commission`] with `Backtest::with_commission` (its default is the `[backtest]` cost
//! keys); the order level takes both through `[execution]` or the session.
//!
//! | model | config | effect |
//! |---|---|---|
//! | slippage `bps` | `{ model = "bps", bps = 5 }` | price moves `bps / 10^4` of itself against the trader |
//! | slippage `ticks` | `{ model = "ticks", ticks = 1, tick_size = 0.01 }` | `ticks x tick_size` against the trader |
//! | slippage `volume_share` | `{ model = "volume_share", impact = 0.1 }` | `impact x (quantity / bar volume)^2` of the price (zipline's rule) |
//! | commission `percent` | `{ model = "percent", rate = 0.001 }` | `rate x |notional|` |
//! | commission `per_share` | `{ model = "per_share", per_share = 0.005, minimum = 1 }` | `max(per_share x |q|, minimum)` |
//! | commission `per_contract` | `{ model = "per_contract", per_contract = 2.5 }` | `per_contract x |q|` |
//! | commission `tiered` | `{ model = "tiered", tiers = [[500, 0.0035], [inf, 0.002]], minimum = 0.35 }` | marginal per-share rates by the fill's size, at least `minimum` |

use serde::{Deserialize, Serialize};

use crate::error::EngineError;
use oxfolio_core::bars::BarPrices;

/// A slippage model: the price amount a marketable fill moves against the trader. `Send`,
/// so a session holding one can move to another thread (a live feed, a sweep, Python).
pub trait Slippage: Send {
    /// Slip for a fill of `quantity` (signed) at `price` in `bar` (non-negative).
    fn slip(&self, price: f64, quantity: f64, bar: &BarPrices) -> f64;
}

/// A commission model (`Send`, like [`Slippage`]).
pub trait Commission: Send {
    /// Fee for a fill of `quantity` (signed) at `price`, `multiplier` money per point.
    fn fee(&self, quantity: f64, price: f64, multiplier: f64) -> f64;
}

/// The built-in slippage models.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum SlippageModel {
    /// None.
    #[default]
    None,
    /// Basis points of the price.
    Bps {
        /// Basis points.
        bps: f64,
    },
    /// Whole ticks.
    Ticks {
        /// Number of ticks.
        ticks: f64,
        /// Tick size.
        tick_size: f64,
    },
    /// Quadratic in the share of the bar's volume.
    VolumeShare {
        /// Impact coefficient (zipline: 0.1).
        impact: f64,
    },
}

impl SlippageModel {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), EngineError> {
        let ok = match *self {
            SlippageModel::None => true,
            SlippageModel::Bps { bps } => bps.is_finite() && bps >= 0.0,
            SlippageModel::Ticks { ticks, tick_size } => {
                ticks.is_finite() && ticks >= 0.0 && tick_size.is_finite() && tick_size > 0.0
            }
            SlippageModel::VolumeShare { impact } => impact.is_finite() && impact >= 0.0,
        };
        if ok {
            Ok(())
        } else {
            Err(EngineError::Config(format!(
                "slippage {self:?}: parameters must be finite and non-negative (tick size positive)"
            )))
        }
    }
}

impl Slippage for SlippageModel {
    fn slip(&self, price: f64, quantity: f64, bar: &BarPrices) -> f64 {
        match *self {
            SlippageModel::None => 0.0,
            SlippageModel::Bps { bps } => price * bps * 1e-4,
            SlippageModel::Ticks { ticks, tick_size } => ticks * tick_size,
            SlippageModel::VolumeShare { impact } => {
                if bar.volume.is_finite() && bar.volume > 0.0 {
                    let share = (quantity.abs() / bar.volume).min(1.0);
                    price * impact * share * share
                } else {
                    0.0
                }
            }
        }
    }
}

/// The built-in commission models.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum CommissionModel {
    /// None.
    #[default]
    None,
    /// A fraction of notional.
    Percent {
        /// Fraction (0.001 = 0.1%).
        rate: f64,
    },
    /// Per share with a minimum per fill.
    PerShare {
        /// Money per share.
        per_share: f64,
        /// Minimum per fill.
        #[serde(default)]
        minimum: f64,
    },
    /// Per contract.
    PerContract {
        /// Money per contract.
        per_contract: f64,
    },
    /// A fraction of notional plus a per-share fee with a minimum (the `[backtest]` keys
    /// `transaction_cost_bps`, `commission_per_share`, `commission_min` together).
    Combined {
        /// Fraction of notional.
        rate: f64,
        /// Money per share.
        per_share: f64,
        /// Minimum of the per-share part.
        minimum: f64,
    },
    /// Marginal per-share rates by fill size: `[up_to_shares, per_share]` rows, ascending.
    Tiered {
        /// Tiers.
        tiers: Vec<(f64, f64)>,
        /// Minimum per fill.
        #[serde(default)]
        minimum: f64,
    },
}

impl CommissionModel {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), EngineError> {
        let fine = |v: f64| v.is_finite() && v >= 0.0;
        let ok = match self {
            CommissionModel::None => true,
            CommissionModel::Percent { rate } => fine(*rate),
            CommissionModel::PerShare { per_share, minimum } => fine(*per_share) && fine(*minimum),
            CommissionModel::PerContract { per_contract } => fine(*per_contract),
            CommissionModel::Combined {
                rate,
                per_share,
                minimum,
            } => fine(*rate) && fine(*per_share) && fine(*minimum),
            CommissionModel::Tiered { tiers, minimum } => {
                !tiers.is_empty()
                    && fine(*minimum)
                    && tiers.iter().all(|(up, rate)| *up > 0.0 && fine(*rate))
                    && tiers.windows(2).all(|w| w[1].0 > w[0].0)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(EngineError::Config(format!(
                "commission {self:?}: rates must be finite and non-negative, tiers ascending"
            )))
        }
    }
}

impl Commission for CommissionModel {
    fn fee(&self, quantity: f64, price: f64, multiplier: f64) -> f64 {
        let q = quantity.abs();
        match self {
            CommissionModel::None => 0.0,
            CommissionModel::Percent { rate } => rate * q * price * multiplier,
            CommissionModel::PerShare { per_share, minimum } => (per_share * q).max(*minimum),
            CommissionModel::PerContract { per_contract } => per_contract * q,
            CommissionModel::Combined {
                rate,
                per_share,
                minimum,
            } => rate * q * price * multiplier + (per_share * q).max(*minimum),
            CommissionModel::Tiered { tiers, minimum } => {
                let (mut fee, mut done) = (0.0, 0.0);
                for &(up_to, rate) in tiers {
                    let take = (q.min(up_to) - done).max(0.0);
                    fee += take * rate;
                    done += take;
                }
                // Beyond the last tier, its rate.
                fee += (q - done).max(0.0) * tiers.last().map_or(0.0, |t| t.1);
                fee.max(*minimum)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commissions_by_hand() {
        let pct = CommissionModel::Percent { rate: 0.001 };
        assert!((pct.fee(-100.0, 50.0, 1.0) - 5.0).abs() < 1e-12);
        let ps = CommissionModel::PerShare {
            per_share: 0.005,
            minimum: 1.0,
        };
        assert_eq!(ps.fee(100.0, 50.0, 1.0), 1.0);
        assert!((ps.fee(1000.0, 50.0, 1.0) - 5.0).abs() < 1e-12);
        let pc = CommissionModel::PerContract { per_contract: 2.5 };
        assert_eq!(pc.fee(-4.0, 4000.0, 50.0), 10.0);
        let tiered = CommissionModel::Tiered {
            tiers: vec![(500.0, 0.0035), (1000.0, 0.002)],
            minimum: 0.35,
        };
        // 500 x 0.0035 + 500 x 0.002 + 200 x 0.002
        assert!((tiered.fee(1200.0, 10.0, 1.0) - 3.15).abs() < 1e-12);
        assert_eq!(tiered.fee(10.0, 10.0, 1.0), 0.35);
        assert!(CommissionModel::Tiered {
            tiers: vec![(10.0, 0.1), (5.0, 0.1)],
            minimum: 0.0
        }
        .validate()
        .is_err());
    }

    #[test]
    fn slippage_by_hand() {
        let b = BarPrices {
            volume: 1000.0,
            ..BarPrices::flat(100.0)
        };
        assert!((SlippageModel::Bps { bps: 5.0 }.slip(100.0, 1.0, &b) - 0.05).abs() < 1e-12);
        let t = SlippageModel::Ticks {
            ticks: 2.0,
            tick_size: 0.25,
        };
        assert_eq!(t.slip(100.0, 1.0, &b), 0.5);
        let v = SlippageModel::VolumeShare { impact: 0.1 };
        // 10% of volume: 0.1 x 0.01 x 100
        assert!((v.slip(100.0, -100.0, &b) - 0.1).abs() < 1e-12);
        assert!(SlippageModel::Bps { bps: -1.0 }.validate().is_err());
    }
}

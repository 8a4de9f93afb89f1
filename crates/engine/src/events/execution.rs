//! The `[execution]` table: how the event-driven engine fills orders and what the account
//! allows. Every key has a default; `docs/EVENTS.md` lists them.

use serde::{Deserialize, Serialize};

use super::costs::{CommissionModel, SlippageModel};
use super::fill::{FillTiming, IntrabarPriority};
use crate::error::EngineError;

/// Execution and account settings of the event-driven engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutionConfig {
    /// When market orders fill: `next_open` (default) or `same_close`.
    pub fill_timing: FillTiming,
    /// Stop or target first when both are inside one bar.
    pub intrabar: IntrabarPriority,
    /// Largest fill per symbol per bar as a fraction of the bar's volume (partial fills).
    pub max_volume_share: Option<f64>,
    /// Slippage model (default: none); `[backtest] impact_bps` applies after it.
    pub slippage: SlippageModel,
    /// Commission model (default: `[backtest] transaction_cost_bps` as a percent model).
    pub commission: Option<CommissionModel>,
    /// Shorts allowed.
    pub allow_short: bool,
    /// Buying on margin allowed, up to `max_leverage`.
    pub margin: bool,
    /// Gross exposure limit as a multiple of equity when margin is on.
    pub max_leverage: f64,
    /// Annual borrow fee on short notional, in basis points, charged per trading day
    /// (`/ 252`).
    pub borrow_fee_bps: f64,
    /// Quantities may be fractional (else volume caps round down to whole units).
    pub fractional: bool,
    /// Close every position at the last bar's close (else they stay open, marked).
    pub close_at_end: bool,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        ExecutionConfig {
            fill_timing: FillTiming::NextOpen,
            intrabar: IntrabarPriority::StopFirst,
            max_volume_share: None,
            slippage: SlippageModel::None,
            commission: None,
            allow_short: false,
            margin: false,
            max_leverage: 1.0,
            borrow_fee_bps: 0.0,
            fractional: false,
            close_at_end: false,
        }
    }
}

impl ExecutionConfig {
    /// Checks ranges.
    pub fn validate(&self) -> Result<(), EngineError> {
        if let Some(v) = self.max_volume_share {
            if !(v > 0.0 && v <= 1.0) {
                return Err(EngineError::Config(format!(
                    "execution.max_volume_share must be in (0, 1], got {v}"
                )));
            }
        }
        if !(self.max_leverage.is_finite() && self.max_leverage > 0.0) {
            return Err(EngineError::Config(format!(
                "execution.max_leverage must be positive, got {}",
                self.max_leverage
            )));
        }
        if !(self.borrow_fee_bps.is_finite() && self.borrow_fee_bps >= 0.0) {
            return Err(EngineError::Config(format!(
                "execution.borrow_fee_bps must be non-negative, got {}",
                self.borrow_fee_bps
            )));
        }
        self.slippage.validate()?;
        if let Some(c) = &self.commission {
            c.validate()?;
        }
        Ok(())
    }
}

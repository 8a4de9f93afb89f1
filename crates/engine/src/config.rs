//! The backtest config: the `[backtest]` table of a config file, key by key documented in
//! `docs/BACKTEST.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::EngineError;

/// When the strategy decides, relative to day t's session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionTime {
    /// Before the open: sees closes through t-1.
    #[default]
    BeforeOpen,
    /// At the open: also sees day t's open, and the first fill happens at that open.
    AtOpen,
}

/// Where fills happen inside the session (OHLCV data; close-only data fills at the close).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillPrice {
    /// Fill k of n at `open + (close - open) k / (n - 1)`; one fill is at the open.
    #[default]
    Path,
    /// Every fill at the typical price `(high + low + close) / 3`, a VWAP proxy.
    Typical,
    /// Every fill at the open.
    Open,
    /// Every fill at the close (a named same-day-close option).
    Close,
}

/// What happens to the part of an order a volume cap did not let through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remainder {
    /// Carried into the next day's order (until a new target replaces it).
    #[default]
    Carry,
    /// Dropped.
    Drop,
}

/// What happens to a decision that breaks a limit (gross leverage, shorting, cash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPolicy {
    /// Scale it down until it fits (shorts clipped to flat), and report.
    #[default]
    Scale,
    /// Reject the offending orders (the day's buys when cash or leverage is short), and
    /// report.
    Reject,
    /// Stop the run with an error.
    Error,
}

/// What happens when a position is held in a symbol with no price on a date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPrice {
    /// Stop with an error naming symbol and date.
    #[default]
    Error,
    /// Keep the last price (no P&L that day), refuse trades in the symbol, and report.
    Hold,
}

/// How decisions are interpreted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 1: the strategy's targets or trades are executed as given.
    #[default]
    TargetPortfolio,
    /// 2: the strategy returns alpha scores; a mean-variance step makes target weights.
    AlphaDriven,
    /// 3: trades come from a file (or helper); the risk overlay applies.
    ExternalTrades,
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Mode, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Name(String),
        }
        let raw = Raw::deserialize(d)?;
        let mode = match &raw {
            Raw::Number(1) => Some(Mode::TargetPortfolio),
            Raw::Number(2) => Some(Mode::AlphaDriven),
            Raw::Number(3) => Some(Mode::ExternalTrades),
            Raw::Name(s) => Mode::from_name(s),
            Raw::Number(_) => None,
        };
        mode.ok_or_else(|| {
            serde::de::Error::custom(
                "mode must be target_portfolio (1), alpha_driven (2) or external_trades (3)",
            )
        })
    }
}

impl Mode {
    /// Parses a mode name or its number.
    pub fn from_name(s: &str) -> Option<Mode> {
        match s.trim() {
            "target_portfolio" | "target-portfolio" | "1" => Some(Mode::TargetPortfolio),
            "alpha_driven" | "alpha-driven" | "alpha" | "2" => Some(Mode::AlphaDriven),
            "external_trades" | "external-trades" | "3" => Some(Mode::ExternalTrades),
            _ => None,
        }
    }
}

/// How an instrument settles (the ledger's rule).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementConfig {
    /// Stocks and ETFs: the notional changes hands.
    #[default]
    Cash,
    /// Futures: daily variation margin, notional never paid.
    Future,
}

/// Per-instrument settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstrumentConfig {
    /// Money per point per unit (50 for ES).
    pub multiplier: f64,
    /// Quantities are whole multiples of this (ignored when `fractional`).
    pub lot_size: f64,
    /// Settlement rule.
    pub settlement: SettlementConfig,
}

impl Default for InstrumentConfig {
    fn default() -> InstrumentConfig {
        InstrumentConfig {
            multiplier: 1.0,
            lot_size: 1.0,
            settlement: SettlementConfig::Cash,
        }
    }
}

/// The `[backtest]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// First date traded (`YYYY-MM-DD`); earlier data is history for the strategy.
    pub start: Option<String>,
    /// Last date traded.
    pub end: Option<String>,
    /// Starting cash.
    #[serde(alias = "initial_capital")]
    pub initial_cash: f64,
    /// Positions held at the start (symbol to quantity).
    pub initial_positions: BTreeMap<String, f64>,
    /// Cost on traded notional, in basis points.
    pub transaction_cost_bps: f64,
    /// Commission per share or contract.
    pub commission_per_share: f64,
    /// Minimum commission per fill (when a per-share commission applies).
    pub commission_min: f64,
    /// Price impact in basis points: buys pay more, sells receive less.
    pub impact_bps: f64,
    /// Fills per symbol per day.
    pub num_fills: usize,
    /// Fill price model.
    pub fill_price: FillPrice,
    /// When the strategy decides.
    pub decision_time: DecisionTime,
    /// Cap on a symbol's daily traded quantity as a fraction of trailing average daily
    /// volume.
    pub max_adv_participation: Option<f64>,
    /// Days in the trailing average daily volume.
    pub adv_window: usize,
    /// What happens to quantity the volume cap holds back.
    pub remainder: Remainder,
    /// Cap on the ex-ante annualised variance of the post-trade portfolio.
    pub max_portfolio_variance: Option<f64>,
    /// Days of returns in the overlay's and the alpha step's covariance.
    pub covariance_window: usize,
    /// Ledoit-Wolf shrinkage of that covariance (else the sample covariance).
    pub shrinkage: bool,
    /// Bound on gross exposure as a multiple of portfolio value; above 1 allows
    /// borrowing cash.
    pub max_gross_leverage: f64,
    /// Shorts allowed.
    pub allow_short: bool,
    /// What happens to decisions that break a limit.
    pub limit_policy: LimitPolicy,
    /// Held positions without a price.
    pub missing_price: MissingPrice,
    /// Trade fractional units instead of whole lots.
    pub fractional: bool,
    /// Per-symbol settings (multiplier, lot size, settlement).
    pub instruments: BTreeMap<String, InstrumentConfig>,
    /// How decisions are interpreted.
    pub mode: Mode,
    /// Alpha-driven mode: risk aversion.
    pub risk_aversion: f64,
    /// Alpha-driven mode: cost penalty per unit weight traded (default:
    /// `transaction_cost_bps / 10000`).
    pub cost_penalty: Option<f64>,
    /// Periods per year for metrics and annualised variance.
    pub periods_per_year: f64,
    /// Risk-free rate (annual) for metrics.
    pub risk_free: f64,
}

impl Default for BacktestConfig {
    fn default() -> BacktestConfig {
        BacktestConfig {
            start: None,
            end: None,
            initial_cash: 1_000_000.0,
            initial_positions: BTreeMap::new(),
            transaction_cost_bps: 0.0,
            commission_per_share: 0.0,
            commission_min: 0.0,
            impact_bps: 0.0,
            num_fills: 1,
            fill_price: FillPrice::Path,
            decision_time: DecisionTime::BeforeOpen,
            max_adv_participation: None,
            adv_window: 20,
            remainder: Remainder::Carry,
            max_portfolio_variance: None,
            covariance_window: 60,
            shrinkage: true,
            max_gross_leverage: 1.0,
            allow_short: false,
            limit_policy: LimitPolicy::Scale,
            missing_price: MissingPrice::Error,
            fractional: false,
            instruments: BTreeMap::new(),
            mode: Mode::TargetPortfolio,
            risk_aversion: 1.0,
            cost_penalty: None,
            periods_per_year: 252.0,
            risk_free: 0.0,
        }
    }
}

fn non_negative(name: &str, v: f64) -> Result<(), EngineError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(EngineError::Config(format!(
            "{name} must be a non-negative number, got {v}"
        )))
    }
}

fn positive(name: &str, v: f64) -> Result<(), EngineError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(EngineError::Config(format!(
            "{name} must be a positive number, got {v}"
        )))
    }
}

impl BacktestConfig {
    /// Checks every value's range.
    pub fn validate(&self) -> Result<(), EngineError> {
        positive("initial_cash", self.initial_cash)?;
        non_negative("transaction_cost_bps", self.transaction_cost_bps)?;
        non_negative("commission_per_share", self.commission_per_share)?;
        non_negative("commission_min", self.commission_min)?;
        non_negative("impact_bps", self.impact_bps)?;
        if self.impact_bps >= 10_000.0 {
            return Err(EngineError::Config(format!(
                "impact_bps must be below 10000, got {}",
                self.impact_bps
            )));
        }
        if self.num_fills == 0 {
            return Err(EngineError::Config("num_fills must be at least 1".into()));
        }
        if let Some(p) = self.max_adv_participation {
            positive("max_adv_participation", p)?;
        }
        if self.adv_window == 0 {
            return Err(EngineError::Config("adv_window must be at least 1".into()));
        }
        if let Some(v) = self.max_portfolio_variance {
            positive("max_portfolio_variance", v)?;
        }
        if self.covariance_window < 2 {
            return Err(EngineError::Config(
                "covariance_window must be at least 2".into(),
            ));
        }
        positive("max_gross_leverage", self.max_gross_leverage)?;
        positive("risk_aversion", self.risk_aversion)?;
        if let Some(c) = self.cost_penalty {
            non_negative("cost_penalty", c)?;
        }
        positive("periods_per_year", self.periods_per_year)?;
        if !self.risk_free.is_finite() {
            return Err(EngineError::Config("risk_free must be finite".into()));
        }
        for (symbol, q) in &self.initial_positions {
            if !q.is_finite() {
                return Err(EngineError::Config(format!(
                    "initial position of {symbol} must be finite, got {q}"
                )));
            }
        }
        for (symbol, i) in &self.instruments {
            positive(&format!("instruments.{symbol}.multiplier"), i.multiplier)?;
            positive(&format!("instruments.{symbol}.lot_size"), i.lot_size)?;
        }
        Ok(())
    }

    /// The alpha step's cost penalty.
    pub fn alpha_cost_penalty(&self) -> f64 {
        self.cost_penalty
            .unwrap_or(self.transaction_cost_bps / 10_000.0)
    }
}

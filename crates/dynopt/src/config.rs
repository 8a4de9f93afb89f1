//! The `oxfolio dynopt` configuration: data, the trading system, and the dynamic
//! optimisation's parameters. Every key has a default except `[data] dir`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DynoptConfig {
    /// Where the futures come from.
    pub data: DataConfig,
    /// Positions from forecasts, volatility and instrument weights.
    #[serde(default)]
    pub system: SystemConfig,
    /// The greedy optimisation's parameters.
    #[serde(default)]
    pub dynamic: DynamicConfig,
}

impl DynoptConfig {
    /// Every default, on the futures in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DynoptConfig {
            data: DataConfig {
                dir: dir.into(),
                instruments: Vec::new(),
                start: None,
                end: None,
                base_currency: usd(),
            },
            system: SystemConfig::default(),
            dynamic: DynamicConfig::default(),
        }
    }
}

/// `[data]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Folder in pysystemtrade's layout (`adjusted_prices_csv/`, `fx_prices_csv/`,
    /// `csvconfig/`), daily or raw.
    pub dir: PathBuf,
    /// Instruments; empty means every price file in the folder.
    #[serde(default)]
    pub instruments: Vec<String>,
    /// First date (`YYYY-MM-DD`).
    #[serde(default)]
    pub start: Option<String>,
    /// Last date.
    #[serde(default)]
    pub end: Option<String>,
    /// Account currency; FX files are `CCY{base}.csv`.
    #[serde(default = "usd")]
    pub base_currency: String,
}

/// Forecast rule.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ForecastRule {
    /// Exponentially weighted moving-average crossover, scaled and capped.
    Ewmac,
    /// Constant long, forecast 10.
    Long,
}

/// Static instrument weights.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum WeightMethod {
    /// 1 / N.
    Equal,
    /// Proportional to 1 / volatility of the (volatility-normalised) instrument returns.
    InverseVolatility,
    /// Equal risk contribution under the instrument correlation.
    RiskParity,
    /// Hierarchical risk parity under the instrument correlation.
    Hrp,
}

/// How often positions are re-optimised.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Rebalance {
    /// Every trading day.
    Daily,
    /// The first trading day of each week.
    Weekly,
    /// The first trading day of each month.
    Monthly,
}

/// `[system]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SystemConfig {
    /// Trading capital in the base currency (fixed, not compounded).
    pub capital: f64,
    /// Annual risk target as a fraction of capital.
    pub risk_target: f64,
    /// Instrument diversification multiplier; absent means `1 / sqrt(w' R w)` from the
    /// weights and correlations, capped at `idm_cap`.
    pub idm: Option<f64>,
    /// Cap on the estimated diversification multiplier.
    pub idm_cap: f64,
    /// Forecast rule.
    pub forecast: ForecastRule,
    /// EWMAC fast span (days).
    pub ewmac_fast: usize,
    /// EWMAC slow span (days).
    pub ewmac_slow: usize,
    /// Scales the raw EWMAC forecast to an average absolute value of about 10.
    pub forecast_scalar: f64,
    /// Forecasts are capped at plus or minus this.
    pub forecast_cap: f64,
    /// Span of the EWMA volatility of daily price changes.
    pub vol_span: usize,
    /// Span of the EWMA correlation of volatility-normalised returns.
    pub correlation_span: usize,
    /// Daily returns an instrument needs before it trades.
    pub min_history: usize,
    /// Static instrument weights.
    pub weights: WeightMethod,
    /// Split weight equally across asset classes first, then by `weights` within each.
    pub weights_by_asset_class: bool,
    /// Linkage for `hrp`.
    pub hrp_linkage: oxfolio_optim::Linkage,
    /// Re-optimisation frequency.
    pub rebalance: Rebalance,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            capital: 100_000.0,
            risk_target: 0.20,
            idm: None,
            idm_cap: 2.5,
            forecast: ForecastRule::Ewmac,
            ewmac_fast: 16,
            ewmac_slow: 64,
            forecast_scalar: 4.1,
            forecast_cap: 20.0,
            vol_span: 32,
            correlation_span: 125,
            min_history: 64,
            weights: WeightMethod::Equal,
            weights_by_asset_class: true,
            hrp_linkage: oxfolio_optim::Linkage::Single,
            rebalance: Rebalance::Daily,
        }
    }
}

/// `[dynamic]`, with pysystemtrade's `small_system` defaults.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DynamicConfig {
    /// Multiplier on the cost term of the objective.
    pub shadow_cost: f64,
    /// Scales the costs the optimiser sees (not the costs paid).
    pub cost_multiplier: f64,
    /// Buffer as a fraction of the risk target (0.05 of 25% is pysystemtrade's 0.0125).
    pub buffer_fraction: f64,
}

impl Default for DynamicConfig {
    fn default() -> Self {
        DynamicConfig {
            shadow_cost: 50.0,
            cost_multiplier: 1.0,
            buffer_fraction: 0.05,
        }
    }
}

fn usd() -> String {
    "USD".to_string()
}

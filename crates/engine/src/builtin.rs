//! Built-in strategies, selected by the `[strategy]` table of a config file.
//!
//! | kind | decides | keys |
//! |---|---|---|
//! | `equal_weight` | `1/N` of the universe | `rebalance`, `drift_threshold`, `drift_measure` |
//! | `fixed_weights` | the given weights | `weights` |
//! | `inverse_volatility` | `1/sigma_i` normalised, over `lookback` days | `lookback` |
//! | `volatility_target` | equal weights scaled by `target_volatility / realised portfolio volatility` (capped at `max_exposure`) | `target_volatility`, `lookback`, `max_exposure` |
//! | `drawdown_scaled` | equal weights scaled by `1 - drawdown / max_drawdown` (floored at `min_exposure`), halved again while the `lookback` return is negative | `max_drawdown`, `min_exposure`, `lookback` |
//! | `fixed_positions` | the given share counts | `positions` |
//! | `momentum_top_k` | the `k` best `lookback` returns, equal or inverse-volatility weighted | `k`, `lookback`, `weighting` |
//! | `momentum_alpha` | alpha = mean daily return over `lookback` x 252 (alpha-driven mode) | `lookback` |
//! | `trades_file` | trades from a `date,symbol,quantity` file (external-trades mode) | `trades` |

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{EngineError, StrategyError};
use crate::signals::{DriftBand, DriftMeasure, Rebalance};
use crate::strategy::{Decision, Strategy};

/// How momentum winners are weighted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// `1/k` each.
    #[default]
    Equal,
    /// Proportional to `1/sigma`.
    InverseVolatility,
}

/// The `[strategy]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StrategyConfig {
    /// Built-in strategy name.
    pub kind: String,
    /// Schedule.
    pub rebalance: Rebalance,
    /// Drift threshold for `rebalance = "drift"`.
    pub drift_threshold: f64,
    /// Drift measure.
    pub drift_measure: DriftMeasure,
    /// Universe (default: every symbol).
    pub symbols: Option<Vec<String>>,
    /// `fixed_weights`: symbol to weight.
    pub weights: BTreeMap<String, f64>,
    /// `fixed_positions`: symbol to quantity.
    pub positions: BTreeMap<String, f64>,
    /// Look-back window in days.
    pub lookback: usize,
    /// `volatility_target`: annualised target.
    pub target_volatility: f64,
    /// Upper bound on the exposure multiplier.
    pub max_exposure: f64,
    /// `drawdown_scaled`: lower bound on the exposure multiplier.
    pub min_exposure: f64,
    /// `drawdown_scaled`: drawdown at which exposure reaches its floor.
    pub max_drawdown: f64,
    /// `momentum_top_k`: number of winners.
    pub k: usize,
    /// `momentum_top_k`: weighting.
    pub weighting: Weighting,
    /// `trades_file`: the file.
    pub trades: Option<PathBuf>,
    /// `sma_crossover`: fast average bars.
    pub fast: usize,
    /// `sma_crossover`: slow average bars.
    pub slow: usize,
    /// Order-level strategies: fixed units per entry (without a sizer).
    pub quantity: Option<f64>,
    /// `signals`: the `datetime[,symbol],signal,confidence` file.
    pub signals: Option<PathBuf>,
    /// `atr_breakout`: ATR bars.
    pub atr_period: usize,
    /// `atr_breakout`: stop distance in ATRs.
    pub atr_multiple: f64,
    /// `optimized_momentum`: the fallback chain, tried in order.
    pub methods: Vec<String>,
    /// `optimized_momentum`: smallest weight of a chosen symbol.
    pub min_weight: f64,
    /// `optimized_momentum`: largest weight of a chosen symbol.
    pub max_weight: f64,
    /// Order-level strategies: when to act (`every_bar`, `every_N`, `weekly`, `monthly`).
    pub schedule: Option<crate::events::schedule::Schedule>,
}

impl Default for StrategyConfig {
    fn default() -> StrategyConfig {
        StrategyConfig {
            kind: "equal_weight".into(),
            rebalance: Rebalance::Monthly,
            drift_threshold: 0.2,
            drift_measure: DriftMeasure::Relative,
            symbols: None,
            weights: BTreeMap::new(),
            positions: BTreeMap::new(),
            lookback: 63,
            target_volatility: 0.10,
            max_exposure: 1.0,
            min_exposure: 0.0,
            max_drawdown: 0.2,
            k: 5,
            weighting: Weighting::Equal,
            trades: None,
            fast: 10,
            slow: 30,
            quantity: None,
            signals: None,
            atr_period: 14,
            atr_multiple: 2.0,
            methods: vec!["max_sharpe".into(), "hrp".into(), "equal_weight".into()],
            min_weight: 0.0,
            max_weight: 1.0,
            schedule: None,
        }
    }
}

/// Names of the built-in strategies.
pub const KINDS: [&str; 9] = [
    "equal_weight",
    "fixed_weights",
    "inverse_volatility",
    "volatility_target",
    "drawdown_scaled",
    "fixed_positions",
    "momentum_top_k",
    "momentum_alpha",
    "trades_file",
];

/// What a built-in computes before the schedule and exposure are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Equal,
    Fixed,
    InverseVolatility,
    VolatilityTarget,
    DrawdownScaled,
    Positions,
    MomentumTopK,
    MomentumAlpha,
}

/// A built-in strategy (everything but `trades_file`, which is a [`crate::trades::TradeList`]).
#[derive(Clone, Debug)]
pub struct Builtin {
    name: String,
    rule: Rule,
    config: StrategyConfig,
    universe: Vec<bool>,
    fixed: Vec<f64>,
    started: bool,
    band: Option<DriftBand>,
}

fn index_map(
    symbols: &[String],
    map: &BTreeMap<String, f64>,
    key: &str,
) -> Result<Vec<f64>, EngineError> {
    let mut out = vec![0.0; symbols.len()];
    for (s, v) in map {
        let i = symbols
            .iter()
            .position(|x| x == s)
            .ok_or_else(|| EngineError::Config(format!("strategy.{key}: unknown symbol `{s}`")))?;
        if !v.is_finite() {
            return Err(EngineError::Config(format!(
                "strategy.{key}.{s} must be finite, got {v}"
            )));
        }
        out[i] = *v;
    }
    Ok(out)
}

impl Builtin {
    /// Builds the strategy `config.kind` for `symbols`.
    pub fn new(config: &StrategyConfig, symbols: &[String]) -> Result<Builtin, EngineError> {
        let rule = match config.kind.as_str() {
            "equal_weight" => Rule::Equal,
            "fixed_weights" => Rule::Fixed,
            "inverse_volatility" => Rule::InverseVolatility,
            "volatility_target" => Rule::VolatilityTarget,
            "drawdown_scaled" => Rule::DrawdownScaled,
            "fixed_positions" => Rule::Positions,
            "momentum_top_k" => Rule::MomentumTopK,
            "momentum_alpha" => Rule::MomentumAlpha,
            other => {
                return Err(EngineError::Config(format!(
                    "unknown strategy kind `{other}` (portfolio level: {}; order level: {})",
                    KINDS.join(", "),
                    crate::events::strategies::EVENT_KINDS.join(", ")
                )))
            }
        };
        let universe = match &config.symbols {
            None => vec![true; symbols.len()],
            Some(list) => {
                let mut u = vec![false; symbols.len()];
                for s in list {
                    let i = symbols.iter().position(|x| x == s).ok_or_else(|| {
                        EngineError::Config(format!("strategy.symbols: unknown symbol `{s}`"))
                    })?;
                    u[i] = true;
                }
                u
            }
        };
        let fixed = match rule {
            Rule::Fixed => index_map(symbols, &config.weights, "weights")?,
            Rule::Positions => index_map(symbols, &config.positions, "positions")?,
            _ => Vec::new(),
        };
        if rule == Rule::Fixed && config.weights.is_empty() {
            return Err(EngineError::Config(
                "fixed_weights needs strategy.weights".into(),
            ));
        }
        if rule == Rule::Positions && config.positions.is_empty() {
            return Err(EngineError::Config(
                "fixed_positions needs strategy.positions".into(),
            ));
        }
        if config.lookback < 2
            && matches!(
                rule,
                Rule::InverseVolatility
                    | Rule::VolatilityTarget
                    | Rule::MomentumTopK
                    | Rule::MomentumAlpha
                    | Rule::DrawdownScaled
            )
        {
            return Err(EngineError::Config(format!(
                "strategy.lookback must be at least 2, got {}",
                config.lookback
            )));
        }
        if rule == Rule::MomentumTopK && config.k == 0 {
            return Err(EngineError::Config("strategy.k must be at least 1".into()));
        }
        for (key, v) in [
            ("drift_threshold", config.drift_threshold),
            ("target_volatility", config.target_volatility),
            ("max_exposure", config.max_exposure),
            ("max_drawdown", config.max_drawdown),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(EngineError::Config(format!(
                    "strategy.{key} must be positive, got {v}"
                )));
            }
        }
        if !(config.min_exposure.is_finite() && config.min_exposure >= 0.0) {
            return Err(EngineError::Config(format!(
                "strategy.min_exposure must be non-negative, got {}",
                config.min_exposure
            )));
        }
        Ok(Builtin {
            name: config.kind.clone(),
            rule,
            config: config.clone(),
            universe,
            fixed,
            started: false,
            band: None,
        })
    }

    /// Equal weights over the universe symbols that have a reference price.
    fn equal_priced(&self, ctx: &Context<'_>) -> Vec<f64> {
        let ok: Vec<bool> = self
            .universe
            .iter()
            .zip(ctx.reference_prices)
            .map(|(u, p)| *u && p.is_finite())
            .collect();
        let k = ok.iter().filter(|u| **u).count().max(1) as f64;
        ok.iter().map(|u| if *u { 1.0 / k } else { 0.0 }).collect()
    }

    fn inverse_vol(&self, ctx: &Context<'_>, members: &[bool]) -> Option<Vec<f64>> {
        let lb = self.config.lookback;
        let mut w: Vec<f64> = members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if *m {
                    1.0 / ctx.trailing_volatility(i, lb)
                } else {
                    0.0
                }
            })
            .collect();
        if w.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let s: f64 = w.iter().sum();
        if s <= 0.0 {
            return None;
        }
        w.iter_mut().for_each(|v| *v /= s);
        Some(w)
    }

    /// Target weights (or positions) today, or `None` while history is too short.
    fn target(&mut self, ctx: &Context<'_>) -> Option<Vec<f64>> {
        let lb = self.config.lookback;
        let enough = ctx.t > lb + 1;
        match self.rule {
            Rule::Equal => Some(self.equal_priced(ctx)),
            Rule::Fixed | Rule::Positions => Some(self.fixed.clone()),
            Rule::InverseVolatility => enough
                .then(|| self.inverse_vol(ctx, &self.universe))
                .flatten(),
            Rule::VolatilityTarget => {
                let base = self.equal_priced(ctx);
                let vol = ctx.portfolio_volatility(lb) * 252f64.sqrt();
                let exposure = if vol.is_finite() && vol > 0.0 && ctx.returns.len() >= lb {
                    (self.config.target_volatility / vol).min(self.config.max_exposure)
                } else {
                    1.0f64.min(self.config.max_exposure)
                };
                Some(base.iter().map(|w| w * exposure).collect())
            }
            Rule::DrawdownScaled => {
                let base = self.equal_priced(ctx);
                let dd = -ctx.drawdown();
                let mut exposure =
                    (1.0 - dd / self.config.max_drawdown).max(self.config.min_exposure);
                let k = ctx.returns.len().min(lb);
                let recent: f64 = ctx.returns[ctx.returns.len() - k..]
                    .iter()
                    .map(|r| 1.0 + r)
                    .product::<f64>()
                    - 1.0;
                if k > 0 && recent < 0.0 {
                    exposure = (exposure * 0.5).max(self.config.min_exposure);
                }
                let exposure = exposure.min(self.config.max_exposure);
                Some(base.iter().map(|w| w * exposure).collect())
            }
            Rule::MomentumTopK => {
                if !enough {
                    return None;
                }
                let mut ranked: Vec<(usize, f64)> = (0..ctx.n_symbols())
                    .filter(|i| self.universe[*i])
                    .map(|i| (i, ctx.trailing_return(i, lb)))
                    .filter(|(_, r)| r.is_finite())
                    .collect();
                // Highest return first; ties by symbol index, so runs are deterministic.
                ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let mut members = vec![false; ctx.n_symbols()];
                for (i, _) in ranked.iter().take(self.config.k) {
                    members[*i] = true;
                }
                let k = members.iter().filter(|m| **m).count();
                if k == 0 {
                    return None;
                }
                match self.config.weighting {
                    Weighting::Equal => Some(
                        members
                            .iter()
                            .map(|m| if *m { 1.0 / k as f64 } else { 0.0 })
                            .collect(),
                    ),
                    Weighting::InverseVolatility => self.inverse_vol(ctx, &members),
                }
            }
            Rule::MomentumAlpha => {
                if !enough {
                    return None;
                }
                Some(
                    (0..ctx.n_symbols())
                        .map(|i| {
                            let r = (1.0 + ctx.trailing_return(i, lb)).ln() / lb as f64 * 252.0;
                            if self.universe[i] && r.is_finite() {
                                r
                            } else {
                                0.0
                            }
                        })
                        .collect(),
                )
            }
        }
    }
}

impl Strategy for Builtin {
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        let flat = ctx.positions.iter().all(|q| *q == 0.0);
        let first = !self.started;
        if !first && !flat && !self.config.rebalance.due(ctx) {
            return Ok(Decision::Hold);
        }
        let Some(target) = self.target(ctx) else {
            return Ok(Decision::Hold);
        };
        if self.rule == Rule::MomentumAlpha {
            self.started = true;
            return Ok(Decision::Alphas(target));
        }
        if self.rule == Rule::Positions {
            if !first && ctx.positions == target.as_slice() {
                return Ok(Decision::Hold);
            }
            self.started = true;
            return Ok(Decision::Positions(target));
        }
        if !first && !flat && self.config.rebalance == Rebalance::Drift {
            if let Some(band) = &self.band {
                if !band.drifted(ctx) {
                    return Ok(Decision::Hold);
                }
            }
        }
        if self.config.rebalance == Rebalance::Drift {
            self.band = Some(DriftBand::new(
                target.clone(),
                self.config.drift_threshold,
                self.config.drift_measure,
            ));
        }
        self.started = true;
        Ok(Decision::Weights(target))
    }

    fn name(&self) -> &str {
        &self.name
    }
}

//! Signal generator helpers to compose strategies in Rust: a recorder, a schedule or
//! predicate gate, target weights with a drift threshold, and an alpha source.

use oxfolio_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::StrategyError;
use crate::strategy::{Decision, Strategy};

/// When a rebalance may happen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rebalance {
    /// Every day.
    Daily,
    /// The first trading day of each ISO week (a week-end decision filled next session).
    Weekly,
    /// The first trading day of each month (a month-end decision filled next session).
    #[default]
    Monthly,
    /// Whenever a weight drifts past the threshold.
    Drift,
}

impl Rebalance {
    /// True when the calendar allows a rebalance today (`Drift` is decided by weights).
    pub fn due(self, ctx: &Context<'_>) -> bool {
        match self {
            Rebalance::Daily | Rebalance::Drift => true,
            Rebalance::Weekly => ctx.flags.first_of_week,
            Rebalance::Monthly => ctx.flags.first_of_month,
        }
    }
}

/// How drift from target weights is measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMeasure {
    /// `|w - target| > threshold` (weight points).
    Absolute,
    /// `|w / target - 1| > threshold` (and any holding where the target is zero).
    #[default]
    Relative,
}

/// How far a weight may move from its target `t` before it counts as drifted:
/// `threshold |t|` (relative; any holding at all where `t` is 0) or `threshold`
/// (absolute). Drifted means `|w - t| > limit`.
fn drift_limit(t: f64, threshold: f64, measure: DriftMeasure) -> f64 {
    match (measure, t == 0.0) {
        (DriftMeasure::Relative, true) => 1e-12,
        (DriftMeasure::Relative, false) => threshold * t.abs(),
        (DriftMeasure::Absolute, _) => threshold,
    }
}

/// True when `current` has drifted from `target` past `threshold`.
pub fn drifted(current: &[f64], target: &[f64], threshold: f64, measure: DriftMeasure) -> bool {
    current
        .iter()
        .zip(target)
        .any(|(w, t)| (w - t).abs() > drift_limit(*t, threshold, measure))
}

/// Target weights with their drift limits computed once, for checking every day.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftBand {
    target: Vec<f64>,
    limits: Vec<f64>,
}

impl DriftBand {
    /// The band around `target`.
    pub fn new(target: Vec<f64>, threshold: f64, measure: DriftMeasure) -> DriftBand {
        let limits = target
            .iter()
            .map(|t| drift_limit(*t, threshold, measure))
            .collect();
        DriftBand { target, limits }
    }

    /// The target weights.
    pub fn target(&self) -> &[f64] {
        &self.target
    }

    /// True when the holdings in `ctx`, as weights at the reference prices, are outside
    /// the band ([`drifted`] on [`Context::current_weights`], in one pass without a
    /// buffer).
    pub fn drifted(&self, ctx: &Context<'_>) -> bool {
        let inverse = 1.0 / ctx.portfolio_value;
        // Branch-free blocks of 8 (vectorisable), stopping at the first block that drifted.
        const BLOCK: usize = 8;
        let blocks = ctx
            .positions
            .chunks(BLOCK)
            .zip(ctx.reference_prices.chunks(BLOCK))
            .zip(ctx.multipliers.chunks(BLOCK))
            .zip(self.target.chunks(BLOCK))
            .zip(self.limits.chunks(BLOCK));
        for ((((q, p), m), t), l) in blocks {
            let mut any = false;
            for ((((q, p), m), t), l) in q.iter().zip(p).zip(m).zip(t).zip(l) {
                let w = q * p * m * inverse;
                let w = if *q == 0.0 { 0.0 } else { w };
                any |= (w - t).abs() > *l;
            }
            if any {
                return true;
            }
        }
        false
    }
}

/// A closure that rebalances to `target` whenever any weight has drifted past
/// `threshold` (and whenever nothing is held); holds otherwise. Called every day.
pub fn drift_rebalancer(
    target: Vec<f64>,
    threshold: f64,
    measure: DriftMeasure,
) -> impl FnMut(&Context<'_>) -> Result<Decision, StrategyError> {
    let band = DriftBand::new(target, threshold, measure);
    move |ctx| {
        let target = band.target();
        if target.len() != ctx.n_symbols() {
            return Err(StrategyError::new(format!(
                "{} target weights for {} symbols",
                target.len(),
                ctx.n_symbols()
            )));
        }
        let flat = ctx.positions.iter().all(|q| *q == 0.0);
        Ok(if flat || band.drifted(ctx) {
            Decision::Weights(target.to_vec())
        } else {
            Decision::Hold
        })
    }
}

/// Runs `inner` only when `predicate` holds (for example month end); holds otherwise.
pub struct Conditional<P, S> {
    /// The gate.
    pub predicate: P,
    /// The gated strategy.
    pub inner: S,
}

impl<P, S> Strategy for Conditional<P, S>
where
    P: FnMut(&Context<'_>) -> bool,
    S: Strategy,
{
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        if (self.predicate)(ctx) {
            self.inner.decide(ctx)
        } else {
            Ok(Decision::Hold)
        }
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

/// Fixed target weights, sent when the schedule is due and (for drift rebalancing) the
/// holdings have drifted past the threshold; always sent while nothing is held.
#[derive(Clone, Debug)]
pub struct TargetWeights {
    band: DriftBand,
    rebalance: Rebalance,
}

impl TargetWeights {
    /// Targets `weights` on `rebalance`; `threshold` and `measure` define the drift band
    /// used by `Rebalance::Drift`.
    pub fn new(
        weights: Vec<f64>,
        rebalance: Rebalance,
        threshold: f64,
        measure: DriftMeasure,
    ) -> TargetWeights {
        TargetWeights {
            band: DriftBand::new(weights, threshold, measure),
            rebalance,
        }
    }
}

impl Strategy for TargetWeights {
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        if self.band.target().len() != ctx.n_symbols() {
            return Err(StrategyError::new(format!(
                "{} target weights for {} symbols",
                self.band.target().len(),
                ctx.n_symbols()
            )));
        }
        let flat = ctx.positions.iter().all(|q| *q == 0.0);
        if !flat && !self.rebalance.due(ctx) {
            return Ok(Decision::Hold);
        }
        if !flat && self.rebalance == Rebalance::Drift && !self.band.drifted(ctx) {
            return Ok(Decision::Hold);
        }
        Ok(Decision::Weights(self.band.target().to_vec()))
    }

    fn name(&self) -> &str {
        "target_weights"
    }
}

/// Alpha scores from a closure, for the alpha-driven mode (`None` holds).
pub struct AlphaSignal<F> {
    /// Produces alpha scores by symbol index.
    pub alpha: F,
}

impl<F> Strategy for AlphaSignal<F>
where
    F: FnMut(&Context<'_>) -> Result<Option<Vec<f64>>, StrategyError>,
{
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        Ok((self.alpha)(ctx)?.map_or(Decision::Hold, Decision::Alphas))
    }

    fn name(&self) -> &str {
        "alpha"
    }
}

/// Wraps a strategy and keeps every decision it made, with its date.
pub struct Recorded<S> {
    /// The wrapped strategy.
    pub inner: S,
    /// `(date, decision)` in time order (holds included).
    pub history: Vec<(Timestamp, Decision)>,
}

impl<S> Recorded<S> {
    /// Starts recording `inner`.
    pub fn new(inner: S) -> Recorded<S> {
        Recorded {
            inner,
            history: Vec::new(),
        }
    }
}

impl<S: Strategy> Strategy for Recorded<S> {
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        let d = self.inner.decide(ctx)?;
        self.history.push((ctx.date, d.clone()));
        Ok(d)
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

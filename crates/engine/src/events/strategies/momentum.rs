//! Momentum top-K with an optimiser: on each scheduled bar, the `k` symbols with the best
//! `lookback`-bar return are weighted by the first method of the fallback chain that
//! succeeds (default: max Sharpe, then HRP, then equal weight) within `min_weight` and
//! `max_weight`, on the annualised mean and sample covariance of their last `lookback`
//! bar returns (252 bars a year); positions are moved to `floor(weight x equity / close)`
//! units with market orders. Every rebalance is recorded: the method that succeeded, why
//! earlier ones failed, the weights, expected return and volatility. When every method
//! fails the positions are kept and the failures recorded.

use oxfolio_optim::hierarchy::Linkage;
use oxfolio_optim::mean_variance::Bounds;
use oxfolio_optim::methods::{solve, Inputs, Method};
use oxfolio_optim::risk_model::RiskModel;

use crate::error::StrategyError;
use crate::events::context::{EventContext, OptimisationRecord};
use crate::events::order::OrderRequest;
use crate::events::schedule::Schedule;
use crate::events::strategy::OrderStrategy;

/// Parses a method name (`max_sharpe`, `min_volatility`, `risk_parity`, `hrp`,
/// `inverse_volatility`, `equal_weight`; dashes or underscores).
pub fn method_from_name(name: &str) -> Option<Method> {
    match name.replace('-', "_").as_str() {
        "max_sharpe" => Some(Method::MaxSharpe),
        "min_volatility" => Some(Method::MinVolatility),
        "risk_parity" => Some(Method::RiskParity),
        "hrp" => Some(Method::Hrp(Linkage::Single)),
        "inverse_volatility" => Some(Method::InverseVolatility),
        "equal_weight" => Some(Method::EqualWeight),
        _ => None,
    }
}

/// The strategy.
#[derive(Clone, Debug)]
pub struct OptimizedMomentum {
    k: usize,
    lookback: usize,
    schedule: Schedule,
    methods: Vec<Method>,
    bounds: Bounds,
    bars_seen: usize,
}

impl OptimizedMomentum {
    /// Top `k` by `lookback`-bar return, weighted by the first of `methods` that works.
    pub fn new(
        k: usize,
        lookback: usize,
        schedule: Schedule,
        methods: Vec<Method>,
        min_weight: f64,
        max_weight: f64,
    ) -> Result<OptimizedMomentum, StrategyError> {
        if k == 0 || lookback < 2 || methods.is_empty() {
            return Err(StrategyError::new(format!(
                "momentum needs k >= 1, lookback >= 2 and at least one method (k {k}, lookback {lookback})"
            )));
        }
        if !(min_weight >= 0.0 && min_weight <= max_weight && max_weight <= 1.0) {
            return Err(StrategyError::new(format!(
                "momentum needs 0 <= min_weight <= max_weight <= 1, got {min_weight}, {max_weight}"
            )));
        }
        Ok(OptimizedMomentum {
            k,
            lookback,
            schedule,
            methods,
            bounds: Bounds {
                lower: min_weight,
                upper: max_weight,
            },
            bars_seen: 0,
        })
    }

    fn rebalance(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let n = ctx.n_symbols();
        let lb = self.lookback;
        // Rank by trailing return; a symbol without a full window is skipped.
        let mut ranked: Vec<(usize, f64)> = (0..n)
            .filter_map(|i| {
                let r = ctx.close(i) / ctx.close_ago(i, lb) - 1.0;
                let complete = (0..=lb).all(|l| ctx.close_ago(i, l).is_finite());
                (complete && r.is_finite()).then_some((i, r))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(self.k);
        let chosen: Vec<usize> = ranked.iter().map(|c| c.0).collect();
        if chosen.is_empty() {
            return Ok(());
        }
        let m = chosen.len();
        // Bar returns of the chosen symbols over the window, annualised moments.
        let returns: Vec<Vec<f64>> = chosen
            .iter()
            .map(|&i| {
                (0..lb)
                    .map(|l| ctx.close_ago(i, l) / ctx.close_ago(i, l + 1) - 1.0)
                    .collect()
            })
            .collect();
        let means: Vec<f64> = returns
            .iter()
            .map(|r| r.iter().sum::<f64>() / lb as f64)
            .collect();
        let mu: Vec<f64> = means.iter().map(|x| x * 252.0).collect();
        let mut cov = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..=a {
                let c: f64 = (0..lb)
                    .map(|l| (returns[a][l] - means[a]) * (returns[b][l] - means[b]))
                    .sum::<f64>()
                    / (lb as f64 - 1.0)
                    * 252.0;
                cov[a * m + b] = c;
                cov[b * m + a] = c;
            }
        }
        let record =
            |method: String, failures: Vec<String>, weights: Vec<(String, f64)>, er, vol| {
                OptimisationRecord {
                    bar: ctx.t(),
                    ts: ctx.ts(),
                    method,
                    failures,
                    weights,
                    expected_return: er,
                    volatility: vol,
                }
            };
        // Each method in turn; a result outside the weight bounds counts as a failure,
        // whatever the method (HRP and equal weight know no bounds).
        let mut failures: Vec<String> = Vec::new();
        let mut chosen_result = None;
        match RiskModel::from_dense(&cov, m) {
            Err(e) => failures.push(format!("covariance: {e}")),
            Ok(model) => {
                let inputs = Inputs {
                    mu: &mu,
                    cov: &cov,
                    model: &model,
                    bounds: self.bounds,
                    risk_free: 0.0,
                    constraints: None,
                    corr: None,
                    budgets: None,
                };
                for method in &self.methods {
                    match solve(*method, &inputs) {
                        Err(e) => failures.push(format!("{}: {e}", method.name())),
                        Ok(p) => {
                            let (lo, hi) = (self.bounds.lower, self.bounds.upper);
                            let total: f64 = p.weights.iter().sum();
                            let problem = if p.weights.iter().any(|x| !x.is_finite()) {
                                Some("weights are not finite".to_string())
                            } else if (total - 1.0).abs() > 1e-6 {
                                Some(format!("weights sum to {total:.6}"))
                            } else {
                                p.weights
                                    .iter()
                                    .find(|x| **x < lo - 1e-9 || **x > hi + 1e-9)
                                    .map(|bad| format!("weight {bad:.4} is outside [{lo}, {hi}]"))
                            };
                            match problem {
                                Some(why) => failures.push(format!("{}: {why}", method.name())),
                                None => {
                                    chosen_result = Some((method.name(), p));
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
        let Some((method, portfolio)) = chosen_result else {
            let r = record(String::new(), failures, Vec::new(), f64::NAN, f64::NAN);
            ctx.record_optimisation(r);
            return Ok(());
        };
        let weights: Vec<(String, f64)> = chosen
            .iter()
            .zip(&portfolio.weights)
            .map(|(&i, w)| (ctx.symbols()[i].clone(), *w))
            .collect();
        let r = record(
            method.to_string(),
            failures,
            weights,
            portfolio.expected_return,
            portfolio.volatility,
        );
        ctx.record_optimisation(r);
        let equity = ctx.equity();
        let mut target = vec![0.0; n];
        for (&i, w) in chosen.iter().zip(&portfolio.weights) {
            target[i] = (w * equity / ctx.close(i)).floor().max(0.0);
        }
        // Sells first, so their cash is there for the buys at the same open.
        for pass in [false, true] {
            for (i, goal) in target.iter().enumerate() {
                let trade = goal - ctx.position(i);
                if trade != 0.0 && (trade > 0.0) == pass && ctx.close(i).is_finite() {
                    ctx.submit(OrderRequest::market(i, trade))
                        .map_err(|e| StrategyError::new(e.to_string()))?;
                }
            }
        }
        Ok(())
    }
}

impl OrderStrategy for OptimizedMomentum {
    fn name(&self) -> &str {
        "optimized_momentum"
    }

    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let k = self.bars_seen;
        self.bars_seen += 1;
        if ctx.t() < self.lookback || !self.schedule.is_due(k, ctx.flags()) {
            return Ok(());
        }
        self.rebalance(ctx)
    }
}

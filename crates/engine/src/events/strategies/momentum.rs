//! Momentum top-K with an optimiser: on each scheduled bar, the `k` symbols with the best
//! `lookback`-bar return are weighted by the first method of the fallback chain that
//! succeeds (default: max Sharpe, then HRP, then equal weight) within `min_weight` and
//! `max_weight`, on the annualised mean and sample covariance of their last `lookback`
//! bar returns (252 bars a year); positions are moved to `floor(weight x equity / close)`
//! units with market orders. Every rebalance is recorded: the method that succeeded, why
//! earlier ones failed, the weights, expected return and volatility. When every method
//! fails the positions are kept and the failures recorded.

use oxfolio_optim::estimates::{covariance, mean_historical_return, returns_from_prices};
use oxfolio_optim::hierarchy::Linkage;
use oxfolio_optim::mean_variance::Bounds;
use oxfolio_optim::methods::{sane, solve, Inputs, Method};
use oxfolio_optim::risk_model::Estimator;

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
        // The window's closes of the chosen symbols, oldest first, then the optimiser's
        // own estimators: arithmetic mean and sample covariance, 252 bars a year.
        let mut prices = Vec::with_capacity((lb + 1) * m);
        for lag in (0..=lb).rev() {
            prices.extend(chosen.iter().map(|&i| ctx.close_ago(i, lag)));
        }
        let estimates = returns_from_prices(&prices, m).and_then(|returns| {
            let mu = mean_historical_return(&returns, m, false, 252.0);
            covariance(&returns, m, Estimator::Sample, 252.0).map(|(cov, model)| (mu, cov, model))
        });
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
        let mut failures: Vec<String> = Vec::new();
        let mut chosen_result = None;
        match &estimates {
            Err(e) => failures.push(format!("estimates: {e}")),
            Ok((mu, cov, model)) => {
                let inputs = Inputs {
                    mu,
                    cov,
                    model,
                    bounds: self.bounds,
                    risk_free: 0.0,
                    constraints: None,
                    corr: None,
                    budgets: None,
                };
                let (lo, hi) = (self.bounds.lower, self.bounds.upper);
                for method in &self.methods {
                    // The optimiser's own sanity check, then the bounds for every method
                    // (HRP and equal weight know no bounds).
                    let outcome = solve(*method, &inputs)
                        .and_then(|p| sane(p, *method, &inputs))
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            match p
                                .weights
                                .iter()
                                .find(|x| **x < lo - 1e-9 || **x > hi + 1e-9)
                            {
                                Some(bad) => {
                                    Err(format!("weight {bad:.4} is outside [{lo}, {hi}]"))
                                }
                                None => Ok(p),
                            }
                        });
                    match outcome {
                        Err(why) => failures.push(format!("{}: {why}", method.name())),
                        Ok(p) => {
                            chosen_result = Some((method.name(), p));
                            break;
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

//! Static versus dynamic integer positions over one futures universe.
//!
//! Each rebalance day `t`, after the close: estimates are updated with the close, the
//! ideal (unrounded) position of every live instrument is
//! `capital x IDM x weight x risk_target x forecast / 10 / (point_size x FX x sigma)`, with
//! `sigma` the annualised volatility of price changes (`x sqrt(252)`); the static run
//! rounds each ideal position on its own, the dynamic run solves the greedy step from its
//! current positions. Both trade at the next day's close (no same-bar fills) and pay
//! spread plus commission there; P&L is `contracts x price change x point size x FX`
//! on a fixed capital (not compounded).
//!
//! Weight terms: with back-adjusted prices the notional of a contract is unknown (prices
//! can be negative), so one contract's weight is its annualised risk as a fraction of
//! capital, `v = point_size x FX x sigma / capital`, and the covariance per unit weight
//! is the correlation matrix. Tracking error, cost penalty and every greedy step equal
//! those in notional terms, because only `v_i sigma_i` and costs per contract enter them.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{DynoptConfig, Rebalance};
use crate::error::DynoptError;
use crate::greedy::{quadratic_form, Buffering, Problem, Solution, Workspace};
use crate::signals::Signals;
use crate::solve_file::SolveInput;
use crate::universe::Universe;
use crate::weights::instrument_weights;

/// Trading days per year, for annualisation.
pub const DAYS_PER_YEAR: f64 = 252.0;

/// One run (static or dynamic), columnar over the calendar.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// Positions held at each day's close, time-major `T x n`.
    pub positions: Vec<i64>,
    /// P&L net of costs per day, in the base currency.
    pub pnl: Vec<f64>,
    /// Costs paid per day.
    pub costs: Vec<f64>,
    /// Contracts traded per day.
    pub traded: Vec<u64>,
    /// One entry per rebalance.
    pub decisions: Vec<Decision>,
}

/// One rebalance of one run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Calendar index.
    pub t: usize,
    /// Tracking error of the decided positions against the ideal.
    pub tracking_error: f64,
    /// Buffering outcome (dynamic run only).
    pub buffering: Option<Buffering>,
    /// Greedy moves (dynamic run only).
    pub steps: usize,
}

/// Instrument weights in force from a date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightsRecord {
    /// Calendar index.
    pub t: usize,
    /// Weight per instrument (zero when not live).
    pub weights: Vec<f64>,
    /// Diversification multiplier.
    pub idm: f64,
}

/// A recorded dynamic solve: its input and the positions chosen (for cross-checks).
#[derive(Clone, Debug, Serialize)]
pub struct RecordedSolve {
    /// Date.
    pub date: String,
    /// The step as `oxfolio dynopt solve` reads it.
    pub input: SolveInput,
    /// Positions chosen, in `input.instruments` order.
    pub positions: Vec<i64>,
}

/// Figures of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunMetrics {
    /// Mean daily return times 252 (fraction of capital).
    pub annual_return: f64,
    /// Standard deviation of daily returns times sqrt(252).
    pub annual_volatility: f64,
    /// `annual_return / annual_volatility`.
    pub sharpe: f64,
    /// Deepest fall of cumulative P&L from its peak, as a fraction of capital (negative).
    pub max_drawdown: f64,
    /// Contracts traded in total.
    pub total_turnover: u64,
    /// Contracts traded per year.
    pub annual_turnover: f64,
    /// Mean absolute position summed over instruments (contracts).
    pub average_gross_position: f64,
    /// Mean tracking error of the decided positions against the ideal.
    pub average_tracking_error: f64,
    /// Mean adjustment factor over rebalances that traded toward the greedy result
    /// (dynamic only).
    pub average_adjustment_factor: Option<f64>,
    /// Share of rebalances inside the buffer (dynamic only).
    pub within_buffer_share: Option<f64>,
    /// Costs paid in the base currency.
    pub costs_paid: f64,
    /// Costs per year as a fraction of capital.
    pub annual_cost: f64,
    /// Days in the evaluation window.
    pub days: usize,
    /// Rebalances.
    pub rebalances: usize,
}

/// Everything a run folder shows.
#[derive(Clone, Debug)]
pub struct BacktestResult {
    /// The calendar.
    pub dates: Vec<NaiveDate>,
    /// Instrument names.
    pub instruments: Vec<String>,
    /// Ideal positions at each rebalance (NaN when not live or not a rebalance day).
    pub ideal: Vec<f64>,
    /// Each instrument rounded on its own.
    pub static_run: Run,
    /// The greedy step with buffering.
    pub dynamic_run: Run,
    /// Weights each time they were set.
    pub weights: Vec<WeightsRecord>,
    /// First day of the evaluation window (the day after the first decision).
    pub first_day: usize,
    /// Metrics of the static run.
    pub static_metrics: RunMetrics,
    /// Metrics of the dynamic run.
    pub dynamic_metrics: RunMetrics,
    /// Diagnostics (turnover, tracking error, adjustment factor).
    pub warnings: Vec<String>,
    /// Live instrument-days skipped because their volatility was zero.
    pub zero_volatility_days: usize,
    /// Dynamic solves, when asked for.
    pub solves: Vec<RecordedSolve>,
}

/// Reusable per-day buffers.
#[derive(Default)]
struct Scratch {
    live: Vec<usize>,
    classes: Vec<usize>,
    corr: Vec<f64>,
    optimal: Vec<f64>,
    value: Vec<f64>,
    cost: Vec<f64>,
    previous: Vec<i64>,
    gap: Vec<f64>,
    workspace: Workspace,
    solution: Solution,
}

/// Runs both backtests. `record` keeps every dynamic solve's input and result.
pub fn run(
    universe: &Universe,
    config: &DynoptConfig,
    record: bool,
) -> Result<BacktestResult, DynoptError> {
    check(config)?;
    let (system, dynamic) = (&config.system, &config.dynamic);
    let n = universe.n();
    let days = universe.dates.len();
    let buffer = dynamic.buffer_fraction * system.risk_target;
    let mut signals = Signals::new(n, system);
    let mut static_run = Run::with_capacity(days, n);
    let mut dynamic_run = Run::with_capacity(days, n);
    let mut pending_static = vec![0i64; n];
    let mut pending_dynamic = vec![0i64; n];
    let mut ideal = vec![f64::NAN; days * n];
    let mut weights = vec![0.0; n];
    let mut idm = 1.0;
    let mut weights_history: Vec<WeightsRecord> = Vec::new();
    let mut weights_live: Vec<usize> = Vec::new();
    let mut weights_year = None;
    let mut first_decision = None;
    let mut zero_volatility_days = 0;
    let mut solves = Vec::new();
    let mut s = Scratch::default();
    let asset_classes: Vec<&str> = universe
        .instruments
        .iter()
        .map(|i| i.asset_class.as_str())
        .collect();

    for t in 0..days {
        let row = &universe.prices[t * n..(t + 1) * n];
        let fx = &universe.fx[t * n..(t + 1) * n];
        let previous_row = (t > 0).then(|| &universe.prices[(t - 1) * n..t * n]);
        for (run, pending) in [
            (&mut static_run, &pending_static),
            (&mut dynamic_run, &pending_dynamic),
        ] {
            run.book_day(universe, row, previous_row, fx, pending);
        }
        signals.update(row);
        if !rebalances(config.system.rebalance, &universe.dates, t) {
            continue;
        }
        s.live.clear();
        for i in 0..n {
            if signals.history(i) >= system.min_history && row[i].is_finite() && fx[i].is_finite() {
                if signals.daily_vol(i) > 0.0 {
                    s.live.push(i);
                } else {
                    zero_volatility_days += 1;
                }
            }
        }
        pending_static.iter_mut().for_each(|p| *p = 0);
        if s.live.is_empty() {
            pending_dynamic.iter_mut().for_each(|p| *p = 0);
            continue;
        }
        first_decision.get_or_insert(t);
        signals.correlation(&s.live, &mut s.corr);
        let year = universe.dates[t].year();
        if weights_live != s.live || weights_year != Some(year) {
            let classes: Vec<&str> = s.live.iter().map(|&i| asset_classes[i]).collect();
            let (w, multiplier) = instrument_weights(&s.corr, &classes, system)?;
            weights.iter_mut().for_each(|x| *x = 0.0);
            for (&i, wi) in s.live.iter().zip(w) {
                weights[i] = wi;
            }
            idm = multiplier;
            weights_live.clone_from(&s.live);
            weights_year = Some(year);
            weights_history.push(WeightsRecord {
                t,
                weights: weights.clone(),
                idm,
            });
        }
        s.optimal.clear();
        s.value.clear();
        s.cost.clear();
        s.previous.clear();
        s.classes.clear();
        for &i in &s.live {
            let instrument = &universe.instruments[i];
            let sigma = signals.daily_vol(i) * DAYS_PER_YEAR.sqrt();
            let value = instrument.point_size * fx[i] * sigma / system.capital;
            let forecast = signals.forecast(i, system);
            let optimal = idm * weights[i] * system.risk_target * forecast / 10.0 / value;
            let cost = dynamic.cost_multiplier * instrument.trading_cost(1.0, row[i]) * fx[i]
                / system.capital
                / value;
            ideal[t * n + i] = optimal;
            pending_static[i] = optimal.round() as i64;
            s.optimal.push(optimal);
            s.value.push(value);
            s.cost.push(cost);
            s.previous.push(dynamic_run.current(n, i));
        }
        s.gap.clear();
        s.gap.extend(
            s.live
                .iter()
                .enumerate()
                .map(|(k, &i)| (pending_static[i] as f64 - s.optimal[k]) * s.value[k]),
        );
        static_run.decisions.push(Decision {
            t,
            tracking_error: quadratic_form(&s.corr, &s.gap).max(0.0).sqrt(),
            buffering: None,
            steps: 0,
        });
        let problem = Problem {
            optimal: &s.optimal,
            per_contract_value: &s.value,
            covariance: &s.corr,
            costs_per_unit_weight: &s.cost,
            previous: Some(&s.previous),
            shadow_cost: dynamic.shadow_cost,
            tracking_error_buffer: buffer,
            limits: None,
        };
        s.workspace.solve_into(&problem, &mut s.solution);
        pending_dynamic.iter_mut().for_each(|p| *p = 0);
        for (&i, &k) in s.live.iter().zip(&s.solution.positions) {
            pending_dynamic[i] = k;
        }
        dynamic_run.decisions.push(Decision {
            t,
            tracking_error: s.solution.tracking_error,
            buffering: Some(s.solution.buffering),
            steps: s.solution.steps,
        });
        if record {
            solves.push(recorded(universe, t, &s, dynamic.shadow_cost, buffer));
        }
    }
    let first_day = first_decision.map_or(days, |t| t + 1);
    let static_metrics = static_run.metrics(first_day, system.capital, n);
    let dynamic_metrics = dynamic_run.metrics(first_day, system.capital, n);
    let warnings = diagnose(&static_metrics, &dynamic_metrics, &dynamic_run, buffer);
    Ok(BacktestResult {
        dates: universe.dates.clone(),
        instruments: universe
            .instruments
            .iter()
            .map(|i| i.name.clone())
            .collect(),
        ideal,
        static_run,
        dynamic_run,
        weights: weights_history,
        first_day,
        static_metrics,
        dynamic_metrics,
        warnings,
        zero_volatility_days,
        solves,
    })
}

fn recorded(
    universe: &Universe,
    t: usize,
    s: &Scratch,
    shadow_cost: f64,
    buffer: f64,
) -> RecordedSolve {
    let m = s.live.len();
    RecordedSolve {
        date: universe.dates[t].to_string(),
        input: SolveInput {
            instruments: s
                .live
                .iter()
                .map(|&i| universe.instruments[i].name.clone())
                .collect(),
            optimal_positions: s.optimal.clone(),
            per_contract_value: s.value.clone(),
            covariance: s.corr.chunks(m).map(<[f64]>::to_vec).collect(),
            costs_per_unit_weight: s.cost.clone(),
            previous_positions: Some(s.previous.iter().map(|&k| k as f64).collect()),
            shadow_cost,
            tracking_error_buffer: buffer,
            maximum_positions: None,
            reduce_only: None,
            no_trade: None,
        },
        positions: s.solution.positions.clone(),
    }
}

/// Whether day `t` re-optimises.
fn rebalances(rule: Rebalance, dates: &[NaiveDate], t: usize) -> bool {
    if t == 0 {
        return true;
    }
    let (a, b) = (dates[t - 1], dates[t]);
    match rule {
        Rebalance::Daily => true,
        Rebalance::Weekly => a.iso_week() != b.iso_week(),
        Rebalance::Monthly => (a.year(), a.month()) != (b.year(), b.month()),
    }
}

/// Rejects parameters that would make positions meaningless.
fn check(config: &DynoptConfig) -> Result<(), DynoptError> {
    let s = &config.system;
    let d = &config.dynamic;
    let positive = [
        ("system.capital", s.capital),
        ("system.risk_target", s.risk_target),
        ("system.idm_cap", s.idm_cap),
        ("system.forecast_scalar", s.forecast_scalar),
        ("system.forecast_cap", s.forecast_cap),
    ];
    for (name, v) in positive {
        if !(v.is_finite() && v > 0.0) {
            return Err(DynoptError::Invalid(format!(
                "{name} is {v} (must be positive)"
            )));
        }
    }
    let non_negative = [
        ("dynamic.shadow_cost", d.shadow_cost),
        ("dynamic.cost_multiplier", d.cost_multiplier),
        ("dynamic.buffer_fraction", d.buffer_fraction),
    ];
    for (name, v) in non_negative {
        if !(v.is_finite() && v >= 0.0) {
            return Err(DynoptError::Invalid(format!(
                "{name} is {v} (must be non-negative)"
            )));
        }
    }
    if let Some(idm) = s.idm {
        if !(idm.is_finite() && idm > 0.0) {
            return Err(DynoptError::Invalid(format!(
                "system.idm is {idm} (must be positive)"
            )));
        }
    }
    for (name, v) in [
        ("system.ewmac_fast", s.ewmac_fast),
        ("system.ewmac_slow", s.ewmac_slow),
        ("system.vol_span", s.vol_span),
        ("system.correlation_span", s.correlation_span),
        ("system.min_history", s.min_history),
    ] {
        if v == 0 {
            return Err(DynoptError::Invalid(format!("{name} must be at least 1")));
        }
    }
    if s.ewmac_fast >= s.ewmac_slow {
        return Err(DynoptError::Invalid(format!(
            "system.ewmac_fast ({}) must be shorter than system.ewmac_slow ({})",
            s.ewmac_fast, s.ewmac_slow
        )));
    }
    Ok(())
}

impl Run {
    fn with_capacity(days: usize, n: usize) -> Self {
        Run {
            positions: Vec::with_capacity(days * n),
            pnl: Vec::with_capacity(days),
            costs: Vec::with_capacity(days),
            traded: Vec::with_capacity(days),
            decisions: Vec::new(),
        }
    }

    /// Position in instrument `i` at the last booked close.
    fn current(&self, n: usize, i: usize) -> i64 {
        let len = self.positions.len();
        if len < n {
            0
        } else {
            self.positions[len - n + i]
        }
    }

    /// Day `t`: P&L of the positions held since yesterday's close, then the trades to
    /// `pending` at today's close with their costs.
    fn book_day(
        &mut self,
        universe: &Universe,
        row: &[f64],
        previous_row: Option<&[f64]>,
        fx: &[f64],
        pending: &[i64],
    ) {
        let n = universe.n();
        let (mut pnl, mut costs, mut traded) = (0.0, 0.0, 0u64);
        for i in 0..n {
            let held = self.current(n, i);
            if let Some(previous) = previous_row {
                let change = row[i] - previous[i];
                if held != 0 && change.is_finite() {
                    pnl += held as f64 * change * universe.instruments[i].point_size * fx[i];
                }
            }
            let trade = pending[i] - held;
            if trade != 0 && row[i].is_finite() {
                costs += universe.instruments[i].trading_cost(trade as f64, row[i]) * fx[i];
                traded += trade.unsigned_abs();
            }
        }
        for i in 0..n {
            let held = self.current(n, i);
            let next = if row[i].is_finite() { pending[i] } else { held };
            self.positions.push(next);
        }
        self.pnl.push(pnl - costs);
        self.costs.push(costs);
        self.traded.push(traded);
    }

    /// Metrics over days `first..`.
    fn metrics(&self, first: usize, capital: f64, n: usize) -> RunMetrics {
        let days = self.pnl.len().saturating_sub(first);
        if days < 2 {
            return RunMetrics::default();
        }
        let returns: Vec<f64> = self.pnl[first..].iter().map(|p| p / capital).collect();
        let mean = returns.iter().sum::<f64>() / days as f64;
        let variance = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (days - 1) as f64;
        let annual_return = mean * DAYS_PER_YEAR;
        let annual_volatility = variance.sqrt() * DAYS_PER_YEAR.sqrt();
        let (mut cumulative, mut peak, mut max_drawdown) = (0.0f64, 0.0f64, 0.0f64);
        for r in &returns {
            cumulative += r;
            peak = peak.max(cumulative);
            max_drawdown = max_drawdown.min(cumulative - peak);
        }
        let years = days as f64 / DAYS_PER_YEAR;
        let total_turnover: u64 = self.traded[first..].iter().sum();
        let costs_paid: f64 = self.costs[first..].iter().sum();
        let gross: f64 = self.positions[first * n..]
            .iter()
            .map(|k| k.unsigned_abs() as f64)
            .sum::<f64>()
            / days as f64;
        let decisions = &self.decisions;
        let average_tracking_error =
            decisions.iter().map(|d| d.tracking_error).sum::<f64>() / decisions.len().max(1) as f64;
        let factors: Vec<f64> = decisions
            .iter()
            .filter_map(|d| match d.buffering {
                Some(Buffering::Adjusted {
                    adjustment_factor, ..
                }) => Some(adjustment_factor),
                _ => None,
            })
            .collect();
        let within = decisions
            .iter()
            .filter(|d| matches!(d.buffering, Some(Buffering::WithinBuffer { .. })))
            .count();
        let dynamic = decisions.iter().any(|d| d.buffering.is_some());
        RunMetrics {
            annual_return,
            annual_volatility,
            sharpe: if annual_volatility > 0.0 {
                annual_return / annual_volatility
            } else {
                0.0
            },
            max_drawdown,
            total_turnover,
            annual_turnover: total_turnover as f64 / years,
            average_gross_position: gross,
            average_tracking_error,
            average_adjustment_factor: (dynamic && !factors.is_empty())
                .then(|| factors.iter().sum::<f64>() / factors.len() as f64),
            within_buffer_share: dynamic.then(|| within as f64 / decisions.len().max(1) as f64),
            costs_paid,
            annual_cost: costs_paid / capital / years,
            days,
            rebalances: decisions.len(),
        }
    }
}

/// The guide's warnings: turnover too high, tracking error persistently high, adjustment
/// factor stuck near one.
fn diagnose(
    static_metrics: &RunMetrics,
    dynamic_metrics: &RunMetrics,
    dynamic_run: &Run,
    buffer: f64,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if dynamic_metrics.annual_turnover > static_metrics.annual_turnover {
        warnings.push(format!(
            "very high turnover: the dynamic run trades {:.0} contracts a year, more than simple rounding ({:.0}); raise dynamic.shadow_cost or dynamic.buffer_fraction",
            dynamic_metrics.annual_turnover, static_metrics.annual_turnover
        ));
    } else if dynamic_metrics.average_gross_position > 0.0
        && dynamic_metrics.annual_turnover / dynamic_metrics.average_gross_position > 52.0
    {
        warnings.push(format!(
            "very high turnover: {:.0} contracts a year against an average gross position of {:.1} (more than a full turnover a week)",
            dynamic_metrics.annual_turnover, dynamic_metrics.average_gross_position
        ));
    }
    let decisions = &dynamic_run.decisions;
    if !decisions.is_empty() {
        let high = decisions
            .iter()
            .filter(|d| d.tracking_error > 2.0 * buffer.max(1e-12))
            .count();
        if high * 2 > decisions.len() {
            warnings.push(format!(
                "persistently high tracking error: {:.0}% of rebalances end above twice the buffer ({:.4}); capital may be too small for this universe",
                100.0 * high as f64 / decisions.len() as f64,
                2.0 * buffer
            ));
        }
    }
    if let Some(a) = dynamic_metrics.average_adjustment_factor {
        if a > 0.9 {
            warnings.push(format!(
                "adjustment factor stuck near 1 (average {a:.3}): the buffer is small against the tracking error, so buffering barely slows trading"
            ));
        }
    }
    warnings
}

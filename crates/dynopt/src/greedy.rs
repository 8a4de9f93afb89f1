//! One dynamic optimisation step (Carver, *Advanced Futures Trading Strategies*, ch. 25;
//! the published algorithm of pysystemtrade's `dynamic_small_system_optimise`).
//!
//! Weights are contracts times the per-contract value. The objective of integer positions
//! `k` is `sqrt(e' S e) + shadow_cost x sum_i c_i |k_i - p_i| v_i`, with `e = (k - o) v`
//! the gap to the unrounded optimum `o` in weight terms, `S` the covariance, `c` the cost
//! per unit weight, `p` the previous positions and `v` the per-contract value.
//!
//! 1. With previous positions whose tracking error against the optimum is below the
//!    buffer, nothing trades.
//! 2. Greedy: start at zero (or at the only allowed value); each round tries one contract
//!    more in every instrument, in the direction of its optimum, and takes the move that
//!    lowers the objective most (ties to the first instrument); stop when none helps.
//! 3. Buffering: with `T` the tracking error of the previous positions against the greedy
//!    result and `B` the buffer, `a = max((T - B) / T, 0)` and the trade is
//!    `round_half_even(a (greedy - previous))` contracts.
//!
//! Working in contracts makes positions exact integers: pysystemtrade converts weights
//! back with `int()`, which truncates 2.9999999999999996 to 2; Oxfolio has no such step.
//! When the greedy result is all zeros Oxfolio keeps it (flat is a valid answer, e.g.
//! when every forecast is zero), where pysystemtrade falls back to the previous positions.

use serde::Serialize;

use crate::error::DynoptError;

/// Per-instrument limits (pysystemtrade's constraints).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Limit {
    /// At most this many contracts either way.
    pub max_position: Option<f64>,
    /// Only trades that bring the position toward zero.
    pub reduce_only: bool,
    /// Keep the previous position (zero without one).
    pub no_trade: bool,
}

/// One optimisation step's inputs, instruments by dense index.
#[derive(Clone, Copy, Debug)]
pub struct Problem<'a> {
    /// Unrounded optimal positions in contracts.
    pub optimal: &'a [f64],
    /// Weight of one contract (notional, or risk, as a fraction of capital).
    pub per_contract_value: &'a [f64],
    /// Annualised covariance of instrument returns per unit weight, row-major `n x n`.
    pub covariance: &'a [f64],
    /// Cost of trading one unit of weight, as a fraction of capital.
    pub costs_per_unit_weight: &'a [f64],
    /// Current positions; `None` drops the cost term and buffering.
    pub previous: Option<&'a [i64]>,
    /// Multiplier on the cost term.
    pub shadow_cost: f64,
    /// Absolute tracking-error buffer (annualised, weight terms).
    pub tracking_error_buffer: f64,
    /// Limits per instrument, or none.
    pub limits: Option<&'a [Limit]>,
}

/// How buffering shaped the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Buffering {
    /// No previous positions: the greedy result is the answer.
    #[default]
    NoPrior,
    /// The previous positions track the optimum within the buffer: no trade.
    WithinBuffer {
        /// Tracking error of the previous positions against the optimum.
        tracking_error_of_prior: f64,
    },
    /// The trade toward the greedy result, scaled by the adjustment factor.
    Adjusted {
        /// Tracking error of the previous positions against the greedy result.
        tracking_error_to_greedy: f64,
        /// `max((T - B) / T, 0)`.
        adjustment_factor: f64,
    },
}

/// One optimisation step's result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Solution {
    /// Positions to hold, in contracts.
    pub positions: Vec<i64>,
    /// The greedy result before buffering (the previous positions when within buffer).
    pub greedy: Vec<i64>,
    /// Tracking error of `positions` against the optimum.
    pub tracking_error: f64,
    /// Cost penalty of moving from the previous positions to `positions`.
    pub cost_penalty: f64,
    /// `tracking_error + cost_penalty`.
    pub objective: f64,
    /// What buffering did.
    pub buffering: Buffering,
    /// Greedy moves accepted.
    pub steps: usize,
}

impl Solution {
    /// Whether buffering made the positions differ from the greedy result.
    pub fn buffering_changed_trade(&self) -> bool {
        self.positions != self.greedy
    }
}

/// Reusable buffers, so a backtest solves every day without allocating.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    gap: Vec<f64>,
    covariance_gap: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    direction: Vec<i64>,
    at_limit: Vec<bool>,
    tracing: bool,
    path: Vec<f64>,
}

/// Validates `problem` (including positive semi-definiteness) and solves it.
pub fn solve(problem: &Problem) -> Result<Solution, DynoptError> {
    validate(problem)?;
    check_psd(problem.covariance, problem.optimal.len())?;
    let mut workspace = Workspace::default();
    let mut solution = Solution::default();
    workspace.solve_into(problem, &mut solution);
    Ok(solution)
}

impl Workspace {
    /// A workspace that records the objective after the start and after every accepted
    /// greedy move (see [`Workspace::path`]).
    pub fn tracing() -> Self {
        Workspace {
            tracing: true,
            ..Workspace::default()
        }
    }

    /// Objectives along the last greedy search, when tracing.
    pub fn path(&self) -> &[f64] {
        &self.path
    }

    /// Solves a problem already validated by the caller, reusing `solution`'s vectors.
    pub fn solve_into(&mut self, problem: &Problem, solution: &mut Solution) {
        self.prepare(problem);
        solution.steps = 0;
        if let Some(previous) = problem.previous {
            let te = self.tracking_error(problem, previous, None);
            if te < problem.tracking_error_buffer {
                solution.positions.clear();
                solution.positions.extend_from_slice(previous);
                solution.greedy.clone_from(&solution.positions);
                solution.buffering = Buffering::WithinBuffer {
                    tracking_error_of_prior: te,
                };
                self.finish(problem, solution);
                return;
            }
        }
        solution.steps = self.greedy(problem, &mut solution.greedy);
        solution.positions.clone_from(&solution.greedy);
        solution.buffering = Buffering::NoPrior;
        if let Some(previous) = problem.previous {
            let t = self.tracking_error(problem, previous, Some(&solution.greedy));
            let factor = if t > 0.0 {
                ((t - problem.tracking_error_buffer) / t).max(0.0)
            } else {
                0.0
            };
            for ((held, greedy), prior) in solution
                .positions
                .iter_mut()
                .zip(&solution.greedy)
                .zip(previous)
            {
                let trade = if factor > 0.0 {
                    (factor * (greedy - prior) as f64).round_ties_even() as i64
                } else {
                    0
                };
                *held = prior + trade;
            }
            solution.buffering = Buffering::Adjusted {
                tracking_error_to_greedy: t,
                adjustment_factor: factor,
            };
        }
        self.finish(problem, solution);
    }

    /// Bounds, directions and limit flags per instrument.
    fn prepare(&mut self, problem: &Problem) {
        let n = problem.optimal.len();
        self.lower.clear();
        self.upper.clear();
        self.direction.clear();
        for i in 0..n {
            let limit = problem.limits.map(|l| l[i]).unwrap_or_default();
            let prior = problem.previous.map(|p| p[i]);
            let (lower, upper) = bounds(limit, prior);
            let direction = if lower > 0.0 || (upper >= 0.0 && problem.optimal[i] >= 0.0) {
                1
            } else {
                -1
            };
            self.lower.push(lower);
            self.upper.push(upper);
            self.direction.push(direction);
        }
    }

    /// The greedy search; returns the number of accepted moves.
    fn greedy(&mut self, problem: &Problem, k: &mut Vec<i64>) -> usize {
        let n = problem.optimal.len();
        let (v, s) = (problem.per_contract_value, problem.covariance);
        k.clear();
        k.extend((0..n).map(|i| start(self.lower[i], self.upper[i])));
        self.at_limit.clear();
        self.at_limit.resize(n, false);
        self.gap.clear();
        self.gap
            .extend((0..n).map(|i| (k[i] as f64 - problem.optimal[i]) * v[i]));
        self.covariance_gap.clear();
        self.covariance_gap
            .extend((0..n).map(|i| dot(&s[i * n..(i + 1) * n], &self.gap)));
        let mut variance = dot(&self.gap, &self.covariance_gap);
        let mut cost: f64 = (0..n).map(|i| cost_of(problem, i, k[i])).sum();
        let mut best = variance.max(0.0).sqrt() + cost;
        let mut steps = 0;
        self.path.clear();
        if self.tracing {
            self.path.push(best);
        }
        loop {
            let mut pick = None;
            let mut pick_value = best;
            for i in 0..n {
                if self.at_limit[i] {
                    continue;
                }
                let next = k[i] + self.direction[i];
                let beyond = if self.direction[i] > 0 {
                    next as f64 > self.upper[i]
                } else {
                    (next as f64) < self.lower[i]
                };
                if beyond {
                    self.at_limit[i] = true;
                    continue;
                }
                let dw = self.direction[i] as f64 * v[i];
                let trial_variance =
                    variance + 2.0 * dw * self.covariance_gap[i] + dw * dw * s[i * n + i];
                let trial = trial_variance.max(0.0).sqrt() + cost - cost_of(problem, i, k[i])
                    + cost_of(problem, i, next);
                if trial < pick_value {
                    pick_value = trial;
                    pick = Some(i);
                }
            }
            let Some(i) = pick else {
                return steps;
            };
            let dw = self.direction[i] as f64 * v[i];
            cost += cost_of(problem, i, k[i] + self.direction[i]) - cost_of(problem, i, k[i]);
            k[i] += self.direction[i];
            self.gap[i] = (k[i] as f64 - problem.optimal[i]) * v[i];
            for (g, c) in self.covariance_gap.iter_mut().zip(&s[i * n..(i + 1) * n]) {
                *g += c * dw;
            }
            variance = dot(&self.gap, &self.covariance_gap);
            best = variance.max(0.0).sqrt() + cost;
            steps += 1;
            if self.tracing {
                self.path.push(best);
            }
        }
    }

    /// Tracking error of `positions` against `target` (the optimum when `None`).
    fn tracking_error(
        &mut self,
        problem: &Problem,
        positions: &[i64],
        target: Option<&[i64]>,
    ) -> f64 {
        let n = problem.optimal.len();
        let v = problem.per_contract_value;
        self.gap.clear();
        self.gap.extend((0..n).map(|i| {
            let goal = target.map_or(problem.optimal[i], |t| t[i] as f64);
            (positions[i] as f64 - goal) * v[i]
        }));
        quadratic_form(problem.covariance, &self.gap)
            .max(0.0)
            .sqrt()
    }

    /// Fills the tracking error, cost penalty and objective of the final positions.
    fn finish(&mut self, problem: &Problem, solution: &mut Solution) {
        let te = self.tracking_error(problem, &solution.positions, None);
        let cost: f64 = (0..solution.positions.len())
            .map(|i| cost_of(problem, i, solution.positions[i]))
            .sum();
        solution.tracking_error = te;
        solution.cost_penalty = cost;
        solution.objective = te + cost;
    }
}

/// Allowed range of instrument `i`'s position in contracts.
fn bounds(limit: Limit, prior: Option<i64>) -> (f64, f64) {
    if limit.no_trade {
        let p = prior.unwrap_or(0) as f64;
        return (p, p);
    }
    let (mut lower, mut upper) = (f64::NEG_INFINITY, f64::INFINITY);
    if limit.reduce_only {
        match prior {
            Some(p) if p > 0 => (lower, upper) = (0.0, p as f64),
            Some(p) if p < 0 => (lower, upper) = (p as f64, 0.0),
            Some(_) => return (0.0, 0.0),
            None => {}
        }
    }
    if let Some(m) = limit.max_position {
        lower = lower.max(-m.abs());
        upper = upper.min(m.abs());
    }
    (lower, upper)
}

/// Where the search starts: zero, or the nearest allowed value.
fn start(lower: f64, upper: f64) -> i64 {
    if lower > 0.0 {
        lower.ceil() as i64
    } else if upper < 0.0 {
        upper.floor() as i64
    } else {
        0
    }
}

/// The cost term of holding `k` contracts of instrument `i`.
fn cost_of(problem: &Problem, i: usize, k: i64) -> f64 {
    match problem.previous {
        Some(previous) => {
            problem.shadow_cost
                * problem.costs_per_unit_weight[i]
                * ((k - previous[i]) as f64 * problem.per_contract_value[i]).abs()
        }
        None => 0.0,
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `x' S x`.
pub(crate) fn quadratic_form(s: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    (0..n).map(|i| x[i] * dot(&s[i * n..(i + 1) * n], x)).sum()
}

/// Checks lengths, finiteness and signs of every input.
pub fn validate(problem: &Problem) -> Result<(), DynoptError> {
    let n = problem.optimal.len();
    let lengths = [
        ("per_contract_value", problem.per_contract_value.len()),
        ("costs_per_unit_weight", problem.costs_per_unit_weight.len()),
        (
            "previous_positions",
            problem.previous.map_or(n, <[i64]>::len),
        ),
        ("limits", problem.limits.map_or(n, <[Limit]>::len)),
    ];
    for (name, len) in lengths {
        if len != n {
            return Err(DynoptError::Invalid(format!(
                "{name} has {len} entries for {n} instruments"
            )));
        }
    }
    if problem.covariance.len() != n * n {
        return Err(DynoptError::Invalid(format!(
            "covariance has {} entries; {n} instruments need {n} x {n}",
            problem.covariance.len()
        )));
    }
    let checks: [(&str, &[f64], bool); 3] = [
        ("optimal_positions", problem.optimal, false),
        ("per_contract_value", problem.per_contract_value, true),
        (
            "costs_per_unit_weight",
            problem.costs_per_unit_weight,
            false,
        ),
    ];
    for (name, values, positive) in checks {
        if let Some(i) = values.iter().position(|x| !x.is_finite()) {
            return Err(DynoptError::Invalid(format!(
                "{name}[{i}] is {} (must be finite)",
                values[i]
            )));
        }
        if positive {
            if let Some(i) = values.iter().position(|x| *x <= 0.0) {
                return Err(DynoptError::Invalid(format!(
                    "{name}[{i}] is {} (must be positive)",
                    values[i]
                )));
            }
        } else if name == "costs_per_unit_weight" {
            if let Some(i) = values.iter().position(|x| *x < 0.0) {
                return Err(DynoptError::Invalid(format!(
                    "{name}[{i}] is {} (must not be negative)",
                    values[i]
                )));
            }
        }
    }
    for (name, value) in [
        ("shadow_cost", problem.shadow_cost),
        ("tracking_error_buffer", problem.tracking_error_buffer),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(DynoptError::Invalid(format!(
                "{name} is {value} (must be finite and non-negative)"
            )));
        }
    }
    for i in 0..n {
        let variance = problem.covariance[i * n + i];
        if !(variance.is_finite() && variance > 0.0) {
            return Err(DynoptError::Invalid(format!(
                "covariance[{i}][{i}] is {variance}: instrument {i} has zero or missing volatility"
            )));
        }
        for j in 0..i {
            let (a, b) = (problem.covariance[i * n + j], problem.covariance[j * n + i]);
            if !a.is_finite()
                || (a - b).abs() > 1e-12 * (variance * problem.covariance[j * n + j]).sqrt()
            {
                return Err(DynoptError::Invalid(format!(
                    "covariance[{i}][{j}] = {a} but covariance[{j}][{i}] = {b} (must be finite and symmetric)"
                )));
            }
        }
    }
    Ok(())
}

/// Errors unless `s` is positive semi-definite (Cholesky of `S + 1e-10 max(diag) I`).
pub fn check_psd(s: &[f64], n: usize) -> Result<(), DynoptError> {
    let jitter = 1e-10 * (0..n).map(|i| s[i * n + i]).fold(0.0, f64::max);
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut d = s[j * n + j] + jitter - dot(&l[j * n..j * n + j], &l[j * n..j * n + j]);
        if d <= 0.0 {
            return Err(DynoptError::NotPsd(format!(
                "the leading {}x{} block has a negative eigenvalue (pivot {d:e})",
                j + 1,
                j + 1
            )));
        }
        d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let off = s[i * n + j] - dot(&l[i * n..i * n + j], &l[j * n..j * n + j]);
            l[i * n + j] = off / d;
        }
    }
    Ok(())
}

//! The JSON form of one optimisation step (`oxfolio dynopt solve --input FILE.json`), for
//! users who bring their own pipeline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DynoptError;
use crate::greedy::{self, Buffering, Limit, Problem, Solution};

/// The input object; instruments by name, every list in the order of `instruments`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SolveInput {
    /// Instrument names.
    pub instruments: Vec<String>,
    /// Unrounded optimal positions in contracts.
    pub optimal_positions: Vec<f64>,
    /// Notional of one contract as a fraction of capital.
    pub per_contract_value: Vec<f64>,
    /// Annualised covariance of instrument returns, a matrix.
    pub covariance: Vec<Vec<f64>>,
    /// Cost of trading one unit of weight.
    pub costs_per_unit_weight: Vec<f64>,
    /// Current positions in contracts, or null for no cost term and no buffering.
    #[serde(default)]
    pub previous_positions: Option<Vec<f64>>,
    /// Multiplier on the cost term.
    pub shadow_cost: f64,
    /// Absolute tracking-error buffer, e.g. 0.01 for 5% of a 20% risk target.
    pub tracking_error_buffer: f64,
    /// Largest absolute position per instrument (null entries for none).
    #[serde(default)]
    pub maximum_positions: Option<Vec<Option<f64>>>,
    /// Instruments that may only trade toward zero.
    #[serde(default)]
    pub reduce_only: Option<Vec<String>>,
    /// Instruments that may not trade.
    #[serde(default)]
    pub no_trade: Option<Vec<String>>,
}

/// The output object.
#[derive(Clone, Debug, Serialize)]
pub struct SolveOutput {
    /// Instrument to integer contracts.
    pub positions: BTreeMap<String, i64>,
    /// The greedy result before buffering.
    pub greedy_positions: BTreeMap<String, i64>,
    /// Tracking error of `positions` against the optimum.
    pub tracking_error: f64,
    /// Cost penalty of the trade from the previous positions.
    pub cost_penalty: f64,
    /// `tracking_error + cost_penalty`.
    pub objective: f64,
    /// Whether buffering made the positions differ from the greedy result.
    pub buffering_changed_trade: bool,
    /// What buffering did, with its figures.
    pub buffering: Buffering,
    /// Greedy moves accepted.
    pub steps: usize,
}

impl SolveInput {
    /// Parses the JSON text (`source` names it in errors).
    pub fn from_json(text: &str, source: &str) -> Result<Self, DynoptError> {
        serde_json::from_str(text).map_err(|e| DynoptError::Parse {
            path: source.to_string(),
            line: e.line(),
            message: e.to_string(),
        })
    }

    /// Solves the step: validates every field, names the first bad one.
    pub fn solve(&self) -> Result<SolveOutput, DynoptError> {
        let n = self.instruments.len();
        if n == 0 {
            return Err(DynoptError::Invalid("instruments is empty".into()));
        }
        if self.optimal_positions.len() != n {
            return Err(DynoptError::Invalid(format!(
                "optimal_positions has {} entries for {n} instruments",
                self.optimal_positions.len()
            )));
        }
        let mut covariance = Vec::with_capacity(n * n);
        for (i, row) in self.covariance.iter().enumerate() {
            if row.len() != n {
                return Err(DynoptError::Invalid(format!(
                    "covariance row {i} has {} entries for {n} instruments",
                    row.len()
                )));
            }
            covariance.extend_from_slice(row);
        }
        let previous = match &self.previous_positions {
            Some(p) => Some(
                p.iter()
                    .enumerate()
                    .map(|(i, x)| whole_contracts(*x, &self.instruments, i))
                    .collect::<Result<Vec<i64>, _>>()?,
            ),
            None => None,
        };
        let limits = self.limits()?;
        let problem = Problem {
            optimal: &self.optimal_positions,
            per_contract_value: &self.per_contract_value,
            covariance: &covariance,
            costs_per_unit_weight: &self.costs_per_unit_weight,
            previous: previous.as_deref(),
            shadow_cost: self.shadow_cost,
            tracking_error_buffer: self.tracking_error_buffer,
            limits: limits.as_deref(),
        };
        let solution = greedy::solve(&problem)?;
        Ok(self.output(&solution))
    }

    fn limits(&self) -> Result<Option<Vec<Limit>>, DynoptError> {
        let n = self.instruments.len();
        if self.maximum_positions.is_none() && self.reduce_only.is_none() && self.no_trade.is_none()
        {
            return Ok(None);
        }
        let mut limits = vec![Limit::default(); n];
        if let Some(maxima) = &self.maximum_positions {
            if maxima.len() != n {
                return Err(DynoptError::Invalid(format!(
                    "maximum_positions has {} entries for {n} instruments",
                    maxima.len()
                )));
            }
            for (i, m) in maxima.iter().enumerate() {
                if let Some(m) = m {
                    if !(m.is_finite() && *m >= 0.0) {
                        return Err(DynoptError::Invalid(format!(
                            "maximum_positions for {} is {m} (must be finite and non-negative)",
                            self.instruments[i]
                        )));
                    }
                }
                limits[i].max_position = *m;
            }
        }
        for (field, names) in [
            ("reduce_only", &self.reduce_only),
            ("no_trade", &self.no_trade),
        ] {
            for name in names.iter().flatten() {
                let i = self
                    .instruments
                    .iter()
                    .position(|x| x == name)
                    .ok_or_else(|| {
                        DynoptError::Invalid(format!("{field} names unknown instrument {name:?}"))
                    })?;
                if field == "reduce_only" {
                    limits[i].reduce_only = true;
                } else {
                    limits[i].no_trade = true;
                }
            }
        }
        Ok(Some(limits))
    }

    fn output(&self, s: &Solution) -> SolveOutput {
        let named = |v: &[i64]| {
            self.instruments
                .iter()
                .cloned()
                .zip(v.iter().copied())
                .collect()
        };
        SolveOutput {
            positions: named(&s.positions),
            greedy_positions: named(&s.greedy),
            tracking_error: s.tracking_error,
            cost_penalty: s.cost_penalty,
            objective: s.objective,
            buffering_changed_trade: s.buffering_changed_trade(),
            buffering: s.buffering,
            steps: s.steps,
        }
    }
}

/// A previous position must be a whole number of contracts.
fn whole_contracts(x: f64, names: &[String], i: usize) -> Result<i64, DynoptError> {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        Ok(x as i64)
    } else {
        Err(DynoptError::Invalid(format!(
            "previous_positions for {} is {x} (must be a whole number of contracts)",
            names.get(i).map_or("?", String::as_str)
        )))
    }
}

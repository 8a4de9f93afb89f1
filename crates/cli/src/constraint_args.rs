//! Constraints and penalties of `optimize` from flags and small CSV files: market
//! neutral, gross limit, groups and their bounds, current weights with turnover and cost,
//! L2.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use oxfolio_optim::{Bounds, Constraints, Group};

/// Constraints and penalties for the mean-variance methods (risk-based methods ignore
/// them).
#[derive(Debug, Args)]
pub struct ConstraintArgs {
    /// Weights sum to zero (needs negative lower bounds).
    #[arg(long)]
    market_neutral: bool,
    /// Most total absolute weight, `sum |w|`.
    #[arg(long)]
    max_gross: Option<f64>,
    /// CSV `symbol,group` putting symbols in groups (sectors).
    #[arg(long)]
    groups: Option<PathBuf>,
    /// Bounds on a group's total weight, `NAME=LO:HI`; repeat for more groups.
    #[arg(long = "group-bound")]
    group_bounds: Vec<String>,
    /// CSV `symbol,weight` of current weights (symbols not listed hold zero).
    #[arg(long)]
    current: Option<PathBuf>,
    /// Most turnover `sum |w - current|` (needs --current).
    #[arg(long)]
    max_turnover: Option<f64>,
    /// Cost per unit of weight traded, added to the objective (needs --current).
    #[arg(long, default_value_t = 0.0)]
    cost: f64,
    /// L2 regularisation gamma (adds gamma ||w||^2).
    #[arg(long, default_value_t = 0.0)]
    l2: f64,
}

impl ConstraintArgs {
    fn any(&self) -> bool {
        self.market_neutral
            || self.max_gross.is_some()
            || self.groups.is_some()
            || !self.group_bounds.is_empty()
            || self.current.is_some()
            || self.max_turnover.is_some()
            || self.cost != 0.0
            || self.l2 != 0.0
    }

    /// The constraints, or `None` when only bounds apply.
    pub fn build(&self, symbols: &[String], bounds: Bounds) -> anyhow::Result<Option<Constraints>> {
        if !self.any() {
            return Ok(None);
        }
        let index = |symbol: &str, file: &std::path::Path, line: usize| -> anyhow::Result<usize> {
            symbols.iter().position(|s| s == symbol).with_context(|| {
                format!("{}, line {line}: unknown symbol {symbol:?}", file.display())
            })
        };
        let mut membership: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        if let Some(file) = &self.groups {
            for (line, symbol, group) in read_pairs(file)? {
                membership
                    .entry(group)
                    .or_default()
                    .push(index(&symbol, file, line)?);
            }
        }
        let mut groups = Vec::new();
        for spec in &self.group_bounds {
            let parsed = spec.split_once('=').and_then(|(name, range)| {
                let (lo, hi) = range.split_once(':')?;
                Some((
                    name.to_string(),
                    lo.parse::<f64>().ok()?,
                    hi.parse::<f64>().ok()?,
                ))
            });
            let Some((name, lower, upper)) = parsed else {
                anyhow::bail!("--group-bound `{spec}` must be NAME=LO:HI");
            };
            let members = membership
                .get(&name)
                .with_context(|| {
                    format!("--group-bound names group {name:?}, which --groups does not define")
                })?
                .clone();
            groups.push(Group {
                name,
                members,
                lower,
                upper,
            });
        }
        let current = match &self.current {
            Some(file) => {
                let mut w = vec![0.0; symbols.len()];
                for (line, symbol, weight) in read_pairs(file)? {
                    let value: f64 = weight.parse().with_context(|| {
                        format!(
                            "{}, line {line}: weight {weight:?} is not a number",
                            file.display()
                        )
                    })?;
                    w[index(&symbol, file, line)?] = value;
                }
                Some(w)
            }
            None => None,
        };
        Ok(Some(Constraints {
            bounds,
            market_neutral: self.market_neutral,
            max_gross: self.max_gross,
            groups,
            current,
            max_turnover: self.max_turnover,
            cost: self.cost,
            l2_gamma: self.l2,
        }))
    }
}

/// Rows of a two-column CSV with a header: (line number, first, second).
pub fn read_pairs(file: &std::path::Path) -> anyhow::Result<Vec<(usize, String, String)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((a, b)) = line.split_once(',') else {
            anyhow::bail!("{}, line {}: expected two columns", file.display(), k + 1);
        };
        out.push((k + 1, a.trim().to_string(), b.trim().to_string()));
    }
    Ok(out)
}

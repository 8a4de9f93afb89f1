//! Discrete allocation: weights, capital and latest prices to whole shares plus leftover
//! cash, by PyPortfolioOpt's greedy rule (`DiscreteAllocation.greedy_portfolio`):
//!
//! 1. Assets by weight, largest first (ties keep input order).
//! 2. First round: `floor(weight x capital / price)` shares of each.
//! 3. Second round, one share at a time: buy the asset whose weight falls furthest below
//!    its target (current weights are value shares of what is held); if it costs more
//!    than the cash left, skip to the next largest shortfall, at most ten times; stop
//!    when no shortfall is positive or nothing affordable remains.
//!
//! With short weights, longs and shorts are allocated separately (each normalised to sum
//! to one), the shorts on `short_ratio x capital` (default: the sum of short weights),
//! the longs on the capital (plus the short proceeds with `reinvest`).
//!
//! [`exact_allocation`] solves PyPortfolioOpt's integer programme (`lp_portfolio`):
//! minimise `sum |w_i V - x_i p_i| + leftover` over whole shares within the budget, by
//! depth-first branch and bound (most expensive asset first, greedy answer as the first
//! incumbent, bound `2 (shortfall so far + max(0, targets left - budget left))`, which
//! equals the objective because the targets sum to the budget). It gives up, rather than
//! guess, past a node limit.

use serde::Serialize;

use crate::error::OptimError;

/// Whole shares per asset (negative for shorts) and the cash left.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allocation {
    /// Shares per asset, in input order.
    pub shares: Vec<i64>,
    /// Cash not invested.
    pub leftover: f64,
}

/// Greedy discrete allocation of `capital` across `weights` at `prices`.
pub fn greedy_allocation(
    weights: &[f64],
    prices: &[f64],
    capital: f64,
    short_ratio: Option<f64>,
    reinvest: bool,
) -> Result<Allocation, OptimError> {
    if weights.len() != prices.len() || weights.is_empty() {
        return Err(OptimError::Invalid(format!(
            "{} weights for {} prices",
            weights.len(),
            prices.len()
        )));
    }
    if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
        return Err(OptimError::Invalid(format!("weight {i} is not finite")));
    }
    if let Some(i) = prices.iter().position(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(OptimError::Invalid(format!(
            "latest price of asset {i} is {} (must be positive)",
            prices[i]
        )));
    }
    if !(capital.is_finite() && capital > 0.0) {
        return Err(OptimError::Invalid(format!(
            "capital must be positive, got {capital}"
        )));
    }
    if let Some(r) = short_ratio {
        if !(r.is_finite() && r >= 0.0) {
            return Err(OptimError::Invalid(format!(
                "short ratio must be non-negative, got {r}"
            )));
        }
    }
    if weights.iter().all(|w| *w >= 0.0) {
        return Ok(long_only(weights, prices, capital));
    }
    let mut shares = vec![0i64; weights.len()];
    let mut leftover = 0.0;
    for side in sides(weights, capital, short_ratio, reinvest) {
        let p: Vec<f64> = side.members.iter().map(|&i| prices[i]).collect();
        let a = long_only(&side.weights, &p, side.value);
        side.place(&a.shares, &mut shares);
        leftover += a.leftover;
    }
    Ok(Allocation { shares, leftover })
}

/// One side of a long-short allocation: its assets, their weights normalised to sum to
/// one, the value to allocate and the sign of the shares.
struct Side {
    members: Vec<usize>,
    weights: Vec<f64>,
    value: f64,
    sign: i64,
}

impl Side {
    /// Writes this side's shares into the whole portfolio's.
    fn place(&self, side_shares: &[i64], shares: &mut [i64]) {
        for (k, &i) in self.members.iter().enumerate() {
            shares[i] = self.sign * side_shares[k];
        }
    }
}

/// PyPortfolioOpt's split: longs (weights >= 0) on the capital (plus the short proceeds
/// with `reinvest`), shorts on `short_ratio x capital` (default: the sum of short
/// weights); empty sides are left out.
fn sides(weights: &[f64], capital: f64, short_ratio: Option<f64>, reinvest: bool) -> Vec<Side> {
    let short_total: f64 = weights.iter().filter(|w| **w < 0.0).map(|w| -w).sum();
    let long_total: f64 = weights.iter().filter(|w| **w >= 0.0).sum();
    let short_value = capital * short_ratio.unwrap_or(short_total);
    let long_value = if reinvest && short_total > 0.0 {
        capital + short_value
    } else {
        capital
    };
    [
        (true, long_total, long_value),
        (false, short_total, short_value),
    ]
    .into_iter()
    .filter_map(|(long, total, value)| {
        let members: Vec<usize> = (0..weights.len())
            .filter(|&i| (weights[i] >= 0.0) == long)
            .collect();
        if members.is_empty() || total <= 0.0 || value <= 0.0 {
            return None;
        }
        Some(Side {
            weights: members.iter().map(|&i| weights[i].abs() / total).collect(),
            members,
            value,
            sign: if long { 1 } else { -1 },
        })
    })
    .collect()
}

/// Largest number of branch-and-bound nodes before [`exact_allocation`] gives up.
const MAX_NODES: usize = 2_000_000;

/// PyPortfolioOpt's integer programme solved exactly: `Ok(None)` when the search passes
/// its node limit (use [`greedy_allocation`] then).
pub fn exact_allocation(
    weights: &[f64],
    prices: &[f64],
    capital: f64,
    short_ratio: Option<f64>,
    reinvest: bool,
) -> Result<Option<Allocation>, OptimError> {
    // Validation is the greedy rule's, and its answer is each side's first incumbent.
    let greedy = greedy_allocation(weights, prices, capital, short_ratio, reinvest)?;
    let mut shares = vec![0i64; weights.len()];
    let mut leftover = 0.0;
    for side in sides(weights, capital, short_ratio, reinvest) {
        let p: Vec<f64> = side.members.iter().map(|&i| prices[i]).collect();
        let start: Vec<i64> = side
            .members
            .iter()
            .map(|&i| greedy.shares[i].abs())
            .collect();
        let Some((x, left)) = branch_and_bound(&side.weights, &p, side.value, &start) else {
            return Ok(None);
        };
        side.place(&x, &mut shares);
        leftover += left;
    }
    Ok(Some(Allocation { shares, leftover }))
}

/// `sum |t_i - x_i p_i| + (V - sum x_i p_i)` of whole shares `x`.
fn lp_objective(targets: &[f64], prices: &[f64], capital: f64, x: &[i64]) -> f64 {
    let spent: f64 = x.iter().zip(prices).map(|(k, p)| *k as f64 * p).sum();
    targets
        .iter()
        .zip(prices)
        .zip(x)
        .map(|((t, p), k)| (t - *k as f64 * p).abs())
        .sum::<f64>()
        + capital
        - spent
}

/// Minimises the integer programme for weights summing to one; `start` is a feasible
/// incumbent. Returns the shares and the leftover, or `None` past the node limit.
fn branch_and_bound(
    weights: &[f64],
    prices: &[f64],
    capital: f64,
    start: &[i64],
) -> Option<(Vec<i64>, f64)> {
    let n = weights.len();
    let targets: Vec<f64> = weights.iter().map(|w| w * capital).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| prices[*b].total_cmp(&prices[*a]));
    // Targets not yet branched on, from each depth.
    let mut rest = vec![0.0; n + 1];
    for d in (0..n).rev() {
        rest[d] = rest[d + 1] + targets[order[d]];
    }
    let mut best = start.to_vec();
    let mut best_value = lp_objective(&targets, prices, capital, start);
    let mut x = vec![0i64; n];
    let mut nodes = 0usize;
    // Explicit stack of (depth, shares to try next at that depth).
    struct Frame {
        next: i64,
        spent: f64,
        shortfall: f64,
    }
    let ceiling = |i: usize| (targets[i] / prices[i]).ceil() as i64;
    let mut stack: Vec<Frame> = vec![Frame {
        next: ceiling(order[0]),
        spent: 0.0,
        shortfall: 0.0,
    }];
    while !stack.is_empty() {
        let depth = stack.len() - 1;
        let frame = &mut stack[depth];
        let i = order[depth];
        let budget = capital - frame.spent;
        let affordable = (budget / prices[i] + 1e-9).floor() as i64;
        let k = frame.next.min(affordable);
        if k < 0 {
            stack.pop();
            continue;
        }
        frame.next = k - 1;
        nodes += 1;
        if nodes > MAX_NODES {
            return None;
        }
        let cost = k as f64 * prices[i];
        let spent = frame.spent + cost;
        let shortfall = frame.shortfall + (targets[i] - cost).max(0.0);
        let bound = 2.0 * (shortfall + (rest[depth + 1] - (capital - spent)).max(0.0));
        if bound >= best_value - 1e-9 {
            // Fewer shares of this asset only raise the shortfall bound once the budget
            // no longer binds; keep trying smaller counts while it might.
            if rest[depth + 1] <= capital - spent {
                stack[depth].next = -1;
            }
            continue;
        }
        x[i] = k;
        if depth + 1 == n {
            let value = lp_objective(&targets, prices, capital, &x);
            if value < best_value - 1e-9 {
                best_value = value;
                best.clone_from(&x);
            }
            continue;
        }
        stack.push(Frame {
            next: ceiling(order[depth + 1]),
            spent,
            shortfall,
        });
    }
    let spent: f64 = best.iter().zip(prices).map(|(k, p)| *k as f64 * p).sum();
    Some((best, capital - spent))
}

/// The greedy rule for non-negative weights.
fn long_only(weights: &[f64], prices: &[f64], capital: f64) -> Allocation {
    let n = weights.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]));
    let mut cash = capital;
    let mut bought = vec![0i64; n];
    for &i in &order {
        let shares = (weights[i] * capital / prices[i]).trunc();
        bought[i] = shares as i64;
        cash -= shares * prices[i];
    }
    let mut deficit = vec![0.0; n];
    while cash > 0.0 {
        let held: f64 = order.iter().map(|&i| bought[i] as f64 * prices[i]).sum();
        for (k, &i) in order.iter().enumerate() {
            let current = if held > 0.0 {
                bought[i] as f64 * prices[i] / held
            } else {
                0.0
            };
            deficit[k] = weights[i] - current;
        }
        let mut k = argmax(&deficit);
        let mut skipped = 0;
        while prices[order[k]] > cash {
            deficit[k] = 0.0;
            k = argmax(&deficit);
            if deficit[k] < 0.0 || skipped == 10 {
                break;
            }
            skipped += 1;
        }
        if deficit[k] <= 0.0 || skipped == 10 {
            break;
        }
        bought[order[k]] += 1;
        cash -= prices[order[k]];
    }
    Allocation {
        shares: bought,
        leftover: cash,
    }
}

/// Index of the first largest value.
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = k;
        }
    }
    best
}

//! Static instrument weights from the optimisation crate, on the correlation of
//! volatility-normalised returns (each instrument is already scaled to the risk target,
//! so correlation is the covariance that matters; inverse volatility therefore equals
//! equal weight here). Optionally equal across asset classes first, then within each.

use oxfolio_optim::mean_variance::{equal_weight, inverse_volatility};
use oxfolio_optim::{hrp, risk_parity, OptimError};

use crate::config::{SystemConfig, WeightMethod};
use crate::error::DynoptError;

/// Weights (summing to one) of the instruments whose correlation is `corr` (`m x m`), and
/// the diversification multiplier `1 / sqrt(w' R w)` capped at `system.idm_cap` (or the
/// configured `idm`). `classes[k]` is instrument `k`'s asset class.
pub fn instrument_weights(
    corr: &[f64],
    classes: &[&str],
    system: &SystemConfig,
) -> Result<(Vec<f64>, f64), DynoptError> {
    let m = classes.len();
    let mut weights = vec![0.0; m];
    let groups: Vec<Vec<usize>> = if system.weights_by_asset_class {
        let mut names: Vec<&str> = classes.to_vec();
        names.sort_unstable();
        names.dedup();
        names
            .iter()
            .map(|c| (0..m).filter(|&k| classes[k] == *c).collect())
            .collect()
    } else {
        vec![(0..m).collect()]
    };
    let group_share = 1.0 / groups.len() as f64;
    for members in &groups {
        let sub: Vec<f64> = members
            .iter()
            .flat_map(|&a| members.iter().map(move |&b| corr[a * m + b]))
            .collect();
        let inner = method_weights(&sub, members.len(), system)?;
        for (&k, w) in members.iter().zip(inner) {
            weights[k] = group_share * w;
        }
    }
    let idm = match system.idm {
        Some(idm) => idm,
        None => {
            let variance = crate::greedy::quadratic_form(corr, &weights);
            if variance > 0.0 {
                (1.0 / variance.sqrt()).min(system.idm_cap)
            } else {
                system.idm_cap
            }
        }
    };
    Ok((weights, idm))
}

fn method_weights(corr: &[f64], m: usize, system: &SystemConfig) -> Result<Vec<f64>, DynoptError> {
    let mu = vec![0.0; m];
    let portfolio = match system.weights {
        WeightMethod::Equal => equal_weight(&mu, corr, 0.0),
        WeightMethod::InverseVolatility => inverse_volatility(&mu, corr, 0.0),
        WeightMethod::RiskParity => risk_parity(&mu, corr, None, 0.0),
        WeightMethod::Hrp => hrp(&mu, corr, system.hrp_linkage, 0.0),
    }
    .map_err(|e: OptimError| DynoptError::Invalid(format!("instrument weights: {e}")))?;
    Ok(portfolio.weights)
}

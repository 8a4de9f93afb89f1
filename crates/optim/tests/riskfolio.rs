//! Equal risk contribution, minimum variance and maximum Sharpe against Riskfolio-Lib's
//! own expected weights (`fixtures/riskfolio/`, see its README): 200 daily returns of
//! ten stocks; Riskfolio's conventions: arithmetic mean return, sample covariance
//! (ddof 1), risk-free rate 0, long only.

use oxfolio_optim::estimates::{covariance, mean_historical_return, returns_from_prices};
use oxfolio_optim::mean_variance::{max_sharpe, min_volatility};
use oxfolio_optim::{risk_parity, Bounds, Estimator};

fn read(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Symbols, arithmetic mean returns and sample covariance of the 200 returns.
fn estimates() -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let prices = read(include_str!("fixtures/riskfolio/prices_last201.csv"));
    let symbols = prices[0][1..].to_vec();
    let n = symbols.len();
    let panel: Vec<f64> = prices[1..]
        .iter()
        .flat_map(|row| row[1..].iter().map(|c| c.parse::<f64>().unwrap()))
        .collect();
    let returns = returns_from_prices(&panel, n).unwrap();
    assert_eq!(returns.len() / n, 200);
    let mu = mean_historical_return(&returns, n, false, 252.0);
    let (cov, _) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    (symbols, mu, cov)
}

/// Compares `weights` with column `MV` of a Riskfolio expected-weights file.
fn assert_matches(symbols: &[String], weights: &[f64], file: &str, tolerance: f64) {
    let expected = read(file);
    let column = expected[0].iter().position(|c| c == "MV").unwrap();
    for row in &expected[1..] {
        let i = symbols.iter().position(|s| *s == row[0]).unwrap();
        let want: f64 = row[column].parse().unwrap();
        assert!(
            (weights[i] - want).abs() < tolerance,
            "{}: {} vs Riskfolio {want}",
            row[0],
            weights[i]
        );
    }
}

#[test]
fn min_variance_and_max_sharpe_match_riskfolio() {
    let (symbols, mu, cov) = estimates();
    let min = min_volatility(&mu, &cov, Bounds::LONG_ONLY, 0.0).unwrap();
    assert_matches(
        &symbols,
        &min.weights,
        include_str!("fixtures/riskfolio/Classic_MinRisk.csv"),
        1e-5,
    );
    let sharpe = max_sharpe(&mu, &cov, Bounds::LONG_ONLY, 0.0).unwrap();
    assert_matches(
        &symbols,
        &sharpe.weights,
        include_str!("fixtures/riskfolio/Classic_Sharpe.csv"),
        1e-5,
    );
}

#[test]
fn equal_risk_contribution_matches_riskfolio() {
    let (symbols, mu, cov) = estimates();
    let n = symbols.len();
    let got = risk_parity(&mu, &cov, None, 0.0).unwrap();

    let expected = read(include_str!("fixtures/riskfolio/Classic_RP.csv"));
    let column = expected[0].iter().position(|c| c == "MV").unwrap();
    for row in &expected[1..] {
        let i = symbols.iter().position(|s| *s == row[0]).unwrap();
        let want: f64 = row[column].parse().unwrap();
        assert!(
            (got.weights[i] - want).abs() < 1e-5,
            "{}: {} vs Riskfolio {want}",
            row[0],
            got.weights[i]
        );
    }
    let target = got.volatility / n as f64;
    for rc in &got.risk_contributions {
        assert!((rc - target).abs() < 1e-14 * got.volatility.max(1.0));
    }
}

//! Equal risk contribution against Riskfolio-Lib's own expected weights
//! (`fixtures/riskfolio/`, see its README): 200 daily returns of ten stocks.

use oxfolio_optim::estimates::{covariance, returns_from_prices};
use oxfolio_optim::{risk_parity, Estimator};

fn read(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn equal_risk_contribution_matches_riskfolio() {
    let prices = read(include_str!("fixtures/riskfolio/prices_last201.csv"));
    let symbols = &prices[0][1..];
    let n = symbols.len();
    let panel: Vec<f64> = prices[1..]
        .iter()
        .flat_map(|row| row[1..].iter().map(|c| c.parse::<f64>().unwrap()))
        .collect();
    let returns = returns_from_prices(&panel, n).unwrap();
    assert_eq!(returns.len() / n, 200);
    let (cov, _) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let got = risk_parity(&vec![0.0; n], &cov, None, 0.0).unwrap();

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

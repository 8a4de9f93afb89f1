//! Agreement with PyPortfolioOpt 1.6 on the bundled 19-stock close file (fixtures from
//! `fixtures/make_pypfopt_fixtures.py`): estimates to 1e-10, solver-based weights to 1e-5.

mod common;

use common::{floats, max_diff};

use oxfolio_optim::estimates::{covariance, mean_historical_return, returns_from_prices};
use oxfolio_optim::mean_variance::{efficient_return, efficient_risk, max_sharpe, min_volatility};
use oxfolio_optim::{greedy_allocation, hrp, Bounds, Estimator, Linkage, OptimError};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("fixtures/pypfopt_reference.json")).unwrap()
}

/// Closes from 2015-01-02 to 2019-12-31, time-major.
fn prices() -> (Vec<f64>, usize) {
    let text = include_str!("../../../data/wide/closes.csv");
    let mut lines = text.lines();
    let n = lines.next().unwrap().split(',').count() - 1;
    let mut out = Vec::new();
    for line in lines {
        let mut cells = line.split(',');
        let date = cells.next().unwrap();
        if ("2015-01-02"..="2019-12-31").contains(&date) {
            out.extend(cells.map(|c| c.parse::<f64>().unwrap()));
        }
    }
    (out, n)
}

#[test]
fn estimates_match() {
    let r = reference();
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    assert!(max_diff(&mu, &floats(&r["mu"])) < 1e-10);
    let (sample, _) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    assert!(max_diff(&sample, &floats(&r["sample_cov"])) < 1e-12);
    let (lw, _) = covariance(&returns, n, Estimator::LedoitWolf, 252.0).unwrap();
    assert!(max_diff(&lw, &floats(&r["ledoit_wolf_cov"])) < 1e-12);
}

#[test]
fn portfolios_match() {
    let r = reference();
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (s, model) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let (lw, _) = covariance(&returns, n, Estimator::LedoitWolf, 252.0).unwrap();
    let long = Bounds::LONG_ONLY;
    let cases = [
        (
            "min_volatility",
            min_volatility(&mu, &s, long, 0.0).unwrap(),
        ),
        (
            "min_volatility_lw",
            min_volatility(&mu, &lw, long, 0.0).unwrap(),
        ),
        ("max_sharpe_rf2", max_sharpe(&mu, &s, long, 0.02).unwrap()),
        (
            "max_sharpe_rf2_cap20",
            max_sharpe(
                &mu,
                &s,
                Bounds {
                    lower: 0.0,
                    upper: 0.2,
                },
                0.02,
            )
            .unwrap(),
        ),
        (
            "efficient_return_30",
            efficient_return(&mu, &s, long, 0.30, 0.0).unwrap(),
        ),
        (
            "efficient_risk_20",
            efficient_risk(&mu, &model, long, 0.20, 0.0).unwrap(),
        ),
    ];
    for (name, portfolio) in cases {
        let d = max_diff(&portfolio.weights, &floats(&r[name]));
        assert!(d < 1e-5, "{name}: {d:e}");
        let total: f64 = portfolio.weights.iter().sum();
        assert!((total - 1.0).abs() < 1e-8, "{name}");
        let rc: f64 = portfolio.risk_contributions.iter().sum();
        assert!((rc - portfolio.volatility).abs() < 1e-10, "{name}");
    }
}

#[test]
fn infeasible_problems_name_the_constraint() {
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (s, model) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let e = min_volatility(
        &mu,
        &s,
        Bounds {
            lower: 0.0,
            upper: 0.05,
        },
        0.0,
    )
    .unwrap_err();
    assert!(
        matches!(e, OptimError::Infeasible(_)) && e.to_string().contains("cannot sum to 1"),
        "{e}"
    );
    let e = efficient_return(&mu, &s, Bounds::LONG_ONLY, 5.0, 0.0).unwrap_err();
    assert!(e.to_string().contains("above the highest return"), "{e}");
    let e = efficient_risk(&mu, &model, Bounds::LONG_ONLY, 0.01, 0.0).unwrap_err();
    assert!(
        e.to_string().contains("below the minimum volatility"),
        "{e}"
    );
    let e = max_sharpe(&mu, &s, Bounds::LONG_ONLY, 10.0).unwrap_err();
    assert!(e.to_string().contains("above the risk-free rate"), "{e}");
}

/// HRP weights of the sample covariance of `returns` under every linkage.
fn assert_hrp_matches(returns: &[f64], n: usize, r: &Value, prefix: &str) {
    let (cov, _) = covariance(returns, n, Estimator::Sample, 252.0).unwrap();
    let mu = vec![0.0; n];
    for method in ["single", "complete", "average", "ward"] {
        let linkage = Linkage::parse(method).unwrap();
        let got = hrp(&mu, &cov, linkage, 0.0).unwrap().weights;
        let want = floats(&r[format!("{prefix}{method}")]);
        let diff = max_diff(&got, &want);
        assert!(diff < 1e-10, "{prefix}{method}: {diff:e}");
    }
}

#[test]
fn hrp_matches_on_real_prices() {
    let r = reference();
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    assert_hrp_matches(&returns, n, &r, "hrp_");
}

#[test]
fn hrp_matches_on_100_synthetic_assets() {
    let r = reference();
    assert_hrp_matches(&floats(&r["synthetic_returns"]), 100, &r, "synthetic_hrp_");
}

#[test]
fn greedy_allocation_matches() {
    let r = reference();
    let prices = floats(&r["latest_prices"]);
    for case in r["greedy_allocations"].as_array().unwrap() {
        let weights = floats(&r[case["weights"].as_str().unwrap()]);
        let got = greedy_allocation(
            &weights,
            &prices,
            case["capital"].as_f64().unwrap(),
            case["short_ratio"].as_f64(),
            case["reinvest"].as_bool().unwrap(),
        )
        .unwrap();
        let want: Vec<i64> = case["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_i64().unwrap())
            .collect();
        assert_eq!(got.shares, want, "{case}");
        let leftover = case["leftover"].as_f64().unwrap();
        assert!(
            (got.leftover - leftover).abs() < 1e-6,
            "{case}: {}",
            got.leftover
        );
    }
}

#[test]
fn other_estimators_match() {
    use oxfolio_optim::estimates::{capm_return, ema_historical_return};
    let r = reference();
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let close = |got: &[f64], key: &str, tol: f64| {
        let want = floats(&r[key]);
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let diff = max_diff(got, &want);
        assert!(diff <= tol * scale, "{key}: {diff:e} (scale {scale:e})");
    };
    close(
        &ema_historical_return(&returns, n, true, 500.0, 252.0).unwrap(),
        "ema_return",
        1e-12,
    );
    close(
        &ema_historical_return(&returns, n, false, 60.0, 252.0).unwrap(),
        "ema_return_arithmetic",
        1e-12,
    );
    close(
        &capm_return(&returns, n, None, 0.02, true, 252.0).unwrap(),
        "capm_return",
        1e-12,
    );
    close(
        &capm_return(&returns, n, None, 0.0, false, 252.0).unwrap(),
        "capm_return_arithmetic",
        1e-12,
    );
    for (estimator, key, delta) in [
        (Estimator::Exponential { span: 180.0 }, "exp_cov", None),
        (
            Estimator::Semicovariance {
                benchmark: 0.000079,
            },
            "semicovariance",
            None,
        ),
        (
            Estimator::LedoitWolfSingleFactor,
            "lw_single_factor",
            Some("lw_single_factor_delta"),
        ),
        (
            Estimator::LedoitWolfConstantCorrelation,
            "lw_constant_correlation",
            Some("lw_constant_correlation_delta"),
        ),
        (Estimator::OracleApproximating, "oas", Some("oas_delta")),
    ] {
        let (dense, model) = covariance(&returns, n, estimator, 252.0).unwrap();
        close(&dense, key, 1e-12);
        if let Some(d) = delta {
            let want = r[d].as_f64().unwrap();
            assert!(
                (model.shrinkage() - want).abs() < 1e-12,
                "{key}: {} vs {want}",
                model.shrinkage()
            );
        }
        // The factored form agrees with the dense one.
        let w: Vec<f64> = (0..n)
            .map(|i| (i as f64 + 1.0) / (n * (n + 1) / 2) as f64)
            .collect();
        let dense_variance: f64 = (0..n)
            .map(|i| (0..n).map(|j| w[i] * dense[i * n + j] * w[j]).sum::<f64>())
            .sum();
        assert!((model.variance(&w) - dense_variance).abs() < 1e-14, "{key}");
    }
}

#[test]
fn constraints_and_penalties_match() {
    use oxfolio_optim::{optimize, Constraints, Group, Objective};
    let r = reference();
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (_, model) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let sectors: Vec<String> = r["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let group = |name: &str, lower: f64, upper: f64| Group {
        name: name.into(),
        members: (0..n).filter(|&i| sectors[i] == name).collect(),
        lower,
        upper,
    };
    let groups = vec![
        group("tech", 0.2, 1.0),
        group("energy", 0.0, 0.05),
        group("fin", 0.0, 0.1),
    ];
    let long = Constraints::bounds(Bounds::LONG_ONLY);
    let long_short = Constraints::bounds(Bounds {
        lower: -1.0,
        upper: 1.0,
    });
    let equal = vec![1.0 / n as f64; n];
    let cases: Vec<(&str, Objective, Constraints, f64)> = vec![
        (
            "utility_2",
            Objective::MaxQuadraticUtility { risk_aversion: 2.0 },
            long.clone(),
            0.0,
        ),
        (
            "min_volatility_l2",
            Objective::MinVolatility,
            Constraints {
                l2_gamma: 0.1,
                ..long.clone()
            },
            0.0,
        ),
        (
            "neutral_return_20",
            Objective::EfficientReturn { target: 0.2 },
            Constraints {
                market_neutral: true,
                ..long_short.clone()
            },
            0.0,
        ),
        (
            "neutral_risk_15",
            Objective::EfficientRisk { target: 0.15 },
            Constraints {
                market_neutral: true,
                ..long_short.clone()
            },
            0.0,
        ),
        (
            "min_volatility_sectors",
            Objective::MinVolatility,
            Constraints {
                groups: groups.clone(),
                ..long.clone()
            },
            0.0,
        ),
        (
            "max_sharpe_sectors",
            Objective::MaxSharpe,
            Constraints {
                groups: groups.clone(),
                ..long.clone()
            },
            0.02,
        ),
        (
            "min_volatility_cost",
            Objective::MinVolatility,
            Constraints {
                current: Some(equal.clone()),
                cost: 0.001,
                ..long.clone()
            },
            0.0,
        ),
        (
            "min_volatility_turnover",
            Objective::MinVolatility,
            Constraints {
                current: Some(equal.clone()),
                max_turnover: Some(0.5),
                ..long.clone()
            },
            0.0,
        ),
        (
            "utility_gross",
            Objective::MaxQuadraticUtility { risk_aversion: 1.0 },
            Constraints {
                max_gross: Some(1.6),
                ..Constraints::bounds(Bounds {
                    lower: -0.5,
                    upper: 0.5,
                })
            },
            0.0,
        ),
    ];
    for (key, objective, constraints, rf) in cases {
        let got = optimize(&mu, &model, objective, &constraints, rf).unwrap();
        let diff = max_diff(&got.weights, &floats(&r[key]));
        assert!(diff < 1e-5, "{key}: {diff:e}");
    }
}

#[test]
fn constraint_errors_name_the_constraint() {
    use oxfolio_optim::{optimize, Constraints, Group, Objective};
    let (p, n) = prices();
    let returns = returns_from_prices(&p, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (_, model) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let long = Constraints::bounds(Bounds::LONG_ONLY);
    let err =
        |c: &Constraints, o: Objective| optimize(&mu, &model, o, c, 0.0).unwrap_err().to_string();
    let e = err(
        &Constraints {
            groups: vec![Group {
                name: "tiny".into(),
                members: vec![0, 1],
                lower: 0.5,
                upper: 1.0,
            }],
            bounds: Bounds {
                lower: 0.0,
                upper: 0.2,
            },
            ..long.clone()
        },
        Objective::MinVolatility,
    );
    assert!(e.contains("group tiny"), "{e}");
    let e = err(
        &Constraints {
            max_turnover: Some(0.1),
            ..long.clone()
        },
        Objective::MinVolatility,
    );
    assert!(e.contains("current weights"), "{e}");
    let e = err(
        &Constraints {
            market_neutral: true,
            ..long.clone()
        },
        Objective::MinVolatility,
    );
    assert!(
        e.contains("cannot sum to 0") || e.contains("infeasible"),
        "{e}"
    );
    let e = err(
        &Constraints {
            l2_gamma: 0.1,
            ..long.clone()
        },
        Objective::MaxSharpe,
    );
    assert!(e.contains("max Sharpe takes"), "{e}");
    // Feasible piece by piece, infeasible together: the solver's verdict lists them.
    let e = err(
        &Constraints {
            current: Some((0..n).map(|i| if i == 0 { 1.0 } else { 0.0 }).collect()),
            max_turnover: Some(0.1),
            groups: vec![Group {
                name: "first".into(),
                members: vec![0],
                lower: 0.0,
                upper: 0.5,
            }],
            ..long.clone()
        },
        Objective::MinVolatility,
    );
    assert!(
        e.contains("infeasible") && e.contains("turnover <= 0.1") && e.contains("group first"),
        "{e}"
    );
}

#[test]
fn mean_variance_matches_on_100_synthetic_assets() {
    let r = reference();
    let returns = floats(&r["synthetic_returns"]);
    let n = 100;
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (cov, _) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let min = min_volatility(&mu, &cov, Bounds::LONG_ONLY, 0.0).unwrap();
    let diff = max_diff(&min.weights, &floats(&r["synthetic_min_volatility"]));
    assert!(diff < 1e-5, "min volatility: {diff:e}");
    let sharpe = max_sharpe(&mu, &cov, Bounds::LONG_ONLY, 0.0).unwrap();
    let diff = max_diff(&sharpe.weights, &floats(&r["synthetic_max_sharpe"]));
    assert!(diff < 1e-5, "max Sharpe: {diff:e}");
}

#[test]
fn pairwise_policy_matches() {
    use oxfolio_optim::estimates::{pairwise_covariance, returns_with_gaps};
    use oxfolio_optim::hrp_with_correlation;
    let r = reference();
    // The whole file: BABA's column is empty before its listing.
    let text = include_str!("../../../data/wide/closes.csv");
    let mut lines = text.lines();
    let n = lines.next().unwrap().split(',').count() - 1;
    let prices: Vec<f64> = lines
        .flat_map(|l| {
            l.split(',')
                .skip(1)
                .map(|c| c.parse::<f64>().unwrap_or(f64::NAN))
        })
        .collect();
    assert!(prices.iter().any(|p| p.is_nan()));
    let returns = returns_with_gaps(&prices, n).unwrap();
    let mu = mean_historical_return(&returns, n, true, 252.0);
    assert!(max_diff(&mu, &floats(&r["pairwise_mu"])) < 1e-12);
    let (cov, corr) = pairwise_covariance(&returns, n, 252.0).unwrap();
    assert!(max_diff(&cov, &floats(&r["pairwise_cov"])) < 1e-12);
    assert_eq!(
        oxfolio_optim::psd::is_psd(&cov, n),
        r["pairwise_is_psd"].as_bool().unwrap()
    );
    let w = hrp_with_correlation(&mu, &cov, Some(&corr), Linkage::Single, 0.0).unwrap();
    assert!(max_diff(&w.weights, &floats(&r["pairwise_hrp"])) < 1e-10);
}

/// PyPortfolioOpt's integer-programme objective for one side (weights summing to one).
fn lp_objective(weights: &[f64], prices: &[f64], value: f64, shares: &[i64]) -> f64 {
    let total: f64 = weights.iter().map(|w| w.abs()).sum();
    let spent: f64 = shares
        .iter()
        .zip(prices)
        .map(|(k, p)| (*k as f64).abs() * p)
        .sum();
    weights
        .iter()
        .zip(prices)
        .zip(shares)
        .map(|((w, p), k)| (w.abs() / total * value - (*k as f64).abs() * p).abs())
        .sum::<f64>()
        + value
        - spent
}

#[test]
fn exact_allocation_is_as_good_as_pypfopt_milp() {
    use oxfolio_optim::discrete::exact_allocation;
    let r = reference();
    let prices = floats(&r["latest_prices"]);
    for case in r["greedy_allocations"].as_array().unwrap() {
        let weights = floats(&r[case["weights"].as_str().unwrap()]);
        if weights.iter().any(|w| *w < 0.0) {
            continue; // the long-short split is the greedy rule's, tested above
        }
        let capital = case["capital"].as_f64().unwrap();
        let ours = exact_allocation(&weights, &prices, capital, None, false)
            .unwrap()
            .expect("proven within the node limit");
        let theirs: Vec<i64> = case["lp_shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_i64().unwrap())
            .collect();
        let (a, b) = (
            lp_objective(&weights, &prices, capital, &ours.shares),
            lp_objective(&weights, &prices, capital, &theirs),
        );
        assert!(a <= b + 1e-6, "{case}: ours {a} vs HiGHS {b}");
        assert!(ours.leftover >= -1e-9);
        let greedy: Vec<i64> = case["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_i64().unwrap())
            .collect();
        assert!(a <= lp_objective(&weights, &prices, capital, &greedy) + 1e-9);
    }
}

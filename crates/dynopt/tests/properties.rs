//! Properties of the greedy step and buffering over random problems, and how often the
//! greedy result equals the exhaustive integer optimum on small cases.

use oxfolio_dynopt::greedy::validate;
use oxfolio_dynopt::{Buffering, Problem, Solution, Workspace};
use proptest::prelude::*;

/// A random positive-definite covariance (`A A' / k + diag`), per-contract values,
/// optimal positions, costs and previous positions for `n` instruments.
#[derive(Clone, Debug)]
struct Case {
    optimal: Vec<f64>,
    value: Vec<f64>,
    covariance: Vec<f64>,
    costs: Vec<f64>,
    previous: Vec<i64>,
}

fn case(n: usize) -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(-4.0f64..4.0, n),
        prop::collection::vec(0.05f64..0.6, n),
        prop::collection::vec(-1.0f64..1.0, n * (n + 1)),
        prop::collection::vec(0.0f64..0.005, n),
        prop::collection::vec(-4i64..5, n),
    )
        .prop_map(move |(optimal, value, a, costs, previous)| {
            let k = n + 1;
            let mut covariance = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    let dot: f64 = (0..k).map(|m| a[i * k + m] * a[j * k + m]).sum();
                    covariance[i * n + j] = 0.04 * dot / k as f64 + if i == j { 0.01 } else { 0.0 };
                }
            }
            Case {
                optimal,
                value,
                covariance,
                costs,
                previous,
            }
        })
}

fn problem<'a>(c: &'a Case, previous: Option<&'a [i64]>, shadow: f64, buffer: f64) -> Problem<'a> {
    Problem {
        optimal: &c.optimal,
        per_contract_value: &c.value,
        covariance: &c.covariance,
        costs_per_unit_weight: &c.costs,
        previous,
        shadow_cost: shadow,
        tracking_error_buffer: buffer,
        limits: None,
    }
}

fn solve(p: &Problem, workspace: &mut Workspace) -> Solution {
    validate(p).unwrap();
    let mut s = Solution::default();
    workspace.solve_into(p, &mut s);
    s
}

/// Objective of `positions` computed from scratch.
fn objective(p: &Problem, positions: &[i64]) -> f64 {
    let n = positions.len();
    let gap: Vec<f64> = (0..n)
        .map(|i| (positions[i] as f64 - p.optimal[i]) * p.per_contract_value[i])
        .collect();
    let variance: f64 = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| gap[i] * p.covariance[i * n + j] * gap[j])
                .sum::<f64>()
        })
        .sum();
    let cost: f64 = p.previous.map_or(0.0, |prev| {
        (0..n)
            .map(|i| {
                p.shadow_cost
                    * p.costs_per_unit_weight[i]
                    * ((positions[i] - prev[i]) as f64 * p.per_contract_value[i]).abs()
            })
            .sum()
    });
    variance.max(0.0).sqrt() + cost
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_accepted_step_lowers_the_objective(c in (1usize..9).prop_flat_map(case), shadow in 0.0f64..60.0, with_prior in any::<bool>()) {
        let previous = with_prior.then_some(c.previous.as_slice());
        let p = problem(&c, previous, shadow, 0.0);
        let mut w = Workspace::tracing();
        let s = solve(&p, &mut w);
        let path = w.path();
        prop_assert_eq!(path.len(), s.steps + 1);
        for pair in path.windows(2) {
            prop_assert!(pair[1] < pair[0], "{:?}", path);
        }
        let last = *path.last().unwrap();
        prop_assert!((last - objective(&p, &s.greedy)).abs() < 1e-12);
        // No single further move in an instrument's direction helps.
        for i in 0..c.optimal.len() {
            let mut k = s.greedy.clone();
            k[i] += if c.optimal[i] < 0.0 { -1 } else { 1 };
            prop_assert!(objective(&p, &k) >= last - 1e-12);
        }
    }

    #[test]
    fn without_costs_or_buffer_positions_move_straight_to_greedy(c in (1usize..9).prop_flat_map(case)) {
        let p = problem(&c, Some(&c.previous), 0.0, 0.0);
        let s = solve(&p, &mut Workspace::default());
        prop_assert_eq!(&s.positions, &s.greedy);
        let factor = match s.buffering {
            Buffering::Adjusted { adjustment_factor, .. } => adjustment_factor,
            other => { prop_assert!(false, "{other:?}"); 0.0 }
        };
        prop_assert!(factor == 1.0 || s.greedy == c.previous);
    }

    #[test]
    fn buffering_never_trades_inside_the_buffer(c in (1usize..9).prop_flat_map(case), shadow in 0.0f64..60.0, buffer in 0.0f64..0.5) {
        let p = problem(&c, Some(&c.previous), shadow, buffer);
        let s = solve(&p, &mut Workspace::default());
        let prior_te = objective(&problem(&c, None, 0.0, 0.0), &c.previous);
        if prior_te < buffer {
            prop_assert_eq!(&s.positions, &c.previous);
            prop_assert!(matches!(s.buffering, Buffering::WithinBuffer { .. }), "{:?}", s.buffering);
        } else {
            // Outside the buffer the trade is a fraction of the way to greedy.
            for i in 0..c.optimal.len() {
                let (from, to, got) = (c.previous[i], s.greedy[i], s.positions[i]);
                prop_assert!(got >= from.min(to) && got <= from.max(to));
            }
        }
    }
}

/// Exhaustive search over every position in `-r..=r` per instrument.
fn exhaustive(p: &Problem, r: i64) -> f64 {
    let n = p.optimal.len();
    let mut k = vec![-r; n];
    let mut best = f64::INFINITY;
    loop {
        best = best.min(objective(p, &k));
        let mut i = 0;
        while i < n && k[i] == r {
            k[i] = -r;
            i += 1;
        }
        if i == n {
            return best;
        }
        k[i] += 1;
    }
}

#[test]
fn greedy_matches_the_exhaustive_optimum_on_most_small_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let (mut equal, mut total, mut worst_gap) = (0, 0, 0.0f64);
    for n in 2..=5 {
        for _ in 0..100 {
            let c = case(n).new_tree(&mut runner).unwrap().current();
            let p = problem(&c, None, 0.0, 0.0);
            let s = solve(&p, &mut Workspace::default());
            let greedy = objective(&p, &s.greedy);
            let best = exhaustive(&p, 5);
            assert!(best <= greedy + 1e-12);
            total += 1;
            if greedy <= best + 1e-12 {
                equal += 1;
            } else {
                worst_gap = worst_gap.max(greedy - best);
            }
        }
    }
    println!(
        "greedy equals the exhaustive optimum in {equal} of {total} cases; worst excess tracking error {worst_gap:.5}"
    );
    assert!(equal * 10 >= total * 7, "{equal} of {total}");
}

//! The greedy algorithm and buffering against the pure-Python reimplementation of the
//! published algorithm (`fixtures/make_greedy_fixtures.py`): 248 cases, positions exact,
//! figures to 1e-12.

use oxfolio_dynopt::SolveInput;
use serde_json::Value;

fn cases() -> Vec<Value> {
    serde_json::from_str::<Value>(include_str!("fixtures/greedy_cases.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn positions(v: &Value) -> Vec<(String, i64)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), x.as_i64().unwrap()))
        .collect()
}

#[test]
fn every_case_matches_the_reference() {
    let (mut same_as_pysystemtrade, mut quirk_cases) = (0, 0);
    for (k, case) in cases().iter().enumerate() {
        let input: SolveInput = serde_json::from_value(case["input"].clone()).unwrap();
        let got = input.solve().unwrap();
        let got_json = serde_json::to_value(&got).unwrap();
        let want = &case["oxfolio"];
        assert_eq!(
            positions(&got_json["positions"]),
            positions(&want["positions"]),
            "case {k}"
        );
        assert_eq!(
            positions(&got_json["greedy_positions"]),
            positions(&want["greedy_positions"]),
            "case {k}"
        );
        for key in ["tracking_error", "cost_penalty", "objective"] {
            let (a, b) = (got_json[key].as_f64().unwrap(), want[key].as_f64().unwrap());
            assert!((a - b).abs() < 1e-12, "case {k} {key}: {a} vs {b}");
        }
        assert_eq!(
            got_json["buffering"]["outcome"], want["buffering"]["outcome"],
            "case {k}"
        );
        if let Some(f) = want["buffering"]["adjustment_factor"].as_f64() {
            let a = got_json["buffering"]["adjustment_factor"].as_f64().unwrap();
            assert!((a - f).abs() < 1e-12, "case {k}");
        }
        assert_eq!(
            got.steps as u64,
            want["steps"].as_u64().unwrap(),
            "case {k}"
        );
        if case["quirks_differ"].as_bool().unwrap() {
            quirk_cases += 1;
        } else {
            assert_eq!(
                positions(&got_json["positions"]),
                positions(&case["pysystemtrade"]["positions"]),
                "case {k}"
            );
            same_as_pysystemtrade += 1;
        }
    }
    assert_eq!(same_as_pysystemtrade + quirk_cases, 248);
    assert!(same_as_pysystemtrade > 150);
}

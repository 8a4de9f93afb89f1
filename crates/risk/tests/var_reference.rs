//! VaR and CVaR against empyrical, quantstats and scipy on real returns (fixture and the
//! script that made it in tests/fixtures).

use serde_json::Value;

use oxfolio_risk::var::{tail_risk, VarMethod};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

#[test]
fn tail_risk_matches_the_references() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/var_reference.json"
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let mut checked = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let r: Vec<f64> = case["returns"]
            .as_array()
            .expect("returns")
            .iter()
            .map(|x| x.as_f64().expect("f64"))
            .collect();
        for level in case["levels"].as_array().expect("levels") {
            let c = level["confidence"].as_f64().expect("confidence");
            for (key, method, rel) in [
                ("historical", VarMethod::Historical, 1e-12),
                ("gaussian", VarMethod::Gaussian, 1e-10),
                // The CVaR reference is a numerical integral (quad), the code a closed form.
                ("cornish_fisher", VarMethod::CornishFisher, 1e-9),
            ] {
                let ours = tail_risk(&r, c, method).expect("tail risk");
                let var = level[key]["var"].as_f64().expect("var");
                let cvar = level[key]["cvar"].as_f64().expect("cvar");
                assert!(
                    close(ours.var, var, rel),
                    "{name} {key} {c}: var {} vs {var}",
                    ours.var
                );
                assert!(
                    close(ours.cvar, cvar, rel),
                    "{name} {key} {c}: cvar {} vs {cvar}",
                    ours.cvar
                );
                checked += 2;
            }
        }
    }
    assert_eq!(checked, 3 * 2 * 3 * 2);
}

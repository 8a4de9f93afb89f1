//! A caller's closure runs through the run layer and gets the run folder the command line
//! writes: tables, `report.html`, `metrics.json` and a `config.toml` that says the
//! strategy was the caller's.

use std::path::Path;

use oxfolio_engine::{Context, Decision, StrategyError};
use oxfolio_run::{run, run_strategy, Config};

fn bundled_config() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/backtest.toml");
    Config::load(Some(&path)).expect("the bundled config")
}

#[test]
fn a_closure_run_writes_the_whole_run_folder() {
    let config = bundled_config();
    let n = oxfolio_run::load_market(&config).expect("data").n_symbols();
    // Equal weights on each month's first session: the bundled config's own strategy.
    let mut strategy = |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
        let flat = ctx.positions.iter().all(|q| *q == 0.0);
        Ok(if flat || ctx.flags.first_of_month {
            Decision::Weights(vec![1.0 / n as f64; n])
        } else {
            Decision::Hold
        })
    };
    let mut outcome = run_strategy(&config, &mut strategy).expect("the run");
    // An outcome moves between threads (a sweep's workers, Python's).
    fn send<T: Send>(_: &T) {}
    send(&outcome);
    let dir = tempfile::tempdir().expect("a temporary folder");
    outcome.write_folder(dir.path()).expect("the run folder");
    for f in [
        "report.html",
        "metrics.json",
        "equity.csv",
        "fills.csv",
        "pnl.csv",
        "config.toml",
    ] {
        let len = std::fs::metadata(dir.path().join(f)).map(|m| m.len());
        assert!(len.is_ok_and(|l| l > 0), "{f} missing or empty");
    }
    let metrics: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("metrics.json")).expect("metrics.json"),
    )
    .expect("JSON");
    assert_eq!(metrics["strategy"], "custom");
    assert!(metrics["timings"]["report"]
        .as_f64()
        .is_some_and(|s| s > 0.0));
    let written = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    assert!(written.starts_with("# The strategy was the caller's own (`custom`)"));
    assert!(!written.contains("[strategy]"));

    // The closure decides what the built-in `equal_weight` (monthly) decides, so the
    // results agree to the bit.
    let builtin = run(&config).expect("the built-in run");
    let (oxfolio_run::LevelRun::Portfolio(a), oxfolio_run::LevelRun::Portfolio(b)) =
        (&outcome.run, &builtin.run)
    else {
        panic!("both runs are portfolio-level");
    };
    assert_eq!(a.results.daily.equity, b.results.daily.equity);
    assert_eq!(a.results.fills.len(), b.results.fills.len());
}

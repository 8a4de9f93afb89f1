//! A key the chosen strategy level or kind would ignore is refused by name, before any
//! data is read; the same key at its default value, as a resolved `config.toml` writes
//! it, is accepted.

use std::path::Path;

use oxfolio_run::{run, Config, RunError};

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
        .display()
        .to_string()
}

/// The config `text` (TOML) with `{spy}` standing for the bundled SPY daily bars.
fn config(text: &str) -> Config {
    let text = text.replace("{spy}", &repo("data/bars/spy_daily.csv"));
    toml::from_str(&text).expect("a valid config")
}

fn refusal(text: &str) -> String {
    match run(&config(text)) {
        Err(RunError::Config(message)) => message,
        Err(other) => panic!("expected a config refusal, got {other}"),
        Ok(_) => panic!("expected a config refusal, the run went ahead"),
    }
}

const SMA: &str = "[data]\nprices = \"{spy}\"\n[strategy]\nkind = \"sma_crossover\"\n";

#[test]
fn portfolio_keys_are_refused_at_the_order_level() {
    for (key, value) in [
        ("num_fills", "4"),
        ("max_adv_participation", "0.05"),
        ("fill_price", "\"typical\""),
        ("decision_time", "\"at_open\""),
        ("max_portfolio_variance", "0.04"),
        ("limit_policy", "\"reject\""),
        ("missing_price", "\"hold\""),
        ("mode", "2"),
        ("initial_positions", "{ SPY = 10 }"),
    ] {
        let text = format!("{SMA}[backtest]\n{key} = {value}\n");
        assert_eq!(
            refusal(&text),
            format!(
                "backtest.{key} applies to portfolio-level strategies; sma_crossover is order-level"
            ),
            "{key}"
        );
    }
}

#[test]
fn order_level_tables_are_refused_at_the_portfolio_level() {
    let base = "[data]\nprices = \"{spy}\"\n[strategy]\nkind = \"equal_weight\"\n";
    let message = refusal(&format!("{base}[execution]\nallow_short = true\n"));
    assert!(
        message.starts_with("[execution] applies to order-level strategies")
            && message.ends_with("equal_weight is portfolio-level"),
        "{message}"
    );
    let message = refusal(&format!(
        "{base}[risk_management.stop_loss]\nstop_percent = 0.05\n"
    ));
    assert!(
        message.starts_with("[risk_management] applies to order-level strategies"),
        "{message}"
    );
}

#[test]
fn strategy_keys_of_another_kind_are_refused() {
    let message =
        refusal("[data]\nprices = \"{spy}\"\n[strategy]\nkind = \"equal_weight\"\nfast = 5\n");
    assert_eq!(
        message,
        "strategy.fast does not apply to equal_weight (its keys: rebalance, drift_threshold, drift_measure, symbols)"
    );
    let message = refusal(&format!("{SMA}schedule = \"monthly\"\n"));
    assert_eq!(
        message,
        "strategy.schedule does not apply to sma_crossover (its keys: symbols, fast, slow, quantity)"
    );
    let message = refusal(
        "[data]\nprices = \"{spy}\"\n[backtest]\nmode = 3\n[strategy]\nkind = \"momentum_top_k\"\n",
    );
    assert!(
        message.starts_with(
            "strategy.kind = momentum_top_k is not read with backtest.mode = external_trades"
        ),
        "{message}"
    );
}

#[test]
fn keys_at_their_defaults_are_accepted() {
    // What a resolved config.toml holds: every key, at its default unless set.
    let text = format!(
        "{SMA}fast = 5\nslow = 20\nquantity = 10\nrebalance = \"monthly\"\nlookback = 63\n[backtest]\nnum_fills = 1\nmode = 1\nshrinkage = true\n"
    );
    let outcome = run(&config(&text)).expect("defaults are not refusals");
    assert_eq!(outcome.level(), oxfolio_run::Level::Order);
}

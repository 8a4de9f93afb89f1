//! Replays of real data: the IBM NBBO figures against an independent pandas computation,
//! and the Binance / Tardis samples as format and sequencing tests.

use std::path::{Path, PathBuf};

use serde_json::Value;

use oxfolio_book::replay::{binance, lean, nbbo, tardis};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn ibm_nbbo_matches_the_pandas_reference() {
    let quotes = lean::read_quote_ticks(&repo("data/intraday/lean/20131007_ibm_Quote_Tick.csv"))
        .expect("quotes");
    let trades = lean::read_trade_ticks(&repo("data/intraday/lean/20131007_ibm_Trade_Tick.csv"))
        .expect("trades");
    let r = nbbo::replay(&quotes, &trades, 10_000.0);
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("ibm_nbbo_reference.json")).expect("fixture"),
    )
    .expect("json");
    let ours = serde_json::to_value(&r).expect("json");
    for key in [
        "quote_events",
        "trade_events",
        "locked_events",
        "crossed_events",
        "trades_outside_nbbo",
        "trades_without_nbbo",
        "venues",
        "suspicious_quotes",
        "suspicious_trades",
        "two_sided_ms",
    ] {
        assert_eq!(ours[key], reference[key], "{key}");
    }
    let (a, b) = (
        r.time_weighted_spread,
        reference["time_weighted_spread"].as_f64().expect("f64"),
    );
    assert!(
        (a - b).abs() <= 1e-9 * b.abs(),
        "time-weighted spread {a} vs {b}"
    );
    assert_eq!((r.quote_events, r.trade_events), (109_067, 24_293));
}

#[test]
fn binance_snapshot_and_updates_do_not_chain() {
    let snap = binance::read_depth(&fixture("nautilus/btcusdt-depth-snap.csv")).expect("snapshot");
    let updates =
        binance::read_depth(&fixture("nautilus/btcusdt-depth-update.csv")).expect("updates");
    assert_eq!((snap.len(), updates.len()), (100, 100));
    assert!(snap.iter().all(|r| r.snapshot));
    let e = binance::build(&snap, &updates).expect_err("the update ids start after a gap");
    let msg = e.to_string();
    assert!(
        msg.contains("sequence gap") && msg.contains("snapshot ends at 2098021528332"),
        "{msg}"
    );
    // The snapshot alone is a valid (bid-only) book.
    let book = binance::build(&snap, &[]).expect("snapshot book");
    assert_eq!(book.levels(), (100, 0));
    assert_eq!(book.best_bid(), Some((20377.0, 1.77)));
}

#[test]
fn tardis_files_replay() {
    let r = tardis::replay(&fixture(
        "nautilus/binance-futures_book_snapshot_25_BTCUSDT.csv",
    ))
    .expect("snapshots");
    assert_eq!(r.rows, 10);
    assert_eq!(r.final_levels, (25, 25));
    assert_eq!(r.crossed, 0);
    assert!(r.spread.min > 0.0);
    let r5 = tardis::replay(&fixture(
        "nautilus/binance-futures_book_snapshot_5_BTCUSDT.csv",
    ))
    .expect("snapshots");
    assert_eq!(r5.final_levels, (5, 5));
    let inc = tardis::replay(&fixture(
        "nautilus/deribit_incremental_book_L2_BTC-PERPETUAL.csv",
    ))
    .expect("incremental");
    assert_eq!(inc.rows, 15);
    assert_eq!(inc.final_levels, (0, 15));
    assert!(tardis::replay(&fixture("nautilus/btcusdt-depth-snap.csv")).is_err());
}

#[test]
fn malformed_rows_name_file_and_line() {
    let dir = std::env::temp_dir().join(format!("oxfolio-book-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join("q.csv");
    std::fs::write(
        &p,
        "14400054,0,0,1836300,100,Q,1,0\n14400055,0,0,abc,100,Q,1,0\n",
    )
    .expect("write");
    let e = lean::read_quote_ticks(&p).expect_err("bad").to_string();
    assert!(e.contains("q.csv: line 2: field 4 (ask): `abc`"), "{e}");
    std::fs::write(&p, "14400054,0,0,1836300\n").expect("write");
    assert!(lean::read_quote_ticks(&p)
        .expect_err("short")
        .to_string()
        .contains("4 fields, expected 8"));
    std::fs::remove_dir_all(&dir).ok();
}

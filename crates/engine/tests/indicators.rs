//! Indicators against pandas on 600 SPY daily bars (`fixtures/make_indicator_fixtures.py`):
//! the same bars produce a value, and the values agree to 1e-9 relative.

use oxfolio_engine::indicators::{
    Atr, Bollinger, Ema, Highest, Lowest, Macd, Momentum, Roc, RollingStd, Rsi, Sma, Wma,
};
use serde_json::Value;

fn column(v: &Value, key: &str) -> Vec<Option<f64>> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_f64)
        .collect()
}

fn check(name: &str, got: &[Option<f64>], want: &[Option<f64>]) {
    assert_eq!(got.len(), want.len());
    for (t, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (None, None) => {}
            (Some(g), Some(w)) => {
                let e = (g - w).abs() / w.abs().max(1.0);
                assert!(e < 1e-9, "{name} bar {t}: {g} vs {w} ({e:e})");
            }
            _ => panic!("{name} bar {t}: {g:?} vs pandas {w:?}"),
        }
    }
}

#[test]
fn every_indicator_matches_pandas() {
    let v: Value = serde_json::from_str(include_str!("fixtures/indicators.json")).unwrap();
    let (high, low, close) = (column(&v, "high"), column(&v, "low"), column(&v, "close"));
    let bars: Vec<(f64, f64, f64)> = high
        .iter()
        .zip(&low)
        .zip(&close)
        .map(|((h, l), c)| (h.unwrap(), l.unwrap(), c.unwrap()))
        .collect();
    let run = |mut f: Box<dyn FnMut(f64, f64, f64) -> Option<f64>>| -> Vec<Option<f64>> {
        bars.iter().map(|&(h, l, c)| f(h, l, c)).collect()
    };
    let mut sma = Sma::new(20);
    check(
        "sma_20",
        &run(Box::new(move |_, _, c| sma.update(c))),
        &column(&v, "sma_20"),
    );
    let mut ema = Ema::new(20);
    check(
        "ema_20",
        &run(Box::new(move |_, _, c| ema.update(c))),
        &column(&v, "ema_20"),
    );
    let mut wma = Wma::new(10);
    check(
        "wma_10",
        &run(Box::new(move |_, _, c| wma.update(c))),
        &column(&v, "wma_10"),
    );
    let mut std = RollingStd::new(20);
    check(
        "std_20",
        &run(Box::new(move |_, _, c| std.update(c))),
        &column(&v, "std_20"),
    );
    let mut bands = Bollinger::new(20, 2.0);
    let b: Vec<_> = bars.iter().map(|&(_, _, c)| bands.update(c)).collect();
    check(
        "bollinger_upper",
        &b.iter().map(|x| x.map(|b| b.upper)).collect::<Vec<_>>(),
        &column(&v, "bollinger_upper"),
    );
    check(
        "bollinger_lower",
        &b.iter().map(|x| x.map(|b| b.lower)).collect::<Vec<_>>(),
        &column(&v, "bollinger_lower"),
    );
    let mut rsi = Rsi::new(14);
    check(
        "rsi_14",
        &run(Box::new(move |_, _, c| rsi.update(c))),
        &column(&v, "rsi_14"),
    );
    let mut macd = Macd::new(12, 26, 9);
    let m: Vec<_> = bars.iter().map(|&(_, _, c)| macd.update(c)).collect();
    check(
        "macd",
        &m.iter().map(|x| x.map(|m| m.macd)).collect::<Vec<_>>(),
        &column(&v, "macd"),
    );
    check(
        "macd_signal",
        &m.iter().map(|x| x.map(|m| m.signal)).collect::<Vec<_>>(),
        &column(&v, "macd_signal"),
    );
    check(
        "macd_histogram",
        &m.iter().map(|x| x.map(|m| m.histogram)).collect::<Vec<_>>(),
        &column(&v, "macd_histogram"),
    );
    let mut atr = Atr::new(14);
    check(
        "atr_14",
        &run(Box::new(move |h, l, c| atr.update(h, l, c))),
        &column(&v, "atr_14"),
    );
    let mut roc = Roc::new(10);
    check(
        "roc_10",
        &run(Box::new(move |_, _, c| roc.update(c))),
        &column(&v, "roc_10"),
    );
    let mut momentum = Momentum::new(10);
    check(
        "momentum_10",
        &run(Box::new(move |_, _, c| momentum.update(c))),
        &column(&v, "momentum_10"),
    );
    let mut highest = Highest::new(20);
    check(
        "highest_20",
        &run(Box::new(move |h, _, _| highest.update(h))),
        &column(&v, "highest_20"),
    );
    let mut lowest = Lowest::new(20);
    check(
        "lowest_20",
        &run(Box::new(move |_, l, _| lowest.update(l))),
        &column(&v, "lowest_20"),
    );
}

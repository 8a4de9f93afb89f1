//! The order-level session driven one bar at a time gives what the historical driver
//! gives: stepped over a whole market, and fed bar by bar from a market that grows as a
//! live feed would grow it.

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::events::fill::BarPrices;
use oxfolio_engine::events::strategies::{AtrBreakout, SmaCrossover};
use oxfolio_engine::events::{
    EventEngine, EventResults, EventSettings, OrderSession, OrderStrategy,
};
use oxfolio_engine::Market;

fn spy() -> Market {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bars/spy_daily.csv");
    let spec: SourceSpec = toml::from_str(&format!("path = \"{path}\"")).expect("spec");
    Market::load(&spec).expect("spy")
}

fn settings() -> EventSettings {
    let mut settings = EventSettings::default();
    settings.backtest.initial_cash = 100_000.0;
    settings.backtest.transaction_cost_bps = 10.0;
    settings.backtest.impact_bps = 5.0;
    settings
}

/// Fills, positions and equity agree; equity to 1e-9 relative (the quiet loop values a
/// stretch from its closes, a stepped bar asks the ledger).
fn assert_same(a: &EventResults, b: &EventResults) {
    assert!(a.fills.len() > 20, "{} fills", a.fills.len());
    assert_eq!(a.fills, b.fills);
    assert_eq!(a.final_positions, b.final_positions);
    assert_eq!(a.round_trips, b.round_trips);
    assert_eq!(a.equity.len(), b.equity.len());
    for (k, (x, y)) in a.equity.iter().zip(&b.equity).enumerate() {
        assert!((x - y).abs() <= 1e-9 * x.abs(), "bar {k}: {x} vs {y}");
    }
}

fn stepped<S: OrderStrategy>(market: Market, strategy: &mut S) -> EventResults {
    let mut session = OrderSession::new(market, &settings()).expect("session");
    while session.step(strategy).expect("step").is_some() {}
    session.finish(strategy).expect("finish")
}

fn historical<S: OrderStrategy>(market: &Market, strategy: &mut S) -> EventResults {
    EventEngine::new(market, settings())
        .expect("engine")
        .run(strategy)
        .expect("run")
}

#[test]
fn stepping_a_whole_market_matches_the_historical_driver() {
    let market = spy();
    let sma = || SmaCrossover::new(0, 10, 30, Some(100.0)).expect("sma");
    assert_same(
        &historical(&market, &mut sma()),
        &stepped(market.clone(), &mut sma()),
    );
    let breakout = || AtrBreakout::new(0, 20, 14, 3.0, Some(50.0)).expect("breakout");
    assert_same(
        &historical(&market, &mut breakout()),
        &stepped(market.clone(), &mut breakout()),
    );
}

#[test]
fn a_growing_market_fed_bar_by_bar_matches_the_historical_driver() {
    let market = spy();
    let bar = |t: usize| BarPrices {
        open: market.opens().expect("opens")[t],
        high: market.highs().expect("highs")[t],
        low: market.lows().expect("lows")[t],
        close: market.closes()[t],
        volume: market.volumes().expect("volumes")[t],
    };
    let first = bar(0);
    let seed = Market::new(
        vec![market.dates()[0]],
        market.symbols().to_vec(),
        vec![first.close],
        Some(vec![first.open]),
        Some(vec![first.high]),
        Some(vec![first.low]),
        Some(vec![first.volume]),
    )
    .expect("one bar");
    let mut strategy = SmaCrossover::new(0, 10, 30, Some(100.0)).expect("sma");
    let mut session = OrderSession::new(seed, &settings()).expect("session");
    assert_eq!(session.step(&mut strategy).expect("bar 0"), Some(0));
    assert_eq!(session.step(&mut strategy).expect("no bar yet"), None);
    for t in 1..market.n_dates() {
        session
            .push_bar(market.dates()[t], &[bar(t)])
            .expect("a bar");
        assert_eq!(session.step(&mut strategy).expect("step"), Some(t));
    }
    assert_eq!(session.market().flags(), market.flags(), "calendar flags");
    let live = session.finish(&mut strategy).expect("finish");
    let mut again = SmaCrossover::new(0, 10, 30, Some(100.0)).expect("sma");
    assert_same(&historical(&market, &mut again), &live);
}

#[test]
fn a_bad_bar_is_refused_and_the_market_kept() {
    let market = Market::new(
        vec![0, 60_000_000_000],
        vec!["A".into()],
        vec![10.0, 10.5],
        None,
        None,
        None,
        None,
    )
    .expect("two bars");
    let mut session = OrderSession::new(market, &EventSettings::default()).expect("session");
    let flat = BarPrices::flat(11.0);
    let e = session.push_bar(60_000_000_000, &[flat]).unwrap_err();
    assert!(e.to_string().contains("is not after the last one"), "{e}");
    let e = session
        .push_bar(120_000_000_000, &[BarPrices::flat(-1.0)])
        .unwrap_err();
    assert!(e.to_string().contains("close of A"), "{e}");
    let e = session
        .push_bar(120_000_000_000, &[flat, flat])
        .unwrap_err();
    assert!(e.to_string().contains("2 prices for 1 symbols"), "{e}");
    assert_eq!(session.market().n_dates(), 2);
    session
        .push_bar(120_000_000_000, &[flat])
        .expect("a good bar");
    assert_eq!(session.market().n_dates(), 3);
}

/// Market orders at the next bar's typical price (high + low + close) / 3; everything
/// else by the table.
struct TypicalPrice;

impl oxfolio_engine::events::FillModel for TypicalPrice {
    fn match_order(
        &self,
        kind: &oxfolio_engine::events::OrderKind,
        buy: bool,
        triggered: bool,
        trail_level: f64,
        bar: &BarPrices,
    ) -> (Option<oxfolio_engine::events::fill::Match>, bool) {
        use oxfolio_engine::events::{FillTable, OrderKind};
        match kind {
            OrderKind::Market => (
                Some(oxfolio_engine::events::fill::Match {
                    price: (bar.high + bar.low + bar.close) / 3.0,
                    at_open: false,
                    marketable: true,
                }),
                false,
            ),
            _ => FillTable.match_order(kind, buy, triggered, trail_level, bar),
        }
    }
}

#[test]
fn a_users_fill_model_prices_the_fills() {
    let market = spy();
    let mut strategy = SmaCrossover::new(0, 10, 30, Some(100.0)).expect("sma");
    let mut session = OrderSession::new(market.clone(), &EventSettings::default())
        .expect("session")
        .with_fill_model(Box::new(TypicalPrice));
    while session.step(&mut strategy).expect("step").is_some() {}
    let results = session.finish(&mut strategy).expect("finish");
    assert!(results.fills.len() > 20);
    let (h, l, c) = (
        market.highs().expect("highs"),
        market.lows().expect("lows"),
        market.closes(),
    );
    for f in &results.fills {
        let typical = (h[f.bar] + l[f.bar] + c[f.bar]) / 3.0;
        assert_eq!(f.price, typical, "bar {}", f.bar);
    }
}

#[test]
fn a_session_can_move_to_another_thread() {
    // A live feed, a sweep or a Python object drives the session from a thread of its
    // own: it must be `Send` (its cost and fill models are).
    fn send<T: Send>(_: &T) {}
    let session = OrderSession::new(spy(), &settings()).expect("session");
    send(&session);
    let handle = std::thread::spawn(move || {
        let mut session = session;
        let mut strategy = SmaCrossover::new(0, 10, 30, Some(100.0)).expect("sma");
        while session.step(&mut strategy).expect("step").is_some() {}
        session.finish(&mut strategy).expect("finish").fills.len()
    });
    assert!(handle.join().expect("the thread") > 20);
}

//! Properties of the event-driven engine on random bars and random order scripts:
//! fills never exceed the order or the volume cap, cash plus marked positions is the
//! equity, a cancelled order never fills afterwards, and nothing fills on the bar that
//! created it unless same-close fills were asked for; and the marks and equity a
//! strategy reads are those of the current bar, on several symbols with gaps.

mod events_common;

use events_common::{run, Action};
use oxfolio_core::time::from_ymd;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::error::StrategyError;
use oxfolio_engine::events::fill::FillTiming;
use oxfolio_engine::events::{
    EventContext, EventEngine, EventSettings, ExecutionConfig, OrderKind, OrderRequest,
    OrderStatus, OrderStrategy, TimeInForce, Trail,
};
use oxfolio_engine::Market;
use proptest::prelude::*;

fn bars_strategy(n: usize) -> impl Strategy<Value = Vec<(f64, f64, f64, f64, f64)>> {
    prop::collection::vec(
        (
            -0.03f64..0.03,
            -0.03f64..0.03,
            0.0f64..0.02,
            0.0f64..0.02,
            0.0f64..500.0,
        ),
        n,
    )
    .prop_map(|steps| {
        let mut p = 100.0;
        steps
            .into_iter()
            .map(|(gap, move_, up, down, volume)| {
                let open = p * (1.0 + gap);
                let close = open * (1.0 + move_);
                let high = open.max(close) * (1.0 + up);
                let low = open.min(close) * (1.0 - down);
                p = close;
                (open, high, low, close, volume.floor())
            })
            .collect()
    })
}

fn action_strategy(bars: usize) -> impl Strategy<Value = (usize, Action)> {
    let kind = prop_oneof![
        Just(0u8),
        Just(1u8),
        Just(2u8),
        Just(3u8),
        Just(4u8),
        Just(5u8),
    ];
    (
        0..bars,
        kind,
        -50i32..50,
        0.9f64..1.1,
        0.0f64..1.0,
        0usize..3,
        0usize..20,
    )
        .prop_map(|(bar, kind, q, level, extra, tif, target)| {
            let q = if q == 0 { 1.0 } else { q as f64 };
            let tif = [TimeInForce::Gtc, TimeInForce::Day, TimeInForce::Ioc][tif];
            let p = 100.0 * level;
            let request = match kind {
                0 => OrderRequest::market(0, q),
                1 => OrderRequest::limit(0, q, p),
                2 => OrderRequest::stop(0, q, p),
                3 => OrderRequest::stop_limit(0, q, p, p * (1.0 + 0.02 * (extra - 0.5))),
                4 => OrderRequest::trailing(0, q, Trail::Percent(0.01 + 0.05 * extra)),
                _ => return (bar, Action::Cancel(target)),
            }
            .with_tif(tif);
            (bar, Action::Submit(request))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn engine_invariants(
        bars in bars_strategy(40),
        actions in prop::collection::vec(action_strategy(40), 0..25),
        cap in prop::option::of(0.05f64..1.0),
        same_close in any::<bool>(),
    ) {
        let execution = ExecutionConfig {
            allow_short: true,
            max_volume_share: cap,
            fill_timing: if same_close { FillTiming::SameClose } else { FillTiming::NextOpen },
            ..ExecutionConfig::default()
        };
        // Cancels refer to orders the script placed; drop those that cannot exist yet.
        let mut placed = 0usize;
        let mut sorted = actions.clone();
        sorted.sort_by_key(|a| a.0);
        let actions: Vec<(usize, Action)> = sorted
            .into_iter()
            .filter(|(_, a)| match a {
                Action::Cancel(k) => *k < placed,
                _ => {
                    placed += 1;
                    true
                }
            })
            .collect();
        let (r, script) = run(&bars, actions.clone(), execution);

        // Fills never exceed their order, and add up to what the order says it filled.
        for o in &r.orders {
            let total: f64 = r.fills.iter().filter(|f| f.order == o.id).map(|f| f.quantity).sum();
            prop_assert!((total - o.filled).abs() < 1e-9);
            prop_assert!(o.filled.abs() <= o.request.quantity.abs() + 1e-9);
            prop_assert!(o.filled == 0.0 || o.filled.signum() == o.request.quantity.signum());
        }
        // The volume cap per bar.
        if let Some(cap) = cap {
            for (t, b) in bars.iter().enumerate() {
                let traded: f64 = r.fills.iter().filter(|f| f.bar == t).map(|f| f.quantity.abs()).sum();
                prop_assert!(traded <= cap * b.4 + 1e-9, "bar {t}: {traded} > {cap} x {}", b.4);
            }
        }
        // Cash plus marked positions is the equity, every bar.
        let cash = r.cash_series();
        let mut position = 0.0;
        for (t, b) in bars.iter().enumerate() {
            position += r.fills.iter().filter(|f| f.bar == t).map(|f| f.quantity).sum::<f64>();
            let marked = cash[t] + position * b.3;
            prop_assert!((marked - r.equity[t]).abs() < 1e-6 * r.equity[t].abs().max(1.0));
        }
        // A cancelled order never fills after its cancellation.
        for (bar, a) in &actions {
            if let Action::Cancel(k) = a {
                let id = script.placed[*k];
                prop_assert!(r.fills.iter().all(|f| f.order != id || f.bar <= *bar));
            }
        }
        for o in r.orders.iter().filter(|o| o.status == OrderStatus::Cancelled) {
            prop_assert!(r.fills.iter().all(|f| f.order != o.id || f.bar <= o.updated_bar));
        }
        // Nothing fills on its creation bar unless a market order with same-close fills.
        for f in &r.fills {
            let o = &r.orders[f.order];
            let same_bar_ok = same_close && o.request.kind == OrderKind::Market;
            prop_assert!(f.bar > o.created_bar || (same_bar_ok && f.bar == o.created_bar),
                "order {} created on {} filled on {}", o.id, o.created_bar, f.bar);
        }
    }
}

/// Buys one unit of every priced symbol on some bars and, on others and at the end,
/// reads the broker's marks and the equity, as the strategy sees them.
struct MarkReader {
    buys: Vec<usize>,
    reads: Vec<usize>,
    seen: Vec<(usize, Vec<f64>, f64)>,
}

impl MarkReader {
    fn read(&mut self, ctx: &mut EventContext<'_>) {
        let marks = ctx.broker().marks().to_vec();
        let equity = ctx.equity();
        self.seen.push((ctx.t(), marks, equity));
    }
}

impl OrderStrategy for MarkReader {
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let t = ctx.t();
        if self.buys.contains(&t) {
            for i in 0..ctx.n_symbols() {
                if !ctx.close(i).is_nan() {
                    ctx.submit(OrderRequest::market(i, 1.0))
                        .map_err(|e| StrategyError::new(e.to_string()))?;
                }
            }
        }
        if self.reads.contains(&t) {
            self.read(ctx);
        }
        Ok(())
    }

    fn on_end(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        self.read(ctx);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// What the strategy reads, on a bar or at the end, is every symbol's last close so
    /// far (`NaN` before its first) and the equity the results record for the bar, on
    /// runs with gaps in the closes, however many bars pass between two reads (quiet
    /// stretches defer the marks until they are read or end).
    #[test]
    fn the_strategy_reads_current_marks(
        closes in prop::collection::vec(prop::option::of(50.0f64..150.0), 3 * 40),
        buys in prop::collection::vec(0usize..40, 0..4),
        reads in prop::collection::vec(0usize..40, 0..12),
    ) {
        let (n, bars) = (3, 40);
        let closes: Vec<f64> = closes.into_iter().map(|c| c.unwrap_or(f64::NAN)).collect();
        let start = from_ymd(2024, 1, 1).expect("date");
        let dates = (0..bars as i64).map(|k| start + k * 60_000_000_000).collect();
        let symbols = vec!["A".into(), "B".into(), "C".into()];
        let market = Market::new(dates, symbols, closes.clone(), None, None, None, None)
            .expect("market");
        let settings = EventSettings {
            backtest: BacktestConfig {
                initial_cash: 1e6,
                ..Default::default()
            },
            ..Default::default()
        };
        let engine = EventEngine::new(&market, settings).expect("engine");
        let mut reader = MarkReader { buys, reads: reads.clone(), seen: Vec::new() };
        let r = engine.run(&mut reader).expect("run");
        let mut expected_reads: Vec<usize> = reads;
        expected_reads.sort_unstable();
        expected_reads.dedup();
        expected_reads.push(bars - 1);
        prop_assert_eq!(reader.seen.iter().map(|s| s.0).collect::<Vec<_>>(), expected_reads);
        for (t, marks, equity) in &reader.seen {
            for (i, mark) in marks.iter().enumerate() {
                let last = (0..=*t).rev().map(|k| closes[k * n + i]).find(|c| !c.is_nan());
                let expected = last.unwrap_or(f64::NAN);
                prop_assert!(
                    mark.to_bits() == expected.to_bits(),
                    "bar {}, symbol {}: mark {} but the last close is {}", t, i, mark, expected
                );
            }
            prop_assert_eq!(equity.to_bits(), r.equity[*t].to_bits(), "bar {}", t);
        }
    }
}

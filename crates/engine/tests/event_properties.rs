//! Properties of the event-driven engine on random bars and random order scripts:
//! fills never exceed the order or the volume cap, cash plus marked positions is the
//! equity, a cancelled order never fills afterwards, and nothing fills on the bar that
//! created it unless same-close fills were asked for.

mod events_common;

use events_common::{run, Action};
use oxfolio_engine::events::fill::FillTiming;
use oxfolio_engine::events::{
    ExecutionConfig, OrderKind, OrderRequest, OrderStatus, TimeInForce, Trail,
};
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

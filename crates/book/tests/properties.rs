//! Property tests over random order streams.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use oxfolio_book::order::{Fill, NewOrder, OrderKind, Side, TimeInForce};
use oxfolio_book::OrderBook;

#[derive(Clone, Debug)]
enum Op {
    Submit {
        buy: bool,
        market: bool,
        price: i64,
        qty: u64,
        tif: u8,
        post_only: bool,
    },
    Cancel(usize),
    Modify(usize, i64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), prop::bool::weighted(0.1), 90i64..110, 1u64..50, 0u8..3, prop::bool::weighted(0.15))
            .prop_map(|(buy, market, price, qty, tif, post_only)| Op::Submit { buy, market, price, qty, tif, post_only }),
        2 => any::<usize>().prop_map(Op::Cancel),
        2 => (any::<usize>(), 90i64..110, 0u64..50).prop_map(|(i, p, q)| Op::Modify(i, p, q)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn book_invariants_hold_over_random_streams(ops in prop::collection::vec(op(), 1..300)) {
        let mut book = OrderBook::new();
        let mut next_id = 1u64;
        let mut ids: Vec<u64> = Vec::new();
        let mut cancelled: HashSet<u64> = HashSet::new();
        // Priority stamp of each resting order: when it (last) joined the back of a level.
        let mut stamp: HashMap<u64, u64> = HashMap::new();
        let mut clock = 0u64;
        let mut fills: Vec<Fill> = Vec::new();
        for op in ops {
            fills.clear();
            match op {
                Op::Submit { buy, market, price, qty, tif, post_only } => {
                    let id = next_id;
                    next_id += 1;
                    let side = if buy { Side::Buy } else { Side::Sell };
                    let tif = [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok][tif as usize];
                    let order = NewOrder { id, side, kind: if market { OrderKind::Market } else { OrderKind::Limit(price) }, qty, tif: if market { TimeInForce::Ioc } else { tif }, post_only: post_only && !market };
                    let e = book.submit_into(order, &mut fills).expect("valid order");
                    prop_assert_eq!(e.filled + e.resting + e.cancelled + if e.rejected.is_some() { qty } else { 0 }, qty);
                    if tif == TimeInForce::Fok && !market {
                        prop_assert!(e.filled == qty || (e.filled == 0 && e.rejected.is_some()), "FOK all or nothing: {:?}", e);
                    }
                    if market || tif != TimeInForce::Gtc {
                        prop_assert!(book.locate(id).is_none(), "IOC, FOK and market orders never rest");
                    }
                    if e.resting > 0 {
                        clock += 1;
                        stamp.insert(id, clock);
                    }
                    ids.push(id);
                }
                Op::Cancel(i) => {
                    if ids.is_empty() { continue; }
                    let id = ids[i % ids.len()];
                    let resting = book.locate(id).is_some();
                    let r = book.cancel(id);
                    prop_assert_eq!(r.is_ok(), resting);
                    if resting { cancelled.insert(id); }
                }
                Op::Modify(i, p, q) => {
                    if ids.is_empty() { continue; }
                    let id = ids[i % ids.len()];
                    let Some((side, price)) = book.locate(id) else {
                        prop_assert!(book.modify_into(id, p, q, &mut fills).is_err());
                        continue;
                    };
                    let current = book.orders(side).iter().find(|o| o.1.id == id).map(|o| o.1.qty).expect("resting");
                    let e = book.modify_into(id, p, q, &mut fills).expect("modify");
                    if q == 0 {
                        cancelled.insert(id);
                    } else if !(p == price && q <= current) && e.resting > 0 {
                        clock += 1;
                        stamp.insert(id, clock);
                    }
                }
            }
            // A cancelled order never trades.
            for f in &fills {
                prop_assert!(!cancelled.contains(&f.maker), "cancelled order {} filled", f.maker);
            }
            // FIFO: makers filled at one price within one event are in priority order.
            for w in fills.windows(2) {
                if w[0].price == w[1].price {
                    prop_assert!(stamp[&w[0].maker] < stamp[&w[1].maker]);
                }
            }
            // The resting book is never crossed.
            if let (Some((b, _)), Some((a, _))) = (book.best_bid(), book.best_ask()) {
                prop_assert!(b < a, "crossed book {} >= {}", b, a);
            }
            // Each level lists its orders in priority order.
            for side in [Side::Buy, Side::Sell] {
                let orders = book.orders(side);
                for w in orders.windows(2) {
                    if w[0].0 == w[1].0 {
                        prop_assert!(stamp[&w[0].1.id] < stamp[&w[1].1.id]);
                    }
                }
            }
            // Every unit that entered is resting, traded (twice: taker and maker) or cancelled.
            let t = book.totals();
            prop_assert_eq!(t.added, 2 * t.traded + t.cancelled + book.resting_qty());
        }
    }
}

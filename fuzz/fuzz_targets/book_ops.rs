//! Arbitrary order streams against the book: it must never panic, never rest crossed,
//! and conserve quantity (added = 2 x traded + cancelled + resting).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxfolio_book::order::{Fill, NewOrder, OrderKind, Side, TimeInForce};
use oxfolio_book::OrderBook;

fuzz_target!(|data: &[u8]| {
    let mut book = OrderBook::new();
    let mut fills: Vec<Fill> = Vec::new();
    let mut next_id = 1u64;
    for chunk in data.chunks_exact(5) {
        fills.clear();
        let side = if chunk[1] & 1 == 0 { Side::Buy } else { Side::Sell };
        let price = 90 + i64::from(chunk[2] % 21);
        let qty = u64::from(chunk[3]);
        match chunk[0] % 4 {
            0 | 1 => {
                let tif = [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok][usize::from(chunk[4] % 3)];
                let kind = if chunk[4] & 0x80 != 0 { OrderKind::Market } else { OrderKind::Limit(price) };
                let order = NewOrder { id: next_id, side, kind, qty, tif, post_only: chunk[4] & 0x40 != 0 };
                next_id += 1;
                let _ = book.submit_into(order, &mut fills);
            }
            2 => {
                let _ = book.cancel(u64::from(chunk[3]) % next_id.max(1));
            }
            _ => {
                let _ = book.modify_into(u64::from(chunk[4]) % next_id.max(1), price, qty % 60, &mut fills);
            }
        }
        if let (Some((b, _)), Some((a, _))) = (book.best_bid(), book.best_ask()) {
            assert!(b < a, "crossed book");
        }
        let t = book.totals();
        assert_eq!(t.added, 2 * t.traded + t.cancelled + book.resting_qty(), "quantity not conserved");
    }
});

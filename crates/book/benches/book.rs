//! Order book throughput on a realistic mix: 7% marketable orders (IOC limits through the
//! touch and market orders); the rest passive limit orders within 10 ticks of the touch or
//! cancels of live orders, chosen so the book holds about 2,000 resting orders (a cancel
//! with probability live / 4,000). One million operations, generated once with a seeded
//! LCG; the mean book size and the share of each kind are printed.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use oxfolio_book::order::{Fill, NewOrder, Side, TimeInForce};
use oxfolio_book::OrderBook;

#[derive(Clone, Copy)]
enum Op {
    Add(NewOrder),
    Cancel(u64),
}

fn generate(n: usize) -> Vec<Op> {
    let mut state: u64 = 7;
    let mut rnd = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let mut book = OrderBook::new();
    let mut live: Vec<u64> = Vec::new();
    let mut ops = Vec::with_capacity(n);
    let mut fills: Vec<Fill> = Vec::new();
    let mut id = 0u64;
    let (mut live_sum, mut cancels, mut marketable) = (0usize, 0usize, 0usize);
    let mid = 10_000i64;
    while ops.len() < n {
        let r = rnd(100);
        let side = if rnd(2) == 0 { Side::Buy } else { Side::Sell };
        let cancel = !live.is_empty() && rnd(4_000) < live.len() as u64;
        let op = if r >= 7 && !cancel {
            id += 1;
            let offset = 1 + rnd(10) as i64;
            let price = match side {
                Side::Buy => book.best_ask().map_or(mid, |a| a.0) - offset,
                Side::Sell => book.best_bid().map_or(mid, |b| b.0) + offset,
            };
            Op::Add(NewOrder::limit(id, side, price, 1 + rnd(100)))
        } else if r >= 7 {
            let k = rnd(live.len() as u64) as usize;
            Op::Cancel(live.swap_remove(k))
        } else {
            id += 1;
            let qty = 1 + rnd(200);
            if rnd(2) == 0 {
                Op::Add(NewOrder::market(id, side, qty))
            } else {
                let price = match side {
                    Side::Buy => book.best_ask().map_or(mid, |a| a.0) + 2,
                    Side::Sell => book.best_bid().map_or(mid, |b| b.0) - 2,
                };
                Op::Add(NewOrder::limit(id, side, price, qty).with_tif(TimeInForce::Ioc))
            }
        };
        live_sum += book.len();
        match op {
            Op::Add(o) => {
                fills.clear();
                marketable += usize::from(r < 7);
                let e = book.submit_into(o, &mut fills).expect("valid");
                if e.resting > 0 {
                    live.push(o.id);
                }
                for f in &fills {
                    if book.locate(f.maker).is_none() {
                        if let Some(k) = live.iter().rposition(|x| *x == f.maker) {
                            live.swap_remove(k);
                        }
                    }
                }
            }
            Op::Cancel(c) => {
                cancels += 1;
                book.cancel(c).expect("live");
            }
        }
        ops.push(op);
    }
    eprintln!(
        "generated {} ops: {:.1}% cancels, {:.1}% marketable; mean book {:.0} orders",
        ops.len(),
        100.0 * cancels as f64 / n as f64,
        100.0 * marketable as f64 / n as f64,
        live_sum as f64 / n as f64
    );
    ops
}

fn run(ops: &[Op]) -> usize {
    let mut book = OrderBook::new();
    let mut fills: Vec<Fill> = Vec::with_capacity(64);
    let mut n = 0;
    for op in ops {
        match op {
            Op::Add(o) => {
                fills.clear();
                if book.submit_into(*o, &mut fills).is_ok() {
                    n += fills.len();
                }
            }
            Op::Cancel(id) => {
                n += usize::from(book.cancel(*id).is_ok());
            }
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let ops = generate(1_000_000);
    let mut g = c.benchmark_group("book");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ops.len() as u64));
    g.bench_function("mixed_1m_ops", |b| b.iter(|| run(&ops)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

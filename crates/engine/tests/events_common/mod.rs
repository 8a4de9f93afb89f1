//! Helpers for the event-engine tests: hand-made bars and a scripted strategy.
#![allow(dead_code)]

use oxfolio_core::time::from_ymd;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::error::StrategyError;
use oxfolio_engine::events::{
    EventContext, EventEngine, EventResults, EventSettings, ExecutionConfig, OrderId, OrderKind,
    OrderRequest, OrderStrategy,
};
use oxfolio_engine::Market;

/// One bar: open, high, low, close, volume.
pub type Ohlcv = (f64, f64, f64, f64, f64);

/// A one-symbol market of daily bars from 2024-01-01 on (one bar per calendar day).
pub fn market(bars: &[Ohlcv]) -> Market {
    let start = from_ymd(2024, 1, 1).expect("date");
    let day = 86_400_000_000_000i64;
    let dates = (0..bars.len() as i64).map(|k| start + k * day).collect();
    Market::new(
        dates,
        vec!["X".into()],
        bars.iter().map(|b| b.3).collect(),
        Some(bars.iter().map(|b| b.0).collect()),
        Some(bars.iter().map(|b| b.1).collect()),
        Some(bars.iter().map(|b| b.2).collect()),
        Some(bars.iter().map(|b| b.4).collect()),
    )
    .expect("market")
}

/// A bar where open, high, low and close are given, volume 1e6.
pub fn bar(o: f64, h: f64, l: f64, c: f64) -> Ohlcv {
    (o, h, l, c, 1e6)
}

/// What the script does on a bar.
#[derive(Clone, Debug)]
pub enum Action {
    /// Places an order.
    Submit(OrderRequest),
    /// Places a bracket: entry, stop loss, take profit.
    Bracket(OrderRequest, Option<f64>, Option<f64>),
    /// Cancels the k-th order the script placed.
    Cancel(usize),
    /// Modifies the k-th order the script placed.
    Modify(usize, Option<f64>, Option<OrderKind>),
}

/// Performs actions on given bars.
#[derive(Default)]
pub struct Script {
    pub actions: Vec<(usize, Action)>,
    pub placed: Vec<OrderId>,
    pub errors: Vec<String>,
}

impl Script {
    pub fn new(actions: Vec<(usize, Action)>) -> Self {
        Script {
            actions,
            ..Script::default()
        }
    }
}

impl OrderStrategy for Script {
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let t = ctx.t();
        let todo: Vec<Action> = self
            .actions
            .iter()
            .filter(|(b, _)| *b == t)
            .map(|(_, a)| a.clone())
            .collect();
        for a in todo {
            let outcome = match a {
                Action::Submit(r) => ctx.submit(r).map(|id| self.placed.push(id)),
                Action::Bracket(r, sl, tp) => {
                    ctx.submit_bracket(r, sl, tp).map(|id| self.placed.push(id))
                }
                Action::Cancel(k) => ctx.cancel(self.placed[k]),
                Action::Modify(k, q, kind) => ctx.modify(self.placed[k], q, kind),
            };
            if let Err(e) = outcome {
                self.errors.push(e.to_string());
            }
        }
        Ok(())
    }
}

/// Runs `actions` on `bars` with `execution`, cash 1e6, no costs.
pub fn run(
    bars: &[Ohlcv],
    actions: Vec<(usize, Action)>,
    execution: ExecutionConfig,
) -> (EventResults, Script) {
    let m = market(bars);
    let settings = EventSettings {
        backtest: BacktestConfig {
            initial_cash: 1e6,
            ..BacktestConfig::default()
        },
        execution,
        risk: None,
    };
    let engine = EventEngine::new(&m, settings).expect("engine");
    let mut script = Script::new(actions);
    let results = engine.run(&mut script).expect("run");
    (results, script)
}

/// `(bar, quantity, price)` of every fill.
pub fn fills(r: &EventResults) -> Vec<(usize, f64, f64)> {
    r.fills
        .iter()
        .map(|f| (f.bar, f.quantity, f.price))
        .collect()
}

//! One strategy at both levels: fixed weights rebalanced every 21 sessions, once as a
//! portfolio-level closure (the engine turns weights into orders) and once as a
//! hand-written order-level strategy (market orders for the same share counts). With the
//! same costs (10 bps), impact (5 bps), fractional units and fills at the next open, both
//! give the same fills and the same equity to 1e-9.

use std::path::Path;

use oxfolio_engine::events::{EventContext, OrderRequest, OrderStrategy};
use oxfolio_engine::{Context, Decision, StrategyError};
use oxfolio_run::{run_order_strategy, run_strategy, Config, LevelRun};

const WEIGHTS: [(&str, f64); 3] = [("SPY", 0.5), ("QQQ", 0.3), ("IWM", 0.1)];
const EVERY: usize = 21;

/// The bundled daily OHLCV data with 10 bps costs, 5 bps impact and fractional units,
/// trading from `start`.
fn config(start: &str) -> Config {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/backtest.toml");
    let bundled = Config::load(Some(&bundled)).expect("the bundled config");
    let mut config = Config {
        data: bundled.data,
        ..Config::default()
    };
    let backtest = config.backtest.get_or_insert_with(Default::default);
    backtest.start = Some(start.into());
    backtest.end = Some("2019-12-31".into());
    backtest.initial_cash = 1_000_000.0;
    backtest.transaction_cost_bps = 10.0;
    backtest.impact_bps = 5.0;
    backtest.fractional = true;
    config
}

fn weights(symbols: &[String]) -> Vec<f64> {
    symbols
        .iter()
        .map(|s| WEIGHTS.iter().find(|(w, _)| w == s).map_or(0.0, |w| w.1))
        .collect()
}

/// Submits, on every 21st bar from the first, market orders that bring each position to
/// its weight of the equity at this bar's close.
struct OrderLevelWeights {
    weights: Vec<f64>,
    bar: usize,
}

impl OrderStrategy for OrderLevelWeights {
    fn name(&self) -> &str {
        "fixed weights, order level"
    }

    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let due = self.bar.is_multiple_of(EVERY);
        self.bar += 1;
        if !due {
            return Ok(());
        }
        let equity = ctx.equity();
        for (i, w) in self.weights.clone().into_iter().enumerate() {
            let target = if w == 0.0 {
                0.0
            } else {
                w * equity / ctx.close(i)
            };
            let trade = target - ctx.position(i);
            if trade != 0.0 {
                ctx.submit(OrderRequest::market(i, trade))
                    .map_err(|e| StrategyError::new(e.to_string()))?;
            }
        }
        Ok(())
    }
}

#[test]
fn fixed_weights_agree_across_the_two_levels() {
    // The portfolio level decides before day t's open from t-1's close, its base date
    // being the day before its start; the order level decides on bar t-1 itself. So the
    // order-level run starts on the portfolio run's base date.
    let order_config = config("2015-01-02");
    let portfolio_config = config("2015-01-05");

    let market = oxfolio_run::load_market(&order_config).expect("data");
    let target = weights(market.symbols());
    let mut day = 0usize;
    let mut portfolio_strategy = |_: &Context<'_>| -> Result<Decision, StrategyError> {
        let due = day.is_multiple_of(EVERY);
        day += 1;
        Ok(if due {
            Decision::Weights(target.clone())
        } else {
            Decision::Hold
        })
    };
    let portfolio = run_strategy(&portfolio_config, &mut portfolio_strategy).expect("portfolio");
    let mut order_strategy = OrderLevelWeights {
        weights: target.clone(),
        bar: 0,
    };
    let order = run_order_strategy(&order_config, &mut order_strategy).expect("order level");

    let (LevelRun::Portfolio(p), LevelRun::Order(o)) = (&portfolio.run, &order.run) else {
        panic!("one run at each level");
    };
    // Each level lists a day's fills in its own order (sells first at the portfolio
    // level); compare them by date and symbol.
    let mut p_fills = p.results.fills.clone();
    p_fills.sort_by_key(|f| (f.day, f.symbol));
    let mut o_fills = o.results.fills.clone();
    o_fills.sort_by_key(|f| (f.ts, f.symbol));
    assert!(p_fills.len() > 100, "{} fills", p_fills.len());
    assert_eq!(p_fills.len(), o_fills.len());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let p_dates = p.results.dates.clone();
    for (a, b) in p_fills.iter().zip(&o_fills) {
        assert_eq!(p_dates[a.day as usize], b.ts, "fill date");
        assert_eq!(a.symbol as usize, b.symbol);
        assert!(close(a.quantity, b.quantity), "{a:?} vs {b:?}");
        assert!(close(a.price, b.price), "{a:?} vs {b:?}");
        assert!(close(a.cost, b.fee), "{a:?} vs {b:?}");
    }
    // Equity at each close: the portfolio level records it from its first trading day,
    // the order level from its first bar (the portfolio run's base date, still all cash).
    let p_equity = &p.results.daily.equity;
    let (o_base, o_equity) = o.results.equity.split_first().expect("bars");
    assert_eq!(*o_base, 1_000_000.0);
    assert_eq!(p_equity.len(), o_equity.len());
    for (k, (a, b)) in p_equity.iter().zip(o_equity).enumerate() {
        assert!(close(*a, *b), "equity on day {k}: {a} vs {b}");
    }
    assert!(close(p.results.final_equity(), o.results.final_equity()));
}

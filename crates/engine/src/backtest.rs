//! The daily portfolio backtester: the portfolio level of the simulation kernel.
//!
//! Each traded day t: build the context (everything through the decision time), ask the
//! strategy, turn its decision into orders, apply limits and the variance overlay, fill
//! during day t's session under the volume cap, mark at t's close, attribute P&L. The
//! semantics table is `docs/BACKTEST.md`.

// Symbols are dense indices into parallel columns; index loops say that most plainly.
#![allow(clippy::needless_range_loop)]

use oxfolio_core::ledger::{Instrument, Ledger, Settlement};
use oxfolio_core::time::{format_timestamp, from_date};
use oxfolio_optim::{alpha_weights, cap_variance, AlphaSettings, Estimator, RiskModel};

use crate::config::{
    BacktestConfig, DecisionTime, LimitPolicy, MissingPrice, Mode, Remainder, SettlementConfig,
};
use crate::context::Context;
use crate::error::EngineError;
use std::sync::Arc;

use crate::costs::Commission;
use crate::execution::{fill_price, round_to_lots, split, CostModel, TrailingVolume};
use crate::market::Market;
use crate::results::{
    Daily, Event, EventKind, FillRecord, OrderRecord, OverlayRecord, Results, SignalKind,
    SignalRecord,
};
use crate::strategy::{Decision, Strategy};
use oxfolio_core::memory::advise_huge_pages;

/// A caller's commission model at the portfolio level (shared by the runs of one
/// backtest, so runs may go on several threads).
#[derive(Clone)]
struct UserCommission(Arc<dyn Commission + Sync>);

impl std::fmt::Debug for UserCommission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserCommission")
    }
}

/// A backtest ready to run: market, config, and everything derived from them.
#[derive(Debug)]
pub struct Backtest<'m> {
    market: &'m Market,
    config: BacktestConfig,
    multipliers: Vec<f64>,
    lots: Vec<f64>,
    futures: Vec<bool>,
    costs: CostModel,
    /// Replaces the `[backtest]` cost keys when set.
    commission: Option<UserCommission>,
    cash_weight: Vec<f64>,
    has_futures: bool,
    initial_positions: Vec<f64>,
    first: usize,
    last: usize,
}

fn parse_date(key: &str, s: &str) -> Result<i64, EngineError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(from_date)
        .map_err(|_| EngineError::Config(format!("{key} `{s}` is not a YYYY-MM-DD date")))
}

/// The first and last date indices inside `start` and `end` (`YYYY-MM-DD`, inclusive).
pub(crate) fn resolve_range(
    dates: &[i64],
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(usize, usize), EngineError> {
    let start = start.map(|s| parse_date("start", s)).transpose()?;
    let end = end.map(|s| parse_date("end", s)).transpose()?;
    let range_text = || {
        format!(
            "the data covers {} to {}",
            dates.first().map_or("-".into(), |d| format_timestamp(*d)),
            dates.last().map_or("-".into(), |d| format_timestamp(*d))
        )
    };
    let first = match start {
        Some(s) => dates.iter().position(|d| *d >= s).ok_or_else(|| {
            EngineError::Config(format!(
                "start {} is after the data; {}",
                format_timestamp(s),
                range_text()
            ))
        })?,
        None => 0,
    };
    let last = match end {
        // The whole end date is included (intraday bars stamped during it).
        Some(e) => dates
            .iter()
            .rposition(|d| *d < e + 86_400_000_000_000)
            .ok_or_else(|| {
                EngineError::Config(format!(
                    "end {} is before the data; {}",
                    format_timestamp(e),
                    range_text()
                ))
            })?,
        None => dates.len().saturating_sub(1),
    };
    Ok((first, last))
}

impl<'m> Backtest<'m> {
    /// Checks the config against the market and resolves the traded date range.
    pub fn new(market: &'m Market, config: BacktestConfig) -> Result<Backtest<'m>, EngineError> {
        config.validate()?;
        let n = market.n_symbols();
        if n > u32::MAX as usize || market.n_dates() > u32::MAX as usize {
            return Err(EngineError::Data(
                "more than 4 billion symbols or dates".into(),
            ));
        }
        let dates = market.dates();
        for symbol in config
            .instruments
            .keys()
            .chain(config.initial_positions.keys())
        {
            if market.index_of(symbol).is_none() {
                return Err(EngineError::Config(format!(
                    "unknown symbol `{symbol}` (the data has {})",
                    market.symbols().join(", ")
                )));
            }
        }
        if config.max_adv_participation.is_some() && !market.has_ohlcv() {
            return Err(EngineError::Config(
                "max_adv_participation needs volume data; the data is close-only".into(),
            ));
        }
        let mut multipliers = vec![1.0; n];
        let mut lots = vec![if config.fractional { 0.0 } else { 1.0 }; n];
        let mut futures = vec![false; n];
        let mut initial_positions = vec![0.0; n];
        for (i, symbol) in market.symbols().iter().enumerate() {
            if let Some(ic) = config.instruments.get(symbol) {
                multipliers[i] = ic.multiplier;
                if !config.fractional {
                    lots[i] = ic.lot_size;
                }
                futures[i] = ic.settlement == SettlementConfig::Future;
            }
            initial_positions[i] = config.initial_positions.get(symbol).copied().unwrap_or(0.0);
        }
        let (first, last) = resolve_range(dates, config.start.as_deref(), config.end.as_deref())?;
        let first = first.max(1);
        let range_text = format!(
            "the data covers {} to {}",
            format_timestamp(dates[0]),
            format_timestamp(dates[dates.len() - 1])
        );
        if dates.len() < 2 || first > last {
            return Err(EngineError::Config(format!(
                "no dates to trade between start and end (a run needs a base date and at least one more); {range_text}"
            )));
        }
        Ok(Backtest {
            costs: CostModel::new(&config),
            commission: None,
            has_futures: futures.iter().any(|f| *f),
            cash_weight: futures.iter().map(|f| if *f { 0.0 } else { 1.0 }).collect(),
            market,
            config,
            multipliers,
            lots,
            futures,
            initial_positions,
            first,
            last,
        })
    }

    /// Charges every fill with `model` (any [`Commission`]: the order level's
    /// [`crate::costs::CommissionModel`]s, or a user's) instead of the `[backtest]` keys
    /// `transaction_cost_bps`, `commission_per_share` and `commission_min`.
    pub fn with_commission(mut self, model: impl Commission + Sync + 'static) -> Self {
        self.commission = Some(UserCommission(Arc::new(model)));
        self
    }

    /// The cost of a fill of `quantity` at `price` with `multiplier`.
    #[inline]
    fn fill_cost(&self, quantity: f64, price: f64, multiplier: f64) -> f64 {
        match &self.commission {
            None => self.costs.fill_cost(quantity, price, multiplier),
            Some(c) => c.0.fee(quantity, price, multiplier).max(0.0),
        }
    }

    /// The config.
    pub fn config(&self) -> &BacktestConfig {
        &self.config
    }

    /// Market index of the first traded date.
    pub fn first_day(&self) -> usize {
        self.first
    }

    /// Market index of the last traded date.
    pub fn last_day(&self) -> usize {
        self.last
    }

    /// Runs `strategy` over the range.
    pub fn run<S: Strategy + ?Sized>(&self, strategy: &mut S) -> Result<Results, EngineError> {
        self.run_with_progress(strategy, &mut |_, _| {})
    }

    /// Runs `strategy`, calling `progress(done, total)` after each day.
    pub fn run_with_progress<S: Strategy + ?Sized>(
        &self,
        strategy: &mut S,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Results, EngineError> {
        let mut run = Run::new(self)?;
        let total = self.last - self.first + 1;
        for t in self.first..=self.last {
            run.day(self, strategy, t)?;
            progress(t - self.first + 1, total);
        }
        Ok(run.finish(strategy.name()))
    }
}

/// Today's order P&L totals, from execution to the close.
#[derive(Clone, Copy, Debug, Default)]
struct DayTrades {
    executed: f64,
    external: f64,
    costs: f64,
    notional: f64,
}

/// The mutable state of one run.
struct Run {
    ledger: Ledger,
    positions: Vec<f64>,
    last_close: Vec<f64>,
    pending: Vec<f64>,
    requested: Vec<f64>,
    approved: Vec<f64>,
    reference: Vec<f64>,
    executed_qty: Vec<f64>,
    executed_value: Vec<f64>,
    costs: Vec<f64>,
    active: Vec<usize>,
    sequence: Vec<usize>,
    parts: Vec<f64>,
    volume: Option<TrailingVolume>,
    has_pending: bool,
    traded: DayTrades,
    all_priced: bool,
    equity: f64,
    returns: Vec<f64>,
    pnl: Vec<f64>,
    results: Results,
}

fn date_text(bt: &Backtest<'_>, t: usize) -> String {
    format_timestamp(bt.market.dates()[t])
}

impl Run {
    fn new(bt: &Backtest<'_>) -> Result<Run, EngineError> {
        let market = bt.market;
        let n = market.n_symbols();
        let base = bt.first - 1;
        let instruments = market
            .symbols()
            .iter()
            .enumerate()
            .map(|(i, s)| Instrument {
                symbol: s.clone(),
                settlement: if bt.futures[i] {
                    Settlement::Future
                } else {
                    Settlement::Cash
                },
                multiplier: bt.multipliers[i],
            })
            .collect();
        let mut ledger = Ledger::new(instruments, bt.config.initial_cash)?;
        let mut last_close = vec![f64::NAN; n];
        for t in 0..=base {
            for (l, c) in last_close.iter_mut().zip(market.close_row(t)) {
                if !c.is_nan() {
                    *l = *c;
                }
            }
        }
        for (i, q) in bt.initial_positions.iter().enumerate() {
            if *q == 0.0 {
                continue;
            }
            let p = last_close[i];
            if p.is_nan() {
                return Err(EngineError::Config(format!(
                    "initial position in {} needs a price on or before {}",
                    market.symbols()[i],
                    date_text(bt, base)
                )));
            }
            if !bt.futures[i] {
                ledger.transfer(q * p * bt.multipliers[i])?;
            }
            ledger.fill(i, *q, p, 0.0)?;
        }
        let equity = ledger.equity(&last_close);
        let volume = market
            .volumes()
            .map(|v| TrailingVolume::new(v, n, bt.config.adv_window, bt.first));
        let days = bt.last - bt.first + 1;
        // Room for a record per symbol and day, up to a million: reserved address space
        // is not touched until used, and growing these vectors by copying was a third of
        // a large run's time.
        let records = (n * days).min(1 << 20);
        let daily = Daily {
            day: Vec::with_capacity(days),
            equity: Vec::with_capacity(days),
            ..Daily::default()
        };
        let mut fills: Vec<FillRecord> = Vec::with_capacity(records);
        let mut orders: Vec<OrderRecord> = Vec::with_capacity(records);
        let mut signals: Vec<SignalRecord> = Vec::with_capacity(records);
        advise_huge_pages(&mut fills);
        advise_huge_pages(&mut orders);
        advise_huge_pages(&mut signals);
        Ok(Run {
            ledger,
            positions: bt.initial_positions.clone(),
            last_close: last_close.clone(),
            pending: vec![0.0; n],
            requested: vec![0.0; n],
            approved: vec![0.0; n],
            reference: vec![f64::NAN; n],
            executed_qty: vec![0.0; n],
            executed_value: vec![0.0; n],
            costs: vec![0.0; n],
            active: Vec::with_capacity(n),
            sequence: Vec::with_capacity(n),
            parts: vec![0.0; bt.config.num_fills],
            volume,
            has_pending: false,
            traded: DayTrades::default(),
            all_priced: last_close.iter().all(|c| !c.is_nan()),
            equity,
            returns: Vec::with_capacity(days),
            pnl: Vec::with_capacity(days),
            results: Results {
                symbols: market.symbols().to_vec(),
                dates: market.dates().to_vec(),
                base_day: base,
                initial_equity: equity,
                initial_positions: bt.initial_positions.clone(),
                initial_prices: last_close.clone(),
                multipliers: bt.multipliers.clone(),
                daily,
                fills,
                orders,
                events: Vec::new(),
                overlay: Vec::new(),
                signals,
                strategy: String::new(),
            },
        })
    }

    fn event(&mut self, t: usize, symbol: Option<usize>, kind: EventKind, detail: String) {
        self.results.events.push(Event {
            day: t,
            symbol,
            kind,
            detail,
        });
    }

    fn day<S: Strategy + ?Sized>(
        &mut self,
        bt: &Backtest<'_>,
        strategy: &mut S,
        t: usize,
    ) -> Result<(), EngineError> {
        let market = bt.market;
        let n = market.n_symbols();
        let at_open = bt.config.decision_time == DecisionTime::AtOpen && market.opens().is_some();
        match (at_open, market.open_row(t)) {
            (true, Some(open)) => self.reference.copy_from_slice(open),
            _ => self.reference.copy_from_slice(&self.last_close),
        }
        let decision = {
            let ctx = Context {
                t,
                date: market.dates()[t],
                flags: bt.market.flags()[t],
                symbols: market.symbols(),
                closes: &market.closes()[..t * n],
                opens: market
                    .opens()
                    .map(|o| &o[..if at_open { (t + 1) * n } else { t * n }]),
                positions: &self.positions,
                cash: self.ledger.cash(),
                portfolio_value: self.equity,
                reference_prices: &self.reference,
                returns: &self.returns,
                pnl: &self.pnl,
                adv: self
                    .volume
                    .as_ref()
                    .map_or(&[][..], TrailingVolume::average),
                signals: &self.results.signals,
                multipliers: &bt.multipliers,
            };
            strategy
                .decide(&ctx)
                .map_err(|error| EngineError::Strategy {
                    date: date_text(bt, t),
                    strategy: strategy.name().to_string(),
                    error,
                })?
        };
        if decision == Decision::Hold && !self.has_pending {
            // Nothing to trade: straight to the close.
            return self.close_day(bt, t);
        }
        let decided = self.apply_decision(bt, t, decision)?;
        if decided {
            self.apply_limits(bt, t)?;
            if let Some(cap) = bt.config.max_portfolio_variance {
                self.overlay(bt, t, cap)?;
            }
        } else {
            // Without a decision, carried remainders execute as they were approved.
            self.approved.copy_from_slice(&self.requested);
        }
        self.execute(bt, t)?;
        self.close_day(bt, t)
    }

    fn record_signals(&mut self, t: usize, kind: SignalKind, values: &[f64]) {
        self.results
            .signals
            .extend(
                values
                    .iter()
                    .enumerate()
                    .map(|(symbol, value)| SignalRecord {
                        day: t as u32,
                        symbol: symbol as u32,
                        kind,
                        value: *value,
                    }),
            );
    }

    fn check_values(
        bt: &Backtest<'_>,
        t: usize,
        what: &str,
        values: &[f64],
    ) -> Result<(), EngineError> {
        let n = bt.market.n_symbols();
        if values.len() != n {
            return Err(EngineError::Decision {
                date: date_text(bt, t),
                message: format!("{what} has {} values for {n} symbols", values.len()),
            });
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(EngineError::Decision {
                date: date_text(bt, t),
                message: format!(
                    "{what} of {} is {} (must be finite)",
                    bt.market.symbols()[i],
                    values[i]
                ),
            });
        }
        Ok(())
    }

    /// Turns the decision into `requested` order quantities; false when it holds.
    fn apply_decision(
        &mut self,
        bt: &Backtest<'_>,
        t: usize,
        decision: Decision,
    ) -> Result<bool, EngineError> {
        let mode = bt.config.mode;
        let wrong_mode = |kind: &str| EngineError::Decision {
            date: date_text(bt, t),
            message: format!("a `{kind}` decision does not fit mode {mode:?}"),
        };
        self.requested.copy_from_slice(&self.pending);
        match decision {
            Decision::Hold => return Ok(false),
            Decision::Weights(w) => {
                if mode != Mode::TargetPortfolio {
                    return Err(wrong_mode("weight"));
                }
                Self::check_values(bt, t, "weight", &w)?;
                self.record_signals(t, SignalKind::Weight, &w);
                self.weights_to_orders(bt, t, &w)?;
            }
            Decision::Positions(q) => {
                if mode != Mode::TargetPortfolio {
                    return Err(wrong_mode("position"));
                }
                Self::check_values(bt, t, "position", &q)?;
                self.record_signals(t, SignalKind::Position, &q);
                for i in 0..q.len() {
                    self.requested[i] = q[i] - self.positions[i];
                }
            }
            Decision::Trades(trades) => {
                if mode == Mode::AlphaDriven {
                    return Err(wrong_mode("trade"));
                }
                for (i, q) in trades {
                    if i >= self.requested.len() || !q.is_finite() {
                        return Err(EngineError::Decision {
                            date: date_text(bt, t),
                            message: format!("trade ({i}, {q}) names no symbol or is not finite"),
                        });
                    }
                    self.results.signals.push(SignalRecord {
                        day: t as u32,
                        symbol: i as u32,
                        kind: SignalKind::Trade,
                        value: q,
                    });
                    self.requested[i] += q;
                }
            }
            Decision::Alphas(alpha) => {
                if mode != Mode::AlphaDriven {
                    return Err(wrong_mode("alpha"));
                }
                Self::check_values(bt, t, "alpha", &alpha)?;
                self.record_signals(t, SignalKind::Alpha, &alpha);
                let n = alpha.len();
                let mut current = vec![0.0; n];
                for (i, c) in current.iter_mut().enumerate() {
                    if self.positions[i] != 0.0 {
                        *c =
                            self.positions[i] * self.reference[i] * bt.multipliers[i] / self.equity;
                    }
                }
                let model = self.risk_model(bt, t, &current, &alpha)?;
                let weights = alpha_weights(
                    &alpha,
                    &current,
                    &model,
                    AlphaSettings {
                        risk_aversion: bt.config.risk_aversion,
                        cost_penalty: bt.config.alpha_cost_penalty(),
                        allow_short: bt.config.allow_short,
                        max_gross: bt.config.max_gross_leverage,
                    },
                )
                .map_err(|error| EngineError::Optimisation {
                    date: date_text(bt, t),
                    error,
                })?;
                self.record_signals(t, SignalKind::Weight, &weights);
                self.weights_to_orders(bt, t, &weights)?;
            }
        }
        Ok(true)
    }

    fn weights_to_orders(
        &mut self,
        bt: &Backtest<'_>,
        t: usize,
        w: &[f64],
    ) -> Result<(), EngineError> {
        for (i, wi) in w.iter().enumerate() {
            let price = self.reference[i];
            let target = if *wi == 0.0 {
                0.0
            } else if price.is_nan() {
                return Err(EngineError::Decision {
                    date: date_text(bt, t),
                    message: format!(
                        "weight {wi} for {} but it has no price yet",
                        bt.market.symbols()[i]
                    ),
                });
            } else {
                wi * self.equity / (price * bt.multipliers[i])
            };
            self.requested[i] = target - self.positions[i];
        }
        Ok(())
    }

    /// Shorting and gross leverage, on the requested post-trade holdings at reference
    /// prices.
    fn apply_limits(&mut self, bt: &Backtest<'_>, t: usize) -> Result<(), EngineError> {
        self.approved.copy_from_slice(&self.requested);
        let policy = bt.config.limit_policy;
        let symbols = bt.market.symbols();
        if !bt.config.allow_short {
            for i in 0..self.approved.len() {
                let post = self.positions[i] + self.approved[i];
                if post < 0.0 && self.approved[i] < 0.0 {
                    let detail = format!(
                        "order {} of {} would leave {post} (shorting is off)",
                        self.approved[i], symbols[i]
                    );
                    match policy {
                        LimitPolicy::Error => {
                            return Err(EngineError::Decision {
                                date: date_text(bt, t),
                                message: detail,
                            })
                        }
                        LimitPolicy::Scale => self.approved[i] = -self.positions[i].max(0.0),
                        LimitPolicy::Reject => self.approved[i] = 0.0,
                    }
                    self.event(t, Some(i), EventKind::Short, detail);
                }
            }
        }
        let mut gross = 0.0;
        for i in 0..self.approved.len() {
            let post = self.positions[i] + self.approved[i];
            if post != 0.0 {
                gross += (post * self.reference[i] * bt.multipliers[i]).abs();
            }
        }
        let limit = bt.config.max_gross_leverage * self.equity;
        if gross > limit * (1.0 + 1e-9) {
            let detail = format!(
                "gross exposure {:.2} above the limit {:.2} ({}x portfolio value)",
                gross, limit, bt.config.max_gross_leverage
            );
            match policy {
                LimitPolicy::Error => {
                    return Err(EngineError::Decision {
                        date: date_text(bt, t),
                        message: detail,
                    })
                }
                LimitPolicy::Scale => {
                    let k = limit / gross;
                    for i in 0..self.approved.len() {
                        let post = (self.positions[i] + self.approved[i]) * k;
                        self.approved[i] = post - self.positions[i];
                    }
                }
                LimitPolicy::Reject => self.approved.iter_mut().for_each(|q| *q = 0.0),
            }
            self.event(t, None, EventKind::Leverage, detail);
        }
        Ok(())
    }

    /// The trailing risk model before date `t`; a symbol without a full window of
    /// returns must be zero in both `a` and `b` (its returns then count as 0).
    fn risk_model(
        &self,
        bt: &Backtest<'_>,
        t: usize,
        a: &[f64],
        b: &[f64],
    ) -> Result<RiskModel, EngineError> {
        let market = bt.market;
        let n = market.n_symbols();
        let window = bt.config.covariance_window;
        if t < window + 1 {
            return Err(EngineError::Decision {
                date: date_text(bt, t),
                message: format!(
                    "the covariance needs {window} daily returns before this date, the data has {} (start the run later with [backtest] start, or shorten covariance_window)",
                    t.saturating_sub(1)
                ),
            });
        }
        let mut returns = Vec::with_capacity(window * n);
        for k in t - window..t {
            let (now, before) = (market.close_row(k), market.close_row(k - 1));
            for i in 0..n {
                let r = now[i] / before[i] - 1.0;
                if r.is_finite() {
                    returns.push(r);
                } else if a[i] == 0.0 && b[i] == 0.0 {
                    returns.push(0.0);
                } else {
                    return Err(EngineError::Decision {
                        date: date_text(bt, t),
                        message: format!(
                            "{} has no return on {} inside the {window}-day covariance window",
                            market.symbols()[i],
                            date_text(bt, k)
                        ),
                    });
                }
            }
        }
        let estimator = if bt.config.shrinkage {
            Estimator::LedoitWolf
        } else {
            Estimator::Sample
        };
        let model = RiskModel::estimate(&returns, n, estimator, bt.config.periods_per_year)
            .map_err(|error| EngineError::Optimisation {
                date: date_text(bt, t),
                error,
            })?;
        Ok(model)
    }

    fn overlay(&mut self, bt: &Backtest<'_>, t: usize, cap: f64) -> Result<(), EngineError> {
        let n = bt.market.n_symbols();
        let mut weights = vec![0.0; n];
        for (i, w) in weights.iter_mut().enumerate() {
            let post = self.positions[i] + self.approved[i];
            if post != 0.0 {
                *w = post * self.reference[i] * bt.multipliers[i] / self.equity;
            }
        }
        let model = self.risk_model(bt, t, &weights, &self.positions)?;
        let requested_variance = model.variance(&weights);
        if requested_variance <= cap {
            return Ok(());
        }
        let capped =
            cap_variance(&weights, &model, cap, !bt.config.allow_short).map_err(|error| {
                EngineError::Optimisation {
                    date: date_text(bt, t),
                    error,
                }
            })?;
        let executed_variance = model.variance(&capped);
        for i in 0..n {
            let target = if capped[i] == 0.0 || weights[i] == 0.0 {
                0.0
            } else {
                capped[i] * self.equity / (self.reference[i] * bt.multipliers[i])
            };
            self.approved[i] = target - self.positions[i];
        }
        self.results.overlay.push(OverlayRecord {
            day: t,
            requested_variance,
            executed_variance,
            cap,
        });
        self.event(
            t,
            None,
            EventKind::Overlay,
            format!(
                "ex-ante variance {requested_variance:.6} above the cap {cap}; holdings moved to variance {executed_variance:.6}"
            ),
        );
        Ok(())
    }

    fn execute(&mut self, bt: &Backtest<'_>, t: usize) -> Result<(), EngineError> {
        let market = bt.market;
        let config = &bt.config;
        let n = market.n_symbols();
        self.active.clear();
        if self
            .requested
            .iter()
            .chain(&self.approved)
            .all(|q| *q == 0.0)
        {
            self.pending.iter_mut().for_each(|q| *q = 0.0);
            return Ok(());
        }
        let close = market.close_row(t);
        let open = market.open_row(t);
        let high = market.high_row(t);
        let low = market.low_row(t);
        let nf = if open.is_some() { config.num_fills } else { 1 };
        for i in 0..n {
            let mut q = self.approved[i];
            self.pending[i] = 0.0;
            if q == 0.0 && self.requested[i] == 0.0 {
                continue;
            }
            let has_price = !close[i].is_nan() && open.is_none_or(|o| !o[i].is_nan());
            let mut carried = 0.0;
            let mut dropped = 0.0;
            if q != 0.0 && !has_price {
                self.unpriced_order(bt, t, i, q)?;
                carried = q;
                q = 0.0;
            }
            if let (Some(part), Some(volume)) = (config.max_adv_participation, &self.volume) {
                let adv = volume.average()[i];
                let cap = if adv.is_nan() { 0.0 } else { part * adv };
                if q.abs() > cap {
                    let held = q - q.signum() * cap;
                    q -= held;
                    match config.remainder {
                        Remainder::Carry => carried += held,
                        Remainder::Drop => dropped += held,
                    }
                    self.volume_capped(bt, t, i, cap, held);
                }
            }
            let q = round_to_lots(q, bt.lots[i]);
            self.pending[i] = carried;
            self.approved[i] = q;
            self.active.push(i);
            self.results.orders.push(OrderRecord {
                day: t as u32,
                symbol: i as u32,
                requested: self.requested[i],
                approved: q + carried + dropped,
                executed: 0.0,
                carried,
                dropped,
                reference_price: self.reference[i],
                executed_pnl: 0.0,
                external_pnl: 0.0,
                costs: 0.0,
            });
        }
        let first_order = self.results.orders.len() - self.active.len();
        let cash_limited = config.max_gross_leverage <= 1.0;
        // Sells first, then buys, so sale proceeds pay for purchases.
        // Branch-free partition: the sign of an order is unpredictable.
        let count = self.active.len();
        self.sequence.resize(2 * count, 0);
        let (mut sells, mut buys) = (0, 0);
        for &i in &self.active {
            let total = self.approved[i];
            let (sell, buy) = (total < 0.0, total > 0.0);
            self.sequence[sells] = i;
            self.sequence[count + buys] = i;
            sells += usize::from(sell);
            buys += usize::from(buy);
        }
        self.sequence.copy_within(count..count + buys, sells);
        self.sequence.truncate(sells + buys);
        for k in 0..nf {
            for s in 0..self.sequence.len() {
                let i = self.sequence[s];
                let total = self.approved[i];
                let mut q = if nf == 1 {
                    total
                } else {
                    split(total, nf, bt.lots[i], &mut self.parts);
                    self.parts[k]
                };
                if q == 0.0 {
                    continue;
                }
                let base = fill_price(
                    config.fill_price,
                    k,
                    nf,
                    open.map_or(f64::NAN, |o| o[i]),
                    high.map_or(f64::NAN, |h| h[i]),
                    low.map_or(f64::NAN, |l| l[i]),
                    close[i],
                );
                let price = bt.costs.with_impact(base, q);
                let m = bt.multipliers[i];
                let mut cost = bt.fill_cost(q, price, m);
                if q > 0.0
                    && cash_limited
                    && !bt.futures[i]
                    && q * price * m + cost > self.ledger.cash()
                {
                    q = self.cash_shortfall(bt, t, i, q, price)?;
                    if q == 0.0 {
                        continue;
                    }
                    cost = bt.fill_cost(q, price, m);
                }
                self.ledger.fill(i, q, price, cost)?;
                self.positions[i] += q;
                self.executed_qty[i] += q;
                self.executed_value[i] += q * price;
                self.costs[i] += cost;
                self.results.fills.push(FillRecord {
                    day: t as u32,
                    symbol: i as u32,
                    fill: k as u32 + 1,
                    quantity: q,
                    price,
                    cost,
                    impact: q.abs() * (price - base).abs() * m,
                });
            }
        }
        // Each order's P&L at today's close (the last known price when there is none).
        let mut day = DayTrades::default();
        for (a, order) in self.results.orders[first_order..].iter_mut().enumerate() {
            let i = self.active[a];
            let m = bt.multipliers[i];
            let priced = !close[i].is_nan();
            let c = if priced { close[i] } else { self.last_close[i] };
            order.executed = self.executed_qty[i];
            order.executed_pnl = (self.executed_qty[i] * c - self.executed_value[i]) * m;
            order.external_pnl = if priced && !order.reference_price.is_nan() {
                order.requested * (c - order.reference_price) * m
            } else {
                0.0
            };
            order.costs = self.costs[i];
            day.executed += order.executed_pnl;
            day.external += order.external_pnl;
            day.costs += order.costs;
            day.notional += self.executed_value[i].abs() * m;
        }
        self.traded = day;
        self.has_pending = self.pending.iter().any(|q| *q != 0.0);
        Ok(())
    }

    /// An order in a symbol without a price today: an error, or (policy `hold`) an event
    /// while the caller carries the order. Kept out of the order loop.
    #[cold]
    #[inline(never)]
    fn unpriced_order(
        &mut self,
        bt: &Backtest<'_>,
        t: usize,
        i: usize,
        q: f64,
    ) -> Result<(), EngineError> {
        let detail = format!(
            "no price for {} today; order {q} not filled",
            bt.market.symbols()[i]
        );
        if bt.config.missing_price == MissingPrice::Error {
            return Err(EngineError::Decision {
                date: date_text(bt, t),
                message: detail,
            });
        }
        self.event(t, Some(i), EventKind::MissingPrice, detail);
        Ok(())
    }

    /// Reports quantity the participation cap held back. Kept out of the order loop.
    #[cold]
    #[inline(never)]
    fn volume_capped(&mut self, bt: &Backtest<'_>, t: usize, i: usize, cap: f64, held: f64) {
        let config = &bt.config;
        let part = config.max_adv_participation.unwrap_or(0.0);
        let adv = self.volume.as_ref().map_or(f64::NAN, |v| v.average()[i]);
        let what = if config.remainder == Remainder::Carry {
            "carried"
        } else {
            "dropped"
        };
        let detail = format!(
            "{} order capped at {cap:.4} ({part} x ADV {adv:.2}); {held:.4} {what}",
            bt.market.symbols()[i]
        );
        self.event(t, Some(i), EventKind::VolumeCap, detail);
    }

    /// A buy of `q` at `price` that cash cannot pay: the quantity the limit policy
    /// allows (the whole lots cash covers, costs included, under `scale`; none under
    /// `reject`), reported as an event; an error under `error`. Kept out of the fill loop.
    #[cold]
    #[inline(never)]
    fn cash_shortfall(
        &mut self,
        bt: &Backtest<'_>,
        t: usize,
        i: usize,
        q: f64,
        price: f64,
    ) -> Result<f64, EngineError> {
        let config = &bt.config;
        let m = bt.multipliers[i];
        let lot = bt.lots[i];
        let cash = self.ledger.cash();
        let mut affordable = match &bt.commission {
            None => {
                let unit = price * m * (1.0 + bt.costs.cost_rate) + config.commission_per_share;
                round_to_lots(
                    ((cash - config.commission_min).max(0.0) / unit).max(0.0),
                    lot,
                )
            }
            // Any model: the quantity whose notional and fee use the cash, found by fixed
            // point from the fee-free quantity (fees grow slower than notional), then made
            // exact below.
            Some(_) => {
                let mut a = (cash / (price * m)).max(0.0);
                for _ in 0..20 {
                    a = ((cash - bt.fill_cost(a, price, m)) / (price * m)).max(0.0);
                }
                round_to_lots(a, lot)
            }
        };
        while affordable > 0.0 && affordable * price * m + bt.fill_cost(affordable, price, m) > cash
        {
            affordable = round_to_lots(affordable - lot.max(1e-9 * affordable), lot);
        }
        let detail = format!(
            "cash {cash:.2} pays for {affordable} of {q} {} at {price:.4}",
            bt.market.symbols()[i]
        );
        let allowed = match config.limit_policy {
            LimitPolicy::Error => {
                return Err(EngineError::Decision {
                    date: date_text(bt, t),
                    message: detail,
                })
            }
            LimitPolicy::Scale => affordable.max(0.0),
            LimitPolicy::Reject => 0.0,
        };
        self.event(t, Some(i), EventKind::Cash, detail);
        Ok(allowed)
    }

    fn close_day(&mut self, bt: &Backtest<'_>, t: usize) -> Result<(), EngineError> {
        let market = bt.market;
        let close = market.close_row(t);
        let DayTrades {
            executed,
            external,
            costs,
            notional,
        } = std::mem::take(&mut self.traded);
        if bt.has_futures {
            // Futures settle variation margin into cash at the close.
            self.ledger.mark(close);
        }
        // One pass: holding P&L, marks, exposures and the cash instruments' value.
        let (holding, gross, net, held_value) = if bt.market.complete_rows()[t] && self.all_priced {
            mark_complete_row(
                close,
                &self.positions,
                &self.executed_qty,
                &mut self.last_close,
                &bt.multipliers,
                &bt.cash_weight,
            )
        } else {
            let (mut holding, mut gross, mut net, mut held_value) = (0.0, 0.0, 0.0, 0.0);
            for i in 0..close.len() {
                let c = close[i];
                let q = self.positions[i];
                let m = bt.multipliers[i];
                if c.is_nan() {
                    if q != 0.0 {
                        let detail = format!("{} held ({q}) with no close", market.symbols()[i]);
                        if bt.config.missing_price == MissingPrice::Error {
                            return Err(EngineError::Decision {
                                date: date_text(bt, t),
                                message: format!(
                                    "{detail}; set missing_price = \"hold\" to carry the last price"
                                ),
                            });
                        }
                        self.event(t, Some(i), EventKind::MissingPrice, detail);
                    }
                } else {
                    let prev = q - self.executed_qty[i];
                    if prev != 0.0 {
                        holding += prev * (c - self.last_close[i]) * m;
                    }
                    self.last_close[i] = c;
                }
                if q != 0.0 {
                    let v = q * self.last_close[i] * m;
                    gross += v.abs();
                    net += v;
                    held_value += v * bt.cash_weight[i];
                }
            }
            self.all_priced = self.last_close.iter().all(|c| !c.is_nan());
            (holding, gross, net, held_value)
        };
        for &i in &self.active {
            self.executed_qty[i] = 0.0;
            self.executed_value[i] = 0.0;
            self.costs[i] = 0.0;
        }
        self.active.clear();
        let equity = self.ledger.cash() + held_value;
        let fills_today = self
            .results
            .fills
            .iter()
            .rev()
            .take_while(|f| f.day as usize == t)
            .count();
        let pnl = equity - self.equity;
        let ret = pnl / self.equity;
        let d = &mut self.results.daily;
        d.day.push(t);
        d.equity.push(equity);
        d.cash.push(self.ledger.cash());
        d.returns.push(ret);
        d.pnl.push(pnl);
        d.holding_pnl.push(holding);
        d.executed_pnl.push(executed);
        d.external_pnl.push(external);
        d.costs.push(costs);
        d.gross_exposure.push(gross);
        d.net_exposure.push(net);
        d.traded_notional.push(notional);
        d.num_fills.push(fills_today);
        self.returns.push(ret);
        self.pnl.push(pnl);
        self.equity = equity;
        if let (Some(volume), Some(v)) = (&mut self.volume, market.volumes()) {
            volume.advance(v, market.n_symbols(), t);
        }
        if !equity.is_finite() || equity <= 0.0 {
            return Err(EngineError::Decision {
                date: date_text(bt, t),
                message: format!("equity fell to {equity:.2}; the run cannot continue"),
            });
        }
        Ok(())
    }

    fn finish(mut self, name: &str) -> Results {
        self.results.strategy = name.to_string();
        self.results
    }
}

/// The close-of-day pass when every symbol has a close today and a previous one: no
/// branches, four independent accumulator lanes so the compiler can use SIMD. Returns
/// (holding P&L, gross exposure, net exposure, value of cash-settled positions).
fn mark_complete_row(
    close: &[f64],
    positions: &[f64],
    executed: &[f64],
    last: &mut [f64],
    multipliers: &[f64],
    cash_weight: &[f64],
) -> (f64, f64, f64, f64) {
    const LANES: usize = 4;
    let (mut holding, mut gross, mut net, mut held) =
        ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let mut step =
        |c: &[f64], q: &[f64], e: &[f64], l: &mut [f64], m: &[f64], w: &[f64], k: usize| {
            let v = q[k] * c[k] * m[k];
            holding[k % LANES] += (q[k] - e[k]) * (c[k] - l[k]) * m[k];
            l[k] = c[k];
            gross[k % LANES] += v.abs();
            net[k % LANES] += v;
            held[k % LANES] += v * w[k];
        };
    let chunks = close
        .chunks_exact(LANES)
        .zip(positions.chunks_exact(LANES))
        .zip(executed.chunks_exact(LANES))
        .zip(last.chunks_exact_mut(LANES))
        .zip(multipliers.chunks_exact(LANES))
        .zip(cash_weight.chunks_exact(LANES));
    for (((((c, q), e), l), m), w) in chunks {
        for k in 0..LANES {
            step(c, q, e, l, m, w, k);
        }
    }
    let whole = close.len() - close.len() % LANES;
    for i in whole..close.len() {
        step(
            &close[i..=i],
            &positions[i..=i],
            &executed[i..=i],
            &mut last[i..=i],
            &multipliers[i..=i],
            &cash_weight[i..=i],
            0,
        );
    }
    let sum = |a: [f64; LANES]| a.iter().sum::<f64>();
    (sum(holding), sum(gross), sum(net), sum(held))
}

//! Orders and their state machine.
//!
//! ```text
//! Submitted -> Working -> (Triggered) -> PartiallyFilled -> Filled
//!     |            |           |               |
//!     +-> Rejected +-> Cancelled / Expired ----+
//! ```
//!
//! `Submitted` orders wait for their first eligible bar (the next one, or a bracket's
//! entry fill); `Working` orders are checked against each bar; a stop or stop-limit is
//! `Triggered` once the bar's range reached its stop (a stop-limit then rests as a limit).
//! `Filled`, `Cancelled`, `Expired` and `Rejected` are final: any transition out of them,
//! or a fill on an order that is not live, is an [`OrderError`].

use serde::Serialize;
use thiserror::Error;

/// Dense order identifier (its position in the run's order list).
pub type OrderId = usize;

/// Trailing distance of a trailing stop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trail {
    /// A fraction of the best price (0.02 = 2%).
    Percent(f64),
    /// A price amount.
    Amount(f64),
}

/// What kind of order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderKind {
    /// At the next price available (the next bar's open).
    Market,
    /// At `limit` or better.
    Limit {
        /// Limit price.
        limit: f64,
    },
    /// A market order once the price trades through `stop`.
    Stop {
        /// Stop price.
        stop: f64,
    },
    /// A limit order at `limit` once the price trades through `stop`.
    StopLimit {
        /// Stop price.
        stop: f64,
        /// Limit price after the trigger.
        limit: f64,
    },
    /// A stop that follows the best price since it became live by `trail`.
    TrailingStop {
        /// Trailing distance.
        trail: Trail,
    },
}

impl OrderKind {
    /// Name as written in results.
    pub fn name(&self) -> &'static str {
        match self {
            OrderKind::Market => "market",
            OrderKind::Limit { .. } => "limit",
            OrderKind::Stop { .. } => "stop",
            OrderKind::StopLimit { .. } => "stop_limit",
            OrderKind::TrailingStop { .. } => "trailing_stop",
        }
    }
}

/// Time in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Good till cancelled.
    #[default]
    Gtc,
    /// Expires after the last bar of the calendar day of its first eligible bar.
    Day,
    /// Immediate or cancel: fills what it can on its first eligible bar, the rest is
    /// cancelled.
    Ioc,
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Accepted, waiting for its first eligible bar.
    Submitted,
    /// Checked against every bar.
    Working,
    /// A stop or stop-limit whose stop was reached (a stop-limit rests as a limit).
    Triggered,
    /// Partly filled, the rest still live.
    PartiallyFilled,
    /// Completely filled (final).
    Filled,
    /// Cancelled by the strategy, a one-cancels-other sibling, IOC or the end of the run (final).
    Cancelled,
    /// Its day ended (final).
    Expired,
    /// Refused by the account or risk checks (final).
    Rejected,
}

impl OrderStatus {
    /// True for the final states.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Cancelled
                | OrderStatus::Expired
                | OrderStatus::Rejected
        )
    }

    /// Name as written in results.
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Submitted => "submitted",
            OrderStatus::Working => "working",
            OrderStatus::Triggered => "triggered",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Rejected => "rejected",
        }
    }
}

/// An illegal order operation.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum OrderError {
    /// A transition the state machine does not allow.
    #[error("order {id}: cannot go from {from} to {to}")]
    Transition {
        /// The order.
        id: OrderId,
        /// Its state.
        from: &'static str,
        /// The state asked for.
        to: &'static str,
    },
    /// An order id the run never issued.
    #[error("order {0} does not exist")]
    Unknown(OrderId),
    /// A malformed order.
    #[error("order for symbol {symbol}: {message}")]
    Invalid {
        /// Symbol index.
        symbol: usize,
        /// What is wrong.
        message: String,
    },
}

/// The legal transitions.
pub fn can_move(from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus::*;
    match from {
        Submitted => matches!(to, Working | Cancelled | Rejected),
        Working => matches!(
            to,
            Triggered | PartiallyFilled | Filled | Cancelled | Expired | Rejected
        ),
        Triggered => matches!(
            to,
            PartiallyFilled | Filled | Cancelled | Expired | Rejected
        ),
        PartiallyFilled => matches!(
            to,
            PartiallyFilled | Filled | Cancelled | Expired | Rejected
        ),
        Filled | Cancelled | Expired | Rejected => false,
    }
}

/// An order request from a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OrderRequest {
    /// Symbol index.
    pub symbol: usize,
    /// Signed quantity (positive buys).
    pub quantity: f64,
    /// Kind.
    pub kind: OrderKind,
    /// Time in force.
    pub tif: TimeInForce,
}

impl OrderRequest {
    /// A market order.
    pub fn market(symbol: usize, quantity: f64) -> Self {
        Self::new(symbol, quantity, OrderKind::Market)
    }

    /// A limit order.
    pub fn limit(symbol: usize, quantity: f64, limit: f64) -> Self {
        Self::new(symbol, quantity, OrderKind::Limit { limit })
    }

    /// A stop order.
    pub fn stop(symbol: usize, quantity: f64, stop: f64) -> Self {
        Self::new(symbol, quantity, OrderKind::Stop { stop })
    }

    /// A stop-limit order.
    pub fn stop_limit(symbol: usize, quantity: f64, stop: f64, limit: f64) -> Self {
        Self::new(symbol, quantity, OrderKind::StopLimit { stop, limit })
    }

    /// A trailing stop.
    pub fn trailing(symbol: usize, quantity: f64, trail: Trail) -> Self {
        Self::new(symbol, quantity, OrderKind::TrailingStop { trail })
    }

    /// Any kind, good till cancelled.
    pub fn new(symbol: usize, quantity: f64, kind: OrderKind) -> Self {
        OrderRequest {
            symbol,
            quantity,
            kind,
            tif: TimeInForce::Gtc,
        }
    }

    /// The same order with another time in force.
    pub fn with_tif(self, tif: TimeInForce) -> Self {
        OrderRequest { tif, ..self }
    }

    /// Checks quantity and prices.
    pub fn validate(&self, n_symbols: usize) -> Result<(), OrderError> {
        let bad = |message: String| OrderError::Invalid {
            symbol: self.symbol,
            message,
        };
        if self.symbol >= n_symbols {
            return Err(bad(format!(
                "no symbol {} (there are {n_symbols})",
                self.symbol
            )));
        }
        if !(self.quantity.is_finite() && self.quantity != 0.0) {
            return Err(bad(format!(
                "quantity must be finite and non-zero, got {}",
                self.quantity
            )));
        }
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(bad(format!("{name} must be a positive price, got {v}")))
            }
        };
        match self.kind {
            OrderKind::Market => Ok(()),
            OrderKind::Limit { limit } => positive("limit", limit),
            OrderKind::Stop { stop } => positive("stop", stop),
            OrderKind::StopLimit { stop, limit } => {
                positive("stop", stop)?;
                positive("limit", limit)
            }
            OrderKind::TrailingStop { trail } => match trail {
                Trail::Percent(p) if p > 0.0 && p < 1.0 => Ok(()),
                Trail::Amount(a) if a.is_finite() && a > 0.0 => Ok(()),
                other => Err(bad(format!(
                    "trail must be a percent in (0, 1) or a positive amount, got {other:?}"
                ))),
            },
        }
    }
}

/// Why an order exists, for results and round trips.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRole {
    /// Placed by the strategy.
    #[default]
    Strategy,
    /// A bracket's stop loss.
    StopLoss,
    /// A bracket's take profit.
    TakeProfit,
    /// A trailing stop placed by the risk layer.
    TrailingStop,
    /// A time exit placed by the risk layer.
    TimeExit,
    /// Closing what is left at the end of the run (only when asked for).
    EndOfRun,
}

impl OrderRole {
    /// Name as written in results.
    pub fn name(self) -> &'static str {
        match self {
            OrderRole::Strategy => "strategy",
            OrderRole::StopLoss => "stop_loss",
            OrderRole::TakeProfit => "take_profit",
            OrderRole::TrailingStop => "trailing_stop",
            OrderRole::TimeExit => "time_exit",
            OrderRole::EndOfRun => "end_of_run",
        }
    }
}

impl TimeInForce {
    /// Name as written in results.
    pub fn name(self) -> &'static str {
        match self {
            TimeInForce::Gtc => "gtc",
            TimeInForce::Day => "day",
            TimeInForce::Ioc => "ioc",
        }
    }
}

/// What a strategy hears when an order changes state (the full order is
/// `ctx.broker().order(id)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderUpdate {
    /// The order.
    pub id: OrderId,
    /// Symbol index.
    pub symbol: usize,
    /// Why it exists.
    pub role: OrderRole,
    /// Its new state.
    pub status: OrderStatus,
    /// Quantity filled so far (signed).
    pub filled: f64,
    /// Quantity still to fill (signed).
    pub remaining: f64,
    /// Average fill price so far.
    pub average_price: f64,
}

/// An order and its state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Order {
    /// Identifier.
    pub id: OrderId,
    /// The request.
    #[serde(flatten)]
    pub request: OrderRequest,
    /// Why it exists.
    pub role: OrderRole,
    /// State.
    pub status: OrderStatus,
    /// Quantity filled so far (signed like the order).
    pub filled: f64,
    /// Average fill price (0 before any fill).
    pub average_price: f64,
    /// Fees paid.
    pub fees: f64,
    /// Bar it was created on.
    pub created_bar: usize,
    /// First bar it may fill on (`usize::MAX` while a bracket child waits for its entry).
    pub eligible_bar: usize,
    /// Bar of its last state change.
    pub updated_bar: usize,
    /// The entry order a bracket child belongs to.
    pub parent: Option<OrderId>,
    /// Best price since live (trailing stops).
    pub best_price: f64,
    /// A stop's stop was reached (it now fills as a market order; a stop-limit rests as
    /// its limit).
    pub triggered: bool,
    /// Why it was rejected, cancelled or expired.
    pub reason: String,
    /// A bracket child's level relative to its entry's average fill price (`-0.03`: 3%
    /// below), set into its kind when the entry fills.
    pub offset: Option<f64>,
    /// Calendar day of its first eligible bar (day orders).
    #[serde(skip)]
    pub session_day: Option<i64>,
}

impl Order {
    /// A new order in `Submitted`.
    pub fn new(id: OrderId, request: OrderRequest, role: OrderRole, bar: usize) -> Order {
        Order {
            id,
            request,
            role,
            status: OrderStatus::Submitted,
            filled: 0.0,
            average_price: 0.0,
            fees: 0.0,
            created_bar: bar,
            eligible_bar: bar + 1,
            updated_bar: bar,
            parent: None,
            best_price: f64::NAN,
            triggered: false,
            reason: String::new(),
            offset: None,
            session_day: None,
        }
    }

    /// The update a strategy hears about this order.
    pub fn update(&self) -> OrderUpdate {
        OrderUpdate {
            id: self.id,
            symbol: self.request.symbol,
            role: self.role,
            status: self.status,
            filled: self.filled,
            remaining: self.remaining(),
            average_price: self.average_price,
        }
    }

    /// Quantity still to fill (signed).
    pub fn remaining(&self) -> f64 {
        self.request.quantity - self.filled
    }

    /// True while it can still fill.
    pub fn is_live(&self) -> bool {
        !self.status.is_final()
    }

    /// True for a buy.
    pub fn is_buy(&self) -> bool {
        self.request.quantity > 0.0
    }

    /// Moves to `to`, or an error if the state machine forbids it.
    pub fn move_to(&mut self, to: OrderStatus, bar: usize) -> Result<(), OrderError> {
        if !can_move(self.status, to) {
            return Err(OrderError::Transition {
                id: self.id,
                from: self.status.name(),
                to: to.name(),
            });
        }
        self.status = to;
        self.updated_bar = bar;
        Ok(())
    }

    /// Records a fill of `quantity` (signed like the order) at `price`.
    pub fn record_fill(
        &mut self,
        quantity: f64,
        price: f64,
        fee: f64,
        bar: usize,
    ) -> Result<(), OrderError> {
        let total = self.filled + quantity;
        let done = (total - self.request.quantity).abs() <= 1e-9 * self.request.quantity.abs();
        let to = if done {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        self.move_to(to, bar)?;
        self.average_price = (self.average_price * self.filled + price * quantity) / total;
        self.filled = if done { self.request.quantity } else { total };
        self.fees += fee;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_are_final() {
        use OrderStatus::*;
        let all = [
            Submitted,
            Working,
            Triggered,
            PartiallyFilled,
            Filled,
            Cancelled,
            Expired,
            Rejected,
        ];
        for from in [Filled, Cancelled, Expired, Rejected] {
            for to in all {
                assert!(!can_move(from, to), "{from:?} -> {to:?}");
            }
        }
        assert!(!can_move(Submitted, Filled), "a fill needs a working order");
        assert!(can_move(Working, Filled));
    }

    #[test]
    fn illegal_transitions_are_typed_errors() {
        let mut o = Order::new(3, OrderRequest::market(0, 10.0), OrderRole::Strategy, 0);
        o.move_to(OrderStatus::Cancelled, 0).expect("cancel");
        let e = o.move_to(OrderStatus::Working, 1).expect_err("dead");
        assert_eq!(
            e,
            OrderError::Transition {
                id: 3,
                from: "cancelled",
                to: "working"
            }
        );
        let e = o.record_fill(10.0, 1.0, 0.0, 1).expect_err("no fill");
        assert!(
            e.to_string().contains("cannot go from cancelled to filled"),
            "{e}"
        );
    }

    #[test]
    fn partial_fills_average() {
        let mut o = Order::new(0, OrderRequest::market(0, -10.0), OrderRole::Strategy, 0);
        o.move_to(OrderStatus::Working, 1).expect("work");
        o.record_fill(-4.0, 10.0, 0.1, 1).expect("part");
        assert_eq!(o.status, OrderStatus::PartiallyFilled);
        o.record_fill(-6.0, 20.0, 0.1, 2).expect("rest");
        assert_eq!(o.status, OrderStatus::Filled);
        assert!((o.average_price - 16.0).abs() < 1e-12);
        assert_eq!(o.remaining(), 0.0);
    }

    #[test]
    fn requests_are_checked() {
        assert!(OrderRequest::market(0, 0.0).validate(1).is_err());
        assert!(OrderRequest::market(1, 5.0).validate(1).is_err());
        assert!(OrderRequest::limit(0, 5.0, -1.0).validate(1).is_err());
        assert!(OrderRequest::trailing(0, -5.0, Trail::Percent(1.5))
            .validate(1)
            .is_err());
        assert!(OrderRequest::stop_limit(0, 5.0, 10.0, 10.5)
            .validate(1)
            .is_ok());
    }
}

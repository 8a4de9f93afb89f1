//! The order level of the simulation kernel: strategies react to bars and submit orders;
//! the broker fills them by the rules in [`fill`] (the table is also in
//! `docs/EVENTS.md`), books them in the shared ledger, and the risk toolkit sizes, checks
//! and guards entries inside the loop ([`risk_loop`]).

pub mod broker;
pub mod context;
/// The cost vocabulary of both levels (defined in [`crate::costs`]).
pub use crate::costs;
mod equity;
pub mod execution;
pub mod fill;
pub mod indicator_set;
pub mod kernel;
pub mod order;
pub mod output;
pub mod results;
pub mod risk_loop;
pub mod roundtrip;
pub mod schedule;
pub mod session;
pub mod strategies;
pub mod strategy;

pub use broker::{Broker, Fill};
pub use context::{EventContext, OptimisationRecord};
pub use execution::ExecutionConfig;
pub use fill::{FillModel, FillTable};
pub use indicator_set::{IndicatorId, IndicatorSpec};
pub use kernel::{EventEngine, EventSettings};
pub use order::{
    Order, OrderId, OrderKind, OrderRequest, OrderStatus, OrderUpdate, TimeInForce, Trail,
};
pub use results::EventResults;
pub use risk_loop::Entry;
pub use session::OrderSession;
pub use strategy::OrderStrategy;

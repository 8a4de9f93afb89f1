//! What a run produces, as columns and flat records (instruments and dates by index).

use serde::Serialize;

use oxfolio_core::Timestamp;

/// What a recorded decision value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A target weight.
    Weight,
    /// A target position.
    Position,
    /// A trade quantity.
    Trade,
    /// An alpha score.
    Alpha,
}

impl SignalKind {
    /// The name written in `signals.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Weight => "weight",
            SignalKind::Position => "position",
            SignalKind::Trade => "trade",
            SignalKind::Alpha => "alpha",
        }
    }
}

/// One recorded decision value (24 bytes: runs record millions).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SignalRecord {
    /// Market date index of the decision.
    pub day: u32,
    /// Symbol index.
    pub symbol: u32,
    /// What the value is.
    pub kind: SignalKind,
    /// The value.
    pub value: f64,
}

/// One fill.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FillRecord {
    /// Market date index.
    pub day: u32,
    /// Symbol index.
    pub symbol: u32,
    /// Fill number within the symbol's day, from 1.
    pub fill: u32,
    /// Signed quantity.
    pub quantity: f64,
    /// Price paid or received, impact included.
    pub price: f64,
    /// Transaction cost and commission.
    pub cost: f64,
    /// Impact paid: `|quantity| x |price - price before impact| x multiplier`.
    pub impact: f64,
}

/// A symbol's order on one day: requested, executed, and what the caps did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OrderRecord {
    /// Market date index.
    pub day: u32,
    /// Symbol index.
    pub symbol: u32,
    /// Quantity the decision asked for (with any carried remainder), before limits,
    /// overlay and caps.
    pub requested: f64,
    /// Quantity after limits and the overlay.
    pub approved: f64,
    /// Quantity filled.
    pub executed: f64,
    /// Quantity held back by the volume cap and carried to the next day.
    pub carried: f64,
    /// Quantity held back and dropped.
    pub dropped: f64,
    /// Reference price the decision was sized at.
    pub reference_price: f64,
    /// Executed P&L: fills marked to the day's close.
    pub executed_pnl: f64,
    /// External P&L: the requested trade from its reference price to the close.
    pub external_pnl: f64,
    /// Costs paid.
    pub costs: f64,
}

/// What kind of intervention an event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The participation cap held back quantity.
    VolumeCap,
    /// Cash could not pay for a buy.
    Cash,
    /// Gross exposure above the leverage limit.
    Leverage,
    /// A short with shorting disabled.
    Short,
    /// No price for a held or traded symbol.
    MissingPrice,
    /// The variance overlay changed the requested holdings.
    Overlay,
}

/// An intervention by the engine, with its reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Market date index.
    pub day: usize,
    /// Symbol index, when one symbol is concerned.
    pub symbol: Option<usize>,
    /// Kind.
    pub kind: EventKind,
    /// What happened, in words.
    pub detail: String,
}

/// The overlay's work on one day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OverlayRecord {
    /// Market date index.
    pub day: usize,
    /// Ex-ante annualised variance of the requested holdings.
    pub requested_variance: f64,
    /// Ex-ante annualised variance of the executed target.
    pub executed_variance: f64,
    /// The cap.
    pub cap: f64,
}

/// Per-day columns of a run, one entry per traded day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Daily {
    /// Market date index.
    pub day: Vec<usize>,
    /// Equity at the close.
    pub equity: Vec<f64>,
    /// Cash at the close.
    pub cash: Vec<f64>,
    /// Simple return on the previous close's equity.
    pub returns: Vec<f64>,
    /// Equity change.
    pub pnl: Vec<f64>,
    /// Positions carried from the previous close to this close.
    pub holding_pnl: Vec<f64>,
    /// Fills marked to the close.
    pub executed_pnl: Vec<f64>,
    /// Requested trades from their reference prices to the close.
    pub external_pnl: Vec<f64>,
    /// Costs paid.
    pub costs: Vec<f64>,
    /// Sum of absolute position notionals at the close.
    pub gross_exposure: Vec<f64>,
    /// Sum of signed position notionals at the close.
    pub net_exposure: Vec<f64>,
    /// Notional traded.
    pub traded_notional: Vec<f64>,
    /// Fills.
    pub num_fills: Vec<usize>,
}

/// Everything a run produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Results {
    /// Symbols in index order.
    pub symbols: Vec<String>,
    /// The market calendar (all dates, history included).
    pub dates: Vec<Timestamp>,
    /// Market index of the base date (its close is the starting point).
    pub base_day: usize,
    /// Equity at the base date's close.
    pub initial_equity: f64,
    /// Positions at the base date's close.
    pub initial_positions: Vec<f64>,
    /// Last known prices at the base date's close (`NaN` when none).
    pub initial_prices: Vec<f64>,
    /// Multipliers per symbol.
    pub multipliers: Vec<f64>,
    /// Per-day columns.
    pub daily: Daily,
    /// Fills in time order.
    pub fills: Vec<FillRecord>,
    /// Orders in time order.
    pub orders: Vec<OrderRecord>,
    /// Engine interventions.
    pub events: Vec<Event>,
    /// Overlay interventions.
    pub overlay: Vec<OverlayRecord>,
    /// Recorded decisions.
    pub signals: Vec<SignalRecord>,
    /// Strategy name.
    pub strategy: String,
}

impl Results {
    /// Dates of the traded days.
    pub fn run_dates(&self) -> Vec<Timestamp> {
        self.daily.day.iter().map(|d| self.dates[*d]).collect()
    }

    /// Equity at the last close.
    pub fn final_equity(&self) -> f64 {
        self.daily
            .equity
            .last()
            .copied()
            .unwrap_or(self.initial_equity)
    }

    /// Total costs.
    pub fn total_costs(&self) -> f64 {
        self.daily.costs.iter().sum()
    }

    /// Positions at each traded day's close, row-major (`days x symbols`), rebuilt from
    /// the orders.
    pub fn positions(&self) -> Vec<f64> {
        let n = self.symbols.len();
        let days = self.daily.day.len();
        let mut out = vec![0.0; days * n];
        let mut current = self.initial_positions.clone();
        let mut k = 0;
        for (row, day) in self.daily.day.iter().enumerate() {
            while k < self.orders.len() && self.orders[k].day as usize <= *day {
                current[self.orders[k].symbol as usize] += self.orders[k].executed;
                k += 1;
            }
            out[row * n..(row + 1) * n].copy_from_slice(&current);
        }
        out
    }
}

//! What a portfolio-level strategy is: something that, given the context before day t's
//! session, returns a decision.

use crate::context::Context;
use crate::error::StrategyError;

/// A strategy's decision for one day. Vectors are indexed like the market's symbols.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Keep positions (and any carried remainders).
    Hold,
    /// Target weights: fractions of portfolio value at t-1's close (negative for shorts).
    Weights(Vec<f64>),
    /// Target positions in shares or contracts.
    Positions(Vec<f64>),
    /// Explicit trades `(symbol index, signed quantity)`, added to carried remainders.
    Trades(Vec<(usize, f64)>),
    /// Alpha scores (alpha-driven mode), turned into weights by the mean-variance step.
    Alphas(Vec<f64>),
}

impl Decision {
    /// Name of the decision kind, as written in the signal history.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Hold => "hold",
            Decision::Weights(_) => "weight",
            Decision::Positions(_) => "position",
            Decision::Trades(_) => "trade",
            Decision::Alphas(_) => "alpha",
        }
    }
}

/// A portfolio-level strategy. Closures `FnMut(&Context) -> Result<Decision,
/// StrategyError>` are strategies.
pub trait Strategy {
    /// Decides before day `ctx.t`'s session.
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError>;

    /// Name used in messages and results.
    fn name(&self) -> &str {
        "custom"
    }
}

impl<F> Strategy for F
where
    F: FnMut(&Context<'_>) -> Result<Decision, StrategyError>,
{
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        self(ctx)
    }
}

impl Strategy for Box<dyn Strategy + '_> {
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        (**self).decide(ctx)
    }

    fn name(&self) -> &str {
        (**self).name()
    }
}

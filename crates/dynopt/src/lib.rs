//! Dynamic optimisation of integer futures positions (Robert Carver, *Advanced Futures
//! Trading Strategies*, chapter 25): the greedy algorithm with a cost penalty and
//! buffering, a futures universe loaded from pysystemtrade's file layout, and a backtest
//! of static (each position rounded on its own) against dynamic positions.

pub mod backtest;
pub mod config;
pub mod error;
pub mod greedy;
pub mod signals;
pub mod solve_file;
pub mod universe;
pub mod weights;

pub use backtest::{run, BacktestResult, RunMetrics};
pub use config::DynoptConfig;
pub use error::DynoptError;
pub use greedy::{solve, Buffering, Limit, Problem, Solution, Workspace};
pub use solve_file::{SolveInput, SolveOutput};
pub use universe::{Universe, UniverseSpec};

//! Portfolio optimisation: covariance estimators and convex problems solved with
//! clarabel.

mod active_set;
mod conic;
pub mod constrained;
pub mod discrete;
pub mod error;
pub mod estimates;
pub mod frontier;
pub mod hierarchy;
pub mod hrp;
pub mod mean_variance;
pub mod methods;
pub mod overlay;
pub mod psd;
pub mod risk_model;
pub mod risk_parity;

pub use constrained::{optimize, Constraints, Group, Objective};
pub use discrete::{greedy_allocation, Allocation};
pub use error::OptimError;
pub use frontier::{efficient_frontier, Frontier};
pub use hierarchy::Linkage;
pub use hrp::{hrp, hrp_with_correlation};
pub use mean_variance::{Bounds, Portfolio};
pub use methods::{solve_chain, ChainResult, Failure, Inputs, Method};
pub use overlay::{alpha_weights, cap_variance, AlphaSettings};
pub use risk_model::{Estimator, RiskModel};
pub use risk_parity::risk_parity;

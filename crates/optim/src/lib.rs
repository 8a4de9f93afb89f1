//! Portfolio optimisation: covariance estimators and convex problems solved with
//! clarabel.

mod conic;
pub mod error;
pub mod estimates;
pub mod mean_variance;
pub mod overlay;
pub mod risk_model;

pub use error::OptimError;
pub use mean_variance::{Bounds, Portfolio};
pub use overlay::{alpha_weights, cap_variance, AlphaSettings};
pub use risk_model::{Estimator, RiskModel};

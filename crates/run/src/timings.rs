//! Wall time per phase of a run, as `metrics.json` records it.

use std::time::Instant;

use serde::Serialize;

/// Wall seconds per phase.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Timings {
    /// Reading, validating and aligning data, building the engine and the strategy.
    pub load: f64,
    /// The simulation.
    pub simulate: f64,
    /// Metrics and derived tables.
    pub analytics: f64,
    /// Writing the run folder and the report.
    pub report: f64,
}

impl Timings {
    /// `load 0.123, simulate 0.045, analytics 0.006, report 0.010` (seconds).
    pub fn summary(&self) -> String {
        format!(
            "load {:.3}, simulate {:.3}, analytics {:.3}, report {:.3}",
            self.load, self.simulate, self.analytics, self.report
        )
    }
}

/// Seconds since `started`.
pub(crate) fn seconds_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

//! The risk configuration, from YAML or TOML, under a `risk_management` root:
//!
//! ```yaml
//! risk_management:
//!   position_sizing:            # any sizer; `method` names it
//!     method: fixed_fractional  # fixed_fractional | kelly | confidence | volatility_target
//!     risk_fraction: 0.01
//!     max_position_fraction: 0.2
//!     lot_size: 1
//!   stop_loss:
//!     stop_percent: 0.05
//!     trailing_percent: 0.08
//!     take_profit_percent: 0.15
//!     max_holding_bars: 20
//!   portfolio:
//!     max_heat: 0.06
//!     daily_loss_limit: 0.03
//!     max_position_fraction: 0.2
//!     min_confidence: 0.5
//!   drawdown_zones:
//!     - { name: normal, from_drawdown: 0.0, risk_multiplier: 1.0 }
//!     - { name: caution, from_drawdown: 0.05, risk_multiplier: 0.75 }
//!     - { name: alert, from_drawdown: 0.10, risk_multiplier: 0.5 }
//!     - { name: emergency, from_drawdown: 0.15, risk_multiplier: 0.0, halt: true }
//!   monitor:
//!     max_drawdown: 0.2
//!     var_confidence: 0.95
//! ```
//!
//! Every section is optional; unknown keys are errors.

use serde::{Deserialize, Serialize};

use crate::error::RiskError;
use crate::manager::{default_zones, PortfolioLimits, RiskManager, Zone};
use crate::monitor::MonitorConfig;
use crate::sizing::SizerConfig;
use crate::stops::StopConfig;

/// Everything the risk toolkit can be configured with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskManagement {
    /// The position sizer.
    #[serde(default)]
    pub position_sizing: Option<SizerConfig>,
    /// Stops for new positions.
    #[serde(default)]
    pub stop_loss: StopConfig,
    /// Portfolio limits.
    #[serde(default)]
    pub portfolio: PortfolioLimits,
    /// Drawdown zones (default: normal, caution 5%, alert 10%, emergency 15%).
    #[serde(default = "default_zones")]
    pub drawdown_zones: Vec<Zone>,
    /// Monitor thresholds.
    #[serde(default)]
    pub monitor: MonitorConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    risk_management: RiskManagement,
}

impl RiskManagement {
    /// Parses YAML with a `risk_management` root.
    pub fn from_yaml(text: &str) -> Result<Self, RiskError> {
        serde_saphyr::from_str::<Root>(text)
            .map(|r| r.risk_management)
            .map_err(|e| RiskError::Config(e.to_string().replace('\n', " ")))
    }

    /// Parses TOML with a `[risk_management]` table.
    pub fn from_toml(text: &str) -> Result<Self, RiskError> {
        toml::from_str::<Root>(text)
            .map(|r| r.risk_management)
            .map_err(|e| RiskError::Config(e.to_string().replace('\n', " ")))
    }

    /// Reads a file, as YAML for `.yaml`/`.yml` and TOML otherwise.
    pub fn from_file(path: &std::path::Path) -> Result<Self, RiskError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| RiskError::Config(format!("{}: {e}", path.display())))?;
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let parsed = if yaml {
            Self::from_yaml(&text)
        } else {
            Self::from_toml(&text)
        };
        parsed.map_err(|e| RiskError::Config(format!("{}: {e}", path.display())))
    }

    /// A risk manager with this configuration.
    pub fn manager(&self, initial_cash: f64) -> Result<RiskManager, RiskError> {
        RiskManager::new(
            initial_cash,
            self.portfolio,
            self.drawdown_zones.clone(),
            self.stop_loss,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizing::{FixedFractional, SizingRequest};

    const YAML: &str = "risk_management:
  position_sizing:
    method: fixed_fractional
    risk_fraction: 0.01
    max_position_fraction: 0.2
  stop_loss:
    trailing_percent: 0.08
  portfolio:
    max_heat: 0.06
    daily_loss_limit: 0.03
  drawdown_zones:
    - { name: normal, from_drawdown: 0.0, risk_multiplier: 1.0 }
    - { name: emergency, from_drawdown: 0.2, risk_multiplier: 0.0, halt: true }
";

    const TOML: &str = "[risk_management.position_sizing]
method = \"fixed_fractional\"
risk_fraction = 0.01
max_position_fraction = 0.2

[risk_management.stop_loss]
trailing_percent = 0.08

[risk_management.portfolio]
max_heat = 0.06
daily_loss_limit = 0.03

[[risk_management.drawdown_zones]]
name = \"normal\"
from_drawdown = 0.0
risk_multiplier = 1.0

[[risk_management.drawdown_zones]]
name = \"emergency\"
from_drawdown = 0.2
risk_multiplier = 0.0
halt = true
";

    #[test]
    fn yaml_and_toml_build_the_same_toolkit() {
        let y = RiskManagement::from_yaml(YAML).expect("yaml");
        let t = RiskManagement::from_toml(TOML).expect("toml");
        assert_eq!(y, t);
        assert_eq!(
            y.position_sizing,
            Some(SizerConfig::FixedFractional(FixedFractional {
                risk_fraction: 0.01,
                max_position_fraction: 0.2,
                lot_size: 1.0
            }))
        );
        let size = y
            .position_sizing
            .expect("sizer")
            .size(&SizingRequest {
                capital: 100_000.0,
                entry: 50.0,
                stop: Some(48.0),
                confidence: None,
                asset_volatility: None,
                side: None,
            })
            .expect("size");
        assert_eq!(size.shares, 400.0);
        let m = y.manager(100_000.0).expect("manager");
        assert_eq!(m.zone().name, "normal");
    }

    #[test]
    fn config_errors_are_clear() {
        let e = RiskManagement::from_yaml("risk_management:\n  portfolio:\n    max_hat: 0.1\n")
            .expect_err("typo");
        assert!(e.to_string().contains("max_hat"), "{e}");
        let e = RiskManagement::from_toml(
            "[risk_management.position_sizing]\nmethod = \"martingale\"\n",
        )
        .expect_err("unknown");
        assert!(e.to_string().contains("martingale"), "{e}");
        let bad = RiskManagement::from_yaml("risk_management:\n  portfolio:\n    max_heat: 2\n")
            .expect("parses");
        assert!(bad.manager(1000.0).is_err());
    }
}

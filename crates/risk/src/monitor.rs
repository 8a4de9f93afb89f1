//! The risk monitor: point it at an equity curve (and current positions) and it measures
//! drawdown, the last period's loss, VaR and CVaR, and the largest position, raises
//! alerts against thresholds, and keeps a history of every evaluation.
//!
//! | rule | measured | warning when | critical when |
//! |---|---|---|---|
//! | `max_drawdown` | drawdown from the peak of the curve (positive fraction) | >= warning_ratio x max_drawdown | >= max_drawdown |
//! | `daily_loss` | loss of the last period (positive fraction) | >= warning_ratio x daily_loss_limit | >= daily_loss_limit |
//! | `var` | VaR at `var_confidence` as a loss (positive fraction), by `var_method` | >= warning_ratio x var_limit | >= var_limit |
//! | `position_limit` | largest abs(position value) / equity | >= warning_ratio x position_limit | >= position_limit |
//!
//! An `info` alert says when there are fewer than `min_history` returns for VaR.

use serde::{Deserialize, Serialize};

use oxfolio_core::time::{format_timestamp, Timestamp};

use crate::error::{fraction, positive, RiskError};
use crate::var::{tail_risk, VarMethod};

/// Thresholds of the monitor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// Critical drawdown (0.2 = 20%).
    #[serde(default = "d_dd")]
    pub max_drawdown: f64,
    /// Critical loss in one period.
    #[serde(default = "d_daily")]
    pub daily_loss_limit: f64,
    /// VaR confidence.
    #[serde(default = "d_conf")]
    pub var_confidence: f64,
    /// Critical VaR, as a loss fraction; no VaR alert when absent.
    #[serde(default)]
    pub var_limit: Option<f64>,
    /// How VaR is estimated.
    #[serde(default)]
    pub var_method: VarMethod,
    /// Critical largest position as a fraction of equity.
    #[serde(default = "d_pos")]
    pub position_limit: f64,
    /// Warnings start at this fraction of each threshold.
    #[serde(default = "d_warn")]
    pub warning_ratio: f64,
    /// Fewest returns for VaR and CVaR.
    #[serde(default = "d_hist")]
    pub min_history: usize,
}

fn d_dd() -> f64 {
    0.2
}
fn d_daily() -> f64 {
    0.05
}
fn d_conf() -> f64 {
    0.95
}
fn d_pos() -> f64 {
    0.25
}
fn d_warn() -> f64 {
    0.8
}
fn d_hist() -> usize {
    20
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            max_drawdown: d_dd(),
            daily_loss_limit: d_daily(),
            var_confidence: d_conf(),
            var_limit: None,
            var_method: VarMethod::Historical,
            position_limit: d_pos(),
            warning_ratio: d_warn(),
            min_history: d_hist(),
        }
    }
}

/// Alert severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// For information.
    Info,
    /// Near a threshold.
    Warning,
    /// At or beyond a threshold.
    Critical,
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// Date of the evaluation.
    pub date: Option<String>,
    /// Severity.
    pub level: Level,
    /// The rule (see the module table).
    pub rule: &'static str,
    /// The measured value.
    pub value: f64,
    /// The threshold it is compared with.
    pub threshold: f64,
    /// A sentence.
    pub message: String,
}

/// Risk metrics of one evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskSnapshot {
    /// Date of the last equity value.
    pub date: Option<String>,
    /// Last equity.
    pub equity: f64,
    /// Drawdown from peak (positive fraction).
    pub drawdown: f64,
    /// Last period's return.
    pub last_return: Option<f64>,
    /// VaR (a return), when there is enough history.
    pub var: Option<f64>,
    /// CVaR (a return).
    pub cvar: Option<f64>,
    /// Largest abs(position value) / equity, when positions are given.
    pub largest_position: Option<f64>,
    /// Number of warning and critical alerts.
    pub alert_count: usize,
}

/// A position's market value, for the position-limit rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PositionValue {
    /// Symbol.
    pub symbol: String,
    /// Market value (negative for shorts).
    pub value: f64,
}

/// The monitor: configuration plus the history of evaluations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RiskMonitor {
    config: MonitorConfig,
    history: Vec<RiskSnapshot>,
}

/// What one evaluation found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// The metrics.
    pub snapshot: RiskSnapshot,
    /// The alerts raised.
    pub alerts: Vec<Alert>,
}

impl RiskMonitor {
    /// A monitor with checked thresholds.
    pub fn new(config: MonitorConfig) -> Result<Self, RiskError> {
        for (name, v) in [
            ("max_drawdown", config.max_drawdown),
            ("daily_loss_limit", config.daily_loss_limit),
            ("position_limit", config.position_limit),
            ("warning_ratio", config.warning_ratio),
        ] {
            positive(name, v)?;
            fraction(name, v)?;
        }
        if let Some(v) = config.var_limit {
            positive("var_limit", v)?;
        }
        Ok(RiskMonitor {
            config,
            history: Vec::new(),
        })
    }

    /// Evaluations so far.
    pub fn history(&self) -> &[RiskSnapshot] {
        &self.history
    }

    /// Evaluates an equity curve (`dates` optional, same length) and current positions,
    /// records the snapshot, and returns it with its alerts.
    pub fn evaluate(
        &mut self,
        equity: &[f64],
        dates: Option<&[Timestamp]>,
        positions: &[PositionValue],
    ) -> Result<Evaluation, RiskError> {
        if equity.is_empty() {
            return Err(RiskError::Empty("equity curve"));
        }
        if let Some(i) = equity.iter().position(|e| !(e.is_finite() && *e > 0.0)) {
            return Err(RiskError::param(
                "equity",
                format!("value {i} is {} (must be positive)", equity[i]),
            ));
        }
        if dates.is_some_and(|d| d.len() != equity.len()) {
            return Err(RiskError::param("dates", "need one date per equity value"));
        }
        let c = &self.config;
        let date = dates.and_then(|d| d.last()).map(|t| format_timestamp(*t));
        let last = equity[equity.len() - 1];
        let peak = equity.iter().copied().fold(f64::MIN, f64::max);
        let drawdown = 1.0 - last / peak;
        let returns: Vec<f64> = equity.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
        let last_return = returns.last().copied();
        let mut alerts = Vec::new();
        let mut check = |rule: &'static str, value: f64, threshold: f64, what: &str| {
            let level = if value >= threshold {
                Level::Critical
            } else if value >= c.warning_ratio * threshold {
                Level::Warning
            } else {
                return;
            };
            alerts.push(Alert {
                date: date.clone(),
                level,
                rule,
                value,
                threshold,
                message: format!(
                    "{what} {:.2}% against a limit of {:.2}%",
                    value * 100.0,
                    threshold * 100.0
                ),
            });
        };
        check("max_drawdown", drawdown, c.max_drawdown, "drawdown");
        if let Some(r) = last_return {
            check("daily_loss", -r, c.daily_loss_limit, "last period's loss");
        }
        let largest_position = (!positions.is_empty())
            .then(|| positions.iter().map(|p| p.value.abs()).fold(0.0, f64::max) / last);
        if let Some(p) = largest_position {
            if !p.is_finite() {
                return Err(RiskError::param(
                    "positions",
                    "position values must be finite",
                ));
            }
            check("position_limit", p, c.position_limit, "largest position");
        }
        let (mut var, mut cvar) = (None, None);
        if returns.len() >= c.min_history.max(2) {
            let t = tail_risk(&returns, c.var_confidence, c.var_method)?;
            var = Some(t.var);
            cvar = Some(t.cvar);
            if let Some(limit) = c.var_limit {
                check("var", -t.var, limit, "VaR");
            }
        } else {
            alerts.push(Alert {
                date: date.clone(),
                level: Level::Info,
                rule: "var",
                value: returns.len() as f64,
                threshold: c.min_history as f64,
                message: format!(
                    "{} returns, fewer than the {} needed for VaR",
                    returns.len(),
                    c.min_history
                ),
            });
        }
        let snapshot = RiskSnapshot {
            date,
            equity: last,
            drawdown,
            last_return,
            var,
            cvar,
            largest_position,
            alert_count: alerts.iter().filter(|a| a.level > Level::Info).count(),
        };
        self.history.push(snapshot.clone());
        Ok(Evaluation { snapshot, alerts })
    }

    /// The history as CSV: date, equity, drawdown, last_return, var, cvar,
    /// largest_position, alert_count (empty cells where not measured).
    pub fn history_csv(&self) -> String {
        let opt = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
        let mut out =
            String::from("date,equity,drawdown,last_return,var,cvar,largest_position,alerts\n");
        for s in &self.history {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                s.date.clone().unwrap_or_default(),
                s.equity,
                s.drawdown,
                opt(s.last_return),
                opt(s.var),
                opt(s.cvar),
                opt(s.largest_position),
                s.alert_count
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_by_hand() {
        let cfg = MonitorConfig {
            max_drawdown: 0.2,
            daily_loss_limit: 0.05,
            min_history: 3,
            var_limit: Some(0.5),
            ..Default::default()
        };
        let mut m = RiskMonitor::new(cfg).expect("monitor");
        // Peak 100, last 83: drawdown 17% >= 0.8 x 20% (warning); last loss 83/90 - 1 = -7.8% (critical).
        let e = m
            .evaluate(
                &[100.0, 95.0, 90.0, 83.0],
                None,
                &[PositionValue {
                    symbol: "A".into(),
                    value: 30.0,
                }],
            )
            .expect("ok");
        let by_rule = |r: &str| e.alerts.iter().find(|a| a.rule == r).map(|a| a.level);
        assert_eq!(by_rule("max_drawdown"), Some(Level::Warning));
        assert_eq!(by_rule("daily_loss"), Some(Level::Critical));
        // 30 / 83 = 36% >= 25%.
        assert_eq!(by_rule("position_limit"), Some(Level::Critical));
        assert_eq!(by_rule("var"), None);
        assert!((e.snapshot.drawdown - 0.17).abs() < 1e-12);
        assert_eq!(m.history().len(), 1);
        assert!(m.history_csv().lines().count() == 2);
    }

    #[test]
    fn short_history_gets_an_info_alert_and_bad_curves_errors() {
        let mut m = RiskMonitor::new(MonitorConfig::default()).expect("monitor");
        let e = m.evaluate(&[100.0, 101.0], None, &[]).expect("ok");
        assert_eq!(e.alerts.len(), 1);
        assert_eq!(e.alerts[0].level, Level::Info);
        assert_eq!(
            m.evaluate(&[], None, &[]),
            Err(RiskError::Empty("equity curve"))
        );
        assert!(m.evaluate(&[100.0, f64::NAN], None, &[]).is_err());
        assert!(m.evaluate(&[100.0, -1.0], None, &[]).is_err());
        assert!(RiskMonitor::new(MonitorConfig {
            max_drawdown: 1.5,
            ..Default::default()
        })
        .is_err());
    }
}

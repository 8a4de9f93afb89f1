//! The CSV tables of a dynopt run folder.

use std::fmt::Write as _;
use std::path::Path;

use oxfolio_dynopt::{BacktestResult, Universe};

use crate::error::RunError;

/// Writes `text` to `out/name`.
fn write(out: &Path, name: &str, text: &str) -> Result<(), RunError> {
    let path = out.join(name);
    std::fs::write(&path, text).map_err(|e| RunError::io(path, e))
}

/// Metrics as a JSON object, for the comparison table.
fn to_value<T: serde::Serialize>(metrics: &T) -> Result<serde_json::Value, RunError> {
    serde_json::to_value(metrics).map_err(|e| RunError::Serialise {
        what: "comparison.csv",
        message: e.to_string(),
    })
}

/// Writes `equity.csv`, `positions_static.csv`, `positions_dynamic.csv`,
/// `ideal_positions.csv`, `decisions.csv`, `weights.csv`, `instruments.csv` and
/// `comparison.csv` into `out`.
pub(crate) fn write_tables(
    out: &Path,
    r: &BacktestResult,
    universe: &Universe,
    capital: f64,
) -> Result<(), RunError> {
    let n = r.instruments.len();
    let header = |first: &str| {
        let mut h = first.to_string();
        for name in &r.instruments {
            h.push(',');
            h.push_str(name);
        }
        h.push('\n');
        h
    };
    let mut equity = String::from("date,static,dynamic\n");
    let (mut a, mut b) = (capital, capital);
    for (t, date) in r.dates.iter().enumerate() {
        a += r.static_run.pnl[t];
        b += r.dynamic_run.pnl[t];
        let _ = writeln!(equity, "{date},{a},{b}");
    }
    write(out, "equity.csv", &equity)?;
    for (file, run) in [
        ("positions_static.csv", &r.static_run),
        ("positions_dynamic.csv", &r.dynamic_run),
    ] {
        let mut text = header("date");
        for (t, date) in r.dates.iter().enumerate() {
            let _ = write!(text, "{date}");
            for k in &run.positions[t * n..(t + 1) * n] {
                let _ = write!(text, ",{k}");
            }
            text.push('\n');
        }
        write(out, file, &text)?;
    }
    let mut ideal = header("date");
    for (t, date) in r.dates.iter().enumerate() {
        let row = &r.ideal[t * n..(t + 1) * n];
        if row.iter().all(|v| v.is_nan()) {
            continue;
        }
        let _ = write!(ideal, "{date}");
        for v in row {
            if v.is_finite() {
                let _ = write!(ideal, ",{v}");
            } else {
                ideal.push(',');
            }
        }
        ideal.push('\n');
    }
    write(out, "ideal_positions.csv", &ideal)?;
    let mut decisions = String::from(
        "date,static_tracking_error,dynamic_tracking_error,outcome,adjustment_factor,steps,static_traded,dynamic_traded\n",
    );
    for (s, d) in r.static_run.decisions.iter().zip(&r.dynamic_run.decisions) {
        let (outcome, factor) = match d.buffering {
            Some(oxfolio_dynopt::Buffering::Adjusted {
                adjustment_factor, ..
            }) => ("adjusted", adjustment_factor.to_string()),
            Some(oxfolio_dynopt::Buffering::WithinBuffer { .. }) => {
                ("within_buffer", String::new())
            }
            _ => ("no_prior", String::new()),
        };
        let next = (d.t + 1).min(r.dates.len() - 1);
        let _ = writeln!(
            decisions,
            "{},{},{},{outcome},{factor},{},{},{}",
            r.dates[d.t],
            s.tracking_error,
            d.tracking_error,
            d.steps,
            if d.t + 1 < r.dates.len() {
                r.static_run.traded[next]
            } else {
                0
            },
            if d.t + 1 < r.dates.len() {
                r.dynamic_run.traded[next]
            } else {
                0
            },
        );
    }
    write(out, "decisions.csv", &decisions)?;
    let mut weights = header("date,idm");
    for w in &r.weights {
        let _ = write!(weights, "{},{}", r.dates[w.t], w.idm);
        for v in &w.weights {
            let _ = write!(weights, ",{v}");
        }
        weights.push('\n');
    }
    write(out, "weights.csv", &weights)?;
    let mut instruments = String::from(
        "instrument,asset_class,currency,point_size,spread_cost,per_block,percentage,per_trade\n",
    );
    for i in &universe.instruments {
        let _ = writeln!(
            instruments,
            "{},{},{},{},{},{},{},{}",
            i.name,
            i.asset_class,
            i.currency,
            i.point_size,
            i.spread_cost,
            i.per_block,
            i.percentage,
            i.per_trade
        );
    }
    write(out, "instruments.csv", &instruments)?;
    let rows = {
        let mut text = String::from("metric,static,dynamic\n");
        let a = to_value(&r.static_metrics)?;
        let b = to_value(&r.dynamic_metrics)?;
        if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
            for (k, v) in a {
                let _ = writeln!(text, "{k},{},{}", cell(v), cell(&b[k]));
            }
        }
        text
    };
    write(out, "comparison.csv", &rows)?;
    Ok(())
}

fn cell(v: &serde_json::Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

//! Writes a run folder's CSV files (see `docs/BACKTEST.md` for every column).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use oxfolio_core::time::format_timestamp;

use crate::error::EngineError;
use crate::results::Results;
use crate::tables::{trades_by_date, Marks, SymbolSummary};

fn create(dir: &Path, name: &str) -> Result<BufWriter<File>, EngineError> {
    let path = dir.join(name);
    File::create(&path)
        .map(BufWriter::new)
        .map_err(|e| EngineError::Data(format!("cannot write {}: {e}", path.display())))
}

fn io<'a>(dir: &'a Path, name: &str) -> impl Fn(std::io::Error) -> EngineError + 'a {
    let name = name.to_string();
    move |e| EngineError::Data(format!("cannot write {}: {e}", dir.join(&name).display()))
}

/// Writes `name` with `header` then whatever `body` writes, straight into the buffered
/// file (no string per row: the large tables have millions of cells).
pub(crate) fn write_with(
    dir: &Path,
    name: &str,
    header: &str,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), EngineError> {
    let mut w = create(dir, name)?;
    let err = io(dir, name);
    writeln!(w, "{header}").map_err(&err)?;
    body(&mut w).map_err(&err)?;
    w.flush().map_err(&err)
}

/// Writes `name` with `header` and one line per row.
pub(crate) fn write_lines(
    dir: &Path,
    name: &str,
    header: &str,
    rows: impl Iterator<Item = String>,
) -> Result<(), EngineError> {
    write_with(dir, name, header, |w| {
        for row in rows {
            writeln!(w, "{row}")?;
        }
        Ok(())
    })
}

/// A symbol as a CSV field (quoted when it holds a comma or quote).
pub(crate) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes `equity.csv`, `positions.csv`, `weights.csv`, `fills.csv`, `orders.csv`,
/// `trades.csv`, `pnl.csv`, `signals.csv`, `events.csv` and `summary_by_symbol.csv`.
pub fn write_tables(
    dir: &Path,
    r: &Results,
    marks: &Marks,
    summary: &[SymbolSummary],
) -> Result<(), EngineError> {
    let date = |d: usize| format_timestamp(r.dates[d]);
    let day = |d: u32| format_timestamp(r.dates[d as usize]);
    let names: Vec<String> = r.symbols.iter().map(|s| field(s)).collect();
    let sym = |i: u32| names[i as usize].as_str();
    let n = r.symbols.len();
    let d = &r.daily;
    let mut peak = r.initial_equity;
    write_lines(
        dir,
        "equity.csv",
        "date,equity,cash,return,pnl,holding_pnl,executed_pnl,external_pnl,costs,gross_exposure,net_exposure,traded_notional,num_fills,drawdown",
        // The base date's row: the starting equity (no return yet).
        std::iter::once(format!(
            "{},{},{},,0,0,0,0,0,{},{},0,0,0",
            date(r.base_day),
            r.initial_equity,
            initial_cash(r),
            initial_gross(r),
            initial_net(r)
        ))
        .chain((0..d.day.len()).map(|k| {
            peak = peak.max(d.equity[k]);
            format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                date(d.day[k]),
                d.equity[k],
                d.cash[k],
                d.returns[k],
                d.pnl[k],
                d.holding_pnl[k],
                d.executed_pnl[k],
                d.external_pnl[k],
                d.costs[k],
                d.gross_exposure[k],
                d.net_exposure[k],
                d.traded_notional[k],
                d.num_fills[k],
                d.equity[k] / peak - 1.0
            )
        })),
    )?;
    let header: Vec<String> = std::iter::once("date".to_string())
        .chain(r.symbols.iter().map(|s| field(s)))
        .collect();
    for (name, matrix) in [
        ("positions.csv", &marks.positions),
        ("weights.csv", &marks.weights),
    ] {
        write_with(dir, name, &header.join(","), |w| {
            for k in 0..d.day.len() {
                w.write_all(date(d.day[k]).as_bytes())?;
                for v in &matrix[k * n..(k + 1) * n] {
                    write!(w, ",{v}")?;
                }
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    write_lines(
        dir,
        "fills.csv",
        "date,symbol,quantity,price,fill_number,cost,impact",
        r.fills.iter().map(|f| {
            format!(
                "{},{},{},{},{},{},{}",
                day(f.day),
                sym(f.symbol),
                f.quantity,
                f.price,
                f.fill,
                f.cost,
                f.impact
            )
        }),
    )?;
    write_lines(
        dir,
        "orders.csv",
        "date,symbol,requested,approved,executed,carried,dropped,reference_price,executed_pnl,external_pnl,costs",
        r.orders.iter().map(|o| {
            format!(
                "{},{},{},{},{},{},{},{},{},{},{}",
                day(o.day),
                sym(o.symbol),
                o.requested,
                o.approved,
                o.executed,
                o.carried,
                o.dropped,
                o.reference_price,
                o.executed_pnl,
                o.external_pnl,
                o.costs
            )
        }),
    )?;
    write_lines(
        dir,
        "trades.csv",
        "date,num_trades,num_symbols,notional,cost",
        trades_by_date(r).into_iter().map(|t| {
            format!(
                "{},{},{},{},{}",
                date(t.day),
                t.num_trades,
                t.num_symbols,
                t.notional,
                t.cost
            )
        }),
    )?;
    // P&L by date and symbol: every (date, symbol) with holding P&L or an order. A day's
    // orders are in symbol order, so one cursor walks them alongside the symbols.
    write_with(
        dir,
        "pnl.csv",
        "date,symbol,holding_pnl,executed_pnl,external_pnl,costs,total_pnl",
        |w| {
            let mut k = 0;
            for (row, day) in d.day.iter().enumerate() {
                let today = date(*day);
                while k < r.orders.len() && (r.orders[k].day as usize) < *day {
                    k += 1;
                }
                for (i, name) in names.iter().enumerate() {
                    let holding = marks.holding[row * n + i];
                    let order = r
                        .orders
                        .get(k)
                        .filter(|o| o.day as usize == *day && o.symbol as usize == i);
                    if order.is_some() {
                        k += 1;
                    }
                    if holding == 0.0 && order.is_none() {
                        continue;
                    }
                    let (executed, external, costs) = order.map_or((0.0, 0.0, 0.0), |o| {
                        (o.executed_pnl, o.external_pnl, o.costs)
                    });
                    writeln!(
                        w,
                        "{today},{name},{holding},{executed},{external},{costs},{}",
                        holding + executed - costs
                    )?;
                }
            }
            Ok(())
        },
    )?;
    write_lines(
        dir,
        "signals.csv",
        "date,symbol,kind,value",
        r.signals.iter().map(|s| {
            format!(
                "{},{},{},{}",
                day(s.day),
                sym(s.symbol),
                s.kind.as_str(),
                s.value
            )
        }),
    )?;
    write_lines(
        dir,
        "events.csv",
        "date,symbol,kind,detail",
        r.events.iter().map(|e| {
            let kind = serde_plain(&e.kind);
            format!(
                "{},{},{kind},{}",
                date(e.day),
                e.symbol.map_or(String::new(), |i| field(&r.symbols[i])),
                field(&e.detail)
            )
        }),
    )?;
    write_lines(
        dir,
        "summary_by_symbol.csv",
        "symbol,num_fills,bought,sold,notional,costs,holding_pnl,executed_pnl,external_pnl,total_pnl,final_position,final_weight",
        summary.iter().map(|s| {
            format!(
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                field(&s.symbol),
                s.num_fills,
                s.bought,
                s.sold,
                s.notional,
                s.costs,
                s.holding_pnl,
                s.executed_pnl,
                s.external_pnl,
                s.total_pnl,
                s.final_position,
                s.final_weight
            )
        }),
    )?;
    Ok(())
}

fn initial_values(r: &Results) -> impl Iterator<Item = f64> + '_ {
    r.initial_positions
        .iter()
        .zip(&r.initial_prices)
        .zip(&r.multipliers)
        .map(|((q, p), m)| if *q == 0.0 { 0.0 } else { q * p * m })
}

fn initial_gross(r: &Results) -> f64 {
    initial_values(r).map(f64::abs).sum()
}

fn initial_net(r: &Results) -> f64 {
    initial_values(r).sum()
}

fn initial_cash(r: &Results) -> f64 {
    r.initial_equity - initial_net(r)
}

fn serde_plain(kind: &crate::results::EventKind) -> &'static str {
    use crate::results::EventKind::*;
    match kind {
        VolumeCap => "volume_cap",
        Cash => "cash",
        Leverage => "leverage",
        Short => "short",
        MissingPrice => "missing_price",
        Overlay => "overlay",
    }
}

//! Writes the bundled futures data (`data/futures/carver/`) from pysystemtrade's files:
//! every price and FX file resampled to daily closes by the same reader the universe
//! uses, from 2011-01-01, plus the configuration rows of the copied instruments.
//!
//! `cargo run -p oxfolio-dynopt --example bundle_futures -- SOURCE_DIR OUT_DIR`

use std::path::Path;

use chrono::NaiveDate;
use oxfolio_dynopt::universe::{read_daily, write_daily, DailySeries};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (source, out) = match args.as_slice() {
        [_, s, o] => (Path::new(s), Path::new(o)),
        _ => return Err("usage: bundle_futures SOURCE_DIR OUT_DIR".into()),
    };
    let start = NaiveDate::from_ymd_opt(2011, 1, 1).ok_or("date")?;
    let mut names = Vec::new();
    for (folder, header) in [("adjusted_prices_csv", "price"), ("fx_prices_csv", "PRICE")] {
        std::fs::create_dir_all(out.join(folder))?;
        let mut files: Vec<_> = std::fs::read_dir(source.join(folder))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let series = read_daily(&path)?;
            let keep: Vec<usize> = (0..series.dates.len())
                .filter(|&k| series.dates[k] >= start)
                .collect();
            let daily = DailySeries {
                dates: keep.iter().map(|&k| series.dates[k]).collect(),
                closes: keep.iter().map(|&k| series.closes[k]).collect(),
                report: series.report.clone(),
            };
            let file = path.file_name().ok_or("file name")?;
            write_daily(&out.join(folder).join(file), &daily, header)?;
            println!("{}: {:?}", path.display(), series.report);
            if folder == "adjusted_prices_csv" {
                names.push(file.to_string_lossy().trim_end_matches(".csv").to_string());
            }
        }
    }
    std::fs::create_dir_all(out.join("csvconfig"))?;
    for file in ["instrumentconfig.csv", "spreadcosts.csv"] {
        let text = std::fs::read_to_string(source.join("csvconfig").join(file))?;
        let mut lines = text.lines();
        let mut kept = vec![lines.next().ok_or("empty config")?.to_string()];
        kept.extend(
            lines
                .filter(|l| {
                    names
                        .iter()
                        .any(|n| l.split(',').next() == Some(n.as_str()))
                })
                .map(str::to_string),
        );
        std::fs::write(out.join("csvconfig").join(file), kept.join("\n") + "\n")?;
    }
    Ok(())
}

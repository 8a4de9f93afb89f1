//! The data inspection table of `oxfolio data inspect` and `oxfolio demo`.

use oxfolio_data::inspect::FileSummary;

use crate::table::{price, render};

/// Repairs applied, `name:count` each, or `-`.
pub fn repairs_text(r: &std::collections::BTreeMap<String, usize>) -> String {
    if r.is_empty() {
        return "-".into();
    }
    r.iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints the inspection table and returns the number of problems and failed files.
pub fn print_inspection(files: &[FileSummary]) -> (usize, usize) {
    let mut rows = Vec::new();
    let mut details = Vec::new();
    let mut problems = 0;
    let mut failed = 0;
    for f in files {
        if let Some(e) = &f.error {
            failed += 1;
            details.push(format!("error: {e}"));
        }
        for s in &f.series {
            problems += s.problem_count();
            let gap = s
                .largest_gap
                .as_ref()
                .map_or("-".into(), |(d, a, b)| format!("{d}d {a}..{b}"));
            let range = s.close_range.map_or("-".into(), |(lo, hi)| {
                format!("{}..{}", price(lo), price(hi))
            });
            rows.push(vec![
                s.symbol.clone(),
                format!("{}/{}", s.rows, s.rows_read),
                s.first.clone().unwrap_or("-".into()),
                s.last.clone().unwrap_or("-".into()),
                s.frequency.clone(),
                s.gaps.to_string(),
                gap,
                range,
                s.largest_move
                    .as_ref()
                    .map_or("-".into(), |(m, d)| format!("{:+.1}% {d}", m * 100.0)),
                s.zero_volume_rows.to_string(),
                repairs_text(&s.repairs),
                s.problem_count().to_string(),
            ]);
            if s.problem_count() > 0 {
                let counts = s
                    .problem_counts
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                details.push(format!(
                    "{} ({}): {} problems ({counts})",
                    s.symbol,
                    s.file,
                    s.problem_count()
                ));
                for p in &s.problems {
                    details.push(format!("  {}: {p}", s.file));
                }
            }
        }
    }
    print!(
        "{}",
        render(
            &[
                "symbol",
                "rows/read",
                "first",
                "last",
                "frequency",
                "gaps",
                "largest gap",
                "close range",
                "largest move",
                "zero vol",
                "repairs",
                "problems"
            ],
            &rows
        )
    );
    for d in details {
        println!("{d}");
    }
    (problems, failed)
}

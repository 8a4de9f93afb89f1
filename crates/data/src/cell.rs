//! Parsing one CSV cell into a number, with the reason when it fails.

use crate::problem::{Problem, ProblemKind};

/// The outcome of parsing a numeric cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// A finite number.
    Value(f64),
    /// The cell is empty.
    Missing,
    /// The cell is not a number.
    Unparsable,
    /// The cell is NaN or infinite.
    NonFinite,
}

/// Parses a cell, ignoring surrounding ASCII whitespace.
pub fn parse_number(bytes: &[u8]) -> Cell {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Cell::Missing;
    }
    match std::str::from_utf8(trimmed)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        Some(v) if v.is_finite() => Cell::Value(v),
        Some(_) => Cell::NonFinite,
        None => Cell::Unparsable,
    }
}

/// The problem a failed cell raises, or `None` for a value.
pub fn cell_problem(cell: Cell, raw: &[u8], line: u64, column: &str) -> Option<Problem> {
    let text = String::from_utf8_lossy(raw.trim_ascii());
    let (kind, message) = match cell {
        Cell::Value(_) => return None,
        Cell::Missing => (ProblemKind::MissingValue, "missing value".to_string()),
        Cell::Unparsable => (
            ProblemKind::UnparsableNumber,
            format!("`{text}` is not a number"),
        ),
        Cell::NonFinite => (
            ProblemKind::NonFinite,
            format!("`{text}` is not a finite number"),
        ),
    };
    Some(Problem {
        line,
        column: Some(column.to_string()),
        kind,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_cells() {
        assert_eq!(parse_number(b" 1.5 "), Cell::Value(1.5));
        assert_eq!(parse_number(b"49650800.0"), Cell::Value(49_650_800.0));
        assert_eq!(parse_number(b"-6.95"), Cell::Value(-6.95));
        assert_eq!(parse_number(b""), Cell::Missing);
        assert_eq!(parse_number(b"  "), Cell::Missing);
        assert_eq!(parse_number(b"NaN"), Cell::NonFinite);
        assert_eq!(parse_number(b"inf"), Cell::NonFinite);
        assert_eq!(parse_number(b"12a"), Cell::Unparsable);
        let p = cell_problem(Cell::Unparsable, b"12a", 3, "open").expect("problem");
        assert_eq!(
            p.to_string(),
            "line 3, column `open`: `12a` is not a number"
        );
    }
}

//! Validation findings and the per-series report of what was checked and repaired.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// What is wrong with one row (or with the order of rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The row has a different number of fields than the header.
    FieldCount,
    /// A required cell is empty.
    MissingValue,
    /// A cell is not a number.
    UnparsableNumber,
    /// A date cell does not match the date format.
    UnparsableDate,
    /// A cell is NaN or infinite.
    NonFinite,
    /// A price is zero or negative (and the series is not declared back-adjusted).
    NonPositivePrice,
    /// Volume is negative.
    NegativeVolume,
    /// The high is below the low.
    HighBelowLow,
    /// The open or the close lies outside [low, high].
    OutsideRange,
    /// The row's timestamp is earlier than the row before it.
    Unsorted,
    /// The row's timestamp (or date, for daily data) equals another row's.
    Duplicate,
}

impl ProblemKind {
    /// Snake-case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::FieldCount => "field_count",
            ProblemKind::MissingValue => "missing_value",
            ProblemKind::UnparsableNumber => "unparsable_number",
            ProblemKind::UnparsableDate => "unparsable_date",
            ProblemKind::NonFinite => "non_finite",
            ProblemKind::NonPositivePrice => "non_positive_price",
            ProblemKind::NegativeVolume => "negative_volume",
            ProblemKind::HighBelowLow => "high_below_low",
            ProblemKind::OutsideRange => "outside_range",
            ProblemKind::Unsorted => "unsorted",
            ProblemKind::Duplicate => "duplicate",
        }
    }

    /// True for problems confined to one row, which the `drop-row` repair removes.
    pub fn is_row_level(self) -> bool {
        !matches!(self, ProblemKind::Unsorted | ProblemKind::Duplicate)
    }
}

/// One finding: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// 1-based line in the file.
    pub line: u64,
    /// Column name, when the problem is in one cell.
    pub column: Option<String>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A human sentence with the offending value.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A repair the user can ask for by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repair {
    /// Drop rows with row-level problems.
    DropRow,
    /// Sort rows by timestamp (stable).
    Sort,
    /// Of rows sharing a timestamp, keep the last in file order.
    KeepLast,
    /// Of rows sharing a timestamp, keep the first in file order.
    KeepFirst,
}

impl Repair {
    /// Kebab-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Repair::DropRow => "drop-row",
            Repair::Sort => "sort",
            Repair::KeepLast => "keep-last",
            Repair::KeepFirst => "keep-first",
        }
    }

    /// Parses a repair name.
    pub fn parse(name: &str) -> Option<Repair> {
        match name {
            "drop-row" => Some(Repair::DropRow),
            "sort" => Some(Repair::Sort),
            "keep-last" => Some(Repair::KeepLast),
            "keep-first" => Some(Repair::KeepFirst),
            _ => None,
        }
    }
}

/// How many problem details a report keeps per file; counts are always complete.
pub const MAX_DETAILS: usize = 1000;

/// What reading and validating one series found and did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeriesReport {
    /// The symbol.
    pub symbol: String,
    /// The file it came from.
    pub file: String,
    /// Data rows read for this symbol.
    pub rows_read: usize,
    /// Rows kept after repairs.
    pub rows_kept: usize,
    /// Problems no repair handled (at most [`MAX_DETAILS`] kept), in line order.
    pub problems: Vec<Problem>,
    /// Count of unrepaired problems by kind.
    pub problem_counts: BTreeMap<String, usize>,
    /// Rows (or sort operations) changed by each repair.
    pub repairs: BTreeMap<String, usize>,
    /// Problems that were repaired, by kind.
    pub repaired_problems: BTreeMap<String, usize>,
    /// Empty cells in a wide file (not listed yet, or missing that day).
    pub missing_cells: usize,
    /// Rows whose volume is zero (kept; reported for information).
    pub zero_volume_rows: usize,
    /// Rows with a non-positive price, accepted because the series is back-adjusted.
    pub non_positive_accepted: usize,
}

impl SeriesReport {
    /// Total unrepaired problems.
    pub fn problem_count(&self) -> usize {
        self.problem_counts.values().sum()
    }

    /// Records an unrepaired problem.
    pub fn add_problem(&mut self, problem: Problem) {
        *self
            .problem_counts
            .entry(problem.kind.name().to_string())
            .or_default() += 1;
        if self.problems.len() < MAX_DETAILS {
            self.problems.push(problem);
        }
    }

    /// Records that `rows` rows were changed by `repair` for problems of `kind`.
    pub fn add_repair(&mut self, repair: Repair, kind: ProblemKind, rows: usize) {
        if rows == 0 {
            return;
        }
        *self.repairs.entry(repair.name().to_string()).or_default() += rows;
        *self
            .repaired_problems
            .entry(kind.name().to_string())
            .or_default() += rows;
    }

    /// Adds the counts and findings of the same series read from a later chunk.
    pub fn merge(&mut self, later: SeriesReport) {
        self.rows_read += later.rows_read;
        self.rows_kept += later.rows_kept;
        for p in later.problems {
            if self.problems.len() < MAX_DETAILS {
                self.problems.push(p);
            }
        }
        for (map, other) in [
            (&mut self.problem_counts, later.problem_counts),
            (&mut self.repairs, later.repairs),
            (&mut self.repaired_problems, later.repaired_problems),
        ] {
            for (k, v) in other {
                *map.entry(k).or_default() += v;
            }
        }
        self.missing_cells += later.missing_cells;
        self.zero_volume_rows += later.zero_volume_rows;
        self.non_positive_accepted += later.non_positive_accepted;
    }

    /// Sorts the kept problem details by line.
    pub fn sort_problems(&mut self) {
        self.problems.sort_by_key(|p| p.line);
    }
}

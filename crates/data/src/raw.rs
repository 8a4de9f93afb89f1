//! One series while it is being read: bars plus the source line of each bar, and its
//! report. Chunks read in parallel are appended in file order, then finished once.

use oxfolio_core::time::floor_to_day;
use oxfolio_core::{Bars, Field};

use crate::csv_read::SeriesData;
use crate::problem::SeriesReport;
use crate::validate::{order_rows, ValidationOptions};

/// Rows of one series while reading: bars plus the line of each bar.
pub(crate) struct Raw {
    pub(crate) bars: Bars,
    pub(crate) lines: Vec<u64>,
    pub(crate) report: SeriesReport,
}

impl Raw {
    pub(crate) fn new(symbol: &str, fields: &[Field], file: &str) -> Raw {
        Raw {
            bars: Bars::with_fields(symbol, fields),
            lines: Vec::new(),
            report: SeriesReport {
                symbol: symbol.to_string(),
                file: file.to_string(),
                ..Default::default()
            },
        }
    }

    /// Appends the rows and findings of the same series read from a later chunk.
    pub(crate) fn append(&mut self, mut later: Raw) {
        self.bars.ts.append(&mut later.bars.ts);
        for field in Field::ALL {
            if let (Some(a), Some(b)) = (self.bars.column_mut(field), later.bars.column_mut(field))
            {
                a.append(b);
            }
        }
        self.lines.append(&mut later.lines);
        self.report.merge(later.report);
    }

    /// Orders, de-duplicates and counts; turns the raw rows into the final series.
    pub(crate) fn finish(mut self, options: &ValidationOptions) -> SeriesData {
        let kept = order_rows(&self.bars.ts, &self.lines, options, &mut self.report);
        if kept.len() != self.bars.len() || kept.windows(2).any(|w| w[0] > w[1]) {
            self.bars.permute(&kept);
        }
        if options.daily {
            for t in &mut self.bars.ts {
                *t = floor_to_day(*t);
            }
        }
        let report = &mut self.report;
        report.rows_kept = self.bars.len();
        report.zero_volume_rows = self
            .bars
            .volume
            .as_ref()
            .map_or(0, |v| v.iter().filter(|x| **x == 0.0).count());
        if options.back_adjusted {
            report.non_positive_accepted = self.bars.close.iter().filter(|x| **x <= 0.0).count();
        }
        report.sort_problems();
        SeriesData {
            bars: self.bars,
            report: self.report,
        }
    }
}

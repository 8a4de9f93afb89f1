//! Column names to roles: which column is the date, the symbol, a bar field, or ignored.

use oxfolio_core::Field;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The date or date-time.
    Date,
    /// A separate time of day, joined to the date.
    Time,
    /// The symbol (long format).
    Symbol,
    /// A bar field.
    Field(Field),
    /// Not used (open interest, dividends, other adjusted columns, …).
    Ignore,
}

/// The shape of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// One row per symbol and timestamp, with a symbol column.
    Long,
    /// One symbol's bars (OHLCV in any column order, or just a close/price column).
    Ohlcv,
    /// A date column and one column of closes per symbol.
    Wide,
}

impl FileFormat {
    /// Parses `long`, `ohlcv` or `wide`.
    pub fn parse_name(name: &str) -> Option<FileFormat> {
        match name {
            "long" => Some(FileFormat::Long),
            "ohlcv" => Some(FileFormat::Ohlcv),
            "wide" => Some(FileFormat::Wide),
            _ => None,
        }
    }
}

/// Lower-case, with spaces, underscores, dashes and dots removed.
fn normalise(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The role a column name suggests. `position` is the column's index: an empty or
/// `index` name in the first column is a pandas index of dates.
pub fn role_of(name: &str, position: usize) -> Role {
    match normalise(name).as_str() {
        "date" | "datetime" | "timestamp" | "timestamputc" | "timeperiod" | "dt" => Role::Date,
        "" | "index" | "unnamed0" if position == 0 => Role::Date,
        "time" => Role::Time,
        "symbol" | "ticker" | "name" | "instrument" => Role::Symbol,
        "open" => Role::Field(Field::Open),
        "high" => Role::Field(Field::High),
        "low" => Role::Field(Field::Low),
        "close" | "price" | "last" => Role::Field(Field::Close),
        "volume" | "vol" => Role::Field(Field::Volume),
        "adjclose" | "adjustedclose" => Role::Field(Field::AdjClose),
        _ => Role::Ignore,
    }
}

/// Roles of a whole header, and the format they imply.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Column names as given.
    pub names: Vec<String>,
    /// Role per column.
    pub roles: Vec<Role>,
    /// The file format.
    pub format: FileFormat,
}

impl Layout {
    /// Builds the layout of a header; `forced` overrides the inferred format.
    /// Errors with a sentence when a required column is missing.
    pub fn from_names(names: Vec<String>, forced: Option<FileFormat>) -> Result<Layout, String> {
        let names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut roles: Vec<Role> = names
            .iter()
            .enumerate()
            .map(|(i, n)| role_of(n, i))
            .collect();
        let has_symbol = roles.contains(&Role::Symbol);
        let has_close = roles.contains(&Role::Field(Field::Close));
        let has_bar_field = roles.iter().any(|r| matches!(r, Role::Field(_)));
        if forced.is_none() && !has_symbol && !has_close && has_bar_field {
            return Err(format!(
                "no close column among [{}] (expected close, price or last)",
                names.join(", ")
            ));
        }
        let format = forced.unwrap_or(if has_symbol {
            FileFormat::Long
        } else if has_close {
            FileFormat::Ohlcv
        } else {
            FileFormat::Wide
        });
        if !roles.contains(&Role::Date) {
            if format == FileFormat::Wide && !roles.is_empty() {
                roles[0] = Role::Date;
            } else {
                return Err(format!(
                    "no date column among [{}] (expected one named date, datetime or timestamp)",
                    names.join(", ")
                ));
            }
        }
        for (i, r) in roles.iter().enumerate() {
            if *r == Role::Date && roles[..i].contains(&Role::Date) {
                return Err(format!("more than one date column: `{}`", names[i]));
            }
        }
        match format {
            FileFormat::Long if !has_symbol => {
                return Err("long format needs a symbol (or ticker) column".into())
            }
            FileFormat::Long | FileFormat::Ohlcv if !has_close => {
                return Err(format!(
                    "no close column among [{}] (expected close, price or last)",
                    names.join(", ")
                ))
            }
            FileFormat::Wide => {
                // Every column but the date is a symbol's closes.
                for r in roles.iter_mut() {
                    if *r != Role::Date {
                        *r = Role::Ignore;
                    }
                }
                if roles.len() < 2 {
                    return Err(
                        "a wide file needs a date column and at least one symbol column".into(),
                    );
                }
            }
            _ => {}
        }
        for field in Field::ALL {
            let count = roles.iter().filter(|r| **r == Role::Field(field)).count();
            if count > 1 {
                return Err(format!("more than one `{}` column", field.name()));
            }
        }
        Ok(Layout {
            names,
            roles,
            format,
        })
    }

    /// Index of the column with this role.
    pub fn index(&self, role: Role) -> Option<usize> {
        self.roles.iter().position(|r| *r == role)
    }

    /// The bar fields present, with their column index.
    pub fn field_columns(&self) -> Vec<(Field, usize)> {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.index(Role::Field(f)).map(|i| (f, i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn detects_the_three_formats() {
        let l = Layout::from_names(
            names("Date,High,Low,Open,Close,Volume,Adj Close,Name"),
            None,
        )
        .expect("long");
        assert_eq!(l.format, FileFormat::Long);
        assert_eq!(l.index(Role::Field(Field::AdjClose)), Some(6));
        let o = Layout::from_names(names("\u{feff}date,open,high,low,close,volume"), None)
            .expect("ohlcv");
        assert_eq!(o.format, FileFormat::Ohlcv);
        assert_eq!(o.index(Role::Date), Some(0));
        let w = Layout::from_names(names("date,GOOG,AAPL"), None).expect("wide");
        assert_eq!(w.format, FileFormat::Wide);
        let p = Layout::from_names(names("DATETIME,price"), None).expect("price");
        assert_eq!(p.format, FileFormat::Ohlcv);
        let idx = Layout::from_names(names(",Open,High,Low,Close,Volume"), None).expect("index");
        assert_eq!(idx.index(Role::Date), Some(0));
    }

    #[test]
    fn explains_missing_columns() {
        let e = Layout::from_names(names("date,open,high"), Some(FileFormat::Ohlcv));
        assert!(e.expect_err("no close").contains("no close column"));
        let e = Layout::from_names(names("when,close"), None);
        assert!(e.expect_err("no date").contains("no date column"));
        let e = Layout::from_names(names("date,close,Close"), None);
        assert!(e.expect_err("dup").contains("more than one `close`"));
    }
}

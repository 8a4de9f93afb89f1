//! The local store: one Parquet file per symbol plus `catalog.json`.
//!
//! The catalog lists, per symbol: the file, row count, first and last timestamp, fields,
//! the source file with its SHA-256, and the repairs applied at ingest. Loading checks
//! the catalog against the files, so a truncated or replaced file is an error rather
//! than silently different data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use oxfolio_core::time::{format_timestamp, Timestamp};
use oxfolio_core::Bars;

use crate::error::DataError;
use crate::parquet_io::{read_parquet, write_bars};
use crate::problem::SeriesReport;
use crate::validate::ValidationOptions;

/// Name of the catalog file inside a store folder.
pub const CATALOG_FILE: &str = "catalog.json";
const CATALOG_VERSION: u32 = 1;

/// One symbol in the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The symbol.
    pub symbol: String,
    /// Parquet file name, relative to the store folder.
    pub file: String,
    /// Number of bars.
    pub rows: usize,
    /// First timestamp (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`).
    pub first: String,
    /// Last timestamp.
    pub last: String,
    /// Fields stored.
    pub fields: Vec<String>,
    /// The source file it was ingested from.
    pub source: String,
    /// SHA-256 of the source file, hex.
    pub source_sha256: String,
    /// Repairs applied at ingest, with counts.
    pub repairs: BTreeMap<String, usize>,
}

/// The store's table of contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Catalog format version.
    pub version: u32,
    /// Entries by symbol.
    pub symbols: BTreeMap<String, CatalogEntry>,
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn file_name_for(symbol: &str) -> String {
    let safe: String = symbol
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.parquet")
}

/// An opened store.
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// The store folder.
    pub dir: PathBuf,
    /// Its catalog.
    pub catalog: Catalog,
}

impl Store {
    /// True when `dir` holds a catalog.
    pub fn is_store(dir: &Path) -> bool {
        dir.join(CATALOG_FILE).is_file()
    }

    /// Opens a store, or creates an empty one in memory when `create` and the folder has
    /// no catalog yet.
    pub fn open(dir: &Path, create: bool) -> Result<Store, DataError> {
        let path = dir.join(CATALOG_FILE);
        if !path.exists() {
            if create {
                return Ok(Store {
                    dir: dir.into(),
                    catalog: Catalog {
                        version: CATALOG_VERSION,
                        symbols: BTreeMap::new(),
                    },
                });
            }
            return Err(DataError::Store {
                path: dir.into(),
                message: format!(
                    "no {CATALOG_FILE}: not a store (create one with `oxfolio data ingest`)"
                ),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|e| DataError::io(&path, e))?;
        let catalog: Catalog = serde_json::from_str(&text).map_err(|e| DataError::Store {
            path: path.clone(),
            message: format!("corrupt catalog: {e}"),
        })?;
        if catalog.version != CATALOG_VERSION {
            return Err(DataError::Store {
                path,
                message: format!(
                    "catalog version {} is not supported (expected {CATALOG_VERSION})",
                    catalog.version
                ),
            });
        }
        Ok(Store {
            dir: dir.into(),
            catalog,
        })
    }

    /// Writes validated series into the store and updates the catalog (entries of other
    /// symbols stay). `sources` gives each series' source file.
    pub fn ingest(&mut self, series: &[(Bars, SeriesReport, PathBuf)]) -> Result<(), DataError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| DataError::io(&self.dir, e))?;
        let mut hashes: BTreeMap<PathBuf, String> = BTreeMap::new();
        for (bars, report, source) in series {
            let file = file_name_for(&bars.symbol);
            write_bars(&self.dir.join(&file), bars)?;
            let hash = match hashes.get(source) {
                Some(h) => h.clone(),
                None => {
                    let h = sha256_file(source)?;
                    hashes.insert(source.clone(), h.clone());
                    h
                }
            };
            let stamp = |t: Option<&Timestamp>| t.map(|t| format_timestamp(*t)).unwrap_or_default();
            self.catalog.symbols.insert(
                bars.symbol.clone(),
                CatalogEntry {
                    symbol: bars.symbol.clone(),
                    file,
                    rows: bars.len(),
                    first: stamp(bars.ts.first()),
                    last: stamp(bars.ts.last()),
                    fields: bars.fields().iter().map(|f| f.name().to_string()).collect(),
                    source: source.display().to_string(),
                    source_sha256: hash,
                    repairs: report.repairs.clone(),
                },
            );
        }
        let path = self.dir.join(CATALOG_FILE);
        let text = serde_json::to_string_pretty(&self.catalog).map_err(|e| DataError::Store {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, text + "\n").map_err(|e| DataError::io(&path, e))
    }

    /// The symbols held, sorted.
    pub fn symbols(&self) -> Vec<String> {
        self.catalog.symbols.keys().cloned().collect()
    }

    /// Loads one symbol's bars, checked against the catalog.
    pub fn load_symbol(&self, symbol: &str) -> Result<Bars, DataError> {
        let entry = self
            .catalog
            .symbols
            .get(symbol)
            .ok_or_else(|| DataError::UnknownSymbol {
                symbol: symbol.into(),
                source_name: self.dir.display().to_string(),
                available: abbreviate(&self.symbols()),
            })?;
        let path = self.dir.join(&entry.file);
        let data = read_parquet(
            &path,
            symbol,
            &ValidationOptions {
                back_adjusted: true,
                ..Default::default()
            },
        )?;
        let bars = data
            .series
            .into_iter()
            .next()
            .map(|s| s.bars)
            .ok_or_else(|| DataError::Store {
                path: path.clone(),
                message: "file holds no bars".into(),
            })?;
        if bars.len() != entry.rows {
            return Err(DataError::Store {
                path,
                message: format!("catalog says {} rows, file has {}", entry.rows, bars.len()),
            });
        }
        Ok(bars)
    }

    /// Loads the given symbols (all when `None`) between `start` and `end` inclusive.
    pub fn load(
        &self,
        symbols: Option<&[String]>,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Result<Vec<Bars>, DataError> {
        let all = self.symbols();
        let wanted = symbols.unwrap_or(&all);
        wanted
            .iter()
            .map(|s| self.load_symbol(s).map(|b| b.select_range(start, end)))
            .collect()
    }
}

/// At most 20 names, then "…".
pub fn abbreviate(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(20)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 20 {
        s.push_str(&format!(", … ({} in all)", names.len()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::Field;

    #[test]
    fn ingest_load_and_detect_tampering() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("src.csv");
        std::fs::write(&source, "date,close\n2020-01-01,1\n").expect("write");
        let mut bars = Bars::with_fields("AAA", &[Field::Volume]);
        for d in 1..=3 {
            bars.push(
                oxfolio_core::time::from_ymd(2020, 1, d).expect("d"),
                [f64::NAN, f64::NAN, f64::NAN, d as f64, 1.0, f64::NAN],
            );
        }
        let store_dir = dir.path().join("store");
        let mut store = Store::open(&store_dir, true).expect("new");
        store
            .ingest(&[(bars.clone(), SeriesReport::default(), source.clone())])
            .expect("ingest");
        let store = Store::open(&store_dir, false).expect("open");
        let entry = &store.catalog.symbols["AAA"];
        assert_eq!(
            (entry.rows, entry.first.as_str(), entry.last.as_str()),
            (3, "2020-01-01", "2020-01-03")
        );
        assert_eq!(entry.source_sha256.len(), 64);
        let two = store
            .load(
                Some(&["AAA".to_string()]),
                oxfolio_core::time::from_ymd(2020, 1, 2),
                None,
            )
            .expect("load");
        assert_eq!(two[0].close, vec![2.0, 3.0]);
        let e = store
            .load(Some(&["ZZZ".to_string()]), None, None)
            .expect_err("unknown");
        assert!(e.to_string().contains("unknown symbol `ZZZ`"), "{e}");
        std::fs::write(store_dir.join(CATALOG_FILE), "{ not json").expect("corrupt");
        let e = Store::open(&store_dir, false).expect_err("corrupt");
        assert!(e.to_string().contains("corrupt catalog"), "{e}");
    }
}

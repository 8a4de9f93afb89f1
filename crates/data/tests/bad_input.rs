//! Every bad-input case gets a clear error naming the place and the problem, or a
//! repair the user named, never a panic.

use std::path::PathBuf;

use oxfolio_data::source::{load, SourceSpec};
use oxfolio_data::store::Store;
use oxfolio_data::{into_checked, read_csv, CsvOptions, DataError, ValidationOptions};

struct Tmp {
    dir: tempfile::TempDir,
}

impl Tmp {
    fn new() -> Tmp {
        Tmp {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

fn strict_error(text: &str) -> String {
    let t = Tmp::new();
    let path = t.file("x.csv", text);
    match read_csv(&path, &CsvOptions::default(), &ValidationOptions::default()) {
        Err(e) => e.to_string(),
        Ok(data) => match into_checked(data, &path) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted bad input: {text:?}"),
        },
    }
}

#[test]
fn each_row_problem_names_line_and_column() {
    let head = "date,open,high,low,close,volume\n";
    let good = "2020-01-02,10,11,9,10.5,100\n";
    let cases = [
        (
            "2020-01-03,10,11,9,abc,100\n",
            "line 3, column `close`: `abc` is not a number",
        ),
        (
            "2020-01-03,10,11,9,NaN,100\n",
            "line 3, column `close`: `NaN` is not a finite number",
        ),
        (
            "2020-01-03,10,11,9,inf,100\n",
            "line 3, column `close`: `inf` is not a finite number",
        ),
        (
            "2020-01-03,10,11,9,,100\n",
            "line 3, column `close`: missing value",
        ),
        (
            "2020-01-03,10,11,9,0,100\n",
            "line 3, column `close`: non-positive price 0",
        ),
        (
            "2020-01-03,10,11,9,-1,100\n",
            "line 3, column `close`: non-positive price -1",
        ),
        (
            "2020-01-03,10,9,11,10,100\n",
            "line 3, column `high`: high 9 is below low 11",
        ),
        (
            "2020-01-03,12,11,9,10,100\n",
            "line 3, column `open`: open 12 is outside [low 9, high 11]",
        ),
        (
            "2020-01-03,10,11,9,10,-5\n",
            "line 3, column `volume`: negative volume -5",
        ),
        (
            "2020-01-03,10,11,9,10\n",
            "line 3: 5 fields, but the header names 6 columns",
        ),
        (
            "2020-13-03,10,11,9,10,100\n",
            "line 3, column `date`: `2020-13-03` is not a date",
        ),
        (
            "2020-01-02,10,11,9,10,100\n",
            "line 3: duplicate timestamp 2020-01-02 (also on line 2)",
        ),
        (
            "2020-01-01,10,11,9,10,100\n",
            "line 3: timestamp 2020-01-01 is earlier than the row before it",
        ),
    ];
    for (row, expected) in cases {
        let msg = strict_error(&format!("{head}{good}{row}"));
        assert!(msg.contains("x.csv: "), "{msg}");
        assert!(
            msg.contains(expected),
            "for {row:?}\n got: {msg}\nwant: {expected}"
        );
    }
}

#[test]
fn crlf_files_report_the_same_lines() {
    let lf = strict_error("date,close\n2020-01-01,1\n2020-01-02,-1\n");
    let crlf = strict_error("date,close\r\n2020-01-01,1\r\n2020-01-02,-1\r\n");
    let tail = |m: &str| m.split("x.csv: ").nth(1).map(str::to_string);
    assert!(lf.contains("line 3, column `close`"), "{lf}");
    assert_eq!(tail(&lf), tail(&crlf));
    let many = strict_error(
        "date,close\r\n2020-01-01,1\r\n2020-01-02,2\r\n2020-01-03,3\r\n2020-01-04,x\r\n",
    );
    assert!(many.contains("line 5, column `close`"), "{many}");
}

#[test]
fn named_missing_markers_are_missing_cells() {
    let t = Tmp::new();
    let path = t.file(
        "fred.csv",
        "DATE,DCOILWTICO\n1986-01-02,25.56\n1986-01-03,.\n1986-01-06,26.53\n",
    );
    let strict = load(&SourceSpec::new(&path)).expect_err("`.` is not a number");
    assert!(
        strict
            .to_string()
            .contains("line 3, column `DCOILWTICO`: `.` is not a number"),
        "{strict}"
    );
    let mut spec = SourceSpec::new(&path);
    spec.na_values = vec![".".into()];
    let d = load(&spec).expect("missing cell");
    assert_eq!(d.series[0].close, vec![25.56, 26.53]);
    assert_eq!(d.reports[0].missing_cells, 1);
}

#[test]
fn file_level_problems() {
    let msg = strict_error("");
    assert!(msg.contains("the file is empty"), "{msg}");
    let msg = strict_error("date,open,high,low,close,volume\n");
    assert!(msg.contains("the file is empty"), "{msg}");
    let msg = strict_error("when,open,close\n2020-01-01,1,1\n");
    assert!(
        msg.contains("line 1: header does not match: no date column"),
        "{msg}"
    );
    let msg = strict_error("date,open,high\n2020-01-01,1,1\n");
    assert!(msg.contains("header does not match"), "{msg}");
    let msg = strict_error("date,close\nyesterday,1\n");
    assert!(
        msg.contains("line 2: cannot infer the date format of `yesterday`"),
        "{msg}"
    );
    let msg = strict_error("date,close\n\"2020-01-01,1\n");
    assert!(msg.contains("x.csv"), "{msg}");
}

#[test]
fn bad_options_are_named() {
    let t = Tmp::new();
    let path = t.file("x.csv", "date,close\n2020-01-01,1\n");
    let mut spec = SourceSpec::new(&path);
    spec.repairs = vec!["fix-everything".into()];
    let e = load(&spec).expect_err("unknown repair");
    assert!(
        e.to_string().contains("unknown repair `fix-everything`"),
        "{e}"
    );
    let mut spec = SourceSpec::new(&path);
    spec.repairs = vec!["keep-last".into(), "keep-first".into()];
    assert!(load(&spec).is_err());
    let mut spec = SourceSpec::new(&path);
    spec.date_format = Some("dd-mm".into());
    assert!(load(&spec)
        .expect_err("format")
        .to_string()
        .contains("unknown format `dd-mm`"));
    let mut spec = SourceSpec::new(&path);
    spec.start = Some("2021-01-01".into());
    spec.end = Some("2020-01-01".into());
    assert!(load(&spec)
        .expect_err("range")
        .to_string()
        .contains("start is after end"));
    let mut spec = SourceSpec::new(&path);
    spec.symbols = Some(vec!["NOPE".into()]);
    let e = load(&spec).expect_err("unknown symbol").to_string();
    assert!(
        e.contains("unknown symbol `NOPE`") && e.contains("it holds: X"),
        "{e}"
    );
    let mut spec = SourceSpec::new(&path);
    spec.price_scale = 0.0;
    assert!(matches!(load(&spec), Err(DataError::Config { .. })));
    let mut spec = SourceSpec::new(&path);
    std::fs::create_dir(t.dir.path().join("empty")).expect("dir");
    spec.factor_files = Some(t.dir.path().join("empty"));
    assert!(load(&spec)
        .expect_err("no factor file")
        .to_string()
        .contains("no factor file for `X`"));
}

#[test]
fn corrupt_factor_file_is_named() {
    let t = Tmp::new();
    let path = t.file("x.csv", "date,close\n2020-01-01,1\n");
    std::fs::create_dir(t.dir.path().join("f")).expect("dir");
    std::fs::write(t.dir.path().join("f/x.csv"), "20200101,abc,1,0\n").expect("write");
    let mut spec = SourceSpec::new(&path);
    spec.factor_files = Some(t.dir.path().join("f"));
    let e = load(&spec).expect_err("corrupt factor").to_string();
    assert!(
        e.contains("line 1, column `price_factor`: `abc` is not a positive factor"),
        "{e}"
    );
}

#[test]
fn same_symbol_in_two_files_is_an_error() {
    let t = Tmp::new();
    t.file("a.csv", "date,symbol,close\n2020-01-01,X,1\n");
    t.file("b.csv", "date,symbol,close\n2020-01-02,X,1\n");
    let e = load(&SourceSpec::new(t.dir.path()))
        .expect_err("duplicate symbol")
        .to_string();
    assert!(e.contains("symbol `X` appears in both"), "{e}");
}

#[test]
fn corrupt_store_files_are_errors() {
    let t = Tmp::new();
    let src = t.file("x.csv", "date,close\n2020-01-01,1\n2020-01-02,2\n");
    let store_dir = t.dir.path().join("store");
    let d = load(&SourceSpec::new(&src)).expect("load");
    let mut store = Store::open(&store_dir, true).expect("new");
    store
        .ingest(&[(d.series[0].clone(), d.reports[0].clone(), src.clone())])
        .expect("ingest");
    // A replaced file with a different row count.
    let other = t.file("y.csv", "date,close\n2020-01-01,1\n");
    let d2 = load(&SourceSpec::new(&other)).expect("load");
    oxfolio_data::parquet_io::write_bars(&store_dir.join("X.parquet"), &d2.series[0])
        .expect("write");
    let e = load(&SourceSpec::new(&store_dir))
        .expect_err("tampered")
        .to_string();
    assert!(e.contains("catalog says 2 rows, file has 1"), "{e}");
    std::fs::write(store_dir.join("X.parquet"), b"garbage").expect("write");
    let e = load(&SourceSpec::new(&store_dir))
        .expect_err("garbage")
        .to_string();
    assert!(e.contains("X.parquet: parquet:"), "{e}");
}

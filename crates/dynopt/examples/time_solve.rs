//! Times one `dynopt solve` input: prints the median seconds of N solves as JSON.
//!
//! `cargo run --release -p oxfolio-dynopt --example time_solve -- FILE.json [N]`

use std::time::Instant;

use oxfolio_dynopt::SolveInput;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: time_solve FILE.json [N]")?;
    let repeats: usize = args.get(2).map_or(Ok(101), |s| s.parse())?;
    let input = SolveInput::from_json(&std::fs::read_to_string(path)?, path)?;
    let mut times = Vec::with_capacity(repeats);
    let mut positions = None;
    for _ in 0..repeats {
        let started = Instant::now();
        let out = input.solve()?;
        times.push(started.elapsed().as_secs_f64());
        positions = Some(out.positions);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({"median_seconds": times[times.len() / 2], "positions": positions})
    );
    Ok(())
}

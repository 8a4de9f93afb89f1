//! Pricing many options at once: columns in, columns out, in parallel (rayon). Each
//! option is independent; the Greek rows go through a branch-free kernel that vectorises.

use oxfolio_core::memory::advise_huge_pages;
use rayon::prelude::*;

use crate::bsm::{European, Greeks};
use crate::error::DerivError;
use crate::iv::implied_volatility;
use crate::lanes::{self, LANES};

/// Price and Greeks of every option (an error per invalid row).
pub fn greeks_batch(options: &[European]) -> Vec<Result<Greeks, DerivError>> {
    options.par_iter().map(European::greeks).collect()
}

/// Price, delta, gamma, vega, theta (per year) and rho of every option as rows of six
/// numbers (`NaN` for an invalid option), plus the errors of the invalid rows by index.
/// Written for throughput: blocks of valid options go through the SIMD-friendly kernel
/// ([`crate::lanes`]), the rest one by one; no allocation per option; blocks in parallel.
pub fn greek_rows(options: &[European]) -> (Vec<[f64; 6]>, Vec<(usize, DerivError)>) {
    // A fresh output of tens of megabytes: huge pages cut the first-touch page faults.
    let mut out = Vec::with_capacity(options.len());
    advise_huge_pages(&mut out);
    out.resize(options.len(), [0.0; 6]);
    let errors = greek_rows_into(options, &mut out);
    (out, errors)
}

/// [`greek_rows`] into a caller's buffer of `options.len()` rows (reused across batches,
/// nothing allocated but the error list); returns the errors of the invalid rows.
pub fn greek_rows_into(options: &[European], out: &mut [[f64; 6]]) -> Vec<(usize, DerivError)> {
    let simd = lanes::avx2_fma();
    let fill = |rows: &mut [[f64; 6]], opts: &[European]| {
        for (rows, opts) in rows.chunks_mut(LANES).zip(opts.chunks(LANES)) {
            rows.copy_from_slice(&block_rows(opts, simd)[..opts.len()]);
        }
    };
    if rayon::current_num_threads() == 1 {
        fill(out, options);
    } else {
        out.par_chunks_mut(4096)
            .zip(options.par_chunks(4096))
            .for_each(|(rows, opts)| fill(rows, opts));
    }
    invalid(options)
}

/// Price, delta, gamma, vega, theta (per year) and rho as columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GreekColumns {
    /// Prices.
    pub price: Vec<f64>,
    /// Deltas.
    pub delta: Vec<f64>,
    /// Gammas.
    pub gamma: Vec<f64>,
    /// Vegas (per unit of volatility).
    pub vega: Vec<f64>,
    /// Thetas (per year).
    pub theta: Vec<f64>,
    /// Rhos (per unit of rate).
    pub rho: Vec<f64>,
}

/// [`greek_rows`] written straight into six columns (what CSV and Parquet writers
/// take), `NaN` for an invalid option; plus the errors of the invalid rows by index.
pub fn greek_columns(options: &[European]) -> (GreekColumns, Vec<(usize, DerivError)>) {
    let n = options.len();
    let simd = lanes::avx2_fma();
    // Fresh columns of megabytes each: huge pages cut the first-touch page faults.
    let column = || {
        let mut v = Vec::with_capacity(n);
        advise_huge_pages(&mut v);
        v
    };
    let mut c = GreekColumns {
        price: column(),
        delta: column(),
        gamma: column(),
        vega: column(),
        theta: column(),
        rho: column(),
    };
    if rayon::current_num_threads() == 1 {
        // One pass, each value written once (no zero fill first).
        for opts in options.chunks(LANES) {
            for row in block_rows(opts, simd).iter().take(opts.len()) {
                c.price.push(row[0]);
                c.delta.push(row[1]);
                c.gamma.push(row[2]);
                c.vega.push(row[3]);
                c.theta.push(row[4]);
                c.rho.push(row[5]);
            }
        }
        return (c, invalid(options));
    }
    for v in [
        &mut c.price,
        &mut c.delta,
        &mut c.gamma,
        &mut c.vega,
        &mut c.theta,
        &mut c.rho,
    ] {
        v.resize(n, 0.0);
    }
    const BLOCK: usize = 4096;
    (
        c.price.par_chunks_mut(BLOCK),
        c.delta.par_chunks_mut(BLOCK),
        c.gamma.par_chunks_mut(BLOCK),
        c.vega.par_chunks_mut(BLOCK),
        c.theta.par_chunks_mut(BLOCK),
        c.rho.par_chunks_mut(BLOCK),
    )
        .into_par_iter()
        .enumerate()
        .for_each(|(k, (price, delta, gamma, vega, theta, rho))| {
            let start = k * BLOCK;
            let opts = &options[start..start + price.len()];
            for (b, opts) in opts.chunks(LANES).enumerate() {
                for (i, row) in block_rows(opts, simd).iter().enumerate().take(opts.len()) {
                    let j = b * LANES + i;
                    price[j] = row[0];
                    delta[j] = row[1];
                    gamma[j] = row[2];
                    vega[j] = row[3];
                    theta[j] = row[4];
                    rho[j] = row[5];
                }
            }
        });
    (c, invalid(options))
}

/// Rows of up to `LANES` options: the kernel for a full block of valid options when
/// `simd`, the scalar formulas otherwise (`NaN` rows past the block's end).
fn block_rows(opts: &[European], simd: bool) -> [[f64; 6]; LANES] {
    match <&[European; LANES]>::try_from(opts) {
        Ok(block) if simd && block.iter().all(European::is_valid) => kernel(block),
        _ => std::array::from_fn(|i| opts.get(i).map_or([f64::NAN; 6], scalar_row)),
    }
}

/// One option's row by the scalar formulas (`NaN` if invalid).
fn scalar_row(o: &European) -> [f64; 6] {
    if o.is_valid() {
        let g = o.greeks_unchecked();
        [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho]
    } else {
        [f64::NAN; 6]
    }
}

/// The errors of the invalid options, by index.
fn invalid(options: &[European]) -> Vec<(usize, DerivError)> {
    options
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_valid())
        .filter_map(|(i, o)| o.validate().err().map(|e| (i, e)))
        .collect()
}

/// The SIMD kernel on a block; only called once [`lanes::avx2_fma`] said yes.
#[inline]
fn kernel(block: &[European; LANES]) -> [[f64; 6]; LANES] {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `greek_rows` calls this only when `lanes::avx2_fma()` reported AVX2
        // and FMA on this CPU.
        unsafe { lanes::greek_rows_avx2(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        lanes::greek_rows(block)
    }
}

/// Implied volatility of every (option, price) pair.
pub fn implied_vol_batch(options: &[European], prices: &[f64]) -> Vec<Result<f64, DerivError>> {
    options
        .par_iter()
        .zip(prices.par_iter())
        .map(|(o, p)| implied_volatility(o, *p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bsm::OptionType;

    #[test]
    fn rows_and_columns_agree_with_the_scalar_formulas() {
        // 27 options: three full blocks of eight and a partial one, two invalid.
        let options: Vec<European> = (0..27)
            .map(|i| European {
                kind: if i % 3 == 0 {
                    OptionType::Put
                } else {
                    OptionType::Call
                },
                spot: 100.0,
                strike: 70.0 + 2.5 * i as f64,
                expiry: if i == 9 { -1.0 } else { 0.1 + 0.1 * i as f64 },
                vol: if i == 20 {
                    f64::NAN
                } else {
                    0.15 + 0.01 * i as f64
                },
                rate: 0.03,
                dividend: 0.01,
            })
            .collect();
        let (rows, errors) = greek_rows(&options);
        let (cols, col_errors) = greek_columns(&options);
        assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec![9, 20]);
        assert_eq!(col_errors.len(), 2);
        for (i, o) in options.iter().enumerate() {
            let want = scalar_row(o);
            let col = [
                cols.price[i],
                cols.delta[i],
                cols.gamma[i],
                cols.vega[i],
                cols.theta[i],
                cols.rho[i],
            ];
            for k in 0..6 {
                if want[k].is_nan() {
                    assert!(rows[i][k].is_nan() && col[k].is_nan());
                } else {
                    let tol = 1e-12 * want[k].abs().max(1.0);
                    assert!((rows[i][k] - want[k]).abs() < tol, "row {i} {k}");
                    assert_eq!(rows[i][k], col[k]);
                }
            }
        }
    }
}

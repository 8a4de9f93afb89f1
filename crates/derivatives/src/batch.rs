//! Pricing many options at once: columns in, columns out, in parallel (rayon). Each
//! option is independent; the Greek rows go through a branch-free kernel that vectorises.

use oxfolio_core::memory::advise_huge_pages;
use rayon::prelude::*;

use crate::bsm::{European, Greeks, OptionType};
use crate::error::DerivError;
use crate::iv::implied_volatility;
use crate::lanes::Isa;

/// Price and Greeks of every option (an error per invalid row).
pub fn greeks_batch(options: &[European]) -> Vec<Result<Greeks, DerivError>> {
    options.par_iter().map(European::greeks).collect()
}

/// European options as columns of equal length (what CSV and Parquet readers give).
#[derive(Clone, Copy, Debug)]
pub struct OptionColumns<'a> {
    /// Call or put.
    pub kind: &'a [OptionType],
    /// Spot prices.
    pub spot: &'a [f64],
    /// Strikes.
    pub strike: &'a [f64],
    /// Times to expiry in years.
    pub expiry: &'a [f64],
    /// Volatilities.
    pub vol: &'a [f64],
    /// Continuously compounded rates.
    pub rate: &'a [f64],
    /// Continuous dividend yields.
    pub dividend: &'a [f64],
}

impl<'a> OptionColumns<'a> {
    /// The number of options, or an error naming the first column whose length differs
    /// from `kind`'s.
    pub fn checked_len(&self) -> Result<usize, DerivError> {
        let n = self.kind.len();
        for (column, values) in self.numbers() {
            if values.len() != n {
                return Err(DerivError::Parameter {
                    parameter: column,
                    message: format!("column has {} values, `kind` has {n}", values.len()),
                });
            }
        }
        Ok(n)
    }

    /// True when there are no options.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    fn numbers(&self) -> [(&'static str, &'a [f64]); 6] {
        [
            ("spot", self.spot),
            ("strike", self.strike),
            ("expiry", self.expiry),
            ("vol", self.vol),
            ("rate", self.rate),
            ("dividend", self.dividend),
        ]
    }

    /// Option `i`.
    pub fn option(&self, i: usize) -> European {
        European {
            kind: self.kind[i],
            spot: self.spot[i],
            strike: self.strike[i],
            expiry: self.expiry[i],
            vol: self.vol[i],
            rate: self.rate[i],
            dividend: self.dividend[i],
        }
    }

    /// Rows `range`, or an error when it is not inside the columns.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Result<OptionColumns<'a>, DerivError> {
        let n = self.checked_len()?;
        if range.start > range.end || range.end > n {
            return Err(DerivError::Parameter {
                parameter: "rows",
                message: format!("{}..{} is not inside 0..{n}", range.start, range.end),
            });
        }
        Ok(self.rows(range))
    }

    /// Rows `range` (within bounds: the caller checked [`OptionColumns::checked_len`]).
    fn rows(&self, range: std::ops::Range<usize>) -> OptionColumns<'a> {
        OptionColumns {
            kind: &self.kind[range.clone()],
            spot: &self.spot[range.clone()],
            strike: &self.strike[range.clone()],
            expiry: &self.expiry[range.clone()],
            vol: &self.vol[range.clone()],
            rate: &self.rate[range.clone()],
            dividend: &self.dividend[range],
        }
    }
}

/// Options held as owned columns (collect a list of options into it);
/// [`OptionData::columns`] views them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionData {
    /// Call or put.
    pub kind: Vec<OptionType>,
    /// Spot prices.
    pub spot: Vec<f64>,
    /// Strikes.
    pub strike: Vec<f64>,
    /// Times to expiry in years.
    pub expiry: Vec<f64>,
    /// Volatilities.
    pub vol: Vec<f64>,
    /// Continuously compounded rates.
    pub rate: Vec<f64>,
    /// Continuous dividend yields.
    pub dividend: Vec<f64>,
}

impl OptionData {
    /// The columns as slices.
    pub fn columns(&self) -> OptionColumns<'_> {
        OptionColumns {
            kind: &self.kind,
            spot: &self.spot,
            strike: &self.strike,
            expiry: &self.expiry,
            vol: &self.vol,
            rate: &self.rate,
            dividend: &self.dividend,
        }
    }
}

impl FromIterator<European> for OptionData {
    fn from_iter<I: IntoIterator<Item = European>>(options: I) -> OptionData {
        let mut d = OptionData::default();
        for o in options {
            d.kind.push(o.kind);
            d.spot.push(o.spot);
            d.strike.push(o.strike);
            d.expiry.push(o.expiry);
            d.vol.push(o.vol);
            d.rate.push(o.rate);
            d.dividend.push(o.dividend);
        }
        d
    }
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

impl GreekColumns {
    fn columns(&mut self) -> [&mut Vec<f64>; 6] {
        [
            &mut self.price,
            &mut self.delta,
            &mut self.gamma,
            &mut self.vega,
            &mut self.theta,
            &mut self.rho,
        ]
    }
}

/// Price and every Greek of every option as fresh columns, `NaN` for an invalid option;
/// plus the errors of the invalid rows by index.
pub fn greek_columns(
    options: &OptionColumns,
) -> Result<(GreekColumns, Vec<(usize, DerivError)>), DerivError> {
    let mut out = GreekColumns::default();
    let n = options.checked_len()?;
    for c in out.columns() {
        c.reserve_exact(n);
        // Fresh columns of megabytes each: huge pages cut the first-touch page faults.
        advise_huge_pages(c);
    }
    let errors = greek_columns_into(options, &mut out)?;
    Ok((out, errors))
}

/// [`greek_columns`] into a caller's columns, replacing their contents and reusing their
/// memory (nothing is allocated per call once they are large enough, but the error
/// list). Written for throughput: blocks of valid options go through the SIMD kernel
/// (module `lanes`) with contiguous loads and stores, the rest one by one; every value
/// is written once; chunks in parallel on rayon's threads.
pub fn greek_columns_into(
    options: &OptionColumns,
    out: &mut GreekColumns,
) -> Result<Vec<(usize, DerivError)>, DerivError> {
    let n = options.checked_len()?;
    let isa = Isa::detect();
    let mut spare = out.columns().map(|c| {
        c.clear();
        c.reserve(n);
        &mut c.spare_capacity_mut()[..n]
    });
    if rayon::current_num_threads() == 1 {
        isa.fill(options, &mut spare);
    } else {
        const CHUNK: usize = 4096;
        let [price, delta, gamma, vega, theta, rho] = spare;
        (
            price.par_chunks_mut(CHUNK),
            delta.par_chunks_mut(CHUNK),
            gamma.par_chunks_mut(CHUNK),
            vega.par_chunks_mut(CHUNK),
            theta.par_chunks_mut(CHUNK),
            rho.par_chunks_mut(CHUNK),
        )
            .into_par_iter()
            .enumerate()
            .for_each(|(k, (price, delta, gamma, vega, theta, rho))| {
                let start = k * CHUNK;
                let rows = options.rows(start..start + price.len());
                isa.fill(&rows, &mut [price, delta, gamma, vega, theta, rho]);
            });
    }
    for c in out.columns() {
        // SAFETY: `fill` wrote every one of the first `n` slots of each column (one
        // value per option: kernel blocks, then the rest one by one).
        unsafe { c.set_len(n) };
    }
    // Invalid options are exactly the NaN prices whose inputs fail validation.
    Ok(out
        .price
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_nan())
        .filter_map(|(i, _)| options.option(i).validate().err().map(|e| (i, e)))
        .collect())
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

    fn options() -> Vec<European> {
        // 27 options: three full blocks of eight and a partial one, two invalid.
        (0..27)
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
            .collect()
    }

    #[test]
    fn columns_agree_with_the_scalar_formulas_and_name_invalid_rows() {
        let options = options();
        let owned: OptionData = options.iter().copied().collect();
        let (cols, errors) = greek_columns(&owned.columns()).unwrap();
        assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec![9, 20]);
        assert!(matches!(
            errors[0].1,
            DerivError::Parameter {
                parameter: "expiry",
                ..
            }
        ));
        for (i, o) in options.iter().enumerate() {
            let got = [
                cols.price[i],
                cols.delta[i],
                cols.gamma[i],
                cols.vega[i],
                cols.theta[i],
                cols.rho[i],
            ];
            if !o.is_valid() {
                assert!(got.iter().all(|v| v.is_nan()), "row {i}");
                continue;
            }
            let g = o.greeks_unchecked();
            let want = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
            for k in 0..6 {
                let tol = 1e-12 * want[k].abs().max(1.0);
                assert!((got[k] - want[k]).abs() < tol, "row {i} {k}");
            }
        }
    }

    #[test]
    fn reused_columns_and_threads_give_the_same_values() {
        let options = options();
        let owned: OptionData = options.iter().copied().collect();
        let (fresh, _) = greek_columns(&owned.columns()).unwrap();
        // A buffer holding more rows than this batch is cut to the batch.
        let mut reused = GreekColumns {
            price: vec![7.0; 100],
            ..GreekColumns::default()
        };
        let errors = greek_columns_into(&owned.columns(), &mut reused).unwrap();
        assert_eq!(errors.len(), 2);
        assert_eq!(format!("{fresh:?}"), format!("{reused:?}"));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let many: Vec<European> = options.iter().cycle().take(10_000).copied().collect();
        let owned: OptionData = many.iter().copied().collect();
        let (one, _) = greek_columns(&owned.columns()).unwrap();
        let (two, errors) = pool.install(|| greek_columns(&owned.columns()).unwrap());
        assert_eq!(errors.len(), 10_000 / 27 * 2 + 1);
        assert_eq!(format!("{one:?}"), format!("{two:?}"));
    }

    #[test]
    fn columns_of_different_lengths_are_refused_by_name() {
        let options = options();
        let owned: OptionData = options.iter().copied().collect();
        let mut view = owned.columns();
        view.rate = &view.rate[..5];
        let e = greek_columns(&view).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid rate: column has 5 values, `kind` has 27"
        );
    }
}

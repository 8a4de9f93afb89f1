//! The batch kernel: price, delta, gamma, vega, theta and rho for `LANES` options at a
//! time, written once against a small vector interface ([`simd::Simd`]) without branches
//! or library calls, and compiled for the CPU found at run time ([`Isa`]): AVX-512
//! intrinsics, AVX2 and FMA intrinsics, or a portable version (arrays and loops) off
//! x86-64; an x86-64 CPU without AVX2 and FMA uses the scalar formulas. Its own `exp` and `ln` (range reduction plus polynomials, about one ulp)
//! and the normal distribution from Cody's rational approximations (the Cephes `ndtr`
//! coefficients, both sides of each split evaluated in every lane and selected) keep
//! agreement with QuantLib within 1e-10 (tested on the same fixture as the scalar path).
//!
//! An option costs four exponentials, one logarithm, one square root and four divisions
//! (`S / K`, the logarithm's, `1 / (S sigma sqrt T)` shared by `d1`, gamma and theta,
//! and one reciprocal shared by both normal distribution values).

// The published coefficients are kept digit for digit as printed.
#![allow(clippy::excessive_precision)]

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
pub mod simd;

use std::mem::MaybeUninit;

#[cfg(any(test, not(target_arch = "x86_64")))]
use simd::Portable;
use simd::Simd;

use crate::batch::OptionColumns;
use crate::bsm::OptionType;

/// Options per kernel call.
pub const LANES: usize = 8;

/// One value per lane.
pub type V = [f64; LANES];

const ROUNDER: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

/// `c[0] x^(n-1) + ... + c[n-1]` by Horner's rule.
#[inline(always)]
fn horner<S: Simd, const N: usize>(s: S, x: S::F, c: &[f64; N]) -> S::F {
    let mut p = s.splat(c[0]);
    for coefficient in &c[1..] {
        p = s.fma(p, x, s.splat(*coefficient));
    }
    p
}

/// Taylor coefficients of `e^r`, degree 13 first.
const EXP_TAYLOR: [f64; 14] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
    1.0,
    1.0,
];

/// `e^x`, branch-free: `x = k ln2 + r`, Taylor polynomial of degree 13 on
/// `|r| <= ln2 / 2`, then `2^k` through the exponent bits. Below -708 it returns 0.
#[inline(always)]
fn exp<S: Simd>(s: S, x: S::F) -> S::F {
    let xc = s.clamp(x, -708.0, 709.0);
    // Round to nearest by the 1.5 * 2^52 trick (no round instruction on baseline
    // x86-64); the sum's low mantissa bits then hold k as an integer.
    let shifted = s.add(
        s.mul(xc, s.splat(std::f64::consts::LOG2_E)),
        s.splat(ROUNDER),
    );
    let k = s.sub(shifted, s.splat(ROUNDER));
    let r = s.sub(
        s.sub(xc, s.mul(k, s.splat(LN2_HI))),
        s.mul(k, s.splat(LN2_LO)),
    );
    let value = s.mul(horner(s, r, &EXP_TAYLOR), s.pow2(shifted));
    s.select(s.lt(x, s.splat(-708.0)), s.splat(0.0), value)
}

/// `1/(2k+1)` for k = 11 down to 0: the series of `atanh(s) / s` in `s^2`.
const ATANH_SERIES: [f64; 12] = [
    1.0 / 23.0,
    1.0 / 21.0,
    1.0 / 19.0,
    1.0 / 17.0,
    1.0 / 15.0,
    1.0 / 13.0,
    1.0 / 11.0,
    1.0 / 9.0,
    1.0 / 7.0,
    1.0 / 5.0,
    1.0 / 3.0,
    1.0,
];

/// `ln x` for positive normal `x`, branch-free: `x = m 2^e` with `m` in
/// `[sqrt(1/2), sqrt(2))`, `ln m = 2 atanh((m - 1) / (m + 1))` as an odd series.
#[inline(always)]
fn ln<S: Simd>(s: S, x: S::F) -> S::F {
    let (field, m) = s.exponent_mantissa(x);
    let high = s.lt(s.splat(std::f64::consts::SQRT_2), m);
    let m = s.select(high, s.mul(s.splat(0.5), m), m);
    let e = s.add(
        s.sub(field, s.splat(1023.0)),
        s.select(high, s.splat(1.0), s.splat(0.0)),
    );
    let one = s.splat(1.0);
    let ratio = s.div(s.sub(m, one), s.add(m, one));
    let p = horner(s, s.mul(ratio, ratio), &ATANH_SERIES);
    s.add(
        s.mul(e, s.splat(LN2_HI)),
        s.add(
            s.mul(s.mul(s.splat(2.0), ratio), p),
            s.mul(e, s.splat(LN2_LO)),
        ),
    )
}

const T: [f64; 5] = [
    9.604_973_739_870_516_387_49e0,
    9.002_601_972_038_426_892_17e1,
    2.232_005_345_946_843_192_26e3,
    7.003_325_141_128_050_754_73e3,
    5.559_230_130_103_949_627_68e4,
];
const U: [f64; 5] = [
    3.356_171_416_475_030_996_47e1,
    5.213_579_497_801_526_797_95e2,
    4.594_323_829_709_801_279_87e3,
    2.262_900_006_138_909_342_46e4,
    4.926_739_426_086_359_210_86e4,
];
const P: [f64; 9] = [
    2.461_969_814_735_305_125_24e-10,
    5.641_895_648_310_688_219_77e-1,
    7.463_210_564_422_699_126_87e0,
    4.863_719_709_856_813_666_14e1,
    1.965_208_329_560_770_982_42e2,
    5.264_451_949_954_773_586_31e2,
    9.345_285_271_719_576_075_40e2,
    1.027_551_886_895_157_102_72e3,
    5.575_353_353_693_993_275_26e2,
];
const Q: [f64; 8] = [
    1.322_819_511_547_449_925_08e1,
    8.670_721_408_859_897_423_29e1,
    3.549_377_788_878_198_910_62e2,
    9.757_085_017_432_054_897_53e2,
    1.823_909_166_879_097_362_89e3,
    2.246_337_608_187_109_817_92e3,
    1.656_663_091_941_613_501_82e3,
    5.575_353_408_177_276_755_46e2,
];
const R: [f64; 6] = [
    5.641_895_835_477_550_739_84e-1,
    1.275_366_707_599_781_044_16e0,
    5.019_050_422_511_804_774_14e0,
    6.160_210_979_930_535_851_95e0,
    7.409_742_699_504_489_391_60e0,
    2.978_866_653_721_002_406_70e0,
];
const S: [f64; 6] = [
    2.260_528_632_201_172_765_90e0,
    9.396_035_249_380_014_346_73e0,
    1.204_895_398_080_966_566_05e1,
    1.708_144_507_475_658_972_22e1,
    9.608_968_090_632_858_781_98e0,
    3.369_076_451_000_815_160_50e0,
];

#[inline(always)]
fn polevl<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut a = c[0];
    for v in &c[1..] {
        a = a.mul_add(x, *v);
    }
    a
}

#[inline(always)]
fn p1evl<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut a = x + c[0];
    for v in &c[1..] {
        a = a.mul_add(x, *v);
    }
    a
}

/// The central (`|z| < 1`, in `w = z^2`) and middle (`1 <= z < 8`, in `z`) rationals
/// padded to one shape (leading zeros), so each lane picks its coefficients and one
/// rational serves both: numerators `T` / `P`, monic denominators `U` / `Q`.
const NUM: [[f64; 9]; 2] = [[0.0, 0.0, 0.0, 0.0, T[0], T[1], T[2], T[3], T[4]], P];
const DEN: [[f64; 9]; 2] = [
    [0.0, 0.0, 0.0, 1.0, U[0], U[1], U[2], U[3], U[4]],
    [1.0, Q[0], Q[1], Q[2], Q[3], Q[4], Q[5], Q[6], Q[7]],
];

/// Cody's rational for `N(x)`, central or middle chosen per lane by coefficient
/// selection: `(numerator, denominator, z = |x| / sqrt 2, central lanes)`.
#[inline(always)]
fn rational<S: Simd>(s: S, x: S::F) -> (S::F, S::F, S::F, S::M) {
    let z = s.mul(s.abs(x), s.splat(std::f64::consts::FRAC_1_SQRT_2));
    let central = s.lt(z, s.splat(1.0));
    let var = s.select(central, s.mul(z, z), z);
    let (mut num, mut den) = (s.splat(0.0), s.splat(0.0));
    for j in 0..9 {
        num = s.fma(
            num,
            var,
            s.select(central, s.splat(NUM[0][j]), s.splat(NUM[1][j])),
        );
        den = s.fma(
            den,
            var,
            s.select(central, s.splat(DEN[0][j]), s.splat(DEN[1][j])),
        );
    }
    (num, den, z, central)
}

/// `N(x)` from `gauss = exp(-x^2 / 2)` and the value of [`rational`] (`ratio`); the
/// far tail (`z >= 8`, `|x| > 11.3`) only when a lane needs it.
#[inline(always)]
fn cdf_from<S: Simd>(s: S, x: S::F, gauss: S::F, ratio: S::F, z: S::F, central: S::M) -> S::F {
    let half = s.splat(0.5);
    let tail = s.mul(s.mul(half, gauss), ratio);
    let outer = s.select(s.lt(s.splat(0.0), x), s.sub(s.splat(1.0), tail), tail);
    let inner = s.add(
        half,
        s.mul(
            s.mul(half, s.mul(x, s.splat(std::f64::consts::FRAC_1_SQRT_2))),
            ratio,
        ),
    );
    let out = s.select(central, inner, outer);
    let far = s.le(s.splat(8.0), z);
    if !s.any(far) {
        return out;
    }
    let (x, z, g) = (s.store(x), s.store(z), s.store(gauss));
    let mut out = s.store(out);
    for i in 0..LANES {
        if z[i] >= 8.0 {
            let tail = 0.5 * g[i] * polevl(z[i], &R) / p1evl(z[i], &S);
            out[i] = if x[i] > 0.0 { 1.0 - tail } else { tail };
        }
    }
    s.load_slice(&out)
}

/// `N(x)` given `gauss = exp(-x^2 / 2)`.
#[cfg(test)]
fn cdf<S: Simd>(s: S, x: S::F, gauss: S::F) -> S::F {
    let (num, den, z, central) = rational(s, x);
    cdf_from(s, x, gauss, s.div(num, den), z, central)
}

/// `N(a)` and `N(b)` given `exp(-a^2 / 2)` and `exp(-b^2 / 2)`, sharing one division.
#[inline(always)]
fn cdf_pair<S: Simd>(s: S, a: S::F, gauss_a: S::F, b: S::F, gauss_b: S::F) -> (S::F, S::F) {
    let (num_a, den_a, z_a, central_a) = rational(s, a);
    let (num_b, den_b, z_b, central_b) = rational(s, b);
    // Denominators lie in [1, 2e7]: their product neither overflows nor underflows.
    let inverse = s.div(s.splat(1.0), s.mul(den_a, den_b));
    let ratio_a = s.mul(s.mul(num_a, den_b), inverse);
    let ratio_b = s.mul(s.mul(num_b, den_a), inverse);
    (
        cdf_from(s, a, gauss_a, ratio_a, z_a, central_a),
        cdf_from(s, b, gauss_b, ratio_b, z_b, central_b),
    )
}

const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// `LANES` options' inputs as vectors.
struct Lanes<F> {
    sign: F,
    spot: F,
    strike: F,
    expiry: F,
    vol: F,
    rate: F,
    dividend: F,
}

/// Options `start..start + LANES` of `options` (contiguous loads; the caller checked
/// the range).
#[inline(always)]
fn load<S: Simd>(s: S, options: &OptionColumns, start: usize) -> Lanes<S::F> {
    let lanes = |c: &[f64]| s.load_slice(&c[start..start + LANES]);
    let mut sign = [0.0; LANES];
    for (sign, kind) in sign.iter_mut().zip(&options.kind[start..start + LANES]) {
        *sign = match kind {
            OptionType::Call => 1.0,
            OptionType::Put => -1.0,
        };
    }
    Lanes {
        sign: s.load_slice(&sign),
        spot: lanes(options.spot),
        strike: lanes(options.strike),
        expiry: lanes(options.expiry),
        vol: lanes(options.vol),
        rate: lanes(options.rate),
        dividend: lanes(options.dividend),
    }
}

/// True when every lane passes [`European::is_valid`].
#[inline(always)]
fn all_valid<S: Simd>(s: S, x: &Lanes<S::F>) -> bool {
    let (zero, inf) = (s.splat(0.0), s.splat(f64::INFINITY));
    let positive = |v| s.and(s.lt(zero, v), s.lt(v, inf));
    let finite = |v| s.lt(s.abs(v), inf);
    s.all(s.and(
        s.and(
            s.and(positive(x.spot), positive(x.strike)),
            s.and(positive(x.expiry), positive(x.vol)),
        ),
        s.and(finite(x.rate), finite(x.dividend)),
    ))
}

/// The kernel compiled for the best instruction set of the running CPU.
#[derive(Clone, Copy, Debug)]
pub enum Isa {
    /// AVX-512 intrinsics (eight doubles per instruction).
    #[cfg(target_arch = "x86_64")]
    Avx512(avx512::Avx512),
    /// AVX2 and FMA intrinsics (two registers of four doubles).
    #[cfg(target_arch = "x86_64")]
    Avx2Fma(avx2::Avx2),
    /// The portable kernel for the build's baseline target.
    Baseline,
}

impl Isa {
    /// The best the running CPU supports.
    pub fn detect() -> Isa {
        Isa::all_supported()[0]
    }

    /// Every variant this CPU runs, best first (for tests that compare them).
    pub fn all_supported() -> Vec<Isa> {
        let mut out = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if let Some(token) = avx512::Avx512::detect() {
                out.push(Isa::Avx512(token));
            }
            if let Some(token) = avx2::Avx2::detect() {
                out.push(Isa::Avx2Fma(token));
            }
        }
        out.push(Isa::Baseline);
        out
    }

    /// Writes price, delta, gamma, vega, theta (per year) and rho of every option into
    /// the six outputs (one slot per option, `NaN`s for an invalid one): blocks of
    /// valid options through the kernel, the rest by the scalar formulas.
    pub(crate) fn fill(self, options: &OptionColumns, out: &mut Outputs) {
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the token exists only when the CPU has AVX-512F and FMA.
            Isa::Avx512(token) => unsafe { fill_avx512(token, options, out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the token exists only when the CPU has AVX2 and FMA.
            Isa::Avx2Fma(token) => unsafe { fill_avx2(token, options, out) },
            // Without fused multiply-add hardware (x86-64 before AVX2) `mul_add` is a
            // slow library call: the scalar formulas are faster there.
            #[cfg(target_arch = "x86_64")]
            Isa::Baseline => scalar_rows(options, 0..options.kind.len(), out),
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Baseline => fill(Portable, options, out),
        }
    }
}

/// Six output columns, one uninitialised slot per option.
pub(crate) type Outputs<'a> = [&'a mut [MaybeUninit<f64>]; 6];

/// [`fill`] with AVX-512 intrinsics.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA (which the token proves).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn fill_avx512(token: avx512::Avx512, options: &OptionColumns, out: &mut Outputs) {
    fill(token, options, out)
}

/// [`fill`] with AVX2 and FMA intrinsics.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA (which the token proves).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fill_avx2(token: avx2::Avx2, options: &OptionColumns, out: &mut Outputs) {
    fill(token, options, out)
}

/// The block loop: kernel blocks of valid options, scalar rows for the rest.
#[inline(always)]
fn fill<S: Simd>(s: S, options: &OptionColumns, out: &mut Outputs) {
    let n = options.kind.len();
    let mut start = 0;
    while start + LANES <= n {
        let x = load(s, options, start);
        if all_valid(s, &x) {
            for (column, value) in out.iter_mut().zip(greeks(s, &x)) {
                s.store_uninit(value, &mut column[start..start + LANES]);
            }
        } else {
            scalar_rows(options, start..start + LANES, out);
        }
        start += LANES;
    }
    scalar_rows(options, start..n, out);
}

/// Rows `range` one by one by the scalar formulas (`NaN` for an invalid option).
fn scalar_rows(options: &OptionColumns, range: std::ops::Range<usize>, out: &mut Outputs) {
    for i in range {
        let o = options.option(i);
        let row = if o.is_valid() {
            let g = o.greeks_unchecked();
            [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho]
        } else {
            [f64::NAN; 6]
        };
        for (column, v) in out.iter_mut().zip(row) {
            column[i].write(v);
        }
    }
}

/// Price, delta, gamma, vega, theta (per year) and rho, each for `LANES` valid options.
#[inline(always)]
fn greeks<S: Simd>(s: S, x: &Lanes<S::F>) -> [S::F; 6] {
    let (spot, k, t, v, r, q, sign) = (
        x.spot, x.strike, x.expiry, x.vol, x.rate, x.dividend, x.sign,
    );
    let sqrt_t = s.sqrt(t);
    let sd = s.mul(v, sqrt_t);
    // One division serves d1, gamma and theta: 1 / (S sigma sqrt T).
    let inv_ssd = s.div(s.splat(1.0), s.mul(spot, sd));
    let ln_sk = ln(s, s.div(spot, k));
    let drift = s.add(s.sub(r, q), s.mul(s.mul(s.splat(0.5), v), v));
    let d1 = s.mul(s.add(ln_sk, s.mul(drift, t)), s.mul(spot, inv_ssd));
    let d2 = s.sub(d1, sd);
    let minus_t = s.sub(s.splat(0.0), t);
    let dq = exp(s, s.mul(q, minus_t));
    let dr = exp(s, s.mul(r, minus_t));
    let minus_half = s.splat(-0.5);
    let g1 = exp(s, s.mul(s.mul(minus_half, d1), d1));
    let g2 = exp(s, s.mul(s.mul(minus_half, d2), d2));
    let fwd = s.mul(spot, dq);
    let strike_df = s.mul(k, dr);
    // Calls need N(d1), N(d2); puts N(-d1), N(-d2): one evaluation each with the sign.
    let (n1, n2) = cdf_pair(s, s.mul(sign, d1), g1, s.mul(sign, d2), g2);
    let pdf = s.mul(s.splat(INV_SQRT_2PI), g1);
    let fwd_pdf = s.mul(fwd, pdf);
    let carry = s.sub(s.mul(s.mul(r, strike_df), n2), s.mul(s.mul(q, fwd), n1));
    // S e^{-qT} n(d1) sigma / (2 sqrt T), with sigma / sqrt T = sigma^2 S / (S sigma sqrt T).
    let decay = s.mul(
        s.mul(s.mul(s.splat(0.5), fwd_pdf), s.mul(v, v)),
        s.mul(spot, inv_ssd),
    );
    [
        s.mul(sign, s.sub(s.mul(fwd, n1), s.mul(strike_df, n2))),
        s.mul(s.mul(sign, dq), n1),
        s.mul(s.mul(dq, pdf), inv_ssd),
        s.mul(fwd_pdf, sqrt_t),
        s.sub(s.sub(s.splat(0.0), decay), s.mul(sign, carry)),
        s.mul(s.mul(s.mul(sign, t), strike_df), n2),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_ln_are_within_a_few_ulps() {
        let mut worst_exp: f64 = 0.0;
        let mut worst_ln: f64 = 0.0;
        let mut x = -700.0;
        while x < 700.0 {
            let got = exp(Portable, [x; LANES])[0];
            worst_exp = worst_exp.max(((got - x.exp()) / x.exp()).abs());
            x += 0.137;
        }
        let mut y = 1e-300;
        while y < 1e300 {
            let got = ln(Portable, [y; LANES])[0];
            let want = y.ln();
            worst_ln = worst_ln.max((got - want).abs() / want.abs().max(1.0));
            y *= 1.37;
        }
        assert!(worst_exp < 1e-15, "exp {worst_exp:e}");
        assert!(worst_ln < 1e-15, "ln {worst_ln:e}");
        assert_eq!(exp(Portable, [-800.0; LANES])[0], 0.0);
    }

    #[test]
    fn every_instruction_set_matches_the_scalar_formulas() {
        // Random options over wide ranges (deep in and out of the money, so the far
        // tail of N runs too), with invalid ones scattered in blocks.
        use proptest::prelude::Rng;
        let mut rng = proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        );
        let mut u = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let options: crate::batch::OptionData = (0..4_003)
            .map(|i| crate::European {
                kind: if u() < 0.5 {
                    OptionType::Call
                } else {
                    OptionType::Put
                },
                spot: 100.0,
                strike: 100.0 * (3.5 * (u() - 0.5)).exp(),
                expiry: if i % 997 == 3 {
                    0.0
                } else {
                    1.0 / 365.0 + 10.0 * u() * u()
                },
                vol: if i % 1009 == 5 {
                    f64::NAN
                } else {
                    0.05 + 1.45 * u()
                },
                rate: 0.08 * u(),
                dividend: 0.05 * u(),
            })
            .collect();
        let columns = options.columns();
        let n = options.kind.len();
        let mut far = 0;
        // Every instruction set this CPU has, and the portable kernel itself (which
        // x86-64's baseline does not use).
        let runs = Isa::all_supported().into_iter().map(Some).chain([None]);
        for isa in runs {
            let mut cols: Vec<Vec<MaybeUninit<f64>>> =
                (0..6).map(|_| vec![MaybeUninit::uninit(); n]).collect();
            let [a, b, c, d, e, f] = &mut cols[..] else {
                unreachable!()
            };
            match isa {
                Some(isa) => isa.fill(&columns, &mut [a, b, c, d, e, f]),
                None => fill(Portable, &columns, &mut [a, b, c, d, e, f]),
            }
            for i in 0..n {
                let o = columns.option(i);
                // SAFETY: `fill` wrote every slot.
                let got: Vec<f64> = cols.iter().map(|c| unsafe { c[i].assume_init() }).collect();
                if !o.is_valid() {
                    assert!(got.iter().all(|v| v.is_nan()), "{isa:?} row {i}");
                    continue;
                }
                let g = o.greeks_unchecked();
                let want = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
                let d1 = ((o.spot / o.strike).ln()
                    + (o.rate - o.dividend + 0.5 * o.vol * o.vol) * o.expiry)
                    / (o.vol * o.expiry.sqrt());
                far += usize::from(d1.abs() > 11.4);
                for k in 0..6 {
                    let scale = want[k].abs().max(1e-9 * o.spot);
                    assert!(
                        (got[k] - want[k]).abs() <= 1e-10 * scale,
                        "{isa:?} row {i} value {k}: {} vs {}",
                        got[k],
                        want[k]
                    );
                }
            }
        }
        assert!(far > 0, "no option reached the far tail");
    }

    #[test]
    fn cdf_agrees_with_erfc() {
        let mut worst: f64 = 0.0;
        let mut x = -37.0;
        while x <= 37.0 {
            let want = 0.5 * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2);
            let got = cdf(Portable, [x; LANES], [(-0.5 * x * x).exp(); LANES])[0];
            if want > 1e-300 {
                let tolerance = if x.abs() <= 10.0 { 2e-14 } else { 5e-13 };
                let e = ((got - want) / want).abs();
                assert!(e < tolerance, "x = {x}: {e:e}");
                worst = worst.max(e);
            }
            x += 0.001_3;
        }
        assert!(worst > 0.0);
    }
}

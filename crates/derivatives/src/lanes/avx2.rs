//! The kernel's vector operations as AVX2 and FMA instructions: two registers of four
//! doubles per vector of eight.

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;
use std::mem::MaybeUninit;

use super::simd::Simd;
use super::V;

/// Proof that the CPU runs AVX2 and FMA: only [`Avx2::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// `Some` when this CPU has AVX2 and FMA.
    pub fn detect() -> Option<Avx2> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Avx2(()))
    }
}

/// Eight doubles (or eight lane masks) as two halves.
#[derive(Clone, Copy, Debug)]
pub struct Pair(__m256d, __m256d);

// SAFETY (every method): an `Avx2` exists only when the CPU has AVX2 and FMA
// (`Avx2::detect`), and the loads and stores go through eight doubles the slices were
// checked to hold. The methods are inlined into the kernel compiled with those features.
impl Simd for Avx2 {
    type F = Pair;
    type M = Pair;

    #[inline(always)]
    fn load_slice(self, v: &[f64]) -> Pair {
        let v = &v[..8];
        unsafe {
            Pair(
                _mm256_loadu_pd(v.as_ptr()),
                _mm256_loadu_pd(v[4..].as_ptr()),
            )
        }
    }
    #[inline(always)]
    fn store(self, f: Pair) -> V {
        let mut out = [0.0; 8];
        unsafe {
            _mm256_storeu_pd(out.as_mut_ptr(), f.0);
            _mm256_storeu_pd(out[4..].as_mut_ptr(), f.1);
        }
        out
    }
    #[inline(always)]
    fn store_uninit(self, f: Pair, out: &mut [MaybeUninit<f64>]) {
        let out = &mut out[..8];
        unsafe {
            _mm256_storeu_pd(out.as_mut_ptr().cast::<f64>(), f.0);
            _mm256_storeu_pd(out[4..].as_mut_ptr().cast::<f64>(), f.1);
        }
    }
    #[inline(always)]
    fn splat(self, x: f64) -> Pair {
        unsafe { Pair(_mm256_set1_pd(x), _mm256_set1_pd(x)) }
    }
    #[inline(always)]
    fn add(self, a: Pair, b: Pair) -> Pair {
        unsafe { Pair(_mm256_add_pd(a.0, b.0), _mm256_add_pd(a.1, b.1)) }
    }
    #[inline(always)]
    fn sub(self, a: Pair, b: Pair) -> Pair {
        unsafe { Pair(_mm256_sub_pd(a.0, b.0), _mm256_sub_pd(a.1, b.1)) }
    }
    #[inline(always)]
    fn mul(self, a: Pair, b: Pair) -> Pair {
        unsafe { Pair(_mm256_mul_pd(a.0, b.0), _mm256_mul_pd(a.1, b.1)) }
    }
    #[inline(always)]
    fn div(self, a: Pair, b: Pair) -> Pair {
        unsafe { Pair(_mm256_div_pd(a.0, b.0), _mm256_div_pd(a.1, b.1)) }
    }
    #[inline(always)]
    fn fma(self, a: Pair, b: Pair, c: Pair) -> Pair {
        unsafe {
            Pair(
                _mm256_fmadd_pd(a.0, b.0, c.0),
                _mm256_fmadd_pd(a.1, b.1, c.1),
            )
        }
    }
    #[inline(always)]
    fn sqrt(self, a: Pair) -> Pair {
        unsafe { Pair(_mm256_sqrt_pd(a.0), _mm256_sqrt_pd(a.1)) }
    }
    #[inline(always)]
    fn abs(self, a: Pair) -> Pair {
        unsafe {
            let sign = _mm256_set1_pd(-0.0);
            Pair(_mm256_andnot_pd(sign, a.0), _mm256_andnot_pd(sign, a.1))
        }
    }
    #[inline(always)]
    fn clamp(self, a: Pair, lo: f64, hi: f64) -> Pair {
        unsafe {
            let (lo, hi) = (_mm256_set1_pd(lo), _mm256_set1_pd(hi));
            Pair(
                _mm256_min_pd(_mm256_max_pd(a.0, lo), hi),
                _mm256_min_pd(_mm256_max_pd(a.1, lo), hi),
            )
        }
    }
    #[inline(always)]
    fn lt(self, a: Pair, b: Pair) -> Pair {
        unsafe {
            Pair(
                _mm256_cmp_pd::<_CMP_LT_OQ>(a.0, b.0),
                _mm256_cmp_pd::<_CMP_LT_OQ>(a.1, b.1),
            )
        }
    }
    #[inline(always)]
    fn le(self, a: Pair, b: Pair) -> Pair {
        unsafe {
            Pair(
                _mm256_cmp_pd::<_CMP_LE_OQ>(a.0, b.0),
                _mm256_cmp_pd::<_CMP_LE_OQ>(a.1, b.1),
            )
        }
    }
    #[inline(always)]
    fn select(self, m: Pair, a: Pair, b: Pair) -> Pair {
        unsafe {
            Pair(
                _mm256_blendv_pd(b.0, a.0, m.0),
                _mm256_blendv_pd(b.1, a.1, m.1),
            )
        }
    }
    #[inline(always)]
    fn any(self, m: Pair) -> bool {
        unsafe { (_mm256_movemask_pd(m.0) | _mm256_movemask_pd(m.1)) != 0 }
    }
    #[inline(always)]
    fn all(self, m: Pair) -> bool {
        unsafe { (_mm256_movemask_pd(m.0) & _mm256_movemask_pd(m.1)) == 0xf }
    }
    #[inline(always)]
    fn and(self, a: Pair, b: Pair) -> Pair {
        unsafe { Pair(_mm256_and_pd(a.0, b.0), _mm256_and_pd(a.1, b.1)) }
    }
    #[inline(always)]
    fn pow2(self, shifted: Pair) -> Pair {
        Pair(pow2_half(shifted.0), pow2_half(shifted.1))
    }
    #[inline(always)]
    fn exponent_mantissa(self, x: Pair) -> (Pair, Pair) {
        let (f0, m0) = exponent_mantissa_half(x.0);
        let (f1, m1) = exponent_mantissa_half(x.1);
        (Pair(f0, f1), Pair(m0, m1))
    }
}

// Helpers as functions, not closures: a closure is its own function without the
// target features, and the intrinsics inside it would not inline.

/// `2^k` for four lanes (see [`Simd::pow2`]).
#[inline(always)]
fn pow2_half(x: __m256d) -> __m256d {
    // SAFETY: called only from `Avx2`'s methods (the CPU has AVX2).
    unsafe {
        let bits = _mm256_add_epi64(_mm256_castpd_si256(x), _mm256_set1_epi64x(1023));
        _mm256_castsi256_pd(_mm256_slli_epi64::<52>(bits))
    }
}

/// Exponent field and mantissa for four lanes (see [`Simd::exponent_mantissa`]).
#[inline(always)]
fn exponent_mantissa_half(x: __m256d) -> (__m256d, __m256d) {
    // SAFETY: called only from `Avx2`'s methods (the CPU has AVX2).
    unsafe {
        let bits = _mm256_castpd_si256(x);
        let field = _mm256_or_si256(
            _mm256_and_si256(_mm256_srli_epi64::<52>(bits), _mm256_set1_epi64x(0x7ff)),
            _mm256_set1_epi64x(0x4330_0000_0000_0000),
        );
        let field = _mm256_sub_pd(
            _mm256_castsi256_pd(field),
            _mm256_set1_pd(4_503_599_627_370_496.0),
        );
        let mantissa = _mm256_or_si256(
            _mm256_and_si256(bits, _mm256_set1_epi64x(0x000f_ffff_ffff_ffff)),
            _mm256_set1_epi64x(0x3ff0_0000_0000_0000),
        );
        (field, _mm256_castsi256_pd(mantissa))
    }
}

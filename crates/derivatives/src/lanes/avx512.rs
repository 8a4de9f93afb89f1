//! The kernel's vector operations as AVX-512 instructions: eight doubles per register.

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;
use std::mem::MaybeUninit;

use super::simd::Simd;
use super::V;

/// Proof that the CPU runs AVX-512F and FMA: only [`Avx512::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub struct Avx512(());

impl Avx512 {
    /// `Some` when this CPU has AVX-512F and FMA.
    pub fn detect() -> Option<Avx512> {
        (is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma"))
            .then_some(Avx512(()))
    }
}

// SAFETY (every method): an `Avx512` exists only when the CPU has AVX-512F and FMA
// (`Avx512::detect`), and the loads and stores go through whole arrays of eight doubles.
// The methods are inlined into the kernel compiled with those features.
impl Simd for Avx512 {
    type F = __m512d;
    type M = __mmask8;

    #[inline(always)]
    fn load_slice(self, v: &[f64]) -> __m512d {
        let v = &v[..8];
        unsafe { _mm512_loadu_pd(v.as_ptr()) }
    }
    #[inline(always)]
    fn store_uninit(self, f: __m512d, out: &mut [MaybeUninit<f64>]) {
        let out = &mut out[..8];
        unsafe { _mm512_storeu_pd(out.as_mut_ptr().cast::<f64>(), f) }
    }
    #[inline(always)]
    fn store(self, f: __m512d) -> V {
        let mut out = [0.0; 8];
        unsafe { _mm512_storeu_pd(out.as_mut_ptr(), f) };
        out
    }
    #[inline(always)]
    fn splat(self, x: f64) -> __m512d {
        unsafe { _mm512_set1_pd(x) }
    }
    #[inline(always)]
    fn add(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_add_pd(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_mul_pd(a, b) }
    }
    #[inline(always)]
    fn div(self, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_div_pd(a, b) }
    }
    #[inline(always)]
    fn fma(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        unsafe { _mm512_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn sqrt(self, a: __m512d) -> __m512d {
        unsafe { _mm512_sqrt_pd(a) }
    }
    #[inline(always)]
    fn abs(self, a: __m512d) -> __m512d {
        unsafe { _mm512_abs_pd(a) }
    }
    #[inline(always)]
    fn clamp(self, a: __m512d, lo: f64, hi: f64) -> __m512d {
        unsafe { _mm512_min_pd(_mm512_max_pd(a, _mm512_set1_pd(lo)), _mm512_set1_pd(hi)) }
    }
    #[inline(always)]
    fn lt(self, a: __m512d, b: __m512d) -> __mmask8 {
        unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b) }
    }
    #[inline(always)]
    fn le(self, a: __m512d, b: __m512d) -> __mmask8 {
        unsafe { _mm512_cmp_pd_mask::<_CMP_LE_OQ>(a, b) }
    }
    #[inline(always)]
    fn select(self, m: __mmask8, a: __m512d, b: __m512d) -> __m512d {
        unsafe { _mm512_mask_blend_pd(m, b, a) }
    }
    #[inline(always)]
    fn any(self, m: __mmask8) -> bool {
        m != 0
    }
    #[inline(always)]
    fn all(self, m: __mmask8) -> bool {
        m == 0xff
    }
    #[inline(always)]
    fn and(self, a: __mmask8, b: __mmask8) -> __mmask8 {
        a & b
    }
    #[inline(always)]
    fn pow2(self, shifted: __m512d) -> __m512d {
        unsafe {
            let bits = _mm512_add_epi64(_mm512_castpd_si512(shifted), _mm512_set1_epi64(1023));
            _mm512_castsi512_pd(_mm512_slli_epi64::<52>(bits))
        }
    }
    #[inline(always)]
    fn exponent_mantissa(self, x: __m512d) -> (__m512d, __m512d) {
        unsafe {
            let bits = _mm512_castpd_si512(x);
            let field = _mm512_or_si512(
                _mm512_and_si512(_mm512_srli_epi64::<52>(bits), _mm512_set1_epi64(0x7ff)),
                _mm512_set1_epi64(0x4330_0000_0000_0000),
            );
            let field = _mm512_sub_pd(
                _mm512_castsi512_pd(field),
                _mm512_set1_pd(4_503_599_627_370_496.0),
            );
            let mantissa = _mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi64(0x000f_ffff_ffff_ffff)),
                _mm512_set1_epi64(0x3ff0_0000_0000_0000),
            );
            (field, _mm512_castsi512_pd(mantissa))
        }
    }
}

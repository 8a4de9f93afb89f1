//! The vector operations the kernel is written in, and their portable implementation
//! (`LANES` doubles as an array, one loop per operation, which compilers vectorise for
//! whatever instruction set the calling function is compiled for; used off x86-64, and
//! tested everywhere).

use std::mem::MaybeUninit;

#[cfg(any(test, not(target_arch = "x86_64")))]
use super::LANES;
use super::V;

/// Vectors of `LANES` doubles and the operations the kernel needs. A value of an
/// implementing type is a proof that the CPU runs its instructions.
pub trait Simd: Copy {
    /// A vector of `LANES` doubles.
    type F: Copy;
    /// A lane mask.
    type M: Copy;

    /// Loads the first `LANES` values of a slice (which must hold that many).
    fn load_slice(self, v: &[f64]) -> Self::F;
    /// Stores into an array.
    fn store(self, f: Self::F) -> V;
    /// Stores into the first `LANES` slots of a slice (which must hold that many).
    fn store_uninit(self, f: Self::F, out: &mut [MaybeUninit<f64>]);
    /// `x` in every lane.
    fn splat(self, x: f64) -> Self::F;
    /// `a + b`.
    fn add(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a - b`.
    fn sub(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a * b`.
    fn mul(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a / b`.
    fn div(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a * b + c` rounded once.
    fn fma(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// Square root.
    fn sqrt(self, a: Self::F) -> Self::F;
    /// `|a|`.
    fn abs(self, a: Self::F) -> Self::F;
    /// `a` limited to `[lo, hi]`.
    fn clamp(self, a: Self::F, lo: f64, hi: f64) -> Self::F;
    /// `a < b` per lane.
    fn lt(self, a: Self::F, b: Self::F) -> Self::M;
    /// `a <= b` per lane.
    fn le(self, a: Self::F, b: Self::F) -> Self::M;
    /// `m ? a : b` per lane.
    fn select(self, m: Self::M, a: Self::F, b: Self::F) -> Self::F;
    /// True when any lane of `m` is set.
    fn any(self, m: Self::M) -> bool;
    /// True when every lane of `m` is set.
    fn all(self, m: Self::M) -> bool;
    /// Lanes set in both masks.
    fn and(self, a: Self::M, b: Self::M) -> Self::M;
    /// `2^k` where `shifted = k + 1.5 * 2^52` holds the integer `k` in its low mantissa
    /// bits (the rounding trick of `exp`).
    fn pow2(self, shifted: Self::F) -> Self::F;
    /// The biased exponent field of `x` as a double, and its mantissa scaled to `[1, 2)`.
    fn exponent_mantissa(self, x: Self::F) -> (Self::F, Self::F);
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// `[f(0), ..., f(LANES - 1)]` as a plain loop (which inlines and vectorises under
/// every profile, where `std::array::from_fn` may stay a call).
#[inline(always)]
fn map(f: impl Fn(usize) -> f64) -> V {
    let mut out = [0.0; LANES];
    for (i, o) in out.iter_mut().enumerate() {
        *o = f(i);
    }
    out
}

/// Arrays and plain loops: runs everywhere (the kernel off x86-64, where the baseline
/// has no fused multiply-add hardware and the scalar formulas serve instead).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[derive(Clone, Copy, Debug)]
pub struct Portable;

#[cfg(any(test, not(target_arch = "x86_64")))]
const TWO_52: f64 = 4_503_599_627_370_496.0;

#[cfg(any(test, not(target_arch = "x86_64")))]
impl Simd for Portable {
    type F = V;
    type M = [bool; LANES];

    #[inline(always)]
    fn load_slice(self, v: &[f64]) -> V {
        let mut out = [0.0; LANES];
        out.copy_from_slice(&v[..LANES]);
        out
    }
    #[inline(always)]
    fn store(self, f: V) -> V {
        f
    }
    #[inline(always)]
    fn store_uninit(self, f: V, out: &mut [MaybeUninit<f64>]) {
        for (slot, v) in out[..LANES].iter_mut().zip(f) {
            slot.write(v);
        }
    }
    #[inline(always)]
    fn splat(self, x: f64) -> V {
        [x; LANES]
    }
    #[inline(always)]
    fn add(self, a: V, b: V) -> V {
        map(|i| a[i] + b[i])
    }
    #[inline(always)]
    fn sub(self, a: V, b: V) -> V {
        map(|i| a[i] - b[i])
    }
    #[inline(always)]
    fn mul(self, a: V, b: V) -> V {
        map(|i| a[i] * b[i])
    }
    #[inline(always)]
    fn div(self, a: V, b: V) -> V {
        map(|i| a[i] / b[i])
    }
    #[inline(always)]
    fn fma(self, a: V, b: V, c: V) -> V {
        map(|i| a[i].mul_add(b[i], c[i]))
    }
    #[inline(always)]
    fn sqrt(self, a: V) -> V {
        map(|i| a[i].sqrt())
    }
    #[inline(always)]
    fn abs(self, a: V) -> V {
        map(|i| a[i].abs())
    }
    #[inline(always)]
    fn clamp(self, a: V, lo: f64, hi: f64) -> V {
        map(|i| a[i].clamp(lo, hi))
    }
    #[inline(always)]
    fn lt(self, a: V, b: V) -> [bool; LANES] {
        let mut m = [false; LANES];
        for i in 0..LANES {
            m[i] = a[i] < b[i];
        }
        m
    }
    #[inline(always)]
    fn le(self, a: V, b: V) -> [bool; LANES] {
        let mut m = [false; LANES];
        for i in 0..LANES {
            m[i] = a[i] <= b[i];
        }
        m
    }
    #[inline(always)]
    fn select(self, m: [bool; LANES], a: V, b: V) -> V {
        map(|i| if m[i] { a[i] } else { b[i] })
    }
    #[inline(always)]
    fn any(self, m: [bool; LANES]) -> bool {
        m.iter().fold(false, |acc, b| acc | b)
    }
    #[inline(always)]
    fn all(self, m: [bool; LANES]) -> bool {
        m.iter().fold(true, |acc, b| acc & b)
    }
    #[inline(always)]
    fn and(self, a: [bool; LANES], b: [bool; LANES]) -> [bool; LANES] {
        let mut m = [false; LANES];
        for i in 0..LANES {
            m[i] = a[i] & b[i];
        }
        m
    }
    #[inline(always)]
    fn pow2(self, shifted: V) -> V {
        map(|i| f64::from_bits(shifted[i].to_bits().wrapping_add(1023) << 52))
    }
    #[inline(always)]
    fn exponent_mantissa(self, x: V) -> (V, V) {
        // The exponent field as a float without an integer conversion: 2^52 + field.
        let field = map(|i| {
            f64::from_bits(0x4330_0000_0000_0000 | ((x[i].to_bits() >> 52) & 0x7ff)) - TWO_52
        });
        let mantissa = map(|i| {
            f64::from_bits((x[i].to_bits() & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
        });
        (field, mantissa)
    }
}

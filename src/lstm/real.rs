//! The numbers under the network: a branch-free, vectorisable `exp` for f32 (accurate to a
//! few ulp), the logistic and tanh built on it, and the small `Real` trait that lets the
//! trainer run in f32 (fast) or f64 (for the gradient check) from one source.
//!
//! Pure functions: any thread, including the audio thread.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop, clippy::excessive_precision, clippy::manual_clamp)]

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// `e^x` for f32 without branches or table look-ups, so LLVM vectorises loops that call it.
///
/// Cephes' `expf` scheme: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and
/// 2^n built in the exponent bits. Relative error below 2e-7 over the clamped range; inputs
/// are clamped to [−87, 88] (so the result is a normal float) and NaN becomes e^−87.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2^23: adding it rounds to an integer that lands in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    // max/min rather than clamp: they map NaN to a bound instead of passing it on.
    let x = x.max(-87.0).min(88.0);
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    // Estrin's scheme rather than Horner's: the same polynomial in half the dependent steps
    // (the real-time step is latency-bound).
    let r2 = r * r;
    let r4 = r2 * r2;
    let a = 5.000_000_1e-1 + 1.666_666_5e-1 * r;
    let b = 4.166_579_6e-2 + 8.333_452e-3 * r;
    let c = 1.398_199_9e-3 + 1.987_569_1e-4 * r;
    let p = (a + b * r2) + c * r4;
    let er = p * r2 + (r + 1.0);
    // n sits in the low bits of t's mantissa; n + 127 shifted into place is 2^n.
    let n_int = t.to_bits().wrapping_sub(MAGIC.to_bits());
    let scale = f32::from_bits(n_int.wrapping_add(127) << 23);
    er * scale
}

/// The logistic function 1 / (1 + e^−x) in f32, vectorisable.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-x))
}

/// tanh in f32, vectorisable: sign(x)·(1 − e^−2|x|)/(1 + e^−2|x|). Absolute error below 2e-7.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let e = exp_f32(-2.0 * x.abs());
    ((1.0 - e) / (1.0 + e)).copysign(x)
}

/// Natural log for positive, finite f32, branch-free (Cephes' `logf`); relative error below
/// 3e-7. Used for the loss, which is summed over every unit of every step.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let bits = x.to_bits();
    // Mantissa in [0.5, 1) and the matching exponent.
    let e = ((bits >> 23) & 0xFF) as i32 - 126;
    let m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F00_0000);
    // Shift m into [sqrt(1/2), sqrt(2)) so m − 1 is small.
    let low = m < SQRT_HALF;
    let e = (e - i32::from(low)) as f32;
    let m = if low { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let p = 7.037_683_6e-2_f32;
    let p = p * m - 1.151_461e-1;
    let p = p * m + 1.167_699_9e-1;
    let p = p * m - 1.242_014_1e-1;
    let p = p * m + 1.424_932_3e-1;
    let p = p * m - 1.666_805_8e-1;
    let p = p * m + 2.000_071_5e-1;
    let p = p * m - 2.499_999_4e-1;
    let p = p * m + 3.333_333_1e-1;
    let y = p * m * z - 2.121_944_4e-4 * e - 0.5 * z;
    m + y + 0.693_359_4 * e
}

/// σ of 8 values in place. Written over a fixed-size array so LLVM turns it into vector
/// code (one AVX register) wherever it is inlined.
#[inline(always)]
pub fn sigmoid8(x: &mut [f32; 8]) {
    for l in 0..8 {
        x[l] = sigmoid_f32(x[l]);
    }
}

/// tanh of 8 values in place (see `sigmoid8`).
#[inline(always)]
pub fn tanh8(x: &mut [f32; 8]) {
    for l in 0..8 {
        x[l] = tanh_f32(x[l]);
    }
}

/// ln of 8 values in place (see `sigmoid8`).
#[inline(always)]
pub fn ln8(x: &mut [f32; 8]) {
    for l in 0..8 {
        x[l] = ln_f32(x[l]);
    }
}

/// A float the trainer can run in: f32 for speed, f64 for the gradient check.
pub trait Real:
    Copy
    + Debug
    + Default
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Send
    + Sync
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    fn from_f32(x: f32) -> Self;
    fn from_f64(x: f64) -> Self;
    fn to_f32(self) -> f32;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn sigmoid(self) -> Self;
    fn tanh(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;

    /// σ of 8 values in place (f32 overrides these with code written to vectorise).
    #[inline(always)]
    fn sigmoid_lanes(x: &mut [Self; 8]) {
        for v in x.iter_mut() {
            *v = v.sigmoid();
        }
    }

    /// tanh of 8 values in place.
    #[inline(always)]
    fn tanh_lanes(x: &mut [Self; 8]) {
        for v in x.iter_mut() {
            *v = v.tanh();
        }
    }

    /// ln of 8 values in place.
    #[inline(always)]
    fn ln_lanes(x: &mut [Self; 8]) {
        for v in x.iter_mut() {
            *v = v.ln();
        }
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        exp_f32(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        sigmoid_f32(self)
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        tanh_f32(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        ln_f32(self)
    }
    #[inline(always)]
    fn sigmoid_lanes(x: &mut [f32; 8]) {
        sigmoid8(x);
    }
    #[inline(always)]
    fn tanh_lanes(x: &mut [f32; 8]) {
        tanh8(x);
    }
    #[inline(always)]
    fn ln_lanes(x: &mut [f32; 8]) {
        ln8(x);
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        f64::from(x)
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        1.0 / (1.0 + (-self).exp())
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_accurate_to_a_few_ulp() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let exact = f64::from(x).exp();
            let rel = ((f64::from(exp_f32(x)) - exact) / exact).abs();
            worst = worst.max(rel);
            x += 0.001_37;
        }
        assert!(worst < 2e-7, "worst relative error {worst}");
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f32(f32::NAN).is_finite());
        assert!(exp_f32(1000.0).is_finite() && exp_f32(-1000.0) > 0.0);
    }

    #[test]
    fn fast_ln_is_accurate() {
        let mut worst = 0.0f64;
        let mut x = 1e-30f32;
        while x < 1e30 {
            let exact = f64::from(x).ln();
            let err = (f64::from(ln_f32(x)) - exact).abs() / exact.abs().max(1.0);
            worst = worst.max(err);
            x *= 1.0123;
        }
        assert!(worst < 3e-7, "worst error {worst}");
        assert_eq!(ln_f32(1.0), 0.0);
    }

    #[test]
    fn sigmoid_and_tanh_match_f64() {
        let mut x = -40.0f32;
        while x < 40.0 {
            let s = f64::from(x).to_owned();
            let sig = 1.0 / (1.0 + (-s).exp());
            assert!((f64::from(sigmoid_f32(x)) - sig).abs() < 2e-7, "sigmoid({x})");
            assert!((f64::from(tanh_f32(x)) - s.tanh()).abs() < 3e-7, "tanh({x})");
            x += 0.0173;
        }
        assert_eq!(tanh_f32(0.0), 0.0);
        assert!(sigmoid_f32(f32::NAN).is_finite());
    }
}

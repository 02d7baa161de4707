//! Eight floats at a time for the real-time step: one small trait, written once as portable
//! code over `[f32; 8]` (which LLVM vectorises where it can) and once over AVX2 + FMA
//! registers, so `network` states its algorithm a single time and runs it on either.
//!
//! The AVX2 vector type is private to this file: the only way to run code on it is
//! [`Cpu::run`], and a [`Cpu`] that says AVX2 exists only where the CPU was checked for it. So
//! no safe code can execute an AVX2 instruction on a CPU without it.
//!
//! Pure arithmetic, no state: any thread, including the audio thread.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

/// A vector of eight f32 stored on a 32-byte boundary, so a load never straddles two cache
/// lines.
#[repr(C, align(32))]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lane8(pub [f32; 8]);

/// Floats per [`Lane8`].
pub const WIDTH: usize = 8;

/// The operations the step needs. `mul_add` may round once (fused) or twice: callers must not
/// depend on the difference, which stays within an ulp per operation.
pub trait F32x8: Copy {
    fn load(a: &Lane8) -> Self;
    fn store(self, a: &mut Lane8);
    /// Load from and store to plain arrays (any alignment): the caller's frames.
    fn load_array(a: &[f32; WIDTH]) -> Self;
    fn store_array(self, a: &mut [f32; WIDTH]);
    fn splat(v: f32) -> Self;
    fn add(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn min(self, b: Self) -> Self;
    /// self · b + c.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// Bit l set where lane l is not 0.0 (NaN counts as not 0).
    fn nonzero_bits(self) -> u32;
    /// 0 where |lane| < [`TINY`] (and for NaN), the lane itself elsewhere.
    fn flush_tiny(self) -> Self;
}

/// Below this a value counts as 0 in the step. Arithmetic that makes or takes subnormal
/// floats runs many times slower on most CPUs (the command line runs without the
/// flush-to-zero mode hosts' audio threads use), and nothing this small changes a note.
/// Weights (when the network is built) and the recurrent state (cell states and outputs,
/// every step) are flushed, so products of the two are at least 1e-36, a normal float, and no
/// subnormal can settle in the state; only an exact near-cancellation can still make one,
/// for one operation of one step.
pub const TINY: f32 = 1e-18;

/// The clamp and coefficients of [`tanh`]: tanh(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 9.5 (beyond it
/// tanh is 1 to within 1.2e-8). Fitted for this project by `scripts/fit_tanh.py` (weighted
/// least squares iterated towards minimax); evaluated in f32 the absolute error stays below
/// 3.6e-7 everywhere.
const TANH_CLAMP: f32 = 9.5;
const TANH_P: [f32; 5] = [0.999_999_8, 0.133_393_3, 3.446_671_4e-3, 1.982_829_2e-5, 1.231_965e-8];
const TANH_Q: [f32; 5] = [1.0, 0.466_726_06, 2.568_933_4e-2, 3.206_674_3e-4, 7.342_925_4e-7];

/// tanh per lane as one rational function: 15 vector operations and a short dependency
/// chain, where exp-based forms take more (the real-time step is made of these). NaN becomes
/// −1 (max/min pass the bound), so the result is always finite.
#[inline(always)]
pub fn tanh<V: F32x8>(x: V) -> V {
    // The fit overshoots 1 by up to 1e-7 near the clamp: keep the result a true tanh's range.
    tanh_inner(x).max(V::splat(-1.0)).min(V::splat(1.0))
}

/// [`tanh`] without its final bound: within 1.2e-7 of ±1 at worst, and two operations fewer.
/// For the gates and cells inside the step, where a 1e-7 overshoot changes nothing; outputs
/// that leave the network take the bounded one.
#[inline(always)]
pub fn tanh_inner<V: F32x8>(x: V) -> V {
    let s = V::splat;
    let x = x.max(s(-TANH_CLAMP)).min(s(TANH_CLAMP));
    let x2 = x.mul(x);
    let p = x2.mul_add(s(TANH_P[4]), s(TANH_P[3]));
    let q = x2.mul_add(s(TANH_Q[4]), s(TANH_Q[3]));
    let p = x2.mul_add(p, s(TANH_P[2]));
    let q = x2.mul_add(q, s(TANH_Q[2]));
    let p = x2.mul_add(p, s(TANH_P[1]));
    let q = x2.mul_add(q, s(TANH_Q[1]));
    let p = x2.mul_add(p, s(TANH_P[0]));
    let q = x2.mul_add(q, s(TANH_Q[0]));
    x.mul(p).div(q)
}

/// The logistic σ(x) of a lane holding x/2: σ(x) = (1 + tanh(x/2)) / 2. The network stores
/// its gate and output rows halved, so this is all a σ costs beyond the tanh.
#[inline(always)]
pub fn sigmoid_of_half<V: F32x8>(half_x: V) -> V {
    tanh(half_x).mul_add(V::splat(0.5), V::splat(0.5))
}

/// [`sigmoid_of_half`] on [`tanh_inner`]: for the gates.
#[inline(always)]
pub fn sigmoid_of_half_inner<V: F32x8>(half_x: V) -> V {
    tanh_inner(half_x).mul_add(V::splat(0.5), V::splat(0.5))
}

/// The portable vector: plain arrays, vectorised by LLVM for whatever the build targets.
#[derive(Clone, Copy, Debug)]
pub struct Portable([f32; WIDTH]);

impl Portable {
    #[inline(always)]
    fn map2(self, b: Self, f: impl Fn(f32, f32) -> f32) -> Self {
        let mut out = [0.0; WIDTH];
        for l in 0..WIDTH {
            out[l] = f(self.0[l], b.0[l]);
        }
        Self(out)
    }
}

impl F32x8 for Portable {
    #[inline(always)]
    fn load(a: &Lane8) -> Self {
        Self(a.0)
    }
    #[inline(always)]
    fn store(self, a: &mut Lane8) {
        a.0 = self.0;
    }
    #[inline(always)]
    fn load_array(a: &[f32; WIDTH]) -> Self {
        Self(*a)
    }
    #[inline(always)]
    fn store_array(self, a: &mut [f32; WIDTH]) {
        *a = self.0;
    }
    #[inline(always)]
    fn splat(v: f32) -> Self {
        Self([v; WIDTH])
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        self.map2(b, |x, y| x + y)
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self.map2(b, |x, y| x * y)
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        self.map2(b, |x, y| x / y)
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        self.map2(b, f32::max)
    }
    #[inline(always)]
    fn min(self, b: Self) -> Self {
        self.map2(b, f32::min)
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // Unfused: without FMA in the build, a fused f32::mul_add would be a libm call.
        self.mul(b).add(c)
    }
    #[inline(always)]
    fn nonzero_bits(self) -> u32 {
        let mut bits = 0;
        for l in 0..WIDTH {
            bits |= u32::from(self.0[l] != 0.0) << l;
        }
        bits
    }
    #[inline(always)]
    fn flush_tiny(self) -> Self {
        let mut out = [0.0; WIDTH];
        for l in 0..WIDTH {
            out[l] = if self.0[l].abs() >= TINY { self.0[l] } else { 0.0 };
        }
        Self(out)
    }
}

/// Work written once over [`F32x8`]: [`Cpu::run`] runs it on the best vectors there are.
pub trait VectorWork {
    type Output;
    fn run<V: F32x8>(self) -> Self::Output;
}

/// What the CPU offers the step: AVX2 and FMA, or the portable vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Only ever true after the CPU was checked (the field is private).
    avx2: bool,
}

impl Cpu {
    /// This CPU, checked (cheap; done when a network is built, never per step).
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = false;
        Self { avx2 }
    }

    /// The portable vectors, whatever the CPU (tests compare the two).
    pub fn portable() -> Self {
        Self { avx2: false }
    }

    pub fn has_avx2(&self) -> bool {
        self.avx2
    }

    /// Runs `work` on AVX2 + FMA registers where the CPU has them, else on portable vectors.
    #[inline(always)]
    pub fn run<W: VectorWork>(self, work: W) -> W::Output {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only when `detect` found AVX2 and FMA on this CPU.
            return unsafe { run_avx2(work) };
        }
        work.run::<Portable>()
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2<W: VectorWork>(work: W) -> W::Output {
    work.run::<Avx2>()
}

/// AVX2 + FMA registers. Private: code runs on it only through `Cpu::run` (module docs).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
struct Avx2(std::arch::x86_64::__m256);

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Avx2, F32x8, Lane8, TINY, WIDTH};
    use std::arch::x86_64::*;

    // The `unsafe` blocks below are sound because `Avx2` values only exist inside `run_avx2`
    // (compiled with AVX2 and FMA), called only after a CPU check (`Cpu::run`); the loads and
    // stores go through `Lane8`, 32-byte aligned and 8 floats long.
    impl F32x8 for Avx2 {
        #[inline(always)]
        fn load(a: &Lane8) -> Self {
            Self(unsafe { _mm256_load_ps(a.0.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, a: &mut Lane8) {
            unsafe { _mm256_store_ps(a.0.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn load_array(a: &[f32; WIDTH]) -> Self {
            Self(unsafe { _mm256_loadu_ps(a.as_ptr()) })
        }
        #[inline(always)]
        fn store_array(self, a: &mut [f32; WIDTH]) {
            unsafe { _mm256_storeu_ps(a.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn splat(v: f32) -> Self {
            Self(unsafe { _mm256_set1_ps(v) })
        }
        #[inline(always)]
        fn add(self, b: Self) -> Self {
            Self(unsafe { _mm256_add_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            Self(unsafe { _mm256_mul_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn div(self, b: Self) -> Self {
            Self(unsafe { _mm256_div_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn max(self, b: Self) -> Self {
            // maxps returns the second operand when either is NaN: the bound, as in `exp`.
            Self(unsafe { _mm256_max_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn min(self, b: Self) -> Self {
            Self(unsafe { _mm256_min_ps(self.0, b.0) })
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            Self(unsafe { _mm256_fmadd_ps(self.0, b.0, c.0) })
        }
        #[inline(always)]
        fn nonzero_bits(self) -> u32 {
            unsafe { _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_NEQ_UQ>(self.0, _mm256_setzero_ps())) as u32 }
        }
        #[inline(always)]
        fn flush_tiny(self) -> Self {
            unsafe {
                let abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0);
                Self(_mm256_and_ps(self.0, _mm256_cmp_ps::<_CMP_GE_OQ>(abs, _mm256_set1_ps(TINY))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes_of(f: impl Fn(usize) -> f32) -> Lane8 {
        Lane8(std::array::from_fn(f))
    }

    /// Both backends: tanh and σ within their stated error of the exact values, NaN and
    /// extremes included; the zero mask exact.
    fn check<V: F32x8>() {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, 9.49, -9.51, 0.0, -0.0, 1e-30];
        let mut inputs: Vec<f32> = (-40_000..=40_000).map(|i| i as f32 * 0.0005).collect();
        inputs.extend(specials);
        for chunk in inputs.chunks(WIDTH) {
            let x = lanes_of(|l| chunk.get(l).copied().unwrap_or(0.0));
            let v = V::load(&x);
            let (mut s, mut t) = (Lane8::default(), Lane8::default());
            sigmoid_of_half(v.mul(V::splat(0.5))).store(&mut s);
            tanh(v).store(&mut t);
            for l in 0..WIDTH {
                let xi = x.0[l];
                let (want_t, want_s) = if xi.is_nan() {
                    (-1.0, 0.0)
                } else {
                    let x = f64::from(xi);
                    (x.tanh(), 1.0 / (1.0 + (-x).exp()))
                };
                assert!((f64::from(t.0[l]) - want_t).abs() <= 3.6e-7, "tanh({xi}) = {}", t.0[l]);
                assert!((f64::from(s.0[l]) - want_s).abs() <= 2.4e-7, "σ({xi}) = {}", s.0[l]);
                assert!((-1.0..=1.0).contains(&t.0[l]) && (0.0..=1.0).contains(&s.0[l]));
            }
            let bits = v.nonzero_bits();
            for l in 0..WIDTH {
                assert_eq!(bits & (1 << l) != 0, x.0[l] != 0.0);
            }
        }
    }

    #[test]
    fn portable_matches_the_scalar_math() {
        check::<Portable>();
    }

    struct Check;
    impl VectorWork for Check {
        type Output = ();
        fn run<V: F32x8>(self) {
            check::<V>();
        }
    }

    #[test]
    fn the_best_vectors_of_this_cpu_match_the_scalar_math() {
        Cpu::detect().run(Check);
    }
}

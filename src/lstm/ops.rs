//! The building blocks of the LSTM's training pass, each `*_forward` beside its
//! `*_backward` (llm.c style): the linear layers, the gate nonlinearities, the cell, and the
//! logistic outputs with their cross-entropy. Every value is a `Lanes<R>` (one per sequence
//! of a lock-step chunk), so every loop is 8-wide vector code. Trainer thread.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::layout::Group;
use super::real::Real;
use super::topology::GATES;

/// Sequences trained in lock-step: one AVX register of f32 holds one value of each.
pub const SEQUENCES: usize = 8;

/// One value per sequence of a lock-step chunk.
pub type Lanes<R> = [R; SEQUENCES];

/// Rows (or columns) handled together by the matrix kernels: four independent accumulators
/// hide the latency of the adds, and each loaded input vector serves four of them.
const BLOCK: usize = 4;

/// out (rows) = W (rows, cols) · inp (cols). Columns that are 0 in every lane are skipped
/// (`active` is scratch for their indices): frame units are 0/1 and mostly 0, and the chord
/// units agree across sequences.
#[inline(always)]
pub(crate) fn linear_forward<R: Real>(w: &[R], inp: &[Lanes<R>], out: &mut [Lanes<R>], active: &mut [usize]) {
    let cols = inp.len();
    let mut n = 0;
    for (k, x) in inp.iter().enumerate() {
        if x.iter().any(|&v| v != R::ZERO) {
            active[n] = k;
            n += 1;
        }
    }
    let active = &active[..n];
    let mut outs = out.chunks_exact_mut(BLOCK);
    let mut ws = w.chunks_exact(BLOCK * cols);
    for (o, w_rows) in (&mut outs).zip(&mut ws) {
        let mut acc = [[R::ZERO; SEQUENCES]; BLOCK];
        for &k in active {
            let x = &inp[k];
            for (j, a) in acc.iter_mut().enumerate() {
                let wk = w_rows[j * cols + k];
                for l in 0..SEQUENCES {
                    a[l] += wk * x[l];
                }
            }
        }
        o.copy_from_slice(&acc);
    }
    for (o, w_row) in outs.into_remainder().iter_mut().zip(ws.remainder().chunks_exact(cols)) {
        let mut acc = [R::ZERO; SEQUENCES];
        for &k in active {
            for l in 0..SEQUENCES {
                acc[l] += w_row[k] * inp[k][l];
            }
        }
        *o = acc;
    }
}

/// din[j] += Σ_r W[r, lo + j] · dout[r]: the gradient reaching the columns `lo..`.
#[inline(always)]
pub(crate) fn linear_backward_input<R: Real>(w: &[R], cols: usize, dout: &[Lanes<R>], lo: usize, din: &mut [Lanes<R>]) {
    let mut dins = din.chunks_exact_mut(BLOCK);
    let mut at = lo;
    for di in &mut dins {
        let mut acc = [[R::ZERO; SEQUENCES]; BLOCK];
        acc.copy_from_slice(di);
        for (w_row, d) in w.chunks_exact(cols).zip(dout) {
            for (j, a) in acc.iter_mut().enumerate() {
                let wk = w_row[at + j];
                for l in 0..SEQUENCES {
                    a[l] += wk * d[l];
                }
            }
        }
        di.copy_from_slice(&acc);
        at += BLOCK;
    }
    for di in dins.into_remainder() {
        let mut acc = *di;
        for (w_row, d) in w.chunks_exact(cols).zip(dout) {
            for l in 0..SEQUENCES {
                acc[l] += w_row[at] * d[l];
            }
        }
        *di = acc;
        at += 1;
    }
}

/// dW[r, k] += Σ_t Σ_lanes dout(t)[r] · inp(t)[k] over a whole sequence: `inp` is
/// (T, cols), `dout` (T, rows).
#[inline(always)]
pub(crate) fn linear_backward_weights<R: Real>(
    dw: &mut [R],
    inp: &[Lanes<R>],
    dout: &[Lanes<R>],
    rows: usize,
    cols: usize,
) {
    let lane_sum = |a: &Lanes<R>| a.iter().fold(R::ZERO, |s, &v| s + v);
    for (r, dw_row) in dw.chunks_exact_mut(cols).enumerate() {
        let mut dws = dw_row.chunks_exact_mut(BLOCK);
        let mut k0 = 0;
        for dw4 in &mut dws {
            let mut acc = [[R::ZERO; SEQUENCES]; BLOCK];
            for (x, d) in inp.chunks_exact(cols).zip(dout.chunks_exact(rows)) {
                let d = &d[r];
                for (j, a) in acc.iter_mut().enumerate() {
                    let x = &x[k0 + j];
                    for l in 0..SEQUENCES {
                        a[l] += d[l] * x[l];
                    }
                }
            }
            for (g, a) in dw4.iter_mut().zip(&acc) {
                *g += lane_sum(a);
            }
            k0 += BLOCK;
        }
        for (j, g) in dws.into_remainder().iter_mut().enumerate() {
            let mut acc = [R::ZERO; SEQUENCES];
            for (x, d) in inp.chunks_exact(cols).zip(dout.chunks_exact(rows)) {
                for l in 0..SEQUENCES {
                    acc[l] += d[r][l] * x[k0 + j][l];
                }
            }
            *g += lane_sum(&acc);
        }
    }
}

/// Gate nonlinearities in place: σ on the 3·B gate rows, tanh on the cell-input rows.
#[inline(always)]
pub(crate) fn gates_forward<R: Real>(blocks: usize, a: &mut [Lanes<R>]) {
    let (gates, cell_in) = a.split_at_mut(GATES * blocks);
    for v in gates {
        R::sigmoid_lanes(v);
    }
    for v in cell_in {
        R::tanh_lanes(v);
    }
}

/// da (w.r.t. activations) → dz (w.r.t. pre-activations), in place over `a`.
#[inline(always)]
pub(crate) fn gates_backward<R: Real>(blocks: usize, a: &mut [Lanes<R>], da: &[Lanes<R>]) {
    let n = GATES * blocks;
    for (y, d) in a.iter_mut().zip(da).take(n) {
        for l in 0..SEQUENCES {
            y[l] = d[l] * y[l] * (R::ONE - y[l]);
        }
    }
    for (y, d) in a.iter_mut().zip(da).skip(n) {
        for l in 0..SEQUENCES {
            y[l] = d[l] * (R::ONE - y[l] * y[l]);
        }
    }
}

/// c = f ⊙ c_prev + i ⊙ g; tc = tanh(c); h = o ⊙ tc, with i, f, o shared by a block's cells.
#[inline(always)]
pub(crate) fn cell_forward<R: Real>(
    g: &Group,
    a: &[Lanes<R>],
    c_prev: &[Lanes<R>],
    c: &mut [Lanes<R>],
    tc: &mut [Lanes<R>],
    h: &mut [Lanes<R>],
) {
    let (bn, n) = (g.blocks, g.cells_per_block);
    for b in 0..bn {
        let (i, f, o) = (a[b], a[bn + b], a[2 * bn + b]);
        for k in b * n..(b + 1) * n {
            let gk = a[GATES * bn + k];
            for l in 0..SEQUENCES {
                c[k][l] = f[l] * c_prev[k][l] + i[l] * gk[l];
            }
            tc[k] = c[k];
            R::tanh_lanes(&mut tc[k]);
            for l in 0..SEQUENCES {
                h[k][l] = o[l] * tc[k][l];
            }
        }
    }
}

/// From dh (this step) and dc (carried from the next step) to da (w.r.t. the gate
/// activations, written over `da`); dc becomes the carry for the step before (dc ⊙ f).
#[inline(always)]
pub(crate) fn cell_backward<R: Real>(
    g: &Group,
    a: &[Lanes<R>],
    c_prev: &[Lanes<R>],
    tc: &[Lanes<R>],
    dh: &[Lanes<R>],
    dc: &mut [Lanes<R>],
    da: &mut [Lanes<R>],
) {
    let (bn, n) = (g.blocks, g.cells_per_block);
    for b in 0..bn {
        let (i, f, o) = (a[b], a[bn + b], a[2 * bn + b]);
        let (mut di, mut df, mut d_o) = ([R::ZERO; SEQUENCES], [R::ZERO; SEQUENCES], [R::ZERO; SEQUENCES]);
        for k in b * n..(b + 1) * n {
            let gk = a[GATES * bn + k];
            for l in 0..SEQUENCES {
                d_o[l] += dh[k][l] * tc[k][l];
                let dck = dc[k][l] + dh[k][l] * o[l] * (R::ONE - tc[k][l] * tc[k][l]);
                di[l] += dck * gk[l];
                df[l] += dck * c_prev[k][l];
                da[GATES * bn + k][l] = dck * i[l];
                dc[k][l] = dck * f[l];
            }
        }
        da[b] = di;
        da[bn + b] = df;
        da[2 * bn + b] = d_o;
    }
}

/// Logistic outputs in place from logits; `ce` receives each unit's cross-entropy against
/// the target, CE = −t ln y − (1 − t) ln(1 − y) = (1 − t)·z − ln y (one log, no exp).
/// Logits are first held to ±80, where y is still a normal f32: below that y would be
/// subnormal, the fast log would read it as e^−87, and a confident 0 would score a negative
/// loss. The outputs move by under 1e-34.
#[inline(always)]
pub(crate) fn output_forward<R: Real>(y: &mut [Lanes<R>], target: &[Lanes<R>], ce: &mut [Lanes<R>]) {
    let limit = R::from_f32(LOGIT_LIMIT);
    for ((v, t), e) in y.iter_mut().zip(target).zip(ce.iter_mut()) {
        for x in v.iter_mut() {
            *x = if *x > limit {
                limit
            } else if *x < -limit {
                -limit
            } else {
                *x
            };
        }
        let z = *v;
        R::sigmoid_lanes(v);
        *e = *v;
        R::ln_lanes(e);
        for l in 0..SEQUENCES {
            e[l] = (R::ONE - t[l]) * z[l] - e[l];
        }
    }
}

/// The largest logit magnitude the loss reads (see [`output_forward`]).
const LOGIT_LIMIT: f32 = 80.0;

/// y → dL/dlogit = (y − t) · weight, in place (weight: the loss scale of each sequence).
#[inline(always)]
pub(crate) fn output_backward<R: Real>(y: &mut [Lanes<R>], target: &[Lanes<R>], weight: &Lanes<R>) {
    for (v, t) in y.iter_mut().zip(target) {
        for l in 0..SEQUENCES {
            v[l] = (v[l] - t[l]) * weight[l];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::rng::Rng;

    /// A confident output scores a loss near 0 when right and a large positive one when
    /// wrong, never a negative one, however far its logit goes.
    #[test]
    fn confident_outputs_never_score_a_negative_loss() {
        for z in [-1000.0f32, -100.0, -87.5, -20.0, 0.0, 20.0, 100.0] {
            for t in [0.0f32, 1.0] {
                let mut y = vec![[z; SEQUENCES]];
                let mut ce = vec![[0.0f32; SEQUENCES]];
                output_forward(&mut y, &[[t; SEQUENCES]], &mut ce);
                // CE = softplus(z) − t·z, written so that no term overflows.
                let (z64, t64) = (f64::from(z), f64::from(t));
                let exact = z64.max(0.0) + (-z64.abs()).exp().ln_1p() - t64 * z64;
                let want = exact.min(f64::from(LOGIT_LIMIT));
                assert!(ce[0][0] >= 0.0, "z {z}, t {t}: loss {}", ce[0][0]);
                assert!((f64::from(ce[0][0]) - want).abs() < 1e-3, "z {z}, t {t}: loss {} want {want}", ce[0][0]);
            }
        }
    }

    /// The blocked, zero-skipping kernels against the plain sums they stand for, with row and
    /// column counts that leave remainders.
    #[test]
    fn linear_kernels_match_plain_sums() {
        let mut rng = Rng::new(1);
        let (rows, cols, steps) = (7, 6, 5);
        let w: Vec<f64> = (0..rows * cols).map(|_| f64::from(rng.uniform(-1.0, 1.0))).collect();
        let lanes = |rng: &mut Rng, zero: bool| -> Lanes<f64> {
            std::array::from_fn(|_| if zero { 0.0 } else { f64::from(rng.uniform(-1.0, 1.0)) })
        };
        // Column 2 is zero in every lane, so it is skipped.
        let inp: Vec<Lanes<f64>> = (0..steps * cols).map(|i| lanes(&mut rng, i % cols == 2)).collect();
        let dout: Vec<Lanes<f64>> = (0..steps * rows).map(|_| lanes(&mut rng, false)).collect();
        let mut out = vec![[0.0; SEQUENCES]; rows];
        let mut active = vec![0; cols];
        linear_forward(&w, &inp[..cols], &mut out, &mut active);
        for r in 0..rows {
            for l in 0..SEQUENCES {
                let sum: f64 = (0..cols).map(|k| w[r * cols + k] * inp[k][l]).sum();
                assert!((out[r][l] - sum).abs() < 1e-12);
            }
        }
        let mut din = vec![[0.5; SEQUENCES]; 5];
        linear_backward_input(&w, cols, &dout[..rows], 1, &mut din);
        for j in 0..5 {
            for l in 0..SEQUENCES {
                let sum: f64 = 0.5 + (0..rows).map(|r| w[r * cols + 1 + j] * dout[r][l]).sum::<f64>();
                assert!((din[j][l] - sum).abs() < 1e-12);
            }
        }
        let mut dw = vec![1.0; rows * cols];
        linear_backward_weights(&mut dw, &inp, &dout, rows, cols);
        for r in 0..rows {
            for k in 0..cols {
                let sum: f64 = 1.0
                    + (0..steps)
                        .flat_map(|t| (0..SEQUENCES).map(move |l| (t, l)))
                        .map(|(t, l)| dout[t * rows + r][l] * inp[t * cols + k][l])
                        .sum::<f64>();
                assert!((dw[r * cols + k] - sum).abs() < 1e-12, "dW[{r}, {k}]");
            }
        }
    }
}

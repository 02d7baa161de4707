//! The training forward pass and its exact gradient (backpropagation through time), written
//! plainly as `*_forward`/`*_backward` pairs side by side (llm.c style).
//!
//! Batch-major: [`LANES`] sequences run in lock-step, every activation is a `[R; LANES]` of
//! one value per sequence, so every operation is an 8-wide vector operation with no tails
//! and no reductions. Generic over [`Real`]: the trainer runs it in f32, the gradient check
//! in f64. Parameters, gradients and Adam moments share one flat layout ([`Layout`]): the
//! tensors of `Topology::tensors()` in turn, each row-major as in the model file. Trainer
//! thread.
//!
//! Per step t (input frame t, target frame t + 1), forward:
//!   for each group (chords, then melody):
//!     gin   = [x_group(t), h_rec(t−1), 1]                          gate inputs
//!     a     = W_gates · gin, then σ (i, f, o gates) / tanh (cell inputs g)
//!     c(t)  = f ⊙ c(t−1) + i ⊙ g;  h(t) = o ⊙ tanh(c(t))   (a block's cells share i, f, o)
//!   for each group: y = σ(W_out · [h_group(t), x_group(t), 1]);  loss += CE(y, target)
//! The building blocks (`*_forward`/`*_backward` pairs) are in `ops.rs`. Backward runs the
//! same calls in exactly the reverse order, propagating through the inputs; the weight gradients, Σ_t dz(t) ⊗ in(t), are then taken for the whole sequence at
//! once (`linear_backward_weights`), as llm.c's matmul backward does for all positions.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::math::Real;
use super::ops::{
    cell_backward, cell_forward, gates_backward, gates_forward, linear_backward_input, linear_backward_weights,
    linear_forward, output_backward, output_forward,
};
use super::topology::{TensorSpec, Topology};
use std::ops::Range;

/// Sequences processed in lock-step: one AVX register of f32.
pub const LANES: usize = 8;

/// One value per sequence of the chunk.
pub type Lanes<R> = [R; LANES];

/// Where each tensor lives in the flat parameter vector, and the two groups' dimensions.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub topology: Topology,
    /// The tensors, in `Topology::tensors()` order.
    pub specs: Vec<TensorSpec>,
    /// The range of each tensor in the flat vector (parallel to `specs`).
    pub ranges: Vec<Range<usize>>,
    /// Total parameters.
    pub len: usize,
    /// The chord group and, for Exp 2, the melody group.
    pub(crate) groups: Vec<Group>,
}

/// One group of blocks (chords or melody) with its inputs, cells and outputs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    /// First unit of the group in a frame, and how many units it has.
    pub x_off: usize,
    pub n_x: usize,
    pub blocks: usize,
    pub cells_per_block: usize,
    /// Cells of the group, and where they start in the combined cell vector [chord, melody].
    pub h: usize,
    pub h_off: usize,
    /// Recurrent inputs: the first `rec` entries of the combined cell vector.
    pub rec: usize,
    /// Gate rows (3 gates per block + one cell input per cell).
    pub rows: usize,
    /// Gate matrix columns: n_x + rec + 1.
    pub gate_cols: usize,
    /// Output matrix columns: h + n_x + 1.
    pub out_cols: usize,
    /// Ranges of the group's two tensors in the flat vector.
    pub gates: Range<usize>,
    pub out: Range<usize>,
}

impl Layout {
    pub fn new(topology: Topology) -> Self {
        let specs = topology.tensors();
        let mut ranges = Vec::new();
        let mut at = 0;
        for s in &specs {
            ranges.push(at..at + s.len());
            at += s.len();
        }
        let (hc, hm) = (topology.chord_cells(), topology.melody_cells());
        let mut groups = vec![Group {
            x_off: 0,
            n_x: topology.n_chord,
            blocks: topology.chord_blocks,
            cells_per_block: topology.cells_per_block,
            h: hc,
            h_off: 0,
            rec: hc,
            rows: specs[0].rows,
            gate_cols: specs[0].cols,
            out_cols: specs[1].cols,
            gates: ranges[0].clone(),
            out: ranges[1].clone(),
        }];
        if topology.has_melody() {
            groups.push(Group {
                x_off: topology.n_chord,
                n_x: topology.n_melody,
                blocks: topology.melody_blocks,
                cells_per_block: topology.cells_per_block,
                h: hm,
                h_off: hc,
                rec: hc + hm,
                rows: specs[2].rows,
                gate_cols: specs[2].cols,
                out_cols: specs[3].cols,
                gates: ranges[2].clone(),
                out: ranges[3].clone(),
            });
        }
        Self { topology, specs, ranges, len: at, groups }
    }

    /// Total cells (chord + melody).
    pub fn cells(&self) -> usize {
        self.topology.chord_cells() + self.topology.melody_cells()
    }
}

/// Activations of one chunk of [`LANES`] sequences, cached by the forward pass for the
/// backward pass, plus the backward scratch. Allocated once for the longest sequence.
/// Shapes in the comments; every element is a `Lanes<R>`.
pub struct Workspace<R> {
    /// Steps this workspace holds.
    capacity: usize,
    /// Per group: gate inputs (T, gate_cols); gate activations (T, rows), which the
    /// backward pass turns into pre-activation gradients in place; output inputs
    /// (T, out_cols); outputs y (T, n_x), which the backward pass turns into dL/dlogit.
    gin: Vec<Vec<Lanes<R>>>,
    act: Vec<Vec<Lanes<R>>>,
    oin: Vec<Vec<Lanes<R>>>,
    y: Vec<Vec<Lanes<R>>>,
    /// Cell states and cell outputs, all cells: (T + 1, cells); row 0 is the reset state.
    c: Vec<Lanes<R>>,
    h: Vec<Lanes<R>>,
    /// tanh of the cell states: (T, cells).
    tc: Vec<Lanes<R>>,
    /// Backward scratch: dL/dh for this step and the one before, dL/dc carried back (cells).
    dh: Vec<Lanes<R>>,
    dh_prev: Vec<Lanes<R>>,
    dc: Vec<Lanes<R>>,
    /// Gradients w.r.t. the gate activations of one step (widest group).
    da: Vec<Lanes<R>>,
    /// Per-unit losses of one step (widest group).
    ce: Vec<Lanes<R>>,
    /// Indices of the input columns that are non-zero in some lane (widest matrix).
    active: Vec<usize>,
}

impl<R: Real> Workspace<R> {
    pub fn new(layout: &Layout, capacity: usize) -> Self {
        let zero = [R::ZERO; LANES];
        let per_group = |f: &dyn Fn(&Group) -> usize| -> Vec<Vec<Lanes<R>>> {
            layout.groups.iter().map(|g| vec![zero; capacity * f(g)]).collect()
        };
        let cells = layout.cells();
        let widest = layout.groups.iter().map(|g| g.n_x).max().unwrap_or(0);
        let widest_rows = layout.groups.iter().map(|g| g.rows).max().unwrap_or(0);
        Self {
            capacity,
            gin: per_group(&|g| g.gate_cols),
            act: per_group(&|g| g.rows),
            oin: per_group(&|g| g.out_cols),
            y: per_group(&|g| g.n_x),
            c: vec![zero; (capacity + 1) * cells],
            h: vec![zero; (capacity + 1) * cells],
            tc: vec![zero; capacity * cells],
            dh: vec![zero; cells],
            dh_prev: vec![zero; cells],
            dc: vec![zero; cells],
            da: vec![zero; widest_rows],
            ce: vec![zero; widest],
            active: vec![0; layout.groups.iter().map(|g| g.gate_cols.max(g.out_cols)).max().unwrap_or(0)],
        }
    }

    /// Output unit `u` (chords first, then melody) of sequence `lane` at step `t`, after
    /// `forward` and before `backward`.
    pub fn output(&self, layout: &Layout, t: usize, u: usize, lane: usize) -> R {
        let gi = usize::from(u >= layout.topology.n_chord);
        let g = &layout.groups[gi];
        self.y[gi][t * g.n_x + u - g.x_off][lane]
    }
}

// ---------------------------------------------------------------------------------------
// The whole chunk of sequences.

/// Runs `steps` steps of [`LANES`] sequences from the reset state. `frames` is
/// (steps + 1, n_in) lanes: frame t is the input at step t and frame t + 1 its target.
/// Returns Σ over lanes of `weight[lane]` × (cross-entropy summed over units and steps).
#[inline(always)]
pub fn forward<R: Real>(
    layout: &Layout,
    params: &[R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
) -> f64 {
    assert!(steps <= ws.capacity, "sequence longer than the workspace");
    let n_in = layout.topology.n_in();
    let cells = layout.cells();
    assert!(frames.len() >= (steps + 1) * n_in, "too few frames");
    ws.c[..cells].fill([R::ZERO; LANES]);
    ws.h[..cells].fill([R::ZERO; LANES]);
    let mut loss = [R::ZERO; LANES];
    for t in 0..steps {
        let x = &frames[t * n_in..(t + 1) * n_in];
        let target = &frames[(t + 1) * n_in..(t + 2) * n_in];
        let (c_prev, c_next) = ws.c[t * cells..(t + 2) * cells].split_at_mut(cells);
        let (h_prev, h_next) = ws.h[t * cells..(t + 2) * cells].split_at_mut(cells);
        let tc = &mut ws.tc[t * cells..(t + 1) * cells];
        for (gi, g) in layout.groups.iter().enumerate() {
            let gin = &mut ws.gin[gi][t * g.gate_cols..(t + 1) * g.gate_cols];
            gin[..g.n_x].copy_from_slice(&x[g.x_off..g.x_off + g.n_x]);
            gin[g.n_x..g.n_x + g.rec].copy_from_slice(&h_prev[..g.rec]);
            gin[g.gate_cols - 1] = [R::ONE; LANES];
            let a = &mut ws.act[gi][t * g.rows..(t + 1) * g.rows];
            linear_forward(&params[g.gates.clone()], gin, a, &mut ws.active);
            gates_forward(g.blocks, a);
            let cg = g.h_off..g.h_off + g.h;
            cell_forward(g, a, &c_prev[cg.clone()], &mut c_next[cg.clone()], &mut tc[cg.clone()], &mut h_next[cg]);
        }
        for (gi, g) in layout.groups.iter().enumerate() {
            let oin = &mut ws.oin[gi][t * g.out_cols..(t + 1) * g.out_cols];
            oin[..g.h].copy_from_slice(&h_next[g.h_off..g.h_off + g.h]);
            oin[g.h..g.h + g.n_x].copy_from_slice(&x[g.x_off..g.x_off + g.n_x]);
            oin[g.out_cols - 1] = [R::ONE; LANES];
            let y = &mut ws.y[gi][t * g.n_x..(t + 1) * g.n_x];
            linear_forward(&params[g.out.clone()], oin, y, &mut ws.active);
            let ce = &mut ws.ce[..g.n_x];
            output_forward(y, &target[g.x_off..g.x_off + g.n_x], ce);
            for e in ce.iter() {
                for l in 0..LANES {
                    loss[l] += e[l];
                }
            }
        }
    }
    (0..LANES).map(|l| (loss[l] * weight[l]).to_f64()).sum()
}

/// Adds the gradient of the weighted loss of the last `forward` (same arguments) to
/// `grads` (callers zero them first). Exactly the reverse of `forward`, then the weight
/// gradients of the whole sequence.
#[inline(always)]
pub fn backward<R: Real>(
    layout: &Layout,
    params: &[R],
    grads: &mut [R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
) {
    let n_in = layout.topology.n_in();
    let cells = layout.cells();
    let zero = [R::ZERO; LANES];
    ws.dh.fill(zero);
    ws.dc.fill(zero);
    for t in (0..steps).rev() {
        let target = &frames[(t + 1) * n_in..(t + 2) * n_in];
        ws.dh_prev.fill(zero);
        for (gi, g) in layout.groups.iter().enumerate().rev() {
            let dy = &mut ws.y[gi][t * g.n_x..(t + 1) * g.n_x];
            output_backward(dy, &target[g.x_off..g.x_off + g.n_x], weight);
            let w = &params[g.out.clone()];
            linear_backward_input(w, g.out_cols, dy, 0, &mut ws.dh[g.h_off..g.h_off + g.h]);
        }
        let c_prev = &ws.c[t * cells..(t + 1) * cells];
        let tc = &ws.tc[t * cells..(t + 1) * cells];
        for (gi, g) in layout.groups.iter().enumerate().rev() {
            let a = &mut ws.act[gi][t * g.rows..(t + 1) * g.rows];
            let da = &mut ws.da[..g.rows];
            let cg = g.h_off..g.h_off + g.h;
            cell_backward(g, a, &c_prev[cg.clone()], &tc[cg.clone()], &ws.dh[cg.clone()], &mut ws.dc[cg], da);
            gates_backward(g.blocks, a, da);
            let w = &params[g.gates.clone()];
            linear_backward_input(w, g.gate_cols, a, g.n_x, &mut ws.dh_prev[..g.rec]);
        }
        std::mem::swap(&mut ws.dh, &mut ws.dh_prev);
    }
    for (gi, g) in layout.groups.iter().enumerate() {
        let (gin, dz) = (&ws.gin[gi][..steps * g.gate_cols], &ws.act[gi][..steps * g.rows]);
        linear_backward_weights(&mut grads[g.gates.clone()], gin, dz, g.rows, g.gate_cols);
        let (oin, dy) = (&ws.oin[gi][..steps * g.out_cols], &ws.y[gi][..steps * g.n_x]);
        linear_backward_weights(&mut grads[g.out.clone()], oin, dy, g.n_x, g.out_cols);
    }
}

/// `forward` then `backward` in f32, returning the weighted loss. Runs the AVX2 build of the
/// same code when the CPU has it; the results are bit-identical either way (the lanes are
/// independent and nothing is fused or reordered), so training stays reproducible.
pub fn forward_backward_f32(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { forward_backward_avx2(layout, params, grads, frames, steps, weight, ws) };
    }
    forward_backward_plain(layout, params, grads, frames, steps, weight, ws)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn forward_backward_avx2(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
) -> f64 {
    forward_backward_plain(layout, params, grads, frames, steps, weight, ws)
}

#[inline(always)]
fn forward_backward_plain(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
) -> f64 {
    let loss = forward(layout, params, frames, steps, weight, ws);
    backward(layout, params, grads, frames, steps, weight, ws);
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::rng::Rng;

    /// A tiny net with every kind of connection: 3 chord units, 2 melody units, 2 + 2 blocks
    /// of 2 cells.
    fn tiny() -> Topology {
        Topology { n_chord: 3, n_melody: 2, chord_blocks: 2, melody_blocks: 2, cells_per_block: 2 }
    }

    fn random_params<R: Real>(layout: &Layout, rng: &mut Rng, scale: f32) -> Vec<R> {
        (0..layout.len).map(|_| R::from_f32(rng.uniform(-scale, scale))).collect()
    }

    /// Random 0/1 frames, different in every lane.
    fn random_frames<R: Real>(n_in: usize, n: usize, rng: &mut Rng) -> Vec<Lanes<R>> {
        (0..n * n_in).map(|_| std::array::from_fn(|_| R::from_f32(f32::from(u8::from(rng.next_f32() < 0.4))))).collect()
    }

    /// Central differences in f64 against `backward`, for every parameter of every tensor,
    /// with unequal lane weights (one lane off); reports the worst parameter on failure.
    #[test]
    fn gradients_match_finite_differences() {
        for topology in [tiny(), Topology { n_melody: 0, melody_blocks: 0, ..tiny() }] {
            let layout = Layout::new(topology);
            let mut rng = Rng::new(11);
            let mut params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
            let steps = 7;
            let frames = random_frames(topology.n_in(), steps + 1, &mut rng);
            let weight: Lanes<f64> = [1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 0.25, 1.0];
            let mut ws = Workspace::new(&layout, steps);
            let mut grads = vec![0.0; layout.len];
            forward(&layout, &params, &frames, steps, &weight, &mut ws);
            backward(&layout, &params, &mut grads, &frames, steps, &weight, &mut ws);
            let eps = 1e-5;
            let mut worst = (0.0f64, 0usize);
            for i in 0..layout.len {
                let keep = params[i];
                params[i] = keep + eps;
                let up = forward(&layout, &params, &frames, steps, &weight, &mut ws);
                params[i] = keep - eps;
                let down = forward(&layout, &params, &frames, steps, &weight, &mut ws);
                params[i] = keep;
                let numeric = (up - down) / (2.0 * eps);
                // The floor keeps round-off on near-zero gradients from counting as error.
                let err = (numeric - grads[i]).abs() / (numeric.abs() + grads[i].abs()).max(1e-3);
                if err > worst.0 {
                    worst = (err, i);
                }
            }
            let (err, i) = worst;
            let t = layout.ranges.iter().position(|r| r.contains(&i)).unwrap();
            let spec = &layout.specs[t];
            let j = i - layout.ranges[t].start;
            assert!(
                err < 1e-5,
                "{topology:?}: worst relative error {err:.2e} at {}[row {}, col {}] (flat {i})",
                spec.name,
                j / spec.cols,
                j % spec.cols
            );
            // Every tensor was exercised: each has some non-zero gradient.
            for (spec, r) in layout.specs.iter().zip(&layout.ranges) {
                assert!(grads[r.clone()].iter().any(|&g| g != 0.0), "{}", spec.name);
            }
        }
    }

    /// The f32 trainer (fast exp/tanh/ln) computes the same loss and gradient as f64.
    #[test]
    fn f32_matches_f64() {
        let layout = Layout::new(Topology::exp2());
        let mut rng = Rng::new(5);
        let p32: Vec<f32> = random_params(&layout, &mut rng, 0.5);
        let p64: Vec<f64> = p32.iter().map(|&v| f64::from(v)).collect();
        let steps = 60;
        let f32s: Vec<Lanes<f32>> = random_frames(25, steps + 1, &mut rng);
        let f64s: Vec<Lanes<f64>> = f32s.iter().map(|v| v.map(f64::from)).collect();
        let (mut w32, mut w64) = (Workspace::new(&layout, steps), Workspace::new(&layout, steps));
        let (mut g32, mut g64) = (vec![0.0f32; layout.len], vec![0.0f64; layout.len]);
        let l32 = forward(&layout, &p32, &f32s, steps, &[1.0; LANES], &mut w32);
        let l64 = forward(&layout, &p64, &f64s, steps, &[1.0; LANES], &mut w64);
        assert!((l32 - l64).abs() / l64 < 1e-5, "{l32} vs {l64}");
        backward(&layout, &p32, &mut g32, &f32s, steps, &[1.0; LANES], &mut w32);
        backward(&layout, &p64, &mut g64, &f64s, steps, &[1.0; LANES], &mut w64);
        let norm = g64.iter().map(|g| g * g).sum::<f64>().sqrt();
        for i in 0..layout.len {
            assert!((f64::from(g32[i]) - g64[i]).abs() < 1e-4 * norm, "param {i}");
        }
    }

    /// The paper's split in the trainer's forward: changing every melody weight and melody
    /// input leaves every chord output exactly as it was.
    #[test]
    fn melody_never_reaches_chord_outputs() {
        let layout = Layout::new(tiny());
        let mut rng = Rng::new(8);
        let params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
        let steps = 30;
        let frames: Vec<Lanes<f64>> = random_frames(5, steps + 1, &mut rng);
        let mut other_params = params.clone();
        for p in &mut other_params[layout.ranges[2].start..] {
            *p = f64::from(rng.uniform(-2.0, 2.0));
        }
        let mut other_frames = frames.clone();
        for (i, f) in other_frames.iter_mut().enumerate() {
            if i % 5 >= 3 {
                *f = [f64::from(rng.next_f32()); LANES];
            }
        }
        let (mut a, mut b) = (Workspace::new(&layout, steps), Workspace::new(&layout, steps));
        forward(&layout, &params, &frames, steps, &[1.0; LANES], &mut a);
        forward(&layout, &other_params, &other_frames, steps, &[1.0; LANES], &mut b);
        for t in 0..steps {
            for l in 0..LANES {
                for u in 0..3 {
                    assert_eq!(a.output(&layout, t, u, l), b.output(&layout, t, u, l));
                }
                assert_ne!(a.output(&layout, t, 3, l), b.output(&layout, t, 3, l));
            }
        }
    }
}

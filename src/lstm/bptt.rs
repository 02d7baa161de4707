//! The training forward pass and its exact gradient (backpropagation through time), written
//! plainly as `*_forward`/`*_backward` pairs side by side (llm.c style).
//!
//! Batch-major: [`SEQUENCES`] sequences run in lock-step, every activation is a `[R; SEQUENCES]` of
//! one value per sequence, so every operation is an 8-wide vector operation with no tails
//! and no reductions. Generic over [`Real`]: the trainer runs it in f32, the gradient check
//! in f64. Parameters, gradients and Adam moments share one flat layout ([`Layout`]): the
//! tensors of `Topology::tensors()` in turn, each row-major as in the model file. Trainer
//! thread.
//!
//! Per step t (input frame t, target frame t + 1), forward:
//!   for each group (chords, then melody):
//!     gin   = [x_group(t), ctx(t), h_rec(t−1), 1]          gate inputs (ctx if it hears it)
//!     a     = W_gates · gin, then σ (i, f, o gates) / tanh (cell inputs g)
//!     c(t)  = f ⊙ c(t−1) + i ⊙ g;  h(t) = o ⊙ tanh(c(t))   (a block's cells share i, f, o)
//!   for each group: y = σ(W_out · [h_group(t), x_group(t), ctx(t), 1]);  loss += CE(y, target)
//! The building blocks (`*_forward`/`*_backward` pairs) are in `ops.rs`. Backward runs the
//! same calls in exactly the reverse order, propagating through the inputs; the weight gradients, Σ_t dz(t) ⊗ in(t), are then taken for the whole sequence at
//! once (`linear_backward_weights`), as llm.c's matmul backward does for all positions.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::layout::{Group, Layout};
use super::network::Network;
use super::ops::{
    cell_backward, cell_forward, gates_backward, gates_forward, linear_backward_input, linear_backward_weights,
    linear_forward, output_backward, output_forward, Lanes, SEQUENCES,
};
use super::own_lines::{OwnDraw, OwnLines};
use super::readout::Readout;
use super::real::Real;
use super::rng::Rng;
use super::topology::{Topology, GATES};
use super::trainer::{output_bias, Learner, TrainConfig};
use super::weights::Weights;

/// The LSTM as the trainer drives it: the flat layout of its topology and the workspace of
/// the longest sequence seen so far.
pub struct LstmLearner {
    layout: Layout,
    ws: Workspace<f32>,
    /// Its own lines as the next chunk hears them, when the trainer asks for them.
    own: Option<OwnDraw<f32>>,
}

impl LstmLearner {
    pub fn new(topology: Topology) -> Self {
        Self::of(Layout::new(topology))
    }

    /// A learner that leaves the groups `kept` as they are (fine-tuning on choruses that lack
    /// their parts): see [`Layout::keep`].
    pub fn keeping(topology: Topology, kept: &[usize]) -> Result<Self, String> {
        Self::keeping_frozen(topology, kept, &[])
    }

    /// [`LstmLearner::keeping`], the groups `frozen` run but learn nothing (`Layout::freeze`).
    pub fn keeping_frozen(topology: Topology, kept: &[usize], frozen: &[usize]) -> Result<Self, String> {
        let mut layout = Layout::new(topology);
        layout.keep(kept)?;
        layout.freeze(frozen)?;
        Ok(Self::of(layout))
    }

    pub(crate) fn of(layout: Layout) -> Self {
        let ws = Workspace::new(&layout, 0);
        Self { layout, ws, own: None }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

impl Learner for LstmLearner {
    type Player = Network;

    fn n_params(&self) -> usize {
        self.layout.len
    }

    fn n_outputs(&self) -> usize {
        self.layout.topology.n_out()
    }

    /// Uniform weights in ±`init_scale`, the paper's staggered gate biases (forget gates per
    /// `config.forget_bias`), output biases per `config.output_bias`.
    fn init_params(&self, config: &TrainConfig, means: &[f64], rng: &mut Rng) -> Vec<f32> {
        let layout = &self.layout;
        let mut p: Vec<f32> = (0..layout.len).map(|_| rng.uniform(-config.init_scale, config.init_scale)).collect();
        for g in &layout.groups {
            // Row-major tensors: the bias is the last column of each row.
            let gates = &mut p[g.gates.clone()];
            for (r, row) in gates.chunks_exact_mut(g.gate_cols).enumerate() {
                let is_forget = (g.blocks..2 * g.blocks).contains(&r);
                row[g.gate_cols - 1] = match (r < GATES * g.blocks, is_forget, config.forget_bias) {
                    (_, true, Some(f)) => f,
                    (true, _, _) => Topology::gate_bias(r % g.blocks),
                    _ => 0.0,
                };
            }
            let out = &mut p[g.out.clone()];
            for (u, row) in out.chunks_exact_mut(g.out_cols).enumerate() {
                row[g.out_cols - 1] = output_bias(config.output_bias, means[g.x_off + u]);
            }
        }
        p
    }

    fn forward_backward(
        &mut self,
        params: &[f32],
        grads: &mut [f32],
        frames: &[Lanes<f32>],
        steps: usize,
        weight: &Lanes<f32>,
    ) -> f64 {
        if self.ws.capacity < steps {
            self.ws = Workspace::new(&self.layout, steps);
        }
        if let Some(o) = self.own.as_mut() {
            o.begin(frames, self.layout.topology.n_in());
        }
        forward_backward_f32(&self.layout, params, grads, frames, steps, weight, &mut self.ws, self.own.as_mut())
    }

    fn hear_own(&mut self, readout: &Readout, own: &OwnLines, seed: u64) {
        if self.own.is_none() {
            self.own = OwnDraw::new(readout, own);
        }
        if let Some(o) = self.own.as_mut() {
            o.reseed(seed);
        }
    }

    fn player(&self, params: &[f32]) -> Network {
        Network::new(&Weights::from_flat(self.layout.topology.clone(), params))
    }
}

/// Activations of one chunk of [`SEQUENCES`] sequences, cached by the forward pass for the
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
        let zero = [R::ZERO; SEQUENCES];
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

    /// Output unit `u` (the groups' units in order) of sequence `lane` at step `t`, after
    /// `forward` and before `backward`.
    pub fn output(&self, layout: &Layout, t: usize, u: usize, lane: usize) -> R {
        let gi = layout.groups.iter().rposition(|g| g.x_off <= u).unwrap_or(0);
        let g = &layout.groups[gi];
        self.y[gi][t * g.n_x + u - g.x_off][lane]
    }
}

// ---------------------------------------------------------------------------------------
// The whole chunk of sequences.

/// Runs `steps` steps of [`SEQUENCES`] sequences from the reset state. `frames` is
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
    forward_hearing(layout, params, frames, steps, weight, ws, None)
}

/// [`forward`], where `own` (if any) replaces the inputs by what it hears: the corpus's frames
/// with the network's own draws written in (`own_lines`). The targets stay `frames`.
#[inline(always)]
pub fn forward_hearing<R: Real>(
    layout: &Layout,
    params: &[R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
    mut own: Option<&mut OwnDraw<R>>,
) -> f64 {
    assert!(steps <= ws.capacity, "sequence longer than the workspace");
    let n_in = layout.topology.n_in();
    let cells = layout.cells();
    assert!(frames.len() >= (steps + 1) * n_in, "too few frames");
    ws.c[..cells].fill([R::ZERO; SEQUENCES]);
    ws.h[..cells].fill([R::ZERO; SEQUENCES]);
    let mut loss = [R::ZERO; SEQUENCES];
    for t in 0..steps {
        let heard = own.as_deref().map_or(frames, |o| o.inputs());
        let x = &heard[t * n_in..(t + 1) * n_in];
        let target = &frames[(t + 1) * n_in..(t + 2) * n_in];
        let (c_prev, c_next) = ws.c[t * cells..(t + 2) * cells].split_at_mut(cells);
        let (h_prev, h_next) = ws.h[t * cells..(t + 2) * cells].split_at_mut(cells);
        let tc = &mut ws.tc[t * cells..(t + 1) * cells];
        for (gi, g) in layout.groups.iter().enumerate().filter(|(_, g)| g.taught) {
            let gin = &mut ws.gin[gi][t * g.gate_cols..(t + 1) * g.gate_cols];
            gin[..g.n_x].copy_from_slice(&x[g.x_off..g.x_off + g.n_x]);
            gin[g.n_x..g.n_x + g.n_ctx].copy_from_slice(&x[g.ctx_off..g.ctx_off + g.n_ctx]);
            let mut at = g.n_x + g.n_ctx;
            for r in &g.rec_ranges {
                gin[at..at + r.len()].copy_from_slice(&h_prev[r.clone()]);
                at += r.len();
            }
            gin[g.gate_cols - 1] = [R::ONE; SEQUENCES];
            let a = &mut ws.act[gi][t * g.rows..(t + 1) * g.rows];
            linear_forward(&params[g.gates.clone()], gin, a, &mut ws.active);
            gates_forward(g.blocks, a);
            let cg = g.h_off..g.h_off + g.h;
            cell_forward(g, a, &c_prev[cg.clone()], &mut c_next[cg.clone()], &mut tc[cg.clone()], &mut h_next[cg]);
        }
        for (gi, g) in layout.groups.iter().enumerate().filter(|(_, g)| g.taught) {
            let oin = &mut ws.oin[gi][t * g.out_cols..(t + 1) * g.out_cols];
            oin[..g.h].copy_from_slice(&h_next[g.h_off..g.h_off + g.h]);
            oin[g.h..g.h + g.n_x].copy_from_slice(&x[g.x_off..g.x_off + g.n_x]);
            oin[g.h + g.n_x..g.h + g.n_x + g.n_ctx].copy_from_slice(&x[g.ctx_off..g.ctx_off + g.n_ctx]);
            oin[g.out_cols - 1] = [R::ONE; SEQUENCES];
            let y = &mut ws.y[gi][t * g.n_x..(t + 1) * g.n_x];
            linear_forward(&params[g.out.clone()], oin, y, &mut ws.active);
            let ce = &mut ws.ce[..g.n_x];
            output_forward(y, &target[g.x_off..g.x_off + g.n_x], ce);
            let taught = taught(own.as_deref(), t, g);
            for e in ce.iter() {
                for l in 0..SEQUENCES {
                    loss[l] += e[l] * taught[l];
                }
            }
        }
        if let Some(o) = own.as_deref_mut() {
            o.hear(t, n_in, frames, |u, lane| ws.output(layout, t, u, lane).to_f32());
        }
    }
    (0..SEQUENCES).map(|l| (loss[l] * weight[l]).to_f64()).sum()
}

/// Whether group `g`'s target at step `t` is taught, by lane: where `own` says so for the group
/// it draws, else always.
#[inline(always)]
fn taught<R: Real>(own: Option<&OwnDraw<R>>, t: usize, g: &Group) -> Lanes<R> {
    match own {
        Some(o) if o.offset() == g.x_off => *o.taught(t),
        _ => [R::ONE; SEQUENCES],
    }
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
    backward_hearing(layout, params, grads, frames, steps, weight, ws, None);
}

/// [`backward`] after [`forward_hearing`] with the same `own`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn backward_hearing<R: Real>(
    layout: &Layout,
    params: &[R],
    grads: &mut [R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
    own: Option<&OwnDraw<R>>,
) {
    let n_in = layout.topology.n_in();
    let cells = layout.cells();
    let zero = [R::ZERO; SEQUENCES];
    ws.dh.fill(zero);
    ws.dc.fill(zero);
    for t in (0..steps).rev() {
        let target = &frames[(t + 1) * n_in..(t + 2) * n_in];
        ws.dh_prev.fill(zero);
        for (gi, g) in layout.groups.iter().enumerate().rev().filter(|(_, g)| g.taught) {
            let dy = &mut ws.y[gi][t * g.n_x..(t + 1) * g.n_x];
            let taught = taught(own, t, g);
            let weight: Lanes<R> = std::array::from_fn(|l| weight[l] * taught[l]);
            output_backward(dy, &target[g.x_off..g.x_off + g.n_x], &weight);
            let w = &params[g.out.clone()];
            linear_backward_input(w, g.out_cols, dy, 0, &mut ws.dh[g.h_off..g.h_off + g.h]);
        }
        let c_prev = &ws.c[t * cells..(t + 1) * cells];
        let tc = &ws.tc[t * cells..(t + 1) * cells];
        for (gi, g) in layout.groups.iter().enumerate().rev().filter(|(_, g)| g.taught) {
            let a = &mut ws.act[gi][t * g.rows..(t + 1) * g.rows];
            let da = &mut ws.da[..g.rows];
            let cg = g.h_off..g.h_off + g.h;
            cell_backward(g, a, &c_prev[cg.clone()], &tc[cg.clone()], &ws.dh[cg.clone()], &mut ws.dc[cg], da);
            gates_backward(g.blocks, a, da);
            let w = &params[g.gates.clone()];
            let mut at = g.n_x + g.n_ctx;
            for (r, &grad) in g.rec_ranges.iter().zip(&g.rec_grad) {
                if grad {
                    linear_backward_input(w, g.gate_cols, a, at, &mut ws.dh_prev[r.clone()]);
                }
                at += r.len();
            }
        }
        std::mem::swap(&mut ws.dh, &mut ws.dh_prev);
    }
    for (gi, g) in layout.groups.iter().enumerate().filter(|(_, g)| g.taught && !g.frozen) {
        let (gin, dz) = (&ws.gin[gi][..steps * g.gate_cols], &ws.act[gi][..steps * g.rows]);
        linear_backward_weights(&mut grads[g.gates.clone()], gin, dz, g.rows, g.gate_cols);
        let (oin, dy) = (&ws.oin[gi][..steps * g.out_cols], &ws.y[gi][..steps * g.n_x]);
        linear_backward_weights(&mut grads[g.out.clone()], oin, dy, g.n_x, g.out_cols);
    }
}

/// `forward` then `backward` in f32, returning the weighted loss. Runs the AVX2 build of the
/// same code when the CPU has it; the results are bit-identical either way (the lanes are
/// independent and nothing is fused or reordered), so training stays reproducible.
#[allow(clippy::too_many_arguments)]
pub fn forward_backward_f32(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
    own: Option<&mut OwnDraw<f32>>,
) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { forward_backward_avx2(layout, params, grads, frames, steps, weight, ws, own) };
    }
    forward_backward_plain(layout, params, grads, frames, steps, weight, ws, own)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn forward_backward_avx2(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
    own: Option<&mut OwnDraw<f32>>,
) -> f64 {
    forward_backward_plain(layout, params, grads, frames, steps, weight, ws, own)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_backward_plain(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    frames: &[Lanes<f32>],
    steps: usize,
    weight: &Lanes<f32>,
    ws: &mut Workspace<f32>,
    mut own: Option<&mut OwnDraw<f32>>,
) -> f64 {
    let loss = forward_hearing(layout, params, frames, steps, weight, ws, own.as_deref_mut());
    backward_hearing(layout, params, grads, frames, steps, weight, ws, own.as_deref());
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::readout::{GroupRule, Rule};
    use crate::lstm::rng::Rng;
    use crate::lstm::topology::{GroupShape, Topology};

    /// A tiny net with every kind of connection: 3 chord units, 2 melody units seeing the
    /// chords, 2 bass units seeing the chords but not the melody; 2 + 2 + 1 blocks of 2 cells.
    fn tiny() -> Topology {
        Topology {
            groups: vec![
                GroupShape::new("chord", 3, 2, &[]),
                GroupShape::new("melody", 2, 2, &[0]),
                GroupShape::new("bass", 2, 1, &[0]),
            ],
            cells_per_block: 2,
            context: 0,
        }
    }

    fn chords_only() -> Topology {
        Topology { groups: tiny().groups[..1].to_vec(), ..tiny() }
    }

    /// `tiny` with 3 context units, heard by the melody and the bass.
    fn with_context() -> Topology {
        let mut t = Topology { context: 3, ..tiny() };
        t.groups[1].hears_context = true;
        t.groups[2].hears_context = true;
        t
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
        for topology in [tiny(), chords_only(), with_context()] {
            let layout = Layout::new(topology.clone());
            let mut rng = Rng::new(11);
            let params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
            let steps = 7;
            let frames = random_frames(topology.n_in(), steps + 1, &mut rng);
            let weight: Lanes<f64> = [1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 0.25, 1.0];
            let mut ws = Workspace::new(&layout, steps);
            let mut grads = vec![0.0; layout.len];
            forward(&layout, &params, &frames, steps, &weight, &mut ws);
            backward(&layout, &params, &mut grads, &frames, steps, &weight, &mut ws);
            let loss = |p: &[f64]| forward(&layout, p, &frames, steps, &weight, &mut Workspace::new(&layout, steps));
            assert_matches_finite_differences(&layout, params, &grads, loss);
        }
    }

    /// Hearing its own melody, the network is taught only where the line heard is the corpus's:
    /// the gradient is still the loss's (the draws, fixed by their seed, are inputs).
    #[test]
    fn gradients_match_finite_differences_hearing_own_lines() {
        let topology = tiny();
        let layout = Layout::new(topology.clone());
        let mut rng = Rng::new(12);
        let params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
        let (steps, n_in) = (9, topology.n_in());
        let frames = random_frames(n_in, steps + 1, &mut rng);
        let weight: Lanes<f64> = [1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 0.25, 1.0];
        let choice = Rule::Choice { begin: false, restrike: false, rest: None, trim: false };
        let readout = Readout {
            groups: vec![
                GroupRule { offset: 0, units: 3, rule: Rule::Threshold },
                GroupRule { offset: 3, units: 2, rule: choice },
                GroupRule { offset: 5, units: 2, rule: choice },
            ],
        };
        let own = OwnLines {
            group: 1,
            span: 1,
            share: 0.6,
            run_steps: 3.0,
            given: None,
            teach_heard: false,
            temperature: 1.0,
        };
        let hearing = |p: &[f64], ws: &mut Workspace<f64>, draw: &mut OwnDraw<f64>| {
            draw.reseed(3);
            draw.begin(&frames, n_in);
            forward_hearing(&layout, p, &frames, steps, &weight, ws, Some(draw))
        };
        let mut draw = OwnDraw::new(&readout, &own).unwrap();
        let mut ws = Workspace::new(&layout, steps);
        let mut grads = vec![0.0; layout.len];
        hearing(&params, &mut ws, &mut draw);
        backward_hearing(&layout, &params, &mut grads, &frames, steps, &weight, &mut ws, Some(&draw));
        assert_ne!(draw.inputs(), &frames[..], "it heard some of its own melody");
        assert!((0..=steps).any(|t| draw.taught(t).contains(&0.0)), "and was not taught after it");
        let loss =
            |p: &[f64]| hearing(p, &mut Workspace::new(&layout, steps), &mut OwnDraw::new(&readout, &own).unwrap());
        assert_matches_finite_differences(&layout, params, &grads, loss);
    }

    /// Checks `grads` against central differences of `loss` at `params`, parameter by parameter,
    /// and that every tensor has some non-zero gradient.
    fn assert_matches_finite_differences(
        layout: &Layout,
        mut params: Vec<f64>,
        grads: &[f64],
        mut loss: impl FnMut(&[f64]) -> f64,
    ) {
        let eps = 1e-5;
        let mut worst = (0.0f64, 0usize);
        for i in 0..layout.len {
            let keep = params[i];
            params[i] = keep + eps;
            let up = loss(&params);
            params[i] = keep - eps;
            let down = loss(&params);
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
            "{:?}: worst relative error {err:.2e} at {}[row {}, col {}] (flat {i})",
            layout.topology,
            spec.name,
            j / spec.cols,
            j % spec.cols
        );
        // Every tensor was exercised: each has some non-zero gradient.
        for (spec, r) in layout.specs.iter().zip(&layout.ranges) {
            assert!(grads[r.clone()].iter().any(|&g| g != 0.0), "{}", spec.name);
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
        let l32 = forward(&layout, &p32, &f32s, steps, &[1.0; SEQUENCES], &mut w32);
        let l64 = forward(&layout, &p64, &f64s, steps, &[1.0; SEQUENCES], &mut w64);
        assert!((l32 - l64).abs() / l64 < 1e-5, "{l32} vs {l64}");
        backward(&layout, &p32, &mut g32, &f32s, steps, &[1.0; SEQUENCES], &mut w32);
        backward(&layout, &p64, &mut g64, &f64s, steps, &[1.0; SEQUENCES], &mut w64);
        let norm = g64.iter().map(|g| g * g).sum::<f64>().sqrt();
        for i in 0..layout.len {
            assert!((f64::from(g32[i]) - g64[i]).abs() < 1e-4 * norm, "param {i}");
        }
    }

    /// A detached group's error never reaches the chord tensors: their gradient is the one
    /// the chords alone would get, while the attached melody's error does reach them.
    #[test]
    fn a_detached_group_sends_no_error_into_the_chords() {
        // Chords and bass (no melody): 5 units a frame, the chords' 3 first.
        let wide = random_frames::<f64>(5, 13, &mut Rng::new(22));
        let gradient = |topology: Topology| -> Vec<f64> {
            let layout = Layout::new(topology);
            let n = layout.topology.n_in();
            let frames: Vec<Lanes<f64>> = wide.chunks_exact(5).flat_map(|f| f[..n].to_vec()).collect();
            let mut rng = Rng::new(21);
            let params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
            let steps = 12;
            let mut ws = Workspace::new(&layout, steps);
            let mut grads = vec![0.0; layout.len];
            forward(&layout, &params, &frames, steps, &[1.0; SEQUENCES], &mut ws);
            backward(&layout, &params, &mut grads, &frames, steps, &[1.0; SEQUENCES], &mut ws);
            grads[..layout.ranges[1].end].to_vec()
        };
        let chords_and = |detached: bool| Topology {
            groups: vec![tiny().groups[0].clone(), GroupShape { detached, ..tiny().groups[2].clone() }],
            ..tiny()
        };
        let alone = gradient(chords_only());
        assert_eq!(gradient(chords_and(true)), alone);
        assert_ne!(gradient(chords_and(false)), alone);
    }

    /// The paper's split in the trainer's forward: changing every melody and bass weight and
    /// input leaves every chord output exactly as it was.
    #[test]
    fn melody_and_bass_never_reach_chord_outputs() {
        let layout = Layout::new(tiny());
        let mut rng = Rng::new(8);
        let params: Vec<f64> = random_params(&layout, &mut rng, 0.8);
        let steps = 30;
        let n = layout.topology.n_in();
        let frames: Vec<Lanes<f64>> = random_frames(n, steps + 1, &mut rng);
        let mut other_params = params.clone();
        for p in &mut other_params[layout.ranges[2].start..] {
            *p = f64::from(rng.uniform(-2.0, 2.0));
        }
        let mut other_frames = frames.clone();
        for (i, f) in other_frames.iter_mut().enumerate() {
            if i % n >= 3 {
                *f = [f64::from(rng.next_f32()); SEQUENCES];
            }
        }
        let (mut a, mut b) = (Workspace::new(&layout, steps), Workspace::new(&layout, steps));
        forward(&layout, &params, &frames, steps, &[1.0; SEQUENCES], &mut a);
        forward(&layout, &other_params, &other_frames, steps, &[1.0; SEQUENCES], &mut b);
        for t in 0..steps {
            for l in 0..SEQUENCES {
                for u in 0..3 {
                    assert_eq!(a.output(&layout, t, u, l), b.output(&layout, t, u, l));
                }
                assert_ne!(a.output(&layout, t, 3, l), b.output(&layout, t, 3, l));
            }
        }
    }
}

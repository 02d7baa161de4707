//! The real-time forward pass: one step of the LSTM per eighth note.
//!
//! Built from [`Weights`] on any non-audio thread (`new` allocates everything); `step` and
//! `reset` then run on the audio thread and allocate nothing, lock nothing, log nothing.
//!
//! Layout (numbers in `benches/network.rs`): every vector is padded to whole groups of 8
//! floats (one AVX register) and the gate rows are laid out per cell — input, forget and
//! output gate repeated for each cell of a block, then the cell inputs — so the cell update
//! is plain 8-wide vector arithmetic. Each weight matrix is stored column-major in panels of
//! 8 rows, up to 4 panels side by side, so a product accumulates in registers and each
//! column costs one 8-wide multiply-add per panel; the recurrent columns alternate between
//! two sets of accumulators, which halves the chain of dependent adds. The frame units are
//! 0/1 and mostly 0, so only the columns of the units that are on are visited. Every
//! nonlinearity is one rational tanh (`f32x8::tanh`): gate and output rows are stored halved,
//! so σ(z) = (1 + tanh(z/2)) / 2 costs one multiply-add more. The algorithm is written once
//! over [`F32x8`] and runs on AVX2 + FMA registers when the CPU has them.
//!
//! One layout for every topology: a step of the paper's Exp 2 net takes about 0.1 µs, and
//! steps come 250 ms apart at 120 BPM (the earlier second, paper-sized layout saved tens of
//! nanoseconds and cost 250 lines).

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::f32x8::{sigmoid_of_half, tanh, Cpu, F32x8, Lane8, VectorWork, TINY, WIDTH};
use super::free_run::Stepper;
use super::topology::{Topology, GATES};
use super::weights::Weights;

/// Panels accumulated together: enough independent adds to hide their latency.
const MAX_PANELS: usize = 4;

/// A weight as the step uses it: 0 if below [`TINY`] (see there).
fn flush_tiny(w: f32) -> f32 {
    if w.abs() >= TINY {
        w
    } else {
        0.0
    }
}

/// `n` rounded up to whole vectors.
fn padded(n: usize) -> usize {
    n.div_ceil(WIDTH) * WIDTH
}

/// A weight matrix in panels of [`WIDTH`] rows; padding rows and columns are zero.
#[derive(Clone, Debug)]
struct Panels {
    /// Blocks of up to [`MAX_PANELS`] panels, each column-major: block at `offset`, column
    /// k, panel p at `w[offset + k·panels + p]`.
    w: Vec<Lane8>,
    /// (offset in `w`, panels) of each block.
    blocks: Vec<(usize, usize)>,
    /// Columns: `n_dense` fed densely (cell outputs), then the sparse ones (frame units),
    /// then the bias.
    cols: usize,
    n_dense: usize,
}

impl Panels {
    /// A `rows` × (`n_dense` + `n_sparse` + 1) matrix whose entry (r, k) is `value(r, k)`.
    fn new(rows: usize, n_dense: usize, n_sparse: usize, value: impl Fn(usize, usize) -> f32) -> Self {
        let cols = n_dense + n_sparse + 1;
        let panels = rows.div_ceil(WIDTH);
        let mut w = vec![Lane8::default(); panels * cols];
        let mut blocks = Vec::new();
        let mut first = 0;
        while first < panels {
            let n = (panels - first).min(MAX_PANELS);
            let offset = first * cols;
            for p in 0..n {
                for l in 0..WIDTH {
                    let r = (first + p) * WIDTH + l;
                    if r < rows {
                        for k in 0..cols {
                            w[offset + k * n + p].0[l] = value(r, k);
                        }
                    }
                }
            }
            blocks.push((offset, n));
            first += n;
        }
        Self { w, blocks, cols, n_dense }
    }

    /// out = bias + W_dense · dense + Σ over the units j set in `on` of x[j] · W column j.
    #[inline(always)]
    fn matvec<V: F32x8>(&self, dense: &[f32], x: &[f32], on: u128, out: &mut [Lane8]) {
        let mut first = 0;
        for &(offset, n) in &self.blocks {
            let w = &self.w[offset..offset + n * self.cols];
            let o = &mut out[first..first + n];
            match n {
                1 => self.block::<V, 1>(w, dense, x, on, o),
                2 => self.block::<V, 2>(w, dense, x, on, o),
                3 => self.block::<V, 3>(w, dense, x, on, o),
                _ => self.block::<V, MAX_PANELS>(w, dense, x, on, o),
            }
            first += n;
        }
    }

    /// `matvec` for one block of `P` panels, all accumulators in registers.
    #[inline(always)]
    fn block<V: F32x8, const P: usize>(&self, w: &[Lane8], dense: &[f32], x: &[f32], on: u128, out: &mut [Lane8]) {
        let (cols, _) = w.as_chunks::<P>();
        let (dense_cols, rest) = cols.split_at(self.n_dense);
        let (sparse, bias) = rest.split_at(self.cols - 1 - self.n_dense);
        // Even columns into `a` (starting from the bias), odd ones into `b`.
        let mut a: [V; P] = std::array::from_fn(|p| V::load(&bias[0][p]));
        let mut b: [V; P] = [V::splat(0.0); P];
        let (pairs, last) = dense_cols.as_chunks::<2>();
        let (dense_pairs, dense_last) = dense.as_chunks::<2>();
        for (cols2, v2) in pairs.iter().zip(dense_pairs) {
            fma(&mut a, &cols2[0], v2[0]);
            fma(&mut b, &cols2[1], v2[1]);
        }
        if let (Some(col), Some(&v)) = (last.first(), dense_last.first()) {
            fma(&mut a, col, v);
        }
        // 64 units at a time: 128-bit bit tricks cost several instructions each.
        for (base, mut word) in [(0, on as u64), (64, (on >> 64) as u64)] {
            while word != 0 {
                let j = base + word.trailing_zeros() as usize;
                word &= word - 1;
                fma(&mut b, &sparse[j], x[j]);
            }
        }
        for p in 0..P {
            a[p].add(b[p]).store(&mut out[p]);
        }
    }
}

/// acc += v · col, one multiply-add per panel. (A function, not a closure: closures do not
/// inherit the target features of the AVX2 build.)
#[inline(always)]
fn fma<V: F32x8, const P: usize>(acc: &mut [V; P], col: &[Lane8; P], v: f32) {
    let v = V::splat(v);
    for p in 0..P {
        acc[p] = V::load(&col[p]).mul_add(v, acc[p]);
    }
}

/// Where a group sits in the network's buffers.
#[derive(Clone, Debug)]
struct GroupAt {
    /// First unit of the group in a frame, and its units.
    x_off: usize,
    n_x: usize,
    /// First context unit in a frame, and how many the group hears (0 or all).
    ctx_off: usize,
    n_ctx: usize,
    /// The group's cells padded to whole vectors (the padding cells stay 0), and where they
    /// start in `c` and `h` (in floats).
    hp: usize,
    h_off: usize,
    /// Where the group's gate rows (4·hp: i, f, o per cell, then cell inputs) start in `za`,
    /// and its output rows in `zo` (in vectors).
    za_off: usize,
    zo_off: usize,
    /// The recurrent inputs of its gates: ranges of `h` (floats, padded groups), gathered in
    /// this order into `rec` before the gates are computed; `rec_len` floats in all.
    rec: Vec<std::ops::Range<usize>>,
    rec_len: usize,
}

/// The real-time LSTM: weights in the fastest layout plus the recurrent state.
#[derive(Clone, Debug)]
pub struct Network {
    topology: Topology,
    /// Gate and output matrices of each group.
    gates: Vec<Panels>,
    outs: Vec<Panels>,
    /// Buffer positions of each group. Fixed at construction.
    groups: Vec<GroupAt>,
    /// Gate activations of every group, in vectors (see `GroupAt::za_off`).
    za: Vec<Lane8>,
    /// Output activations of every group, in vectors.
    zo: Vec<Lane8>,
    /// Cell states and cell outputs, groups in order, each padded to whole vectors: the
    /// recurrent state.
    c: Vec<Lane8>,
    h: Vec<Lane8>,
    /// Scratch for one group's recurrent inputs, gathered from `h`.
    rec: Vec<Lane8>,
    /// Scratch for one group's units followed by the context it hears.
    heard: Vec<f32>,
    /// AVX2 + FMA when the CPU has them (checked once, here).
    cpu: Cpu,
}

impl Network {
    /// Builds the network (all allocation happens here). Panics if `weights` lack a tensor of
    /// their topology, which weights from a model file or the trainer never do.
    pub fn new(weights: &Weights) -> Self {
        Self::with_cpu(weights, Cpu::detect())
    }

    fn with_cpu(weights: &Weights, cpu: Cpu) -> Self {
        let t = &weights.topology;
        let specs = t.tensors();
        let cpb = t.cells_per_block;
        let n_groups = t.groups.len();
        // Padded cell offsets of every group in `c` and `h`.
        let hp: Vec<usize> = (0..n_groups).map(|g| padded(t.cells(g))).collect();
        let h_off: Vec<usize> = (0..n_groups).map(|g| hp[..g].iter().sum()).collect();
        let (mut gates, mut outs, mut groups) = (Vec::new(), Vec::new(), Vec::new());
        let (mut za_len, mut zo_len) = (0, 0);
        for g in 0..n_groups {
            let (n_x, blocks, h) = (t.groups[g].units, t.groups[g].blocks, t.cells(g));
            let n_ctx = t.heard_context(g);
            let (gs, os) = (&specs[2 * g], &specs[2 * g + 1]);
            let (gv, ov) = (weights.values(gs), weights.values(os));
            // The recurrent segments: (padded range in h, first model column of its cells, cells).
            let mut segments = Vec::new();
            let mut model_col = n_x + n_ctx;
            for s in t.recurrent_groups(g) {
                segments.push((h_off[s]..h_off[s] + hp[s], model_col, t.cells(s)));
                model_col += t.cells(s);
            }
            let rec_len: usize = segments.iter().map(|(r, _, _)| r.len()).sum();
            // The model's column of padded recurrent input d.
            let rec_col = |d: usize| -> Option<usize> {
                let mut start = 0;
                for (range, col, cells) in &segments {
                    if d < start + range.len() {
                        return (d - start < *cells).then_some(col + d - start);
                    }
                    start += range.len();
                }
                None
            };
            let group_hp = hp[g];
            // Gate row r of the padded layout: kind (i, f, o, cell input) × padded cell.
            let gate_value = |r: usize, k: usize| {
                let (kind, cell) = (r / group_hp, r % group_hp);
                if cell >= h {
                    return 0.0;
                }
                // Gate rows halved: σ is taken as (1 + tanh(z/2)) / 2.
                let (row, scale) =
                    if kind < GATES { (kind * blocks + cell / cpb, 0.5) } else { (GATES * blocks + cell, 1.0) };
                let col = match k {
                    k if k < rec_len => rec_col(k),
                    k if k < rec_len + n_x + n_ctx => Some(k - rec_len),
                    _ => Some(gs.cols - 1),
                };
                col.map_or(0.0, |col| flush_tiny(scale * gv[row * gs.cols + col]))
            };
            // Output columns in the model: the group's cells, units, context, bias.
            let out_value = |r: usize, k: usize| {
                let col = if k < group_hp { (k < h).then_some(k) } else { Some(h + k - group_hp) };
                col.map_or(0.0, |col| flush_tiny(0.5 * ov[r * os.cols + col]))
            };
            gates.push(Panels::new(4 * group_hp, rec_len, n_x + n_ctx, gate_value));
            outs.push(Panels::new(n_x, group_hp, n_x + n_ctx, out_value));
            groups.push(GroupAt {
                x_off: t.unit_offset(g),
                n_x,
                ctx_off: t.n_out(),
                n_ctx,
                hp: group_hp,
                h_off: h_off[g],
                za_off: za_len,
                zo_off: zo_len,
                rec: segments.into_iter().map(|(r, _, _)| r).collect(),
                rec_len,
            });
            za_len += 4 * group_hp / WIDTH;
            zo_len += padded(n_x) / WIDTH;
        }
        let cells: usize = hp.iter().sum();
        let widest_rec = groups.iter().map(|g| g.rec_len).max().unwrap_or(0);
        let widest_heard = groups.iter().map(|g| g.n_x + g.n_ctx).max().unwrap_or(0);
        Self {
            topology: t.clone(),
            gates,
            outs,
            groups,
            za: vec![Lane8::default(); za_len],
            zo: vec![Lane8::default(); zo_len],
            c: vec![Lane8::default(); cells / WIDTH],
            h: vec![Lane8::default(); cells / WIDTH],
            rec: vec![Lane8::default(); widest_rec / WIDTH],
            heard: vec![0.0; widest_heard],
            cpu,
        }
    }

    /// The topology the network was built with.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Back to the state before the first step (all cells 0). Real-time safe.
    pub fn reset(&mut self) {
        self.c.fill(Lane8::default());
        self.h.fill(Lane8::default());
    }

    /// The cell states of the chord group (group 0), for tests and displays.
    pub fn chord_cell_states(&self) -> &[f32] {
        &self.c.as_slice().as_flattened_f32()[..self.topology.cells(0)]
    }

    /// One step: `x` is this step's frame (`n_in` units), `y` receives the predicted next
    /// frame (`n_out` logistic outputs in (0, 1)). Real-time safe. Runs on AVX2 + FMA
    /// registers when the CPU has them; the portable build of the same code differs from that
    /// only by rounding (fused multiply-adds), within 1e-6.
    pub fn step(&mut self, x: &[f32], y: &mut [f32]) {
        let cpu = self.cpu;
        cpu.run(Step { net: self, x, y });
    }

    #[inline(always)]
    fn step_with<V: F32x8>(&mut self, x: &[f32], y: &mut [f32]) {
        debug_assert_eq!(x.len(), self.topology.n_in());
        debug_assert_eq!(y.len(), self.topology.n_out());
        // Gates of every group from the previous cell outputs (h is still h(t − 1) here).
        for (gi, g) in self.groups.iter().enumerate() {
            let units = heard(g, x, &mut self.heard);
            let on = active_units::<V>(units);
            let rec = self.rec.as_mut_slice().as_flattened_f32_mut();
            let h = self.h.as_slice().as_flattened_f32();
            let mut at = 0;
            for r in &g.rec {
                rec[at..at + r.len()].copy_from_slice(&h[r.clone()]);
                at += r.len();
            }
            let za = &mut self.za[g.za_off..g.za_off + 4 * g.hp / WIDTH];
            self.gates[gi].matvec::<V>(&rec[..g.rec_len], units, on, za);
        }
        for g in &self.groups {
            let q = g.hp / WIDTH;
            let a = &self.za[g.za_off..g.za_off + 4 * q];
            let (i, f, o, cell_in) = (&a[..q], &a[q..2 * q], &a[2 * q..3 * q], &a[3 * q..]);
            let v0 = g.h_off / WIDTH;
            for v in 0..q {
                let iv = sigmoid_of_half(V::load(&i[v]));
                let fv = sigmoid_of_half(V::load(&f[v]));
                let ov = sigmoid_of_half(V::load(&o[v]));
                let gv = tanh(V::load(&cell_in[v]));
                let cv = fv.mul(V::load(&self.c[v0 + v])).add(iv.mul(gv)).flush_tiny();
                cv.store(&mut self.c[v0 + v]);
                ov.mul(tanh(cv)).flush_tiny().store(&mut self.h[v0 + v]);
            }
        }
        let h = self.h.as_slice().as_flattened_f32();
        for (gi, g) in self.groups.iter().enumerate() {
            let units = heard(g, x, &mut self.heard);
            let zo = &mut self.zo[g.zo_off..g.zo_off + padded(g.n_x) / WIDTH];
            self.outs[gi].matvec::<V>(&h[g.h_off..g.h_off + g.hp], units, active_units::<V>(units), zo);
        }
        for v in &mut self.zo {
            sigmoid_of_half(V::load(v)).store(v);
        }
        let zo = self.zo.as_slice().as_flattened_f32();
        for g in &self.groups {
            let from = g.zo_off * WIDTH;
            y[g.x_off..g.x_off + g.n_x].copy_from_slice(&zo[from..from + g.n_x]);
        }
    }
}

/// Group `g`'s units of frame `x`, followed by the context when it hears it (gathered into
/// `scratch`).
#[inline(always)]
fn heard<'a>(g: &GroupAt, x: &'a [f32], scratch: &'a mut [f32]) -> &'a [f32] {
    let units = &x[g.x_off..g.x_off + g.n_x];
    if g.n_ctx == 0 {
        return units;
    }
    scratch[..g.n_x].copy_from_slice(units);
    scratch[g.n_x..g.n_x + g.n_ctx].copy_from_slice(&x[g.ctx_off..g.ctx_off + g.n_ctx]);
    &scratch[..g.n_x + g.n_ctx]
}

/// The step on the vectors the CPU has (see [`Cpu::run`]).
struct Step<'a> {
    net: &'a mut Network,
    x: &'a [f32],
    y: &'a mut [f32],
}

impl VectorWork for Step<'_> {
    type Output = ();
    #[inline(always)]
    fn run<V: F32x8>(self) {
        self.net.step_with::<V>(self.x, self.y);
    }
}

/// The units that are on, one bit each (at most 128).
#[inline(always)]
fn active_units<V: F32x8>(units: &[f32]) -> u128 {
    let mut on = 0u128;
    let (chunks, rest) = units.as_chunks::<WIDTH>();
    for (c, chunk) in chunks.iter().enumerate() {
        on |= u128::from(V::load_array(chunk).nonzero_bits()) << (c * WIDTH);
    }
    for (l, &v) in rest.iter().enumerate() {
        on |= u128::from(v != 0.0) << (chunks.len() * WIDTH + l);
    }
    on
}

impl Stepper for Network {
    fn reset(&mut self) {
        Network::reset(self);
    }
    fn step(&mut self, x: &[f32], y: &mut [f32]) {
        Network::step(self, x, y);
    }
}

/// Flat f32 views of a vector buffer.
trait Flat {
    fn as_flattened_f32(&self) -> &[f32];
    fn as_flattened_f32_mut(&mut self) -> &mut [f32];
}

impl Flat for [Lane8] {
    fn as_flattened_f32(&self) -> &[f32] {
        // SAFETY: `Lane8` is `repr(C)` around `[f32; 8]` with no padding (32 bytes, align 32).
        unsafe { std::slice::from_raw_parts(self.as_ptr().cast::<f32>(), self.len() * WIDTH) }
    }
    fn as_flattened_f32_mut(&mut self) -> &mut [f32] {
        // SAFETY: as above, and the borrow is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr().cast::<f32>(), self.len() * WIDTH) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::bptt::{forward, Workspace};
    use crate::lstm::layout::Layout;
    use crate::lstm::ops::{Lanes, SEQUENCES};
    use crate::lstm::rng::Rng;
    use crate::lstm::topology::GroupShape;

    /// Exp 2 with a bass group that sees the chords (not the melody), as the band's nets are.
    fn with_bass(units: usize, blocks: usize) -> Topology {
        let mut t = Topology::exp2();
        t.groups.push(GroupShape::new("bass", units, blocks, &[0]));
        t
    }

    /// `t` with `context` context units, heard by every group but the chords' (the bass
    /// detached).
    fn with_context(mut t: Topology, context: usize) -> Topology {
        t.context = context;
        for g in &mut t.groups[1..] {
            g.hears_context = true;
        }
        t.groups.last_mut().unwrap().detached = true;
        t
    }

    /// A frame like the corpus's: a few chord units and one unit of each other group on (and
    /// one of the context).
    fn random_frame(t: &Topology, rng: &mut Rng, out: &mut [f32]) {
        out.fill(0.0);
        for u in &mut out[..t.groups[0].units] {
            *u = f32::from(u8::from(rng.next_f32() < 0.33));
        }
        for g in 1..t.groups.len() {
            out[t.unit_offset(g) + rng.below(t.groups[g].units)] = 1.0;
        }
        if t.context > 0 {
            out[t.n_out() + rng.below(t.context)] = 1.0;
        }
    }

    fn topologies() -> Vec<Topology> {
        let mut wide = Topology::exp2();
        wide.groups[0].units = 16;
        wide.groups[1].units = 40;
        wide.cells_per_block = 1;
        vec![
            Topology::exp1(),
            Topology::exp2(),
            Topology { cells_per_block: 3, ..with_bass(23, 5) },
            wide,
            with_bass(25, 4),
            Topology { cells_per_block: 1, ..with_bass(9, 8) },
            with_context(with_bass(25, 4), 30),
        ]
    }

    #[test]
    fn step_matches_the_trainers_forward() {
        for topology in topologies() {
            let weights = Weights::random(topology.clone(), 3, 1.0);
            let mut net = Network::new(&weights);
            let layout = Layout::new(topology.clone());
            let params = weights.to_flat();
            let (n, steps) = (topology.n_in(), 300);
            let mut rng = Rng::new(4);
            // A different sequence in every lane; the network replays lane 3.
            let mut frames: Vec<Lanes<f32>> = vec![[0.0; SEQUENCES]; (steps + 1) * n];
            let mut one = vec![0.0; n];
            for t in 0..=steps {
                for l in 0..SEQUENCES {
                    random_frame(&topology, &mut rng, &mut one);
                    for u in 0..n {
                        frames[t * n + u][l] = one[u];
                    }
                }
            }
            let lane = 3;
            let mut ws = Workspace::new(&layout, steps);
            forward(&layout, &params, &frames, steps, &[1.0; SEQUENCES], &mut ws);
            let (mut x, mut y) = (vec![0.0; n], vec![0.0; topology.n_out()]);
            let mut worst = 0.0f32;
            for t in 0..steps {
                for u in 0..n {
                    x[u] = frames[t * n + u][lane];
                }
                net.step(&x, &mut y);
                for u in 0..topology.n_out() {
                    worst = worst.max((y[u] - ws.output(&layout, t, u, lane)).abs());
                }
            }
            assert!(worst <= 1e-5, "{topology:?}: worst difference {worst}");
            net.reset();
            for u in 0..n {
                x[u] = frames[u][lane];
            }
            net.step(&x, &mut y);
            for u in 0..topology.n_out() {
                assert!((y[u] - ws.output(&layout, 0, u, lane)).abs() <= 1e-5, "reset restores the initial state");
            }
        }
    }

    /// The AVX2 build and the portable one play the same network: only rounding differs.
    #[test]
    fn portable_and_vector_builds_agree() {
        for topology in topologies() {
            let weights = Weights::random(topology.clone(), 7, 1.0);
            let (mut fast, mut portable) = (Network::new(&weights), Network::with_cpu(&weights, Cpu::portable()));
            let mut rng = Rng::new(8);
            let n = topology.n_in();
            let (mut x, mut ya, mut yb) = (vec![0.0; n], vec![0.0; topology.n_out()], vec![0.0; topology.n_out()]);
            let mut worst = 0.0f32;
            for _ in 0..2000 {
                random_frame(&topology, &mut rng, &mut x);
                fast.step(&x, &mut ya);
                portable.step(&x, &mut yb);
                worst = ya.iter().zip(&yb).fold(worst, |w, (a, b)| w.max((a - b).abs()));
            }
            assert!(worst <= 1e-5, "{topology:?}: worst difference {worst}");
        }
    }

    /// No subnormal float ever settles in the recurrent state, whatever the weights (see
    /// `f32x8::TINY`): with tiny, normal and huge weights, every cell state and output is 0 or
    /// at least TINY in magnitude after every step, in both builds.
    #[test]
    fn the_state_never_holds_subnormals() {
        for (topology, scale) in [(Topology::exp2(), 1e-20), (with_bass(23, 4), 1.0), (Topology::exp1(), 30.0)] {
            for cpu in [Cpu::detect(), Cpu::portable()] {
                let mut net = Network::with_cpu(&Weights::random(topology.clone(), 11, scale), cpu);
                let mut rng = Rng::new(12);
                let n = topology.n_in();
                let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
                for _ in 0..3000 {
                    random_frame(&topology, &mut rng, &mut x);
                    net.step(&x, &mut y);
                    for v in net.c.iter().chain(&net.h).flat_map(|v| v.0) {
                        assert!(v == 0.0 || v.abs() >= TINY, "{topology:?} × {scale}: {v:e} in the state");
                    }
                }
            }
        }
    }

    /// The paper's split: neither the melody nor the bass ever reaches the chord blocks or
    /// chord outputs; and the bass never reaches the melody.
    #[test]
    fn later_groups_never_change_the_chords() {
        let t = with_bass(23, 4);
        let weights = Weights::random(t.clone(), 9, 2.0);
        let (mut a, mut b) = (Network::new(&weights), Network::new(&weights));
        let mut rng = Rng::new(10);
        let n = t.n_in();
        let (mut xa, mut xb, mut ya, mut yb) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (bass, melody_units) = (t.unit_offset(2), 12..25);
        let mut changed = false;
        for _ in 0..500 {
            random_frame(&t, &mut rng, &mut xa);
            xb.copy_from_slice(&xa);
            for u in &mut xb[bass..] {
                *u = rng.uniform(-1.0, 2.0);
            }
            a.step(&xa, &mut ya);
            b.step(&xb, &mut yb);
            assert_eq!(ya[..bass], yb[..bass], "chord and melody outputs");
            assert_eq!(a.chord_cell_states(), b.chord_cell_states(), "chord cells");
            changed |= ya[bass..] != yb[bass..];
        }
        assert!(changed, "the perturbation did reach the bass");
        // And the melody's inputs never reach the chords either.
        let mut xc = xa.clone();
        for u in &mut xc[melody_units] {
            *u = 1.0;
        }
        let (mut c, mut d) = (Network::new(&weights), Network::new(&weights));
        c.step(&xa, &mut ya);
        d.step(&xc, &mut yb);
        assert_eq!(ya[..12], yb[..12]);
    }

    /// The audio thread's calls allocate nothing. (Test builds of the plugin crate install
    /// nice-plug's allocation guard, so any allocation in here aborts the test.)
    #[test]
    fn step_and_reset_allocate_nothing() {
        let t = with_bass(23, 4);
        let mut net = Network::new(&Weights::random(t.clone(), 5, 1.0));
        let mut rng = Rng::new(6);
        let n = t.n_in();
        let (mut x, mut y) = (vec![0.0f32; n], vec![0.0f32; n]);
        random_frame(&t, &mut rng, &mut x);
        nice_assert_no_alloc::assert_no_alloc(|| {
            for i in 0..2000 {
                if i % 96 == 0 {
                    net.reset();
                }
                net.step(&x, &mut y);
                x[..12].iter_mut().zip(&y).for_each(|(u, &v)| *u = f32::from(u8::from(v > 0.5)));
            }
        });
    }

    #[test]
    fn outputs_stay_in_range_with_huge_weights() {
        let t = with_bass(23, 4);
        let mut net = Network::new(&Weights::random(t.clone(), 1, 200.0));
        let mut rng = Rng::new(2);
        let n = t.n_in();
        let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
        for _ in 0..200 {
            random_frame(&t, &mut rng, &mut x);
            net.step(&x, &mut y);
            assert!(y.iter().all(|v| (0.0..=1.0).contains(v)), "{y:?}");
        }
    }
}

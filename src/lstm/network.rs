//! The real-time forward pass: one step of the LSTM per eighth note.
//!
//! Built from a [`Model`] on any non-audio thread (`new` allocates everything); `step` and
//! `reset` then run on the audio thread and allocate nothing, lock nothing, log nothing.
//!
//! Speed (numbers in `benches/network.rs`): every vector is padded to whole groups of
//! 8 floats (one AVX register) and the gate rows are laid out per cell — input, forget and
//! output gate repeated for each cell of a block, then the cell inputs — so the cell update
//! is plain 8-wide vector arithmetic. Each weight matrix is stored column-major in panels of
//! 8 rows, up to 4 panels side by side, so a product accumulates in registers and each
//! column costs one 8-wide multiply-add per panel. The frame units are 0/1 and mostly 0, so
//! only the columns of the units that are on are visited. The tanh of the cell inputs is
//! taken as 2σ(2x) − 1 (their rows are stored doubled), so one σ pass covers every gate.
//! The same fast `exp` as the trainer's keeps the two within 1e-5 of each other.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::math::{sigmoid8, tanh8};
use super::model_file::Model;
use super::topology::{Topology, GATES};

/// Floats per vector: one AVX register, two SSE ones.
const LANES: usize = 8;

/// Panels accumulated together: enough independent adds to hide their latency.
const MAX_PANELS: usize = 4;

/// `n` rounded up to whole vectors.
fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// A weight matrix in panels of [`LANES`] rows; padding rows and columns are zero.
#[derive(Clone, Debug)]
struct Panels {
    /// Blocks of up to [`MAX_PANELS`] panels, each column-major: block at `offset`, column
    /// k, panel p at `w[offset + k·panels + p]`.
    w: Vec<[f32; LANES]>,
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
        let panels = rows.div_ceil(LANES);
        let mut w = vec![[0.0; LANES]; panels * cols];
        let mut blocks = Vec::new();
        let mut first = 0;
        while first < panels {
            let n = (panels - first).min(MAX_PANELS);
            let offset = first * cols;
            for p in 0..n {
                for l in 0..LANES {
                    let r = (first + p) * LANES + l;
                    if r < rows {
                        for k in 0..cols {
                            w[offset + k * n + p][l] = value(r, k);
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
    fn matvec(&self, dense: &[f32], x: &[f32], on: u128, out: &mut [[f32; LANES]]) {
        let mut first = 0;
        for &(offset, n) in &self.blocks {
            let w = &self.w[offset..offset + n * self.cols];
            let o = &mut out[first..first + n];
            match n {
                1 => self.block::<1>(w, dense, x, on, o),
                2 => self.block::<2>(w, dense, x, on, o),
                3 => self.block::<3>(w, dense, x, on, o),
                _ => self.block::<MAX_PANELS>(w, dense, x, on, o),
            }
            first += n;
        }
    }

    /// `matvec` for one block of `P` panels, all `P` accumulators in registers.
    #[inline(always)]
    fn block<const P: usize>(&self, w: &[[f32; LANES]], dense: &[f32], x: &[f32], on: u128, out: &mut [[f32; LANES]]) {
        let (cols, _) = w.as_chunks::<P>();
        let mut acc = cols[self.cols - 1];
        for (col, &v) in cols[..self.n_dense].iter().zip(dense) {
            for p in 0..P {
                for l in 0..LANES {
                    acc[p][l] += v * col[p][l];
                }
            }
        }
        let sparse = &cols[self.n_dense..];
        let mut on = on;
        while on != 0 {
            let j = on.trailing_zeros() as usize;
            on &= on - 1;
            let (v, col) = (x[j], &sparse[j]);
            for p in 0..P {
                for l in 0..LANES {
                    acc[p][l] += v * col[p][l];
                }
            }
        }
        out.copy_from_slice(&acc);
    }
}

/// Where a group (chords or melody) sits in the network's buffers.
#[derive(Clone, Copy, Debug)]
struct GroupAt {
    /// First unit of the group in a frame, and its units.
    x_off: usize,
    n_x: usize,
    /// The group's cells padded to whole vectors (the padding cells stay 0), and where they
    /// start in `c` and `h`.
    hp: usize,
    h_off: usize,
    /// Where the group's gate rows (4·hp: i, f, o per cell, then cell inputs) start in `za`,
    /// and its output rows in `zo` (in vectors).
    za_off: usize,
    zo_off: usize,
    /// Recurrent inputs: the first `rec` entries of `h`.
    rec: usize,
}

/// The real-time LSTM: weights in the fastest layout plus the recurrent state.
#[derive(Clone, Debug)]
pub struct Network {
    topology: Topology,
    /// Gate matrices of the chord group and (Exp 2) the melody group.
    gates: Vec<Panels>,
    /// Output matrices of the same groups.
    outs: Vec<Panels>,
    /// Buffer positions of each group. Fixed at construction.
    groups: Vec<GroupAt>,
    /// Gate activations of every group, in vectors (see `GroupAt::za_off`).
    za: Vec<[f32; LANES]>,
    /// Output activations of every group, in vectors.
    zo: Vec<[f32; LANES]>,
    /// Cell states and cell outputs, chord cells first, each group padded to whole vectors;
    /// the recurrent state.
    c: Vec<f32>,
    h: Vec<f32>,
    /// Whether the CPU has AVX2 (then `step` runs the AVX2 build).
    avx2: bool,
}

impl Network {
    /// Builds the network (all allocation happens here). Panics if `model` lacks a tensor of
    /// its topology, which a model from `Model::from_json` or the trainer never does.
    pub fn new(model: &Model) -> Self {
        let t = model.topology;
        let specs = t.tensors();
        let (hc, hm) = (t.chord_cells(), t.melody_cells());
        let (hcp, hmp) = (padded(hc), padded(hm));
        let cpb = t.cells_per_block;
        let mut gates = Vec::new();
        let mut outs = Vec::new();
        let mut groups = Vec::new();
        let (mut za_len, mut zo_len) = (0, 0);
        // (first unit, units, blocks, first padded cell, cells, padded cells, padded recurrent)
        let group_params = [
            (0, t.n_chord, t.chord_blocks, 0, hc, hcp, hcp),
            (t.n_chord, t.n_melody, t.melody_blocks, hcp, hm, hmp, hcp + hmp),
        ];
        for (gi, &(x_off, n_x, blocks, h_off, h, hp, rec)) in group_params.iter().enumerate() {
            if n_x == 0 {
                continue;
            }
            let (gs, os) = (&specs[2 * gi], &specs[2 * gi + 1]);
            let (gv, ov) = (model.values(gs), model.values(os));
            // The model's column of padded recurrent input d (chord cells, then melody cells).
            let rec_col = |d: usize| -> Option<usize> {
                let cell = if d < hcp { (d < hc).then_some(d)? } else { (d - hcp < hm).then_some(hc + d - hcp)? };
                Some(n_x + cell)
            };
            // Gate row r of the padded layout: kind (i, f, o, cell input) × padded cell.
            let g = Panels::new(4 * hp, rec, n_x, |r, k| {
                let (kind, cell) = (r / hp, r % hp);
                if cell >= h {
                    return 0.0;
                }
                let (row, scale) =
                    if kind < GATES { (kind * blocks + cell / cpb, 1.0) } else { (GATES * blocks + cell, 2.0) };
                let col = match k {
                    k if k < rec => rec_col(k),
                    k if k < rec + n_x => Some(k - rec),
                    _ => Some(gs.cols - 1),
                };
                col.map_or(0.0, |col| scale * gv[row * gs.cols + col])
            });
            // Output columns in the model: the group's cells, units, bias.
            let o = Panels::new(n_x, hp, n_x, |r, k| {
                let col = if k < hp { (k < h).then_some(k) } else { Some(h + k - hp) };
                col.map_or(0.0, |col| ov[r * os.cols + col])
            });
            groups.push(GroupAt { x_off, n_x, hp, h_off, za_off: za_len, zo_off: zo_len, rec });
            za_len += 4 * hp / LANES;
            zo_len += padded(n_x) / LANES;
            gates.push(g);
            outs.push(o);
        }
        Self {
            topology: t,
            gates,
            outs,
            groups,
            za: vec![[0.0; LANES]; za_len],
            zo: vec![[0.0; LANES]; zo_len],
            c: vec![0.0; hcp + hmp],
            h: vec![0.0; hcp + hmp],
            #[cfg(target_arch = "x86_64")]
            avx2: std::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            avx2: false,
        }
    }

    /// The topology the network was built with.
    pub fn topology(&self) -> Topology {
        self.topology
    }

    /// Back to the state before the first step (all cells 0). Real-time safe.
    pub fn reset(&mut self) {
        self.c.fill(0.0);
        self.h.fill(0.0);
    }

    /// The cell states of the chord blocks (for tests and displays).
    pub fn chord_cell_states(&self) -> &[f32] {
        &self.c[..self.topology.chord_cells()]
    }

    /// One step: `x` is this step's frame (`n_in` units), `y` receives the predicted next
    /// frame (`n_out` logistic outputs in (0, 1)). Real-time safe. Runs the AVX2 build of the
    /// same code when the CPU has it (the outputs are bit-identical either way).
    pub fn step(&mut self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is only set when the CPU has AVX2 (checked in `new`).
            return unsafe { self.step_avx2(x, y) };
        }
        self.step_plain(x, y);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_avx2(&mut self, x: &[f32], y: &mut [f32]) {
        self.step_plain(x, y);
    }

    #[inline(always)]
    fn step_plain(&mut self, x: &[f32], y: &mut [f32]) {
        debug_assert_eq!(x.len(), self.topology.n_in());
        debug_assert_eq!(y.len(), self.topology.n_out());
        // The units that are on, one bit each (at most 16 chord and 128 melody units).
        let mut on = [0u128; 2];
        for (gi, g) in self.groups.iter().enumerate() {
            let (chunks, rest) = x[g.x_off..g.x_off + g.n_x].as_chunks::<LANES>();
            let mut tail = [0.0; LANES];
            tail[..rest.len()].copy_from_slice(rest);
            let tail = (!rest.is_empty()).then_some(&tail);
            for (c, chunk) in chunks.iter().chain(tail).enumerate() {
                // Eight compares into one byte (a single vector compare and mask move).
                let mut bits = 0u8;
                for l in 0..LANES {
                    bits |= u8::from(chunk[l] != 0.0) << l;
                }
                on[gi] |= u128::from(bits) << (c * LANES);
            }
        }
        // Gates of every group from the previous cell outputs (h is still h(t − 1) here).
        for (gi, g) in self.groups.iter().enumerate() {
            let za = &mut self.za[g.za_off..g.za_off + 4 * g.hp / LANES];
            self.gates[gi].matvec(&self.h[..g.rec], &x[g.x_off..g.x_off + g.n_x], on[gi], za);
        }
        for v in &mut self.za {
            sigmoid8(v);
        }
        for g in &self.groups {
            let q = g.hp / LANES;
            let a = &self.za[g.za_off..g.za_off + 4 * q];
            let (i, f, o, cell_in) = (&a[..q], &a[q..2 * q], &a[2 * q..3 * q], &a[3 * q..]);
            let (c, _) = self.c[g.h_off..g.h_off + g.hp].as_chunks_mut::<LANES>();
            let (h, _) = self.h[g.h_off..g.h_off + g.hp].as_chunks_mut::<LANES>();
            for v in 0..q {
                let (iv, fv, ov, gv) = (i[v], f[v], o[v], cell_in[v]);
                let mut cv = c[v];
                for l in 0..LANES {
                    cv[l] = fv[l] * cv[l] + iv[l] * (2.0 * gv[l] - 1.0);
                }
                c[v] = cv;
                tanh8(&mut cv);
                let mut hv = [0.0; LANES];
                for l in 0..LANES {
                    hv[l] = ov[l] * cv[l];
                }
                h[v] = hv;
            }
        }
        for (gi, g) in self.groups.iter().enumerate() {
            let zo = &mut self.zo[g.zo_off..g.zo_off + padded(g.n_x) / LANES];
            self.outs[gi].matvec(&self.h[g.h_off..g.h_off + g.hp], &x[g.x_off..g.x_off + g.n_x], on[gi], zo);
        }
        for v in &mut self.zo {
            sigmoid8(v);
        }
        for g in &self.groups {
            let zo = self.zo[g.zo_off..].as_flattened();
            y[g.x_off..g.x_off + g.n_x].copy_from_slice(&zo[..g.n_x]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::bptt::{forward, Lanes, Layout, Workspace, LANES};
    use crate::lstm::model_file::{Encoding, Metadata};
    use crate::lstm::rng::Rng;

    pub(crate) fn random_model(topology: Topology, seed: u64, scale: f32) -> Model {
        let meta = Metadata {
            name: String::new(),
            corpus: String::new(),
            corpus_hash: String::new(),
            seed,
            epochs: 0,
            final_loss: 0.0,
            train_seconds: 0.0,
            chord_check_choruses: 0,
        };
        let enc = Encoding { chord_low: 48, melody_low: 60, steps_per_bar: 8, bars_per_chorus: 12 };
        let mut model = Model::zeros(topology, enc, meta);
        let mut rng = Rng::new(seed);
        for t in model.weights.values_mut() {
            for v in &mut t.values {
                *v = rng.uniform(-scale, scale);
            }
        }
        model
    }

    /// A frame like the corpus's: a few chord units and one melody unit on.
    fn random_frame(t: Topology, rng: &mut Rng, out: &mut [f32]) {
        out.fill(0.0);
        for u in &mut out[..t.n_chord] {
            *u = f32::from(u8::from(rng.next_f32() < 0.33));
        }
        if t.n_melody > 0 {
            out[t.n_chord + rng.below(t.n_melody)] = 1.0;
        }
    }

    #[test]
    fn step_matches_the_trainers_forward() {
        for topology in [
            Topology::exp1(),
            Topology::exp2(),
            Topology { cells_per_block: 3, chord_blocks: 5, ..Topology::exp2() },
            Topology { n_chord: 16, n_melody: 16, cells_per_block: 1, ..Topology::exp2() },
        ] {
            let model = random_model(topology, 3, 1.0);
            let mut net = Network::new(&model);
            let layout = Layout::new(topology);
            let params: Vec<f32> = layout.specs.iter().flat_map(|s| model.values(s).to_vec()).collect();
            let (n, steps) = (topology.n_in(), 300);
            let mut rng = Rng::new(4);
            // A different sequence in every lane; the network replays lane 3.
            let mut frames: Vec<Lanes<f32>> = vec![[0.0; LANES]; (steps + 1) * n];
            let mut one = vec![0.0; n];
            for t in 0..=steps {
                for l in 0..LANES {
                    random_frame(topology, &mut rng, &mut one);
                    for u in 0..n {
                        frames[t * n + u][l] = one[u];
                    }
                }
            }
            let lane = 3;
            let mut ws = Workspace::new(&layout, steps);
            forward(&layout, &params, &frames, steps, &[1.0; LANES], &mut ws);
            let mut x = vec![0.0; n];
            let mut y = vec![0.0; n];
            let mut worst = 0.0f32;
            for t in 0..steps {
                for u in 0..n {
                    x[u] = frames[t * n + u][lane];
                }
                net.step(&x, &mut y);
                for u in 0..n {
                    worst = worst.max((y[u] - ws.output(&layout, t, u, lane)).abs());
                }
                if t == 0 {
                    // reset() must bring back exactly this first step.
                    let first = y.clone();
                    let mut again = Network::new(&model);
                    again.step(&x, &mut y);
                    assert_eq!(y, first);
                }
            }
            assert!(worst <= 1e-5, "{topology:?}: worst difference {worst}");
            net.reset();
            for u in 0..n {
                x[u] = frames[u][lane];
            }
            net.step(&x, &mut y);
            for u in 0..n {
                assert!((y[u] - ws.output(&layout, 0, u, lane)).abs() <= 1e-5, "reset restores the initial state");
            }
        }
    }

    /// The paper's topology: the melody never reaches the chord blocks or chord outputs.
    #[test]
    fn melody_inputs_never_change_chords() {
        let t = Topology::exp2();
        let model = random_model(t, 9, 2.0);
        let (mut a, mut b) = (Network::new(&model), Network::new(&model));
        let mut rng = Rng::new(10);
        let (mut xa, mut xb) = (vec![0.0; 25], vec![0.0; 25]);
        let (mut ya, mut yb) = (vec![0.0; 25], vec![0.0; 25]);
        let mut melody_differs = false;
        for _ in 0..500 {
            random_frame(t, &mut rng, &mut xa);
            xb.copy_from_slice(&xa);
            for u in &mut xb[12..] {
                *u = rng.uniform(-1.0, 2.0);
            }
            a.step(&xa, &mut ya);
            b.step(&xb, &mut yb);
            assert_eq!(ya[..12], yb[..12], "chord outputs");
            assert_eq!(a.chord_cell_states(), b.chord_cell_states(), "chord cells");
            melody_differs |= ya[12..] != yb[12..];
        }
        assert!(melody_differs, "the perturbation did reach the melody");
    }

    /// The audio thread's calls allocate nothing. (Test builds of the plugin crate install
    /// nice-plug's allocation guard, so any allocation in here aborts the test.)
    #[test]
    fn step_reset_and_sampling_allocate_nothing() {
        let model = random_model(Topology::exp2(), 5, 1.0);
        let mut net = Network::new(&model);
        let mut rng = Rng::new(6);
        let (mut x, mut y) = ([0.0f32; 25], [0.0f32; 25]);
        x[0] = 1.0;
        x[14] = 1.0;
        let mut notes = 0u32;
        nice_assert_no_alloc::assert_no_alloc(|| {
            for i in 0..2000 {
                if i % 96 == 0 {
                    net.reset();
                }
                net.step(&x, &mut y);
                let chord = crate::lstm::sampling::chord_mask_from_outputs(&y[..12]);
                let note = crate::lstm::sampling::sample_melody(&y[12..], 0.7, &mut rng);
                x[..12].iter_mut().enumerate().for_each(|(u, v)| *v = f32::from(u8::from(chord & (1 << u) != 0)));
                notes += u32::from(note.is_some());
            }
        });
        assert_eq!(notes, 2000);
    }

    #[test]
    fn outputs_stay_in_range_with_huge_weights() {
        let model = random_model(Topology::exp2(), 1, 200.0);
        let mut net = Network::new(&model);
        let mut rng = Rng::new(2);
        let (mut x, mut y) = (vec![0.0; 25], vec![0.0; 25]);
        for _ in 0..200 {
            random_frame(model.topology, &mut rng, &mut x);
            net.step(&x, &mut y);
            assert!(y.iter().all(|v| (0.0..=1.0).contains(v)), "{y:?}");
        }
    }
}

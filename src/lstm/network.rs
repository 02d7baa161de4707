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
//! column costs one 8-wide multiply-add per panel; the recurrent columns alternate between
//! two sets of accumulators, which halves the chain of dependent adds the next step waits
//! for. The frame units are 0/1 and mostly 0, so only the columns of the units that are on
//! are visited. Every nonlinearity is one rational tanh (`simd::tanh`): gate and output rows
//! are stored halved, so σ(z) = (1 + tanh(z/2)) / 2 costs one multiply-add more. The
//! algorithm is written once over [`F32x8`] and runs on AVX2 + FMA registers when the CPU
//! has them. Nets of the paper's size (at most 4 blocks and 8 cells per group) take a compact
//! layout with every size fixed at compile time, where each block's gates are computed once
//! and spread over its cells by a lane permutation (`CompactGroup`).

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::model_file::Model;
use super::simd::{sigmoid_of_half, sigmoid_of_half_inner, tanh, tanh_inner, F32x8, Lane8, Portable, LANES, TINY};
use super::topology::{Topology, GATES};

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
    n.div_ceil(LANES) * LANES
}

/// A weight matrix in panels of [`LANES`] rows; padding rows and columns are zero.
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
        let panels = rows.div_ceil(LANES);
        let mut w = vec![Lane8::default(); panels * cols];
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
/// inherit `step_avx2`'s target features.)
#[inline(always)]
fn fma<V: F32x8, const P: usize>(acc: &mut [V; P], col: &[Lane8; P], v: f32) {
    let v = V::splat(v);
    for p in 0..P {
        acc[p] = V::load(&col[p]).mul_add(v, acc[p]);
    }
}

/// acc += Σ units[j] · cols[j] over the units that are on (bit j of `on`).
#[inline(always)]
fn add_units<V: F32x8, const P: usize>(acc: &mut [V; P], cols: &[[Lane8; P]], units: &[f32], on: u32) {
    let mut bits = on;
    while bits != 0 {
        let j = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        fma(acc, &cols[j], units[j]);
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
    /// The paper-sized layout, when every group fits it (then `step` uses only this).
    compact: Option<Vec<CompactGroup>>,
    /// Gate matrices of the chord group and (Exp 2) the melody group.
    gates: Vec<Panels>,
    /// Output matrices of the same groups.
    outs: Vec<Panels>,
    /// Buffer positions of each group. Fixed at construction.
    groups: Vec<GroupAt>,
    /// Gate activations of every group, in vectors (see `GroupAt::za_off`).
    za: Vec<Lane8>,
    /// Output activations of every group, in vectors.
    zo: Vec<Lane8>,
    /// Cell states and cell outputs, chord cells first, each group padded to whole vectors;
    /// the recurrent state.
    c: Vec<Lane8>,
    h: Vec<Lane8>,
    /// Whether the CPU has AVX2 and FMA (then `step` runs on those registers).
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
        let mut compact = Some(Vec::new());
        let mut compact_fits = true;
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
            let gate_value = |r: usize, k: usize| {
                let (kind, cell) = (r / hp, r % hp);
                if cell >= h {
                    return 0.0;
                }
                // Gate rows halved: σ is taken as (1 + tanh(z/2)) / 2.
                let (row, scale) =
                    if kind < GATES { (kind * blocks + cell / cpb, 0.5) } else { (GATES * blocks + cell, 1.0) };
                let col = match k {
                    k if k < rec => rec_col(k),
                    k if k < rec + n_x => Some(k - rec),
                    _ => Some(gs.cols - 1),
                };
                col.map_or(0.0, |col| flush_tiny(scale * gv[row * gs.cols + col]))
            };
            // Output columns in the model: the group's cells, units, bias.
            let out_value = |r: usize, k: usize| {
                let col = if k < hp { (k < h).then_some(k) } else { Some(h + k - hp) };
                col.map_or(0.0, |col| flush_tiny(0.5 * ov[r * os.cols + col]))
            };
            let (g, o) = (Panels::new(4 * hp, rec, n_x, gate_value), Panels::new(n_x, hp, n_x, out_value));
            if let Some(compact) = &mut compact {
                match CompactGroup::new(x_off, n_x, (blocks, cpb), hp, rec, h_off, gate_value, out_value) {
                    Some(group) => compact.push(group),
                    None => compact_fits = false,
                }
            }
            groups.push(GroupAt { x_off, n_x, hp, h_off, za_off: za_len, zo_off: zo_len, rec });
            za_len += 4 * hp / LANES;
            zo_len += padded(n_x) / LANES;
            gates.push(g);
            outs.push(o);
        }
        Self {
            topology: t,
            compact: compact.filter(|_| compact_fits),
            gates,
            outs,
            groups,
            za: vec![Lane8::default(); za_len],
            zo: vec![Lane8::default(); zo_len],
            c: vec![Lane8::default(); (hcp + hmp) / LANES],
            h: vec![Lane8::default(); (hcp + hmp) / LANES],
            #[cfg(target_arch = "x86_64")]
            avx2: std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"),
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
        self.c.fill(Lane8::default());
        self.h.fill(Lane8::default());
    }

    /// The cell states of the chord blocks (for tests and displays).
    pub fn chord_cell_states(&self) -> &[f32] {
        &self.c.as_slice().as_flattened_f32()[..self.topology.chord_cells()]
    }

    /// One step: `x` is this step's frame (`n_in` units), `y` receives the predicted next
    /// frame (`n_out` logistic outputs in (0, 1)). Real-time safe. Runs on AVX2 + FMA
    /// registers when the CPU has them; the portable build of the same code differs from that
    /// only by rounding (fused multiply-adds), within 1e-6.
    pub fn step(&mut self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is only set when the CPU has AVX2 and FMA (checked in `new`).
            return unsafe { self.step_avx2(x, y) };
        }
        self.step_with::<Portable>(x, y);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn step_avx2(&mut self, x: &[f32], y: &mut [f32]) {
        self.step_with::<super::simd::Avx2>(x, y);
    }

    /// The portable build, for tests that compare it with the AVX2 one.
    #[cfg(test)]
    fn step_portable(&mut self, x: &[f32], y: &mut [f32]) {
        self.step_with::<Portable>(x, y);
    }

    #[inline(always)]
    fn step_with<V: F32x8>(&mut self, x: &[f32], y: &mut [f32]) {
        debug_assert_eq!(x.len(), self.topology.n_in());
        debug_assert_eq!(y.len(), self.topology.n_out());
        if let Some(groups) = &self.compact {
            if let Some(groups) = groups.as_array::<1>() {
                return compact_step::<V, 1>(groups, &mut self.c, &mut self.h, x, y);
            }
            if let Some(groups) = groups.as_array::<2>() {
                return compact_step::<V, 2>(groups, &mut self.c, &mut self.h, x, y);
            }
        }
        // The units that are on, one bit each (at most 16 chord and 128 melody units).
        let mut on = [0u128; 2];
        for (gi, g) in self.groups.iter().enumerate() {
            let units = &x[g.x_off..g.x_off + g.n_x];
            let (chunks, rest) = units.as_chunks::<LANES>();
            for (c, chunk) in chunks.iter().enumerate() {
                on[gi] |= u128::from(V::load_array(chunk).nonzero_bits()) << (c * LANES);
            }
            if let Some(last8) = units.rchunks(LANES).next().and_then(|c| c.as_array::<LANES>()) {
                // The tail: the last 8 units, overlapping the last whole chunk, shifted into place.
                on[gi] |= u128::from(V::load_array(last8).nonzero_bits()) << (g.n_x - LANES);
            } else {
                for (l, &v) in rest.iter().enumerate() {
                    on[gi] |= u128::from(v != 0.0) << l;
                }
            }
        }
        // Gates of every group from the previous cell outputs (h is still h(t − 1) here).
        let h = self.h.as_slice().as_flattened_f32();
        for (gi, g) in self.groups.iter().enumerate() {
            let za = &mut self.za[g.za_off..g.za_off + 4 * g.hp / LANES];
            self.gates[gi].matvec::<V>(&h[..g.rec], &x[g.x_off..g.x_off + g.n_x], on[gi], za);
        }
        for g in &self.groups {
            let q = g.hp / LANES;
            let a = &self.za[g.za_off..g.za_off + 4 * q];
            let (i, f, o, cell_in) = (&a[..q], &a[q..2 * q], &a[2 * q..3 * q], &a[3 * q..]);
            let v0 = g.h_off / LANES;
            for v in 0..q {
                // (No closure here: closures do not inherit `step_avx2`'s target features.)
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
            let zo = &mut self.zo[g.zo_off..g.zo_off + padded(g.n_x) / LANES];
            self.outs[gi].matvec::<V>(&h[g.h_off..g.h_off + g.hp], &x[g.x_off..g.x_off + g.n_x], on[gi], zo);
        }
        for v in &mut self.zo {
            sigmoid_of_half(V::load(v)).store(v);
        }
        let zo = self.zo.as_slice().as_flattened_f32();
        for g in &self.groups {
            let (out, z) = (&mut y[g.x_off..g.x_off + g.n_x], &zo[g.zo_off * LANES..g.zo_off * LANES + g.n_x]);
            // Whole vectors, then the last 8 units again (overlapping): fixed-size copies, where
            // a slice copy of a runtime length would be a memcpy call.
            let (out_chunks, _) = out.as_chunks_mut::<LANES>();
            let (z_chunks, _) = z.as_chunks::<LANES>();
            for (o, z) in out_chunks.iter_mut().zip(z_chunks) {
                *o = *z;
            }
            if let (Some(o), Some(z)) = (out.rchunks_mut(LANES).next(), z.rchunks(LANES).next()) {
                match (o.as_mut_array::<LANES>(), z.as_array::<LANES>()) {
                    (Some(o), Some(z)) => *o = *z,
                    _ => o.copy_from_slice(z),
                }
            }
        }
    }
}

/// Most cells per group, units per group and recurrent inputs of the paper-sized layout.
const COMPACT_CELLS: usize = LANES;
const COMPACT_UNITS: usize = 2 * LANES;
const COMPACT_REC: usize = 2 * LANES;

/// Most blocks per group of the compact layout: their input and forget gates share a vector.
const COMPACT_BLOCKS: usize = LANES / 2;

/// One group of a paper-sized net — at most 4 blocks and 8 cells (one vector), 8 to 16 units,
/// at most 16 recurrent inputs — with every size fixed at compile time, so the step is
/// straight-line vector code with no loop bookkeeping beyond the active units. The paper's
/// Exp 1 and Exp 2 both fit; other sizes use the general `Panels` layout.
///
/// The cells of a block share its gates, so the gates are computed once per block, not per
/// cell: three panels (input and forget gates; output gates; cell inputs) where one per kind
/// would take four, then spread over the cells by a lane permutation.
#[derive(Clone, Debug)]
struct CompactGroup {
    /// Gate rows by column — recurrent inputs (zero past `rec`), units (zero past `n_x`),
    /// bias — in three panels: [i of blocks 0–3, f of blocks 0–3], [o of blocks 0–3, zeros],
    /// [cell input of cells 0–7].
    gates: [[Lane8; 3]; COMPACT_REC + COMPACT_UNITS + 1],
    /// Lane of each cell's input (and output) gate in its panel; the forget gate's is 4 on.
    gate_of_cell: [u32; LANES],
    forget_of_cell: [u32; LANES],
    /// Output rows (2 panels, zero past `n_x`) by column: the group's cells, units, bias.
    outs: [[Lane8; 2]; COMPACT_CELLS + COMPACT_UNITS + 1],
    x_off: usize,
    n_x: usize,
    /// Whether the group reads the second vector of cell outputs (the melody cells).
    reads_second: bool,
    /// Which vector of `c` and `h` holds the group's cells.
    cells_at: usize,
}

impl CompactGroup {
    /// The group in the compact layout, or `None` if it does not fit. `gate_value` and
    /// `out_value` are the entries of the general layout (see `Network::new`).
    #[allow(clippy::too_many_arguments)]
    fn new(
        x_off: usize,
        n_x: usize,
        (blocks, cells_per_block): (usize, usize),
        hp: usize,
        rec: usize,
        h_off: usize,
        gate_value: impl Fn(usize, usize) -> f32,
        out_value: impl Fn(usize, usize) -> f32,
    ) -> Option<Self> {
        if hp != COMPACT_CELLS
            || !(LANES..=COMPACT_UNITS).contains(&n_x)
            || rec > COMPACT_REC
            || !(1..=COMPACT_BLOCKS).contains(&blocks)
            || cells_per_block == 0
        {
            return None;
        }
        // Row of the general layout (kind × padded cell) for lane l of compact panel p; the
        // first cell of a block stands for the block's gates.
        let general_row = |p: usize, l: usize| -> Option<usize> {
            let (kind, block_or_cell) = match (p, l) {
                (0, l) if l < COMPACT_BLOCKS => (0, l),
                (0, l) => (1, l - COMPACT_BLOCKS),
                (1, l) if l < COMPACT_BLOCKS => (2, l),
                (1, _) => return None,
                (_, l) => return Some(3 * hp + l),
            };
            (block_or_cell < blocks).then_some(kind * hp + block_or_cell * cells_per_block)
        };
        let mut gates = [[Lane8::default(); 3]; COMPACT_REC + COMPACT_UNITS + 1];
        for (k, col) in gates.iter_mut().enumerate() {
            let general = match k {
                k if k < COMPACT_REC => (k < rec).then_some(k),
                k if k < COMPACT_REC + COMPACT_UNITS => (k - COMPACT_REC < n_x).then_some(rec + k - COMPACT_REC),
                _ => Some(rec + n_x),
            };
            if let Some(gk) = general {
                for (p, panel) in col.iter_mut().enumerate() {
                    for (l, v) in panel.0.iter_mut().enumerate() {
                        *v = general_row(p, l).map_or(0.0, |r| gate_value(r, gk));
                    }
                }
            }
        }
        let gate_of_cell: [u32; LANES] = std::array::from_fn(|cell| (cell / cells_per_block).min(blocks - 1) as u32);
        let forget_of_cell = gate_of_cell.map(|g| g + COMPACT_BLOCKS as u32);
        let mut outs = [[Lane8::default(); 2]; COMPACT_CELLS + COMPACT_UNITS + 1];
        for (k, col) in outs.iter_mut().enumerate() {
            let general = match k {
                k if k < COMPACT_CELLS => Some(k),
                k if k < COMPACT_CELLS + COMPACT_UNITS => (k - COMPACT_CELLS < n_x).then_some(hp + k - COMPACT_CELLS),
                _ => Some(hp + n_x),
            };
            if let Some(gk) = general {
                for (r, v) in col.iter_mut().flat_map(|p| p.0.iter_mut()).enumerate() {
                    *v = if r < n_x { out_value(r, gk) } else { 0.0 };
                }
            }
        }
        Some(Self {
            gates,
            gate_of_cell,
            forget_of_cell,
            outs,
            x_off,
            n_x,
            reads_second: rec > LANES,
            cells_at: h_off / LANES,
        })
    }
}

/// One step of a net in the compact layout, `G` groups; the same arithmetic as the general
/// path. Phase by phase over all groups rather than group after group: the groups'
/// dependency chains (products, then nonlinearities) are independent, and interleaved they
/// overlap instead of queueing, which is most of the speed of this path.
#[inline(always)]
fn compact_step<V: F32x8, const G: usize>(
    groups: &[CompactGroup; G],
    c: &mut [Lane8],
    h: &mut [Lane8],
    x: &[f32],
    y: &mut [f32],
) {
    // The previous cell outputs, read before any group writes this step's.
    let mut h_prev = [Lane8::default(); 2];
    for (p, v) in h_prev.iter_mut().zip(h.iter()) {
        *p = *v;
    }
    let h_prev: &[f32; COMPACT_REC] = h_prev.as_flattened_f32().try_into().unwrap_or(&[0.0; COMPACT_REC]);
    let mut units: [&[f32]; G] = [&[]; G];
    let mut on = [0u32; G];
    for (gi, g) in groups.iter().enumerate() {
        let Some(u) = x.get(g.x_off..g.x_off + g.n_x) else { return };
        // The units that are on: the first 8, and the last 8 (overlapping) shifted into place.
        let (Some(first8), Some(last8)) = (u[..LANES].as_array::<LANES>(), u[g.n_x - LANES..].as_array::<LANES>())
        else {
            return;
        };
        on[gi] = V::load_array(first8).nonzero_bits() | V::load_array(last8).nonzero_bits() << (g.n_x - LANES);
        units[gi] = u;
    }
    // Gates: even recurrent columns into `a` (from the bias), odd ones and units into `b`.
    // A group that reads only the first vector has zero weights in the second.
    let mut a: [[V; 3]; G] =
        std::array::from_fn(|gi| std::array::from_fn(|p| V::load(&groups[gi].gates[COMPACT_REC + COMPACT_UNITS][p])));
    let mut b = [[V::splat(0.0); 3]; G];
    // The units first: they do not wait for the previous step, so these run while it ends.
    for gi in 0..G {
        add_units(&mut b[gi], &groups[gi].gates[COMPACT_REC..], units[gi], on[gi]);
    }
    for k in (0..LANES).step_by(2) {
        for gi in 0..G {
            fma(&mut a[gi], &groups[gi].gates[k], h_prev[k]);
            fma(&mut b[gi], &groups[gi].gates[k + 1], h_prev[k + 1]);
        }
    }
    // The second vector (melody cells) only for the groups that read it.
    for gi in 0..G {
        if groups[gi].reads_second {
            for k in (LANES..COMPACT_REC).step_by(2) {
                fma(&mut a[gi], &groups[gi].gates[k], h_prev[k]);
                fma(&mut b[gi], &groups[gi].gates[k + 1], h_prev[k + 1]);
            }
        }
    }
    // Cells.
    let mut cells = [Lane8::default(); G];
    for gi in 0..G {
        let g = &groups[gi];
        let [in_forget, out_gate, cell_in]: [V; 3] = std::array::from_fn(|p| a[gi][p].add(b[gi][p]));
        let (Some(cv), Some(hv)) = (c.get_mut(g.cells_at), h.get_mut(g.cells_at)) else { return };
        let (in_forget, out_gate) = (sigmoid_of_half_inner(in_forget), sigmoid_of_half_inner(out_gate));
        let (i, f) = (in_forget.permute(&g.gate_of_cell), in_forget.permute(&g.forget_of_cell));
        let cell = f.mul(V::load(cv)).add(i.mul(tanh_inner(cell_in))).flush_tiny();
        cell.store(cv);
        out_gate.permute(&g.gate_of_cell).mul(tanh_inner(cell)).flush_tiny().store(hv);
        cells[gi] = *hv;
    }
    // Outputs from this step's cells and the units.
    let mut a: [[V; 2]; G] =
        std::array::from_fn(|gi| std::array::from_fn(|p| V::load(&groups[gi].outs[COMPACT_CELLS + COMPACT_UNITS][p])));
    let mut b = [[V::splat(0.0); 2]; G];
    for gi in 0..G {
        add_units(&mut b[gi], &groups[gi].outs[COMPACT_CELLS..], units[gi], on[gi]);
    }
    for k in (0..COMPACT_CELLS).step_by(2) {
        for gi in 0..G {
            fma(&mut a[gi], &groups[gi].outs[k], cells[gi].0[k]);
            fma(&mut b[gi], &groups[gi].outs[k + 1], cells[gi].0[k + 1]);
        }
    }
    for (gi, g) in groups.iter().enumerate() {
        let mut out = [Lane8::default(); 2];
        for p in 0..2 {
            sigmoid_of_half(a[gi][p].add(b[gi][p])).store(&mut out[p]);
        }
        // The first 8 outputs, then the last 8 (overlapping): fixed-size copies.
        let out = out.as_flattened_f32();
        let Some(ys) = y.get_mut(g.x_off..g.x_off + g.n_x) else { return };
        if let (Some(dst), Some(src)) = (ys[..LANES].as_mut_array::<LANES>(), out[..LANES].as_array::<LANES>()) {
            *dst = *src;
        }
        let tail = g.n_x - LANES;
        if let (Some(dst), Some(src)) = (ys[tail..].as_mut_array::<LANES>(), out[tail..g.n_x].as_array::<LANES>()) {
            *dst = *src;
        }
    }
}

/// Flat f32 view of a vector buffer.
trait Flat {
    fn as_flattened_f32(&self) -> &[f32];
}

impl Flat for [Lane8] {
    fn as_flattened_f32(&self) -> &[f32] {
        // SAFETY: `Lane8` is `repr(C)` around `[f32; 8]` with no padding (32 bytes, align 32).
        unsafe { std::slice::from_raw_parts(self.as_ptr().cast::<f32>(), self.len() * LANES) }
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
            // Compact layouts with other blocks: 2 of 4 cells; 2 of 3 cells (padded); 3 and 1 of 2.
            Topology { cells_per_block: 4, chord_blocks: 2, melody_blocks: 2, ..Topology::exp2() },
            Topology { cells_per_block: 3, chord_blocks: 2, melody_blocks: 2, ..Topology::exp2() },
            Topology { chord_blocks: 3, melody_blocks: 1, ..Topology::exp2() },
            // 8 blocks of 1 cell: too many blocks for the compact layout's shared gate vector.
            Topology { cells_per_block: 1, chord_blocks: 8, melody_blocks: 8, ..Topology::exp2() },
        ] {
            let model = random_model(topology, 3, 1.0);
            let mut net = Network::new(&model);
            let compact = topology.cells_per_block * topology.chord_blocks.max(topology.melody_blocks) <= LANES
                && topology.chord_blocks.max(topology.melody_blocks) <= LANES / 2;
            assert_eq!(net.compact.is_some(), compact, "{topology:?}: which layout");
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

    /// The AVX2 build and the portable one play the same network: only rounding differs.
    #[test]
    fn portable_and_vector_builds_agree() {
        for topology in [
            Topology::exp1(),
            Topology::exp2(),
            Topology { cells_per_block: 4, chord_blocks: 2, melody_blocks: 2, ..Topology::exp2() },
            Topology { cells_per_block: 5, ..Topology::exp2() },
        ] {
            let model = random_model(topology, 7, 1.0);
            let (mut fast, mut portable) = (Network::new(&model), Network::new(&model));
            let mut rng = Rng::new(8);
            let n = topology.n_in();
            let (mut x, mut ya, mut yb) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            let mut worst = 0.0f32;
            for _ in 0..2000 {
                random_frame(topology, &mut rng, &mut x);
                fast.step(&x, &mut ya);
                portable.step_portable(&x, &mut yb);
                worst = ya.iter().zip(&yb).fold(worst, |w, (a, b)| w.max((a - b).abs()));
            }
            assert!(worst <= 1e-5, "{topology:?}: worst difference {worst}");
        }
    }

    /// No subnormal float ever settles in the recurrent state, whatever the weights (see
    /// `simd::TINY`): with tiny, normal and huge weights, every cell state and output is 0 or
    /// at least TINY in magnitude after every step, in both builds.
    #[test]
    fn the_state_never_holds_subnormals() {
        for (topology, scale) in [(Topology::exp2(), 1e-20), (Topology::exp2(), 1.0), (Topology::exp1(), 30.0)] {
            for general in [false, true] {
                let mut net = Network::new(&random_model(topology, 11, scale));
                if general {
                    net.compact = None;
                }
                let mut rng = Rng::new(12);
                let n = topology.n_in();
                let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
                for _ in 0..3000 {
                    random_frame(topology, &mut rng, &mut x);
                    net.step(&x, &mut y);
                    let state = net.c.iter().chain(&net.h).flat_map(|v| v.0);
                    for v in state {
                        assert!(v == 0.0 || v.abs() >= TINY, "{topology:?} × {scale}: {v:e} in the state");
                    }
                }
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

//! The trainer's flat parameter layout: where each tensor lives in one vector (parameters,
//! gradients and Adam's moments all share it, llm.c style), and each group's dimensions as the
//! training pass uses them. Trainer thread.

use super::topology::{TensorSpec, Topology};
use std::ops::Range;

/// Where each tensor lives in the flat parameter vector, and every group's dimensions.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub topology: Topology,
    /// The tensors, in `Topology::tensors()` order.
    pub specs: Vec<TensorSpec>,
    /// The range of each tensor in the flat vector (parallel to `specs`).
    pub ranges: Vec<Range<usize>>,
    /// Total parameters.
    pub len: usize,
    pub(crate) groups: Vec<Group>,
}

/// One group of blocks with its inputs, cells and outputs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    /// First unit of the group in a frame, and how many units it has.
    pub x_off: usize,
    pub n_x: usize,
    /// First context unit in a frame, and how many the group hears (0 or all).
    pub ctx_off: usize,
    pub n_ctx: usize,
    pub blocks: usize,
    pub cells_per_block: usize,
    /// Cells of the group, and where they start in the combined cell vector (groups in order).
    pub h: usize,
    pub h_off: usize,
    /// The recurrent inputs of the gates: ranges of the combined cell vector (the groups it
    /// sees, then its own cells; neighbours merged unless the group is detached), `rec` cells
    /// in all.
    pub rec_ranges: Vec<Range<usize>>,
    /// Parallel to `rec_ranges`: whether the error flows back through that range (not into
    /// the groups a detached group sees).
    pub rec_grad: Vec<bool>,
    pub rec: usize,
    /// Gate rows (3 gates per block + one cell input per cell).
    pub rows: usize,
    /// Gate matrix columns: n_x + n_ctx + rec + 1.
    pub gate_cols: usize,
    /// Output matrix columns: h + n_x + n_ctx + 1.
    pub out_cols: usize,
    /// Ranges of the group's two tensors in the flat vector.
    pub gates: Range<usize>,
    pub out: Range<usize>,
    /// Whether training teaches it. A kept group (fine-tuning on choruses that lack its part)
    /// is skipped by the training pass: no loss, no gradient, its weights stay as they were.
    pub taught: bool,
    /// Whether its weights stay as they were while it is taught: it runs, so the groups that
    /// see it hear it, and learns nothing (the chords while the drummer learns alone).
    pub frozen: bool,
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
        let groups = (0..topology.groups.len())
            .map(|g| {
                let mut rec_ranges: Vec<Range<usize>> = Vec::new();
                let mut rec_grad = Vec::new();
                for s in topology.recurrent_groups(g) {
                    let r = topology.cell_offset(s)..topology.cell_offset(s) + topology.cells(s);
                    let grad = s == g || !topology.groups[g].detached;
                    match rec_ranges.last_mut() {
                        Some(last) if last.end == r.start && rec_grad.last() == Some(&grad) => last.end = r.end,
                        _ => {
                            rec_ranges.push(r);
                            rec_grad.push(grad);
                        }
                    }
                }
                let (gates, out) = (&specs[2 * g], &specs[2 * g + 1]);
                Group {
                    x_off: topology.unit_offset(g),
                    n_x: topology.groups[g].units,
                    ctx_off: topology.n_out(),
                    n_ctx: topology.heard_context(g),
                    blocks: topology.groups[g].blocks,
                    cells_per_block: topology.cells_per_block,
                    h: topology.cells(g),
                    h_off: topology.cell_offset(g),
                    rec: topology.recurrent_cells(g),
                    rec_ranges,
                    rec_grad,
                    rows: gates.rows,
                    gate_cols: gates.cols,
                    out_cols: out.cols,
                    gates: ranges[2 * g].clone(),
                    out: ranges[2 * g + 1].clone(),
                    taught: true,
                    frozen: false,
                }
            })
            .collect();
        Self { topology, specs, ranges, len: at, groups }
    }

    /// Total cells (every group).
    pub fn cells(&self) -> usize {
        self.topology.total_cells()
    }

    /// Marks the groups `kept` as untaught. Refused for a group another group sees: its cells
    /// would still change under training through that group's error, and skipping it would
    /// leave the seeing group reading stale cells.
    pub fn keep(&mut self, kept: &[usize]) -> Result<(), String> {
        for &k in kept {
            let Some(group) = self.topology.groups.get(k) else {
                return Err(format!("there is no group {k} to keep"));
            };
            if self.topology.groups.iter().any(|g| g.sees.contains(&k)) {
                return Err(format!("the {} group is heard by other groups and cannot be kept as it is", group.name));
            }
            self.groups[k].taught = false;
        }
        Ok(())
    }

    /// Marks the groups `frozen` as learning nothing: they run and are heard, their weights stay.
    pub fn freeze(&mut self, frozen: &[usize]) -> Result<(), String> {
        for &f in frozen {
            let group = self.groups.get_mut(f).ok_or_else(|| format!("there is no group {f} to freeze"))?;
            group.frozen = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::topology::GroupShape;

    #[test]
    fn the_recurrent_inputs_are_the_seen_groups_then_the_own_cells() {
        let mut t = Topology::exp2();
        t.groups.push(GroupShape::new("bass", 5, 3, &[0]));
        let layout = Layout::new(t);
        assert_eq!(layout.groups[1].rec_ranges, vec![0..16], "chord and melody cells are neighbours: merged");
        assert_eq!(layout.groups[2].rec_ranges, vec![0..8, 16..22], "the bass skips the melody's cells");
        assert_eq!(layout.groups[2].rec, 14);
        assert_eq!(layout.len, layout.topology.n_params());
        assert_eq!(layout.groups[2].rec_grad, vec![true, true]);
    }

    #[test]
    fn a_detached_group_keeps_its_error_off_the_groups_it_sees() {
        let mut t = Topology::exp2();
        t.context = 8;
        t.groups[1] = t.groups[1].clone().hearing_context().detach();
        let layout = Layout::new(t);
        let melody = &layout.groups[1];
        assert_eq!(melody.rec_ranges, vec![0..8, 8..16], "not merged: the chords' range carries no error");
        assert_eq!(melody.rec_grad, vec![false, true]);
        assert_eq!((melody.ctx_off, melody.n_ctx), (25, 8));
        assert_eq!(melody.gate_cols, 13 + 8 + 16 + 1);
        assert_eq!(layout.groups[0].n_ctx, 0, "the chords hear no context");
    }
}

//! The shape of the network: groups of units, each with cell blocks of its own, and which
//! groups' cells feed which; and the named weight tensors (with their shapes) that implies.
//!
//! Plain data, any thread. The tensor list here is the single source of truth for the model
//! file, the trainer's flat parameter layout and the real-time network.
//!
//! Connectivity (the paper's Exp 2, grown the same way): a group's blocks see the group's own
//! input units, the previous outputs of its own cells and of the cells of the groups it `sees`
//! (always earlier groups). A group's output units read its own cells and inputs. Group 0 (the
//! chords) sees no other group, so nothing played by the later groups (melody, bass, comping)
//! ever reaches a chord unit: the paper's split, which is what keeps the form.
//!
//! Context: a model may also take `context` input-only units after the groups' units — what
//! is given rather than predicted (where the next step falls in the bar, a chart's chord).
//! A group that `hears_context` reads them in its gates and its outputs. A `detached` group
//! sends no error back into the groups it sees: the drums learn from the chord cells without
//! their loss reshaping how the chord cells count the form.

use serde::{Deserialize, Serialize};

/// One group of units and the cell blocks that learn it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupShape {
    /// Names the group's tensors (`{name}_gates`, `{name}_out`), e.g. "chord", "melody".
    pub name: String,
    /// Input (= output) units of the group.
    pub units: usize,
    /// Cell blocks of the group.
    pub blocks: usize,
    /// Earlier groups whose cells feed this group's gates, in increasing order.
    #[serde(default)]
    pub sees: Vec<usize>,
    /// Whether its gates and outputs read the context units.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hears_context: bool,
    /// Whether its error stops at its own cells (no gradient into the groups it sees).
    #[serde(default, skip_serializing_if = "is_false")]
    pub detached: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The whole network: its groups in unit order, and the cells per block they all share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    pub groups: Vec<GroupShape>,
    /// Cells per block; the cells of a block share its input, forget and output gate.
    pub cells_per_block: usize,
    /// Input-only units after the groups' units (given, never predicted).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub context: usize,
}

/// Gates per block: input, forget, output.
pub const GATES: usize = 3;

/// Largest sizes a model may have: generous, but they keep a hostile file from asking for
/// gigabytes.
const MAX_GROUPS: usize = 8;
const MAX_UNITS: usize = 128;
const MAX_BLOCKS: usize = 64;
const MAX_CELLS_PER_BLOCK: usize = 16;

/// A named weight matrix: `rows` outputs × `cols` inputs, stored row-major in the model file.
///
/// Gate matrices: rows are the input gates of blocks 0..B, then the forget gates, then the
/// output gates, then the cell inputs (block-major, `cells_per_block` per block); columns are
/// the group's input units, the context units if it hears them, then the recurrent cell
/// outputs (the cells of every group it sees and its own, in group order), then the bias.
/// Output matrices: rows are the group's output units; columns are the group's cell outputs,
/// then the group's input units, the context units if it hears them, then the bias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    /// The group it belongs to, and whether it is its gate matrix or its output matrix.
    pub group: usize,
    pub gates: bool,
    pub name: String,
    pub rows: usize,
    pub cols: usize,
}

impl TensorSpec {
    /// Number of values: rows × cols.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl GroupShape {
    pub fn new(name: &str, units: usize, blocks: usize, sees: &[usize]) -> Self {
        Self { name: name.to_string(), units, blocks, sees: sees.to_vec(), hears_context: false, detached: false }
    }

    /// The same group reading the context units.
    pub fn hearing_context(self) -> Self {
        Self { hears_context: true, ..self }
    }

    /// The same group with its error kept out of the groups it sees.
    pub fn detach(self) -> Self {
        Self { detached: true, ..self }
    }
}

impl Topology {
    /// Paper, Experiment 1: chords only, 4 blocks of 2 cells.
    pub fn exp1() -> Self {
        Self { groups: vec![GroupShape::new("chord", 12, 4, &[])], cells_per_block: 2, context: 0 }
    }

    /// Paper, Experiment 2: chords and melody, 4 + 4 blocks of 2 cells; the melody blocks see
    /// the chord cells.
    pub fn exp2() -> Self {
        Self {
            groups: vec![GroupShape::new("chord", 12, 4, &[]), GroupShape::new("melody", 13, 4, &[0])],
            cells_per_block: 2,
            context: 0,
        }
    }

    /// Input units: every group's, in order, then the context.
    pub fn n_in(&self) -> usize {
        self.n_out() + self.context
    }

    /// Output units: the next frame's groups (the context is given, not predicted).
    pub fn n_out(&self) -> usize {
        self.groups.iter().map(|g| g.units).sum()
    }

    /// Context units group `g` reads: all of them or none.
    pub fn heard_context(&self, g: usize) -> usize {
        if self.groups[g].hears_context {
            self.context
        } else {
            0
        }
    }

    /// The first input unit of group `g`.
    pub fn unit_offset(&self, g: usize) -> usize {
        self.groups[..g].iter().map(|g| g.units).sum()
    }

    /// Cells of group `g`.
    pub fn cells(&self, g: usize) -> usize {
        self.groups[g].blocks * self.cells_per_block
    }

    /// Where group `g`'s cells start among all cells (groups in order).
    pub fn cell_offset(&self, g: usize) -> usize {
        (0..g).map(|i| self.cells(i)).sum()
    }

    /// All cells.
    pub fn total_cells(&self) -> usize {
        (0..self.groups.len()).map(|g| self.cells(g)).sum()
    }

    /// The groups whose cells feed group `g`'s gates: those it sees, then itself.
    pub fn recurrent_groups(&self, g: usize) -> impl Iterator<Item = usize> + '_ {
        self.groups[g].sees.iter().copied().chain(std::iter::once(g))
    }

    /// Recurrent inputs of group `g`'s gates.
    pub fn recurrent_cells(&self, g: usize) -> usize {
        self.recurrent_groups(g).map(|s| self.cells(s)).sum()
    }

    /// Rows of a group's gate matrix: three gates per block plus one cell input per cell.
    pub fn gate_rows(&self, blocks: usize) -> usize {
        blocks * (GATES + self.cells_per_block)
    }

    /// The group named `name`, if any.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.name == name)
    }

    /// Checks that the sizes make a network this code can run.
    pub fn validate(&self) -> Result<(), String> {
        if self.groups.is_empty() || self.groups.len() > MAX_GROUPS {
            return Err(format!("{} groups, must be 1..={MAX_GROUPS}", self.groups.len()));
        }
        if !(1..=MAX_CELLS_PER_BLOCK).contains(&self.cells_per_block) {
            return Err(format!("cells_per_block is {}, must be 1..={MAX_CELLS_PER_BLOCK}", self.cells_per_block));
        }
        for (i, g) in self.groups.iter().enumerate() {
            let what = format!("group {} ({})", i, g.name);
            if g.name.is_empty() || !g.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(format!("{what}: a name is lowercase letters and '_'"));
            }
            if self.groups[..i].iter().any(|other| other.name == g.name) {
                return Err(format!("{what}: the name is used twice"));
            }
            if !(1..=MAX_UNITS).contains(&g.units) {
                return Err(format!("{what}: {} units, must be 1..={MAX_UNITS}", g.units));
            }
            if g.units + self.heard_context(i) > MAX_UNITS {
                return Err(format!("{what}: {} units and {} of context, at most {MAX_UNITS}", g.units, self.context));
            }
            if !(1..=MAX_BLOCKS).contains(&g.blocks) {
                return Err(format!("{what}: {} blocks, must be 1..={MAX_BLOCKS}", g.blocks));
            }
            if !g.sees.windows(2).all(|w| w[0] < w[1]) || g.sees.last().is_some_and(|&s| s >= i) {
                return Err(format!("{what}: sees {:?}; a group sees earlier groups only, in order", g.sees));
            }
        }
        if self.context > MAX_UNITS {
            return Err(format!("{} context units, at most {MAX_UNITS}", self.context));
        }
        if self.groups[0].units > 16 {
            return Err(format!(
                "the chord group has {} units, at most 16 (a chord is a 16-bit mask)",
                self.groups[0].units
            ));
        }
        Ok(())
    }

    /// The weight tensors this topology needs, in the order of the trainer's flat layout:
    /// each group's gate matrix, then its output matrix.
    pub fn tensors(&self) -> Vec<TensorSpec> {
        let mut specs = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let cells = self.cells(i);
            specs.push(TensorSpec {
                group: i,
                gates: true,
                name: format!("{}_gates", g.name),
                rows: self.gate_rows(g.blocks),
                cols: g.units + self.heard_context(i) + self.recurrent_cells(i) + 1,
            });
            specs.push(TensorSpec {
                group: i,
                gates: false,
                name: format!("{}_out", g.name),
                rows: g.units,
                cols: cells + g.units + self.heard_context(i) + 1,
            });
        }
        specs
    }

    /// Total number of weights (biases included).
    pub fn n_params(&self) -> usize {
        self.tensors().iter().map(TensorSpec::len).sum()
    }

    /// The initial bias of the gates of block `block` (paper: −0.5, −1.0, −1.5, −2.0 for
    /// blocks 0..3, so the blocks come online one by one; larger nets repeat the pattern).
    pub fn gate_bias(block: usize) -> f32 {
        -0.5 * (1 + block % 4) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_papers_nets_have_the_expected_tensors() {
        let t = Topology::exp2();
        t.validate().unwrap();
        assert_eq!(t.n_in(), 25);
        let shapes: Vec<(String, usize, usize)> =
            t.tensors().iter().map(|s| (s.name.clone(), s.rows, s.cols)).collect();
        let want = [("chord_gates", 20, 21), ("chord_out", 12, 21), ("melody_gates", 20, 30), ("melody_out", 13, 22)];
        assert_eq!(shapes, want.map(|(n, r, c)| (n.to_string(), r, c)));
        assert_eq!(t.n_params(), 420 + 252 + 600 + 286);
        let t1 = Topology::exp1();
        t1.validate().unwrap();
        assert_eq!(t1.n_in(), 12);
        assert_eq!(t1.tensors().len(), 2);
    }

    #[test]
    fn a_third_group_sees_the_chords_but_not_the_melody() {
        let mut t = Topology::exp2();
        t.groups.push(GroupShape::new("bass", 10, 3, &[0]));
        t.validate().unwrap();
        assert_eq!(t.recurrent_groups(2).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(t.cell_offset(2), 16);
        let bass_gates = &t.tensors()[4];
        assert_eq!((bass_gates.rows, bass_gates.cols), (15, 10 + 8 + 6 + 1));
    }

    #[test]
    fn bad_sizes_are_refused() {
        let ok = Topology::exp2();
        let with = |f: &dyn Fn(&mut Topology)| {
            let mut t = ok.clone();
            f(&mut t);
            t
        };
        for bad in [
            with(&|t| t.groups[0].units = 0),
            with(&|t| t.groups[0].units = 17),
            with(&|t| t.groups[0].blocks = 0),
            with(&|t| t.cells_per_block = 0),
            with(&|t| t.groups[1].units = 1000),
            with(&|t| t.groups[1].sees = vec![1]),
            with(&|t| t.groups[0].sees = vec![1]),
            with(&|t| t.groups[1].name = "chord".into()),
            with(&|t| t.groups[1].name = "Melody!".into()),
            with(&|t| t.groups.clear()),
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn gate_biases_follow_the_paper() {
        let b: Vec<f32> = (0..6).map(Topology::gate_bias).collect();
        assert_eq!(b, vec![-0.5, -1.0, -1.5, -2.0, -0.5, -1.0]);
    }
}

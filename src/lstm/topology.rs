//! The shape of the network: how many chord and melody units, how many cell blocks of how many
//! cells in each group, and which named weight tensors (with which shapes) that implies.
//!
//! Plain data, any thread. The tensor list here is the single source of truth for the model
//! file, the trainer's flat parameter layout and the real-time network.
//!
//! Connectivity (paper, Exp 2): chord blocks see the chord inputs and the previous outputs of
//! the chord blocks; melody blocks see the melody inputs and the previous outputs of the chord
//! AND melody blocks. Chord outputs read the chord blocks and the chord inputs, melody outputs
//! the melody blocks and the melody inputs. Melody never reaches a chord unit.

use serde::{Deserialize, Serialize};

/// Units, blocks and cells of the two groups (chords, melody).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    /// Chord input (= output) units, 1..=16 (a chord is a `u16` mask).
    pub n_chord: usize,
    /// Melody input (= output) units; 0 for a chords-only net (Exp 1).
    pub n_melody: usize,
    /// Cell blocks that see the chords.
    pub chord_blocks: usize,
    /// Cell blocks that see the melody (0 exactly when `n_melody` is 0).
    pub melody_blocks: usize,
    /// Cells per block; the cells of a block share its input, forget and output gate.
    pub cells_per_block: usize,
}

/// Gates per block: input, forget, output.
pub const GATES: usize = 3;

/// Largest sizes a model may have: generous, but they keep a hostile file from asking for
/// gigabytes.
const MAX_UNITS: usize = 128;
const MAX_BLOCKS: usize = 64;
const MAX_CELLS_PER_BLOCK: usize = 16;

/// Which weight tensor: the gate/cell-input matrix or the output matrix of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    ChordGates,
    ChordOut,
    MelodyGates,
    MelodyOut,
}

/// A named weight matrix: `rows` outputs × `cols` inputs, stored row-major in the model file.
///
/// Gate matrices: rows are the input gates of blocks 0..B, then the forget gates, then the
/// output gates, then the cell inputs (block-major, `cells_per_block` per block); columns are
/// the group's input units, then the recurrent cell outputs (chord cells, then melody cells for
/// the melody group), then the bias. Output matrices: rows are the group's output units;
/// columns are the group's cell outputs, then the group's input units, then the bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    pub kind: TensorKind,
    pub name: &'static str,
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

impl Topology {
    /// Paper, Experiment 1: chords only, 4 blocks of 2 cells.
    pub const fn exp1() -> Self {
        Self { n_chord: 12, n_melody: 0, chord_blocks: 4, melody_blocks: 0, cells_per_block: 2 }
    }

    /// Paper, Experiment 2: chords and melody, 4 + 4 blocks of 2 cells.
    pub const fn exp2() -> Self {
        Self { n_chord: 12, n_melody: 13, chord_blocks: 4, melody_blocks: 4, cells_per_block: 2 }
    }

    /// Input units: chords then melody.
    pub fn n_in(&self) -> usize {
        self.n_chord + self.n_melody
    }

    /// Output units: the next frame, so as many as the inputs.
    pub fn n_out(&self) -> usize {
        self.n_in()
    }

    /// Cells in the chord blocks.
    pub fn chord_cells(&self) -> usize {
        self.chord_blocks * self.cells_per_block
    }

    /// Cells in the melody blocks.
    pub fn melody_cells(&self) -> usize {
        self.melody_blocks * self.cells_per_block
    }

    /// Rows of a group's gate matrix: three gates per block plus one cell input per cell.
    pub fn gate_rows(&self, blocks: usize) -> usize {
        blocks * (GATES + self.cells_per_block)
    }

    /// Whether the net has a melody group at all (Exp 2) or plays chords only (Exp 1).
    pub fn has_melody(&self) -> bool {
        self.n_melody > 0
    }

    /// Checks that the sizes make a network this code can run.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=16).contains(&self.n_chord) {
            return Err(format!("n_chord is {}, must be 1..=16", self.n_chord));
        }
        if self.n_melody > MAX_UNITS {
            return Err(format!("n_melody is {}, must be at most {MAX_UNITS}", self.n_melody));
        }
        if !(1..=MAX_BLOCKS).contains(&self.chord_blocks) {
            return Err(format!("chord_blocks is {}, must be 1..={MAX_BLOCKS}", self.chord_blocks));
        }
        if self.melody_blocks > MAX_BLOCKS {
            return Err(format!("melody_blocks is {}, must be at most {MAX_BLOCKS}", self.melody_blocks));
        }
        if (self.n_melody == 0) != (self.melody_blocks == 0) {
            return Err(format!(
                "n_melody is {} but melody_blocks is {}: both must be 0 (chords only) or both positive",
                self.n_melody, self.melody_blocks
            ));
        }
        if !(1..=MAX_CELLS_PER_BLOCK).contains(&self.cells_per_block) {
            return Err(format!("cells_per_block is {}, must be 1..={MAX_CELLS_PER_BLOCK}", self.cells_per_block));
        }
        Ok(())
    }

    /// The weight tensors this topology needs, in the order of the trainer's flat layout.
    pub fn tensors(&self) -> Vec<TensorSpec> {
        let (hc, hm) = (self.chord_cells(), self.melody_cells());
        let mut specs = vec![
            TensorSpec {
                kind: TensorKind::ChordGates,
                name: "chord_gates",
                rows: self.gate_rows(self.chord_blocks),
                cols: self.n_chord + hc + 1,
            },
            TensorSpec {
                kind: TensorKind::ChordOut,
                name: "chord_out",
                rows: self.n_chord,
                cols: hc + self.n_chord + 1,
            },
        ];
        if self.has_melody() {
            specs.push(TensorSpec {
                kind: TensorKind::MelodyGates,
                name: "melody_gates",
                rows: self.gate_rows(self.melody_blocks),
                cols: self.n_melody + hc + hm + 1,
            });
            specs.push(TensorSpec {
                kind: TensorKind::MelodyOut,
                name: "melody_out",
                rows: self.n_melody,
                cols: hm + self.n_melody + 1,
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
        assert_eq!(t.n_out(), 25);
        let shapes: Vec<(&str, usize, usize)> = t.tensors().iter().map(|s| (s.name, s.rows, s.cols)).collect();
        assert_eq!(
            shapes,
            vec![("chord_gates", 20, 21), ("chord_out", 12, 21), ("melody_gates", 20, 30), ("melody_out", 13, 22),]
        );
        assert_eq!(t.n_params(), 420 + 252 + 600 + 286);
        let t1 = Topology::exp1();
        t1.validate().unwrap();
        assert_eq!(t1.n_in(), 12);
        assert_eq!(t1.tensors().len(), 2);
    }

    #[test]
    fn bad_sizes_are_refused() {
        let ok = Topology::exp2();
        for bad in [
            Topology { n_chord: 0, ..ok },
            Topology { n_chord: 17, ..ok },
            Topology { chord_blocks: 0, ..ok },
            Topology { cells_per_block: 0, ..ok },
            Topology { melody_blocks: 0, ..ok },
            Topology { n_melody: 0, ..ok },
            Topology { n_melody: 1000, ..ok },
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
